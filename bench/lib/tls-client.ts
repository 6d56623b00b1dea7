/**
 * TLS client loops for the proxy bench. Every wait has a deadline and every
 * loop a cap on count as well as on time; sockets opened here are closed
 * before a function returns or throws.
 */
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { BENCH_HOST } from './certs.js';
import { sleep } from './stats.js';

export type TlsVersion = 'TLSv1.3' | 'TLSv1.2';

/** A single wait longer than this is a failure, not a slow result. */
const STEP_TIMEOUT_MS = 10_000;
/** Give up on a phase after this many failed connections. */
const MAX_ERRORS = 50;

/** Where a client connects, and whether its ClientHello names BENCH_HOST in SNI. */
export interface Endpoint {
  readonly port: number;
  /**
   * false: no SNI (the host is an IP literal, so Node sends none), as a legacy
   * client: tlspeek --inject-sni terminates such a client. The certificate is
   * still verified: chain against the bench CA, and names against BENCH_HOST.
   */
  readonly sni: boolean;
}

/** Without SNI, Node would check the certificate against the IP literal it dialled. */
const checkBenchHost = (_host: string, cert: tls.PeerCertificate): Error | undefined => tls.checkServerIdentity(BENCH_HOST, cert);

export class BenchClient {
  private readonly contexts: Record<TlsVersion, tls.SecureContext>;
  private readonly open = new Set<tls.TLSSocket>();

  constructor(caPem: string) {
    // One context per version for every connection: `ca` per connect would build a new
    // context each time. The versions go in the context: tls.connect ignores
    // minVersion/maxVersion when it is given a secureContext.
    const context = (v: TlsVersion) => tls.createSecureContext({ ca: caPem, minVersion: v, maxVersion: v });
    this.contexts = { 'TLSv1.3': context('TLSv1.3'), 'TLSv1.2': context('TLSv1.2') };
  }

  /** Connects and completes a full handshake (no session reuse) with exactly `version`. */
  connect(to: Endpoint, version: TlsVersion): Promise<tls.TLSSocket> {
    const port = to.port;
    return new Promise((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port,
        secureContext: this.contexts[version],
        ...(to.sni ? { servername: BENCH_HOST } : { checkServerIdentity: checkBenchHost }),
      });
      this.track(s);
      s.setNoDelay(true);
      const timer = setTimeout(() => fail(new Error(`handshake with 127.0.0.1:${port} took over ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        s.off('secureConnect', ok);
        s.destroy();
        reject(err);
      };
      const ok = (): void => {
        const negotiated = s.getProtocol();
        if (negotiated !== version) return fail(new Error(`negotiated ${negotiated}, wanted ${version}`));
        clearTimeout(timer);
        s.off('error', fail);
        s.off('close', closed);
        s.on('error', () => s.destroy());
        resolve(s);
      };
      const closed = (): void => fail(new Error('closed during the handshake'));
      s.once('secureConnect', ok);
      s.once('error', fail);
      s.once('close', closed);
    });
  }

  /** One request on a new connection: handshake, 'E' + 63 bytes, 63 bytes back, close_notify + FIN. */
  async request(to: Endpoint, version: TlsVersion): Promise<void> {
    const s = await this.connect(to, version);
    try {
      await exchange(s, REQUEST_FIRST, REQUEST_FIRST.length - 1);
    } finally {
      s.end();
      // The peer answers our FIN with its own; if it does not, do not wait for it.
      setTimeout(() => s.destroy(), 2000).unref();
    }
  }

  /**
   * New TLS connections per second: `concurrency` loops of `request` for
   * `durationMs` (and at most `maxCount` requests).
   */
  async handshakeLoop(to: Endpoint, version: TlsVersion, durationMs: number, concurrency: number, maxCount = 1_000_000): Promise<LoopResult> {
    let count = 0;
    let errors = 0;
    let lastError: unknown = null;
    const start = performance.now();
    const deadline = start + durationMs;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline && count + errors < maxCount) {
        try {
          await this.request(to, version);
          count++;
        } catch (err: unknown) {
          errors++;
          lastError = err;
          if (errors >= MAX_ERRORS) throw new Error(`${errors} failed connections to 127.0.0.1:${to.port}`, { cause: lastError });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    await this.drain();
    return { count, errors, seconds, perSecond: count / seconds };
  }

  /** Requests per second over `connections` established connections, one request in flight on each. */
  async keepAliveLoop(to: Endpoint, durationMs: number, connections: number, maxCount = 10_000_000): Promise<LoopResult> {
    const sockets = await Promise.all(Array.from({ length: connections }, () => this.connect(to, 'TLSv1.3')));
    let count = 0;
    const start = performance.now();
    const deadline = start + durationMs;
    try {
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve, reject) => {
              let got = 0;
              const stall = setTimeout(() => finish(new Error('keep-alive request stalled')), durationMs + STEP_TIMEOUT_MS);
              const finish = (err?: Error): void => {
                clearTimeout(stall);
                s.off('data', onData);
                s.off('close', onClose);
                if (err) reject(err);
                else resolve();
              };
              const onData = (chunk: Buffer): void => {
                got += chunk.length;
                if (got < MESSAGE.length) return;
                got -= MESSAGE.length;
                count++;
                if (performance.now() >= deadline || count >= maxCount) finish();
                else s.write(MESSAGE);
              };
              const onClose = (): void => finish(new Error('connection closed during keep-alive loop'));
              s.on('data', onData);
              s.on('close', onClose);
              s.write(ECHO_MODE);
              s.write(MESSAGE);
            }),
        ),
      );
    } finally {
      for (const s of sockets) s.destroy();
    }
    const seconds = (performance.now() - start) / 1000;
    await this.drain();
    return { count, errors: 0, seconds, perSecond: count / seconds };
  }

  /** Asks the upstream for `bytes` over one connection; resolves when all arrived. */
  async download(to: Endpoint, bytes: number, timeoutMs: number): Promise<{ seconds: number }> {
    const s = await this.connect(to, 'TLSv1.3');
    const header = transferHeader('S', bytes);
    const start = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        let got = 0;
        const timer = setTimeout(() => done(new Error(`download of ${bytes} bytes not done after ${timeoutMs} ms (${got} received)`)), timeoutMs);
        const done = (err?: Error): void => {
          clearTimeout(timer);
          s.off('data', onData);
          s.off('close', onClose);
          if (err) reject(err);
          else resolve();
        };
        const onData = (chunk: Buffer): void => {
          got += chunk.length;
          if (got >= bytes) done();
        };
        const onClose = (): void => done(new Error(`connection closed after ${got} of ${bytes} bytes`));
        s.on('data', onData);
        s.on('close', onClose);
        s.write(header);
      });
    } finally {
      s.destroy();
    }
    return { seconds: (performance.now() - start) / 1000 };
  }

  /** Sends `bytes` to the upstream over one connection; resolves when it has taken them all. */
  async upload(to: Endpoint, bytes: number, timeoutMs: number): Promise<{ seconds: number }> {
    const s = await this.connect(to, 'TLSv1.3');
    const header = transferHeader('U', bytes);
    const start = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        let sent = 0;
        let closed = false;
        const timer = setTimeout(() => done(new Error(`upload of ${bytes} bytes not acknowledged after ${timeoutMs} ms (${sent} sent)`)), timeoutMs);
        const done = (err?: Error): void => {
          clearTimeout(timer);
          closed = true;
          s.off('data', onData);
          s.off('close', onClose);
          if (err) reject(err);
          else resolve();
        };
        const onData = (chunk: Buffer): void => {
          if (chunk.includes(0x4b /* 'K' */)) done();
        };
        const onClose = (): void => done(new Error(`connection closed after ${sent} of ${bytes} bytes sent`));
        const pump = (): void => {
          while (!closed && sent < bytes) {
            const n = Math.min(bytes - sent, UPLOAD_BLOCK.length);
            sent += n;
            if (!s.write(n === UPLOAD_BLOCK.length ? UPLOAD_BLOCK : UPLOAD_BLOCK.subarray(0, n))) {
              s.once('drain', pump);
              return;
            }
          }
        };
        s.on('data', onData);
        s.on('close', onClose);
        s.write(header);
        pump();
      });
    } finally {
      s.destroy();
    }
    return { seconds: (performance.now() - start) / 1000 };
  }

  /** Opens `count` TLS connections (at most `concurrency` handshakes at once) and keeps them idle. */
  async openIdle(to: Endpoint, count: number, concurrency: number): Promise<tls.TLSSocket[]> {
    const sockets: tls.TLSSocket[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        sockets.push(await this.connect(to, 'TLSv1.3'));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return sockets;
  }

  /** The SHA-256 fingerprint of the certificate a new TLS 1.3 connection to `to` is shown: which side answered. */
  async peerFingerprint(to: Endpoint): Promise<string> {
    const s = await this.connect(to, 'TLSv1.3');
    try {
      return s.getPeerX509Certificate()?.fingerprint256 ?? '(none)';
    } finally {
      s.destroy();
    }
  }

  /** Waits (bounded) until every socket this client opened has closed. */
  async drain(timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.open.size > 0 && performance.now() < deadline) await sleep(20);
  }

  /** Destroys every socket still open. */
  closeAll(): void {
    for (const s of this.open) s.destroy();
  }

  get openSockets(): number {
    return this.open.size;
  }

  private track(s: tls.TLSSocket): void {
    this.open.add(s);
    s.once('close', () => this.open.delete(s));
  }
}

export interface LoopResult {
  count: number;
  errors: number;
  seconds: number;
  perSecond: number;
}

const ECHO_MODE = Buffer.from('E');
/** The whole request of a one-request connection: mode byte and 63 bytes to echo. */
const REQUEST_FIRST = Buffer.concat([ECHO_MODE, Buffer.alloc(63, 0x71)]);
/** A keep-alive request (and its echoed response). */
const MESSAGE = Buffer.alloc(64, 0x72);

/** Writes `data` and resolves once `expect` bytes came back. */
function exchange(s: tls.TLSSocket, data: Buffer, expect: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => done(new Error(`no response within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      got += chunk.length;
      if (got >= expect) done();
    };
    const onClose = (): void => done(new Error(`closed after ${got} of ${expect} response bytes`));
    s.on('data', onData);
    s.on('close', onClose);
    s.write(data);
  });
}
/** The upstream's bulk request (bench/upstream.ts): mode byte, then the byte count as 8 bytes big-endian. */
function transferHeader(mode: 'S' | 'U', bytes: number): Buffer {
  const header = Buffer.alloc(9);
  header.write(mode, 0, 'latin1');
  header.writeBigUInt64BE(BigInt(bytes), 1);
  return header;
}

/** Upload payload: large writes, as the upstream's download blocks. */
const UPLOAD_BLOCK = Buffer.alloc(256 * 1024, 0x75);
