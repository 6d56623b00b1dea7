/**
 * One injected connection, owned end to end: the legacy client's socket
 * (handed over by the session after its SNI-less ClientHello), tlspeek's TLS
 * server on it, the upstream socket, tlspeek's TLS client on that, the taps,
 * the one timer, and the single connection record.
 *
 * Phases:
 * - 'upstream': dial the upstream and complete tlspeek's own handshake with
 *   it (SNI = NAME, verified against NAME). The client waits, unread: its
 *   ClientHello is answered only once the upstream is known to work, so an
 *   upstream failure fails the client's handshake (with the upstream's reset,
 *   close or alert, or handshake_failure when tlspeek refused the upstream)
 *   instead of a connection that completes and then dies. It also lets the
 *   client be offered the ALPN protocol the upstream chose.
 * - 'client': tlspeek's TLS server runs the client's handshake, fed the
 *   bytes the session already read, then the socket's (see wire-duplex.ts).
 * - 'relay': cleartext both ways with `pipeline` (backpressure, half-close);
 *   the upstream's end becomes close_notify + FIN to the client, and the
 *   client's end becomes close_notify + FIN to the upstream. A reset on
 *   either TCP leg resets the other, as in passthrough.
 *
 * --handshake-timeout covers both handshakes, dial included. The record
 * (record.ts, from the evidence gathered here) is written once both TCP
 * sockets have closed.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { ChainEvidence } from '../diagnose/chain-evidence.js';
import { logRecord } from '../log/record-line.js';
import type { HostPort } from '../proxy/address.js';
import { discardSocket } from '../proxy/discard-socket.js';
import type { ConnectionRecord, Handover, SessionLimits } from '../proxy/session.js';
import { AlertDescription, AlertLevel, ProtocolVersion } from '../tls/constants.js';
import { type FlightFacts, FlightWatcher } from '../tls/flight-watcher.js';
import type { InjectEnd } from './diagnosis.js';
import { emptyEvidence, type InjectEvidence, injectRecord } from './record.js';
import { peerChain, plaintextAlert, receivedAlert } from './tls-evidence.js';
import { WireDuplex } from './wire-duplex.js';

/** Cap on one buffered handshake message (long certificate chains). */
const MAX_HANDSHAKE_MESSAGE = 256 * 1024;
/** Client bytes buffered while the upstream leg runs (a TLS client has little to say before ServerHello). */
const MAX_EARLY_CLIENT_BYTES = 64 * 1024;
/** After a relay error, how long pending bytes (an alert) may take to flush before the sockets are cut. */
const ERROR_LINGER_MS = 1000;

/** What all injected connections share (built once by the handler). */
export interface InjectShared {
  readonly logger: Logger;
  readonly upstream: HostPort;
  readonly limits: SessionLimits;
  /** --inject-sni. */
  readonly servername: string;
  /** tlspeek's TLS server settings for legacy clients (certificate, versions, ciphers). */
  readonly clientContext: tls.SecureContext;
  readonly clientMinVersion: string;
  /** tls.connect options for the upstream (its secure context built once), without socket, servername and ALPN. */
  readonly upstreamTls: tls.ConnectionOptions;
  /** Refuse an upstream whose certificate does not verify (false: --insecure-upstream). */
  readonly verifyUpstream: boolean;
  /** Checks the upstream's chain (with --upstream-ca roots), cached. */
  readonly chainEvidence: ChainEvidence;
  /** How hints name the certificate tlspeek shows clients. */
  readonly certificateDescription: string;
  readonly onRecord?: (record: ConnectionRecord) => void;
}

type Phase = 'upstream' | 'client' | 'relay' | 'closed';

export class InjectedConnection {
  private phase: Phase = 'upstream';
  private end: InjectEnd | null = null;
  private timer: NodeJS.Timeout | null;

  private readonly client: net.Socket;
  private upstream: net.Socket | null = null;
  private upstreamConnected = false;
  private upstreamTls: tls.TLSSocket | null = null;
  private clientTls: tls.TLSSocket | null = null;
  private upstreamTlsError: Error | null = null;
  /** The upstream sent a ticket or application data after its handshake (see onLateUpstreamError). */
  private upstreamSpoke = false;
  private clientTlsError: Error | null = null;

  /** Taps, dropped once their handshake is over: the upstream's bytes, the client's (after its hello), tlspeek's to the client. */
  private upstreamWatch: FlightWatcher | null = null;
  private clientWatch: FlightWatcher | null = null;
  private ownWatch: FlightWatcher | null = null;
  private clientFacts: FlightFacts | null = null;
  private ownFacts: FlightFacts | null = null;

  /** Everything the record is built from. */
  private readonly ev: InjectEvidence;

  private clientFin = false;
  private clientReset = false;
  private clientClosed = false;
  /** Client bytes read during the 'upstream' phase, replayed to tlspeek's TLS server after `h.received`. */
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private upstreamFin = false;
  private upstreamClosed = false;

  constructor(
    private readonly h: Handover,
    private readonly shared: InjectShared,
  ) {
    this.client = h.client;
    this.ev = emptyEvidence(
      { address: h.client.remoteAddress ?? null, port: h.client.remotePort ?? null },
      { address: shared.upstream.host, port: shared.upstream.port },
      h.received.reduce((n, b) => n + b.length, 0),
    );
    this.client.on('error', this.onClientError);
    this.client.on('end', this.onClientEnd);
    this.client.on('close', this.onClientClose);
    // Read while the upstream leg runs, so a client that gives up is seen at once.
    this.client.on('data', this.onEarlyClientData);
    this.client.resume();
    this.timer = setTimeout(this.onTimeout, shared.limits.handshakeTimeoutMs).unref();
    this.connectUpstream();
  }

  /** Ends the connection now (shutdown grace expired); the record is still written. */
  abort(): void {
    if (this.phase === 'closed') return;
    this.settle({ kind: 'timeout', leg: this.phase === 'upstream' ? 'upstream' : 'client' });
    this.destroyAll();
  }

  // ---- upstream leg ------------------------------------------------------

  private connectUpstream(): void {
    const { host, port } = this.shared.upstream;
    const up = net.connect({ host, port, allowHalfOpen: true });
    this.upstream = up;
    up.setNoDelay(true);
    up.on('error', this.onUpstreamError);
    up.on('end', this.onUpstreamEnd);
    up.on('close', this.onUpstreamClose);
    up.once('connect', this.onUpstreamConnect);
  }

  private readonly onUpstreamConnect = (): void => {
    const up = this.upstream!;
    this.upstreamConnected = true;
    if (this.end) return;
    this.ev.upstream = { address: up.remoteAddress ?? this.shared.upstream.host, port: up.remotePort ?? this.shared.upstream.port };
    this.upstreamWatch = new FlightWatcher('server', { maxBuffered: MAX_HANDSHAKE_MESSAGE });
    this.ev.upstreamFacts = this.upstreamWatch.facts;
    const wire = new WireDuplex(up, [], {
      onRead: (chunk) => {
        this.ev.bytesFromServer += chunk.length;
        this.upstreamWatch?.push(chunk);
      },
    });
    // Offer the upstream what the client offered; the client is then offered what the upstream chose.
    const alpn = this.h.hello.alpn.map((p) => p.toString('latin1'));
    const sock = tls.connect({
      ...this.shared.upstreamTls,
      socket: wire,
      servername: this.shared.servername,
      ...(alpn.length > 0 ? { ALPNProtocols: alpn } : {}),
    });
    this.upstreamTls = sock;
    sock.once('secureConnect', this.onUpstreamSecure);
    sock.once('session', this.onUpstreamSpoke);
    sock.on('error', (err: Error) => {
      this.upstreamTlsError ??= err;
      this.shared.logger.debug({ id: this.h.id, err: errJson(err) }, 'upstream tls error');
      if (this.phase === 'upstream') return; // Node destroys the socket; onUpstreamTlsClose decides.
      // After its handshake Node only emits the error: end both legs here.
      this.onLateUpstreamError(err);
      sock.destroy();
    });
    sock.on('close', this.onUpstreamTlsClose);
  };

  /** The upstream sent a session ticket or data: it accepted tlspeek's Finished. */
  private readonly onUpstreamSpoke = (): void => {
    this.upstreamSpoke = true;
  };

  /**
   * The upstream's TLS failed after tlspeek's handshake with it completed.
   * TLS 1.3 lets a client consider the handshake done before the server has
   * read its Finished; a server that wanted a client certificate answers
   * that Finished with certificate_required (116) instead of tickets. A fatal
   * alert from the upstream before it said anything else is still its
   * verdict on the handshake, even when tlspeek has started (or finished)
   * the client's. Any upstream failure while the client's handshake runs
   * ends that handshake too.
   */
  private onLateUpstreamError(err: Error): void {
    if (this.phase === 'closed') return;
    const alert = this.upstreamSpoke ? null : receivedAlert(err);
    if (alert) this.ev.upstreamAlert = alert;
    if (this.phase === 'client' && !this.end) {
      this.settle(alert ? { kind: 'upstream-alert', alert } : { kind: 'upstream-refused', certificate: false, reason: errCode(err) });
      if (!alert) this.ev.err = errJson(err);
      this.clientTls?.destroy();
      return;
    }
    if (alert && this.end?.kind === 'established') {
      this.end = { kind: 'upstream-alert', alert };
      this.ev.handshakeMs = null;
    }
  }

  private readonly onUpstreamSecure = (): void => {
    const sock = this.upstreamTls!;
    const facts = this.ev.upstreamFacts!;
    this.upstreamWatch = null;
    if (this.end) return;
    // TLS <= 1.2: the chain exactly as sent; TLS 1.3 sent it encrypted, so Node's view of it.
    this.ev.upstreamChain = facts.certificates ?? peerChain(sock);
    this.ev.chainCheck = this.ev.upstreamChain.length > 0 ? this.shared.chainEvidence.assess(this.ev.upstreamChain, this.shared.servername) : null;
    if (sock.authorized) {
      this.ev.verification = 'verified';
    } else {
      this.ev.verifyError = String(sock.authorizationError);
      if (this.shared.verifyUpstream) {
        this.ev.verification = 'rejected';
        this.ev.err = { code: this.ev.verifyError, message: `upstream certificate rejected for ${this.shared.servername}` };
        this.refuseClientEarly({ kind: 'upstream-refused', certificate: true, reason: this.ev.verifyError });
        sock.destroy();
        return;
      }
      this.ev.verification = 'ignored';
    }
    this.ev.upstreamAlpn = typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null;
    this.startClient(this.ev.upstreamAlpn);
  };

  /** The upstream's TLS socket closed: before its handshake completed, that decides the connection. */
  private readonly onUpstreamTlsClose = (): void => {
    if (this.end || this.phase !== 'upstream') return;
    const err = this.upstreamTlsError;
    const clear = this.ev.upstreamFacts?.alert;
    const alert = clear && clear.level === AlertLevel.Fatal ? clear : receivedAlert(err);
    let end: InjectEnd;
    if (this.ev.upstreamReset) end = { kind: 'upstream-reset' };
    else if (alert) {
      this.ev.upstreamAlert = alert;
      end = { kind: 'upstream-alert', alert };
    } else if (this.upstreamFin) end = { kind: 'upstream-closed' };
    else end = { kind: 'upstream-refused', certificate: false, reason: errCode(err) };
    if (err && end.kind === 'upstream-refused') this.ev.err = errJson(err);
    this.refuseClientEarly(end);
  };

  private readonly onUpstreamError = (err: NodeJS.ErrnoException): void => {
    if (!this.upstreamConnected) {
      if (this.end) return;
      this.ev.err = errJson(err);
      // As in passthrough: the client sees a failed connection, as it would dialling the upstream itself.
      this.refuseClientEarly({ kind: 'upstream-unreachable' });
      return;
    }
    this.ev.upstreamReset = true;
    this.shared.logger.debug({ id: this.h.id, err: errJson(err) }, 'upstream socket error');
    if (this.phase === 'client') this.settle({ kind: 'upstream-reset' });
    // Once the client's TLS runs, an upstream reset becomes a reset to the client, not a close_notify.
    if (this.phase !== 'upstream' && !this.client.destroyed) this.client.resetAndDestroy();
  };

  private readonly onUpstreamEnd = (): void => {
    this.upstreamFin = true;
  };

  private readonly onUpstreamClose = (): void => {
    this.upstreamClosed = true;
    this.maybeFinish();
  };

  /**
   * Fails the client before its handshake began, the way the upstream failed
   * it: a reset for a reset or an unreachable upstream, FIN for a close, the
   * upstream's alert, or handshake_failure when tlspeek refused the upstream.
   */
  private refuseClientEarly(end: InjectEnd): void {
    this.settle(end);
    this.upstreamTls?.destroy();
    const c = this.client;
    if (c.destroyed) return;
    switch (end.kind) {
      case 'upstream-unreachable':
      case 'upstream-reset':
        c.resetAndDestroy();
        return;
      case 'upstream-closed':
        c.destroySoon();
        return;
      case 'upstream-alert':
      case 'upstream-refused': {
        const code = end.kind === 'upstream-alert' ? end.alert.code : AlertDescription.HandshakeFailure;
        this.ev.alertSent = { level: AlertLevel.Fatal, code };
        c.write(plaintextAlert(code, this.h.hello.recordVersion));
        c.destroySoon();
        return;
      }
      case 'timeout':
      case 'established':
      case 'client-alert':
      case 'client-refused':
      case 'client-closed':
        c.destroy();
        return;
    }
  }

  // ---- client leg --------------------------------------------------------

  private startClient(alpn: string | null): void {
    this.phase = 'client';
    const maxBuffered = MAX_HANDSHAKE_MESSAGE;
    this.clientWatch = new FlightWatcher('client', { maxBuffered });
    this.ownWatch = new FlightWatcher('server', { maxBuffered });
    this.clientFacts = this.clientWatch.facts;
    this.ownFacts = this.ownWatch.facts;
    this.client.off('data', this.onEarlyClientData);
    const preface = [...this.h.received, ...this.early];
    this.early = [];
    // The client's bytes after its hello (an alert, say) in what was already read.
    let skip = this.h.helloBytes;
    for (const chunk of preface) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      this.clientWatch.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    const wire = new WireDuplex(this.client, preface, {
      onRead: (chunk) => {
        this.ev.bytesFromClient += chunk.length;
        this.clientWatch?.push(chunk);
      },
      onWrite: (chunk) => {
        const own = this.ownWatch;
        if (!own) return;
        own.push(chunk);
        // In TLS 1.3 the client's ChangeCipherSpec is a decoy and what follows is encrypted.
        if (own.facts.serverHello && own.facts.serverHello.version >= ProtocolVersion.TLSv1_3) this.clientWatch?.setTls13();
      },
    });
    const sock = new tls.TLSSocket(wire, {
      isServer: true,
      secureContext: this.shared.clientContext,
      requestCert: false,
      rejectUnauthorized: false,
      ...(alpn ? { ALPNProtocols: [alpn] } : {}),
    });
    this.clientTls = sock;
    sock.once('secure', this.onClientSecure);
    sock.on('error', this.onClientTlsError);
    // A server TLSSocket not made by a tls.Server reports failures after its handshake
    // (a record that does not decrypt, say) only as '_tlsError', never as 'error', and
    // stays open: tls.Server listens to '_tlsError' for this (nodejs/node#8803), so do we.
    sock.on('_tlsError', this.onClientTlsError);
    sock.on('close', this.onClientTlsClose);
  }

  private readonly onClientSecure = (): void => {
    if (this.end) return;
    const sock = this.clientTls!;
    this.ev.handshakeMs = performance.now() - this.h.startedAt;
    this.ev.clientVersion = sock.getProtocol();
    this.ev.clientCipher = sock.getCipher()?.standardName ?? null;
    this.settle({ kind: 'established' });
    this.phase = 'relay';
    const up = this.upstreamTls!;
    pipeline(sock, up, this.onRelayDone('client'));
    pipeline(up, sock, this.onRelayDone('upstream'));
    // Flowing already (pipeline): one more listener only watches.
    up.once('data', this.onUpstreamSpoke);
  };

  private readonly onClientTlsError = (err: Error): void => {
    if (this.clientTlsError === err) return;
    this.clientTlsError ??= err;
    this.shared.logger.debug({ id: this.h.id, err: errJson(err) }, 'client tls error');
    // Before 'secure' Node destroys the socket and onClientTlsClose decides; after it, the relay ends.
    if (this.phase === 'relay') this.onRelayDone('client')(err);
  };

  /** The client's TLS socket closed: before its handshake completed, that decides the connection. */
  private readonly onClientTlsClose = (): void => {
    if (this.end || this.phase !== 'client') return;
    const err = this.clientTlsError;
    const clear = this.clientFacts?.alert;
    const alert = clear && clear.level === AlertLevel.Fatal ? clear : receivedAlert(err);
    const sent = this.ownFacts?.alert;
    let end: InjectEnd;
    if (alert) {
      this.ev.clientAlert = alert;
      end = { kind: 'client-alert', alert };
    } else if (sent && sent.level === AlertLevel.Fatal) {
      this.ev.alertSent = sent;
      end = { kind: 'client-refused', alert: sent, reason: errCode(err) };
    } else if (this.clientReset || this.clientFin || this.clientClosed) {
      end = { kind: 'client-closed', reset: this.clientReset, afterServerFlight: (this.ownFacts?.serverHello ?? null) !== null };
    } else {
      end = { kind: 'client-refused', alert: null, reason: errCode(err) };
    }
    if (err && end.kind === 'client-refused') this.ev.err = errJson(err);
    this.settle(end);
    // The upstream handshake was for this client: close it (FIN after tlspeek's TLS is torn down).
    this.upstreamTls?.destroy();
  };

  private readonly onClientError = (err: NodeJS.ErrnoException): void => {
    this.clientReset = true;
    this.shared.logger.debug({ id: this.h.id, err: errJson(err) }, 'client socket error');
    // Once the client's TLS runs, its reset resets the upstream too (transparency);
    // before that, the close handler ends the upstream leg.
    if (this.phase !== 'upstream' && this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  };

  private readonly onEarlyClientData = (chunk: Buffer): void => {
    this.ev.bytesFromClient += chunk.length;
    this.early.push(chunk);
    this.earlyBytes += chunk.length;
    if (this.earlyBytes >= MAX_EARLY_CLIENT_BYTES) this.client.pause();
  };

  private readonly onClientEnd = (): void => {
    this.clientFin = true;
    if (!this.end && this.phase === 'upstream') {
      // A client that stops sending before its handshake cannot finish it.
      this.settle({ kind: 'client-closed', reset: false, afterServerFlight: false });
      this.upstreamTls?.destroy();
      this.upstream?.destroy();
      this.client.destroySoon();
    }
  };

  private readonly onClientClose = (): void => {
    this.clientClosed = true;
    if (!this.end && this.phase === 'upstream') {
      // Gone while tlspeek was still talking to the upstream.
      this.settle({ kind: 'client-closed', reset: this.clientReset, afterServerFlight: false });
      this.upstreamTls?.destroy();
      this.upstream?.destroy();
    }
    this.maybeFinish();
  };

  // ---- relay and ending --------------------------------------------------

  private onRelayDone(from: 'client' | 'upstream'): (err: NodeJS.ErrnoException | null) => void {
    return (err) => {
      if (!err || this.phase === 'closed') return;
      this.shared.logger.debug({ id: this.h.id, from, err: errJson(err) }, 'relay ended with an error');
      this.clientTls?.destroy();
      this.upstreamTls?.destroy();
      // The TCP sockets end once their pending bytes are out; a peer that stopped reading must not hold them.
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.client.destroy();
        this.upstream?.destroy();
      }, ERROR_LINGER_MS).unref();
    };
  }

  private readonly onTimeout = (): void => {
    this.timer = null;
    if (this.end) return;
    this.settle({ kind: 'timeout', leg: this.phase === 'upstream' ? 'upstream' : 'client' });
    this.destroyAll();
  };

  /** Records how the handshakes ended (first call wins) and stops watching. */
  private settle(end: InjectEnd): void {
    if (this.end) return;
    this.end = end;
    this.clearTimer();
    this.upstreamWatch = null;
    this.clientWatch = null;
    this.ownWatch = null;
  }

  private destroyAll(): void {
    this.clientTls?.destroy();
    this.upstreamTls?.destroy();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private maybeFinish(): void {
    if (this.phase === 'closed') return;
    if (!this.clientClosed) return;
    if (this.upstream && !this.upstreamClosed) return;
    this.finish();
  }

  private finish(): void {
    this.phase = 'closed';
    this.clearTimer();
    this.settle({ kind: 'client-closed', reset: this.clientReset, afterServerFlight: false });
    this.clientTls?.destroy();
    this.upstreamTls?.destroy();
    discardSocket(this.client);
    discardSocket(this.upstream);
    this.writeRecord();
    this.h.done();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private writeRecord(): void {
    const record = injectRecord(this.h, this.shared, this.end!, this.ev, performance.now() - this.h.startedAt);
    logRecord(this.shared.logger, record);
    this.shared.onRecord?.(record);
  }
}

function errCode(err: NodeJS.ErrnoException | null): string {
  return err?.code ?? 'closed';
}

function errJson(err: Error): { code: string | null; message: string } {
  return { code: (err as NodeJS.ErrnoException).code ?? null, message: err.message.trim() };
}
