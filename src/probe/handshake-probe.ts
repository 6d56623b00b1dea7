/**
 * One probe connection: connect, send a crafted ClientHello, read the server's
 * first flight (RFC 5246 §7.3: ServerHello ... ServerHelloDone; RFC 8446 §2:
 * ServerHello, then ciphertext) with a FlightWatcher, and hang up. The
 * connection never completes a handshake, so whatever the hello offers, the
 * answer is the server's honest first reaction: a ServerHello, a fatal alert,
 * a reset, a close, or silence.
 *
 * Bounded: one deadline covers connect and read; at most `maxBytes` are read.
 */
import net from 'node:net';
import { AlertLevel, ProtocolVersion } from '../tls/constants.js';
import { FlightWatcher } from '../tls/flight-watcher.js';
import type { ServerHello } from '../tls/server-hello.js';
import type { AlertRecord } from '../tls/types.js';
import { buildClientHello, type HelloOptions } from './client-hello-builder.js';

/** Where to connect: an address or a host name, and a port. The SNI is part of the hello, not of the target. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * How the server answered one hello.
 * - `server_hello`: a ServerHello (or a HelloRetryRequest, which also names the version and suite it would take);
 * - `alert`: a fatal alert in clear before any ServerHello;
 * - `reset` / `closed`: RST / FIN before any ServerHello or alert;
 * - `timeout`: connected, but no answer before the deadline;
 * - `unreachable`: the connection itself failed (refused, no route, no such host, connect deadline);
 * - `not_tls`: the server answered with bytes that are not TLS records (an HTTP server, say).
 */
export type HelloOutcome = 'server_hello' | 'alert' | 'reset' | 'closed' | 'timeout' | 'unreachable' | 'not_tls';

export interface HelloProbeResult {
  readonly outcome: HelloOutcome;
  /** The ServerHello; after a HelloRetryRequest with nothing further, the HRR itself. */
  readonly serverHello?: ServerHello;
  /** The server answered with a HelloRetryRequest (it wants a key share for another group). */
  readonly helloRetry?: boolean;
  /** The first fatal alert in clear (or the first warning, when no fatal one came). */
  readonly alert?: AlertRecord;
  /** DER certificates of the Certificate message sent in clear (TLS <= 1.2), leaf first. */
  readonly certificates?: Buffer[];
  /** A CertificateRequest was sent in clear. */
  readonly certificateRequested?: boolean;
  /** The socket error code, or why the bytes were not TLS. */
  readonly error?: string;
  /** Time from connect() to the decision. */
  readonly ms: number;
  /** Bytes received from the server. */
  readonly bytes: number;
}

export interface ProbeHelloOptions {
  /** Deadline for connect plus the server's answer. */
  readonly timeoutMs: number;
  /** Most bytes read from the server; default 256 KiB (a long certificate chain fits easily). */
  readonly maxBytes?: number;
  /** Aborting ends the probe as `timeout` with error `aborted`. */
  readonly signal?: AbortSignal;
}

const DEFAULT_MAX_BYTES = 256 * 1024;

/** Sends `hello` (options for the builder, or ready-made record bytes) to `target` and reports the server's first reaction. */
export function probeHello(target: ProbeTarget, hello: HelloOptions | Buffer, options: ProbeHelloOptions): Promise<HelloProbeResult> {
  const bytesOut = Buffer.isBuffer(hello) ? hello : buildClientHello(hello);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = performance.now();

  return new Promise<HelloProbeResult>((resolve) => {
    let fatal: AlertRecord | null = null;
    const watcher = new FlightWatcher('server', {
      maxBuffered: maxBytes,
      onSignal: (s) => {
        if (s.kind === 'alert' && s.alert.level === AlertLevel.Fatal) fatal ??= s.alert;
      },
    });
    const f = watcher.facts;
    let received = 0;
    let connected = false;
    let done = false;

    const sock = net.connect({ host: target.host, port: target.port });
    sock.setNoDelay(true);

    const finish = (outcome: HelloOutcome, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      sock.off('connect', onConnect);
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('close', onClose);
      // Keep swallowing errors: destroy() after a reset may still emit one.
      sock.off('error', onError);
      sock.on('error', () => undefined);
      sock.destroy();
      const hello = f.serverHello ?? f.helloRetryRequest ?? undefined;
      const alert = fatal ?? f.alert ?? undefined;
      resolve({
        outcome,
        ...(hello ? { serverHello: hello, helloRetry: f.serverHello === null } : {}),
        ...(alert ? { alert } : {}),
        ...(f.certificates ? { certificates: f.certificates } : {}),
        ...(f.certificateRequested ? { certificateRequested: true } : {}),
        ...(error !== undefined ? { error } : {}),
        ms: Math.round((performance.now() - started) * 10) / 10,
        bytes: received,
      });
    };

    /** What has been read so far, as an outcome, when the stream ends or fails. */
    const sofar = (otherwise: HelloOutcome): HelloOutcome => {
      if (f.serverHello !== null || f.helloRetryRequest !== null) return 'server_hello';
      if (fatal !== null) return 'alert';
      if (f.error !== null) return 'not_tls';
      return otherwise;
    };

    const onConnect = (): void => {
      connected = true;
      sock.write(bytesOut);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      watcher.push(chunk);
      if (f.error !== null) return finish(sofar('not_tls'), f.error.message);
      if (f.helloRetryRequest !== null && f.serverHello === null) return finish('server_hello');
      if (f.serverHello !== null) {
        // The flight is complete at ServerHelloDone (<= TLS 1.2); in TLS 1.3 everything after ServerHello is ciphertext.
        if (f.serverHelloDone || f.serverHello.version === ProtocolVersion.TLSv1_3 || watcher.encrypted || fatal !== null) return finish('server_hello');
      } else if (fatal !== null) {
        return finish('alert');
      }
      if (received >= maxBytes) finish(sofar('not_tls'), `more than ${maxBytes} bytes before the end of the server's first flight`);
    };
    const onEnd = (): void => {
      watcher.end();
      finish(sofar('closed'));
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code ?? err.message;
      // Before 'connect': refused, no route, no such host. After it: the server dropped us.
      if (!connected) return finish('unreachable', code);
      finish(sofar('reset'), code);
    };
    const onClose = (): void => finish(connected ? sofar('closed') : 'unreachable', connected ? undefined : 'closed before connecting');
    const onAbort = (): void => finish(connected ? 'timeout' : 'unreachable', 'aborted');

    const timer = setTimeout(() => finish(connected ? sofar('timeout') : 'unreachable', connected ? undefined : 'connect timeout'), options.timeoutMs);
    sock.on('connect', onConnect);
    sock.on('data', onData);
    sock.on('end', onEnd);
    sock.on('error', onError);
    sock.on('close', onClose);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
