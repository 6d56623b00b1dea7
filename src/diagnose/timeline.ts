/**
 * The handshake as a sequence of events: what each side did after the
 * ClientHello, in the order tlspeek saw it. Wire facts (records) and TCP facts (FIN, RST) go
 * in the same list because diagnosis judges by the *first* event that ended
 * the handshake (WIRE-FACTS: a FIN from HAProxy is often followed by a client
 * alert and then a server RST).
 */
import { hasEncryptedAlertShape } from '../tls/alert.js';
import { AlertLevel, ProtocolVersion } from '../tls/constants.js';
import type { AlertRecord } from '../tls/types.js';

export type Side = 'client' | 'server';

export type HandshakeEvent =
  | { readonly side: Side; readonly kind: 'ccs' }
  /** A record sent after the side started encrypting; `alert` when its content type says so (TLS <= 1.2). */
  | { readonly side: Side; readonly kind: 'opaque'; readonly length: number; readonly contentType: number }
  | { readonly side: Side; readonly kind: 'alert'; readonly alert: AlertRecord }
  | { readonly side: Side; readonly kind: 'fin' }
  | { readonly side: Side; readonly kind: 'rst' }
  | { readonly side: 'server'; readonly kind: 'timeout' };

/** How the handshake ended, read off the timeline. */
export type HandshakeEnd =
  | { readonly kind: 'established' }
  /** A fatal alert read in clear. */
  | { readonly kind: 'alert'; readonly side: Side; readonly alert: AlertRecord }
  /** TLS 1.3: a 19-byte encrypted record followed by that side's close. */
  | { readonly kind: 'encrypted-alert'; readonly side: Side; readonly afterClientFinished: boolean }
  | { readonly kind: 'reset'; readonly side: Side }
  | { readonly kind: 'closed'; readonly side: Side }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'in-progress' };

const CONTENT_TYPE_ALERT = 21;

/**
 * Reads the handshake one event at a time, in constant space (a TLS 1.3
 * server may send thousands of 0.5-RTT records before the client's Finished).
 *
 * Established means both sides moved to encrypted traffic and nothing ended
 * the handshake: TLS <= 1.2, each side sent ChangeCipherSpec and then an
 * encrypted record (its Finished). TLS 1.3 hides Finished, so: the client sent
 * an encrypted record that is not alert-sized (its Finished) and the server
 * then sent data that is not a lone alert-sized record followed by a close
 * (that shape is certificate_required and friends, WIRE-FACTS).
 *
 * `version()` returns the version the ServerHello chose so far (null if none):
 * it decides what "Finished" looks like.
 */
export class HandshakeJudge {
  private result: HandshakeEnd = { kind: 'in-progress' };
  private readonly ccs = { client: false, server: false };
  private readonly finished = { client: false, server: false };
  /** A record that may be an alert, waiting for what follows (a close confirms it). */
  private readonly maybeAlert = { client: false, server: false };
  private serverRecordsAfterClientFinished = 0;

  constructor(private readonly version: () => number | null) {}

  get end(): HandshakeEnd {
    return this.result;
  }

  /** Feeds one event; returns the verdict so far (final once not 'in-progress'). */
  push(ev: HandshakeEvent): HandshakeEnd {
    if (this.result.kind === 'in-progress') this.result = this.step(ev);
    return this.result;
  }

  private step(ev: HandshakeEvent): HandshakeEnd {
    const tls13 = this.version() === ProtocolVersion.TLSv1_3;
    switch (ev.kind) {
      case 'ccs':
        this.ccs[ev.side] = true;
        return IN_PROGRESS;
      case 'alert':
        return ev.alert.level === AlertLevel.Fatal ? { kind: 'alert', side: ev.side, alert: ev.alert } : IN_PROGRESS;
      case 'opaque':
        return tls13 ? this.opaque13(ev.side, ev.length) : this.opaque12(ev.side, ev.contentType);
      case 'fin':
      case 'rst':
        if (this.maybeAlert[ev.side]) return { kind: 'encrypted-alert', side: ev.side, afterClientFinished: this.finished.client };
        return { kind: ev.kind === 'fin' ? 'closed' : 'reset', side: ev.side };
      case 'timeout':
        return { kind: 'timeout' };
      default:
        return assertUnreachable(ev);
    }
  }

  private opaque12(side: Side, contentType: number): HandshakeEnd {
    if (contentType === CONTENT_TYPE_ALERT && !this.finished[side]) {
      // An encrypted TLS 1.2 alert in place of Finished.
      this.maybeAlert[side] = true;
      return IN_PROGRESS;
    }
    if (this.ccs[side]) this.finished[side] = true;
    return this.finished.client && this.finished.server ? ESTABLISHED : IN_PROGRESS;
  }

  private opaque13(side: Side, length: number): HandshakeEnd {
    if (side === 'client') {
      if (this.finished.client) return IN_PROGRESS;
      if (hasEncryptedAlertShape(length)) this.maybeAlert.client = true;
      else {
        this.finished.client = true;
        this.maybeAlert.client = false;
      }
      return IN_PROGRESS;
    }
    // The server's own flight (and any 0.5-RTT data) precedes the client's Finished.
    if (!this.finished.client) return IN_PROGRESS;
    this.serverRecordsAfterClientFinished++;
    if (this.serverRecordsAfterClientFinished === 1 && hasEncryptedAlertShape(length)) {
      this.maybeAlert.server = true;
      return IN_PROGRESS;
    }
    return ESTABLISHED;
  }
}

const IN_PROGRESS: HandshakeEnd = { kind: 'in-progress' };
const ESTABLISHED: HandshakeEnd = { kind: 'established' };

/** Reads a whole timeline at once (tests, replays). */
export function readTimeline(events: readonly HandshakeEvent[], version: number | null): HandshakeEnd {
  const judge = new HandshakeJudge(() => version);
  for (const ev of events) if (judge.push(ev).kind !== 'in-progress') break;
  return judge.end;
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}
