/**
 * One client connection, owned end to end: both sockets, the hello reader,
 * the two flight watchers, the timers, and the single connection record
 * written when it ends. `close()` is idempotent.
 *
 * Phases: 'hello' (buffer the client's bytes until a ClientHello or a verdict),
 * 'connecting' (the upstream dial finishing, client paused), 'relay' (forward
 * bytes both ways; while the handshake runs, watchers tap each chunk; once it is
 * decided they are dropped and only relaying remains).
 *
 * In passthrough the upstream is dialled at accept, as a direct client's
 * connect would reach it, so the dial overlaps the ClientHello's arrival
 * instead of following it, and a server that speaks first is heard. With
 * --inject-sni the dial waits for the hello: a client without SNI is
 * terminated here and never reaches the upstream on this socket.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ChainAssessment } from '../certs/checks.js';
import type { ChainEvidence } from '../diagnose/chain-evidence.js';
import type { DiagnosisFacts } from '../diagnose/facts.js';
import { decideOutcome } from '../diagnose/outcome.js';
import { diagnose } from '../diagnose/rules.js';
import { type HandshakeEnd, type HandshakeEvent, HandshakeJudge, type Side } from '../diagnose/timeline.js';
import { type AlertJson, alertJson, encryptedAlertJson } from '../log/alert-json.js';
import type { HelloJson } from '../log/hello-json.js';
import { logRecord } from '../log/record-line.js';
import { RECORD_HELLOS } from '../log/remembered-hellos.js';
import { serverJson, type ServerJson } from '../log/server-json.js';
import { ClientHelloReader, type HelloDecision } from '../tls/client-hello.js';
import { AlertLevel, ExtensionType, ProtocolVersion } from '../tls/constants.js';
import { type FlightFacts, FlightWatcher, type RecordSignal } from '../tls/flight-watcher.js';
import type { AlertRecord, ClientHello } from '../tls/types.js';
import type { HostPort } from './address.js';
import { discardSocket } from './discard-socket.js';
import { passFin } from './pass-fin.js';
import { SERVER_READ_BUFFERS } from './read-buffers.js';
import type { ProbeJson, UpstreamProber } from './upstream-prober.js';

export interface SessionLimits {
  readonly helloTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxHelloBytes: number;
}

export interface SessionContext {
  readonly id: string;
  readonly listener: string;
  readonly upstream: HostPort;
  /** The upstream host is an IPv4 literal (decided once per listener): the peer's address as dialled. */
  readonly upstreamIsIPv4: boolean;
  readonly limits: SessionLimits;
  readonly logger: Logger;
  readonly onClosed: (session: Session) => void;
  /** With --inject-sni: takes over clients whose ClientHello has no SNI. */
  readonly inject?: InjectHandler;
  /** Checks chains seen in clear (shared, cached). */
  readonly chainEvidence: ChainEvidence;
  /** Called with every connection record after it is logged (metrics). */
  readonly onRecord?: (record: ConnectionRecord) => void;
  /** With --probe: confirms failed handshakes before their record is written. */
  readonly prober?: UpstreamProber;
}

/** What a session hands over when it delegates a client to the inject path. */
export interface Handover {
  readonly id: string;
  readonly listener: string;
  readonly client: net.Socket;
  /** Every byte the client sent so far (the ClientHello and anything after), in order. */
  readonly received: readonly Buffer[];
  readonly hello: ClientHello;
  /** Bytes and records the ClientHello took, for the record's `hello`. */
  readonly helloBytes: number;
  readonly helloRecords: number;
  readonly startedAt: number;
  /** The delegate calls this exactly once, after writing the connection record. */
  readonly done: () => void;
}

/** Terminates a non-SNI client and re-originates upstream (src/inject). */
export interface InjectHandler {
  take(handover: Handover): { abort(): void };
}

/** Cap on one buffered handshake message from the server (long certificate chains). */
const MAX_SERVER_MESSAGE = 256 * 1024;

type Phase = 'hello' | 'connecting' | 'relay' | 'delegated' | 'closed';

export class Session {
  private phase: Phase = 'hello';
  private readonly startedAt = performance.now();
  private handshakeMs: number | null = null;
  private upstream: net.Socket | null = null;
  /** The dial completed (a later error is the server's reset, not an unreachable upstream). */
  private upstreamConnected = false;
  private readBuffer: Buffer | null = null;
  /** Reading from the server stopped while a write to the client holds its bytes. */
  private upstreamHeld = false;

  private helloReader: ClientHelloReader | null;
  /** The client's bytes received before the upstream connected, forwarded verbatim. */
  private pending: Buffer[] = [];
  private decision: HelloDecision | null = null;
  /** First bytes of a connection that is not TLS, for the record. */
  private firstBytes: string | null = null;
  private helloTimedOut = false;
  private upstreamError: NodeJS.ErrnoException | null = null;

  private clientWatch: FlightWatcher | null = null;
  private serverWatch: FlightWatcher | null = null;
  private serverFacts: FlightFacts | null = null;
  private clientFacts: FlightFacts | null = null;
  private readonly judge = new HandshakeJudge(() => this.serverFacts?.serverHello?.version ?? null);
  /** First fatal alert read in clear from each side. */
  private readonly fatalAlert: Record<Side, AlertRecord | null> = { client: null, server: null };
  /** The handshake is decided (established, or ended); watchers are gone. */
  private settled = false;
  private serverReset = false;

  private delegate: { abort(): void } | null = null;
  private helloTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;

  private clientClosed = false;
  private upstreamClosed = false;
  private clientEnded = false;
  private upstreamEnded = false;
  private bytesFromClient = 0;
  private bytesFromServer = 0;
  /** Peer addresses, captured while the sockets are open (destroyed sockets forget them). */
  private readonly clientAddress: { address: string | null; port: number | null };
  private upstreamAddress: { address: string; port: number };

  constructor(
    private readonly client: net.Socket,
    private readonly ctx: SessionContext,
  ) {
    this.helloReader = new ClientHelloReader(ctx.limits.maxHelloBytes);
    this.clientAddress = { address: client.remoteAddress ?? null, port: client.remotePort ?? null };
    this.upstreamAddress = { address: ctx.upstream.host, port: ctx.upstream.port };
    client.setNoDelay(true);
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
    this.helloTimer = setTimeout(this.onHelloTimeout, ctx.limits.helloTimeoutMs).unref();
    if (!ctx.inject) this.dial();
  }

  get id(): string {
    return this.ctx.id;
  }

  /** Asks the connection to end now (e.g. shutdown grace expired). */
  abort(): void {
    if (this.delegate) return this.delegate.abort();
    this.client.destroy();
    this.upstream?.destroy();
  }

  // ---- client side -------------------------------------------------------

  private readonly onClientData = (chunk: Buffer): void => {
    this.bytesFromClient += chunk.length;
    switch (this.phase) {
      case 'hello': {
        this.pending.push(chunk);
        const p = this.helloReader!.push(chunk);
        if (p.state !== 'need-more') this.onHelloDecided(p);
        return;
      }
      case 'connecting':
        this.pending.push(chunk);
        return;
      case 'relay':
        this.clientWatch?.push(chunk);
        this.forward(chunk, this.upstream!, this.client);
        return;
      case 'delegated':
      case 'closed':
        return;
    }
  };

  private onHelloDecided(decision: HelloDecision): void {
    this.clearHelloTimer();
    this.decision = decision;
    this.helloReader = null;
    if (decision.state === 'not-tls') this.firstBytes = Buffer.concat(this.pending).subarray(0, 16).toString('hex');
    const tls = decision.state === 'complete' && decision.hello.format === 'tls';
    if (tls && decision.hello.sni === null && this.ctx.inject) return this.handOver(decision.hello, decision.bytes, decision.records);
    if (tls) this.startWatching(decision.bytes);
    this.connectUpstream();
  }

  /** Gives the client to the inject path: this session stops owning it and writes no record. */
  private handOver(hello: ClientHello, helloBytes: number, helloRecords: number): void {
    this.phase = 'delegated';
    this.client.pause();
    this.client.removeListener('data', this.onClientData);
    this.client.removeListener('end', this.onClientEnd);
    this.client.removeListener('error', this.onClientError);
    this.client.removeListener('close', this.onClientClose);
    const received = this.pending;
    this.pending = [];
    this.delegate = this.ctx.inject!.take({
      id: this.id,
      listener: this.ctx.listener,
      client: this.client,
      received,
      hello,
      helloBytes,
      helloRecords,
      startedAt: this.startedAt,
      done: () => {
        this.phase = 'closed';
        this.ctx.onClosed(this);
      },
    });
  }

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    this.note({ side: 'client', kind: 'fin' });
    if (this.phase === 'hello') {
      // The client left before a verdict: nothing to forward.
      this.decision = this.helloReader!.end();
      this.helloReader = null;
      this.clearHelloTimer();
      this.client.end();
      this.upstream?.destroy();
      return;
    }
    if (this.phase === 'relay') passFin(this.upstream!, this.upstreamEnded);
  };

  private readonly onClientError = (err: NodeJS.ErrnoException): void => {
    this.note({ side: 'client', kind: 'rst' });
    this.ctx.logger.debug({ id: this.id, err: { code: err.code, message: err.message } }, 'client socket error');
    // A client's reset resets the upstream side too (transparency).
    if (this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  };

  private readonly onClientClose = (): void => {
    this.clientClosed = true;
    if (this.upstream && !this.upstream.destroyed && !this.clientEnded) this.upstream.destroy();
    if (this.phase === 'hello' && this.decision === null) {
      this.decision = this.helloReader?.end() ?? null;
      this.clearHelloTimer();
    }
    this.maybeFinish();
  };

  private readonly onHelloTimeout = (): void => {
    this.helloTimer = null;
    if (this.phase !== 'hello') return;
    this.helloTimedOut = true;
    this.client.destroy();
  };

  // ---- upstream side -----------------------------------------------------

  /** Opens the upstream connection; its events drive the session from here on. */
  private dial(): void {
    const { host, port } = this.ctx.upstream;
    // The server's bytes land in this session's own read buffer (see onUpstreamRead).
    const up = net.connect({ host, port, allowHalfOpen: true, onread: { buffer: this.upstreamReadBuffer, callback: this.onUpstreamRead } });
    this.upstream = up;
    up.setNoDelay(true);
    up.on('connect', this.onUpstreamConnect);
    up.on('end', this.onUpstreamEnd);
    up.on('error', this.onUpstreamError);
    up.on('close', this.onUpstreamClose);
  }

  /** The hello is decided: forward it once the upstream is there (dialling now if not yet). */
  private connectUpstream(): void {
    this.phase = 'connecting';
    if (!this.upstream) this.dial();
    // Bounds the dial as well as the handshake: an upstream that never answers a SYN is unreachable.
    if (this.clientWatch) this.handshakeTimer = setTimeout(this.onHandshakeTimeout, this.ctx.limits.handshakeTimeoutMs).unref();
    else this.handshakeTimer = setTimeout(this.onConnectTimeout, this.ctx.limits.handshakeTimeoutMs).unref();
    // The early dial may have ended while the hello arrived.
    if (this.upstreamError) this.refuseClient();
    else if (this.upstream!.destroyed) this.client.destroy();
    else if (this.upstreamConnected) this.startRelay();
    // Held until the dial completes. A dial that completed already (it began at
    // accept) starts the relay above without pausing and resuming the client.
    else this.client.pause();
  }

  private readonly onUpstreamConnect = (): void => {
    this.upstreamConnected = true;
    const up = this.upstream!;
    // An IPv4 literal is already the peer's address: no getpeername call to learn it again.
    if (!this.ctx.upstreamIsIPv4) this.upstreamAddress = { address: up.remoteAddress ?? this.ctx.upstream.host, port: up.remotePort ?? this.ctx.upstream.port };
    if (this.phase === 'connecting') this.startRelay();
  };

  /** Upstream connected and hello decided: send what the client sent so far, then relay. */
  private startRelay(): void {
    this.phase = 'relay';
    if (!this.clientWatch) this.clearHandshakeTimer();
    const up = this.upstream!;
    for (const chunk of this.pending) up.write(chunk);
    this.pending = [];
    if (this.clientEnded) up.end();
    else this.client.resume();
  }

  /** The upstream could not be reached: the client sees a failed connection, as it would dialling directly. */
  private refuseClient(): void {
    this.clearHandshakeTimer();
    this.client.resetAndDestroy();
  }

  /**
   * Each read from the server lands in one buffer that lives as long as the
   * session; Node would otherwise allocate a fresh ArrayBuffer per read, and
   * in a bulk transfer that churn keeps V8's mark-compact collector busy.
   * The buffer is reused only once its bytes are gone: reading stops while a
   * write to the client still holds them, and watchers get a copy. When the
   * session ends it goes back to the shared pool (unless a write still held it).
   */
  private readonly onUpstreamRead = (nread: number, buf: Uint8Array): boolean => {
    this.bytesFromServer += nread;
    let chunk = Buffer.from(buf.buffer, buf.byteOffset, nread);
    const w = this.serverWatch;
    if (w) {
      chunk = Buffer.from(chunk); // the watcher may keep parts of it
      w.push(chunk);
      // TLS 1.3 (or a HelloRetryRequest, which only TLS 1.3 sends): the client's
      // CCS is a decoy, and its second ClientHello after HRR is still in clear.
      if (w.facts.serverHello?.version === ProtocolVersion.TLSv1_3 || w.facts.helloRetryRequest) this.clientWatch?.setTls13();
    }
    if (this.client.destroyed) return true;
    this.client.write(chunk, this.onClientWritten);
    if (this.client.writableLength === 0) return true;
    // The write holds `chunk` (maybe the read buffer itself): no reads until it is done.
    this.upstreamHeld = true;
    return false;
  };

  private readonly upstreamReadBuffer = (): Uint8Array => (this.readBuffer ??= SERVER_READ_BUFFERS.take());

  private readonly onClientWritten = (): void => {
    if (!this.upstreamHeld || this.client.writableLength > 0) return;
    this.upstreamHeld = false;
    if (this.phase !== 'closed') this.upstream!.resume();
  };

  private readonly onUpstreamEnd = (): void => {
    this.upstreamEnded = true;
    this.note({ side: 'server', kind: 'fin' });
    passFin(this.client, this.clientEnded);
  };

  private readonly onUpstreamError = (err: NodeJS.ErrnoException): void => {
    if (!this.upstreamConnected) {
      this.upstreamError = err;
      // Dialled early: the client is refused once its hello is read, so the record has it.
      if (this.phase === 'connecting') this.refuseClient();
      return;
    }
    this.ctx.logger.debug({ id: this.id, err: { code: err.code, message: err.message } }, 'upstream socket error');
    // ECONNRESET is the server's RST; EPIPE and the like mean the same end to
    // the connection (the peer is gone without a FIN).
    this.serverReset = true;
    this.note({ side: 'server', kind: 'rst' });
    // An upstream reset becomes a reset to the client, not a FIN.
    if (!this.client.destroyed) this.client.resetAndDestroy();
  };

  private readonly onUpstreamClose = (): void => {
    this.upstreamClosed = true;
    if (!this.client.destroyed && this.phase === 'connecting') this.client.destroy();
    this.maybeFinish();
  };

  private readonly onHandshakeTimeout = (): void => {
    this.handshakeTimer = null;
    if (this.settled) return;
    if (this.phase === 'connecting') return this.onConnectTimeout();
    this.note({ side: 'server', kind: 'timeout' });
    this.client.destroy();
    this.upstream?.destroy();
  };

  private readonly onConnectTimeout = (): void => {
    this.handshakeTimer = null;
    if (this.phase !== 'connecting') return;
    const err: NodeJS.ErrnoException = new Error(`connect to upstream timed out after ${this.ctx.limits.handshakeTimeoutMs} ms`);
    err.code = 'ETIMEDOUT';
    this.upstreamError = err;
    this.upstream?.destroy();
    this.client.resetAndDestroy();
  };

  // ---- relay and watching ------------------------------------------------

  /** Writes with backpressure: a slow reader pauses the other side instead of growing buffers. */
  private forward(chunk: Buffer, to: net.Socket, from: net.Socket): void {
    if (!to.write(chunk) && !from.isPaused()) {
      from.pause();
      to.once('drain', () => {
        if (this.phase === 'relay') from.resume();
      });
    }
  }

  private startWatching(helloBytes: number): void {
    const maxBuffered = MAX_SERVER_MESSAGE;
    this.clientWatch = new FlightWatcher('client', { maxBuffered, onSignal: (s) => this.onSignal('client', s) });
    this.serverWatch = new FlightWatcher('server', { maxBuffered, onSignal: (s) => this.onSignal('server', s) });
    this.clientFacts = this.clientWatch.facts;
    this.serverFacts = this.serverWatch.facts;
    // Bytes after the hello in the same chunks (rare: early data, pipelined records).
    let skip = helloBytes;
    for (const chunk of this.pending) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      this.clientWatch.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
  }

  private onSignal(side: Side, s: RecordSignal): void {
    switch (s.kind) {
      case 'ccs':
        this.note({ side, kind: 'ccs' });
        return;
      case 'alert':
        this.note({ side, kind: 'alert', alert: s.alert });
        return;
      case 'opaque':
        // Client records before any ServerHello are TLS 1.3 early data, not its Finished.
        if (side === 'client' && !this.serverFacts?.serverHello) return;
        this.note({ side, kind: 'opaque', length: s.length, contentType: s.contentType });
        return;
    }
  }

  /** Feeds an event to the judge and, once the handshake is decided, stops watching. */
  private note(ev: HandshakeEvent): void {
    if (this.settled) return;
    if (ev.kind === 'alert' && ev.alert.level === AlertLevel.Fatal) this.fatalAlert[ev.side] ??= ev.alert;
    const end = this.judge.push(ev);
    if (end.kind === 'in-progress') return;
    this.settled = true;
    if (end.kind === 'established') this.handshakeMs = performance.now() - this.startedAt;
    this.clearHandshakeTimer();
    // Drop the parsers: from here on, only bytes are relayed.
    this.clientWatch = null;
    this.serverWatch = null;
  }

  // ---- ending ------------------------------------------------------------

  private maybeFinish(): void {
    if (this.phase === 'closed') return;
    if (!this.clientClosed) return;
    if (this.upstream && !this.upstreamClosed) return;
    this.close();
  }

  /** Ends the session once: clears timers, detaches listeners, writes the record. */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.clearHelloTimer();
    this.clearHandshakeTimer();
    this.clientWatch?.end();
    this.serverWatch?.end();
    discardSocket(this.client);
    discardSocket(this.upstream);
    this.returnReadBuffer();
    this.writeRecord();
    this.ctx.onClosed(this);
  }

  /**
   * Both sockets are closed (libuv reads into and writes from the buffer no
   * more), so the next connection can have it; not when a write to the client
   * was still holding its bytes as the connection ended.
   */
  private returnReadBuffer(): void {
    if (this.readBuffer && !this.upstreamHeld) SERVER_READ_BUFFERS.give(this.readBuffer);
    this.readBuffer = null;
  }

  private clearHelloTimer(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private writeRecord(): void {
    const d = this.decision;
    const hello = d?.state === 'complete' ? d.hello : null;
    const end = this.judge.end;
    const outcome = decideOutcome({
      helloTimedOut: this.helloTimedOut,
      hello: d === null || (d.state === 'not-tls' && d.error.code === 'TRUNCATED') ? 'incomplete' : d.state === 'not-tls' || hello?.format === 'sslv2' ? 'not-tls' : 'complete',
      upstreamUnreachable: this.upstreamError !== null,
      end,
    });
    const sf = this.serverFacts;
    const serverAlert = this.fatalAlert.server;
    const clientAlert = this.fatalAlert.client;
    const encryptedAlert = end.kind === 'encrypted-alert' ? encryptedAlertJson() : null;
    const chainCheck = sf?.certificates?.length && hello ? this.ctx.chainEvidence.assess(sf.certificates, hello.sni ?? this.ctx.upstream.host) : null;
    const facts = hello && hello.format === 'tls' ? this.diagnosisFacts(outcome, end, hello, serverAlert, clientAlert, chainCheck) : null;
    const diagnosis = facts ? diagnose(facts) : { cause: null, hint: null };
    const record: ConnectionRecord = {
      id: this.id,
      listener: this.ctx.listener,
      mode: 'passthrough',
      client: this.clientAddress,
      upstream: this.upstreamAddress,
      hello: d?.state === 'complete' ? RECORD_HELLOS.get(d.hello, d.bytes, d.records) : null,
      server: sf ? serverJson(sf, { reset: this.serverReset, alert: pickAlert(serverAlert, end, 'server', encryptedAlert), chainCheck, ...(sf.certificates?.length ? { certificates: this.ctx.chainEvidence.describe(sf.certificates) } : {}) }) : null,
      clientAlert: pickAlert(clientAlert, end, 'client', encryptedAlert),
      outcome,
      cause: diagnosis.cause,
      hint: diagnosis.hint,
      durationMs: round(performance.now() - this.startedAt),
      handshakeMs: this.handshakeMs === null ? null : round(this.handshakeMs),
      bytesFromClient: this.bytesFromClient,
      bytesFromServer: this.bytesFromServer,
    };
    if (d?.state === 'not-tls' && outcome === 'not_tls') {
      record.notTls = { reason: d.error.message, code: d.error.code, firstBytes: this.firstBytes ?? '' };
    }
    if (this.upstreamError) record.err = { code: this.upstreamError.code ?? null, message: this.upstreamError.message };
    if (facts && this.ctx.prober) {
      this.ctx.prober.confirm(facts, diagnosis, ({ cause, hint, probe }) => this.publish({ ...record, cause, hint, ...(probe ? { probe } : {}) }));
    } else {
      this.publish(record);
    }
  }

  private publish(record: ConnectionRecord): void {
    logRecord(this.ctx.logger, record);
    this.ctx.onRecord?.(record);
  }

  private diagnosisFacts(
    outcome: DiagnosisFacts['outcome'],
    end: HandshakeEnd,
    hello: ClientHello,
    serverAlert: AlertRecord | null,
    clientAlert: AlertRecord | null,
    chain: ChainAssessment | null,
  ): DiagnosisFacts {
    const sf = this.serverFacts;
    return {
      outcome,
      end,
      hello,
      // The types, not `extensions`: that would build an object per extension.
      sniPresent: hello.extensionTypes.includes(ExtensionType.ServerName),
      serverVersion: sf?.serverHello?.version ?? null,
      serverHelloSeen: (sf?.serverHello ?? sf?.helloRetryRequest ?? null) !== null,
      serverAlert,
      clientAlert,
      certificateRequested: sf?.certificateRequested ?? false,
      upstreamHost: this.ctx.upstream.host,
      chain,
    };
  }
}

/** SPEC's connection record. */
export interface ConnectionRecord {
  id: string;
  listener: string;
  mode: 'passthrough' | 'inject';
  client: { address: string | null; port: number | null };
  upstream: { address: string; port: number };
  hello: HelloJson | null;
  server: ServerJson | null;
  clientAlert: AlertJson | null;
  outcome: string;
  cause: string | null;
  hint: string | null;
  durationMs: number;
  handshakeMs: number | null;
  bytesFromClient: number;
  bytesFromServer: number;
  notTls?: { reason: string; code: string; firstBytes: string };
  err?: { code: string | null; message: string };
  /** With --probe, when a probe ran (or its cached result was used) for this connection. */
  probe?: ProbeJson;
}

function pickAlert(read: AlertRecord | null, end: HandshakeEnd, side: Side, encrypted: AlertJson | null): AlertJson | null {
  if (read) return alertJson(read);
  if (end.kind === 'encrypted-alert' && end.side === side) return encrypted;
  return null;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
