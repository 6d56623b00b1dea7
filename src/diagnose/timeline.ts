/**
 * The handshake as a timeline: what each side did after the ClientHello, in
 * the order tlspeek saw it. Wire facts (records) and TCP facts (FIN, RST) go
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

/** Events kept per connection; diagnosis needs only the first few. */
export const TIMELINE_LIMIT = 64;

export class Timeline {
  readonly events: HandshakeEvent[] = [];

  add(ev: HandshakeEvent): void {
    if (this.events.length < TIMELINE_LIMIT) this.events.push(ev);
  }
}

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
 * Reads the timeline. `version` is the version the ServerHello chose (null if
 * none was seen): it decides what "Finished" looks like.
 *
 * Established means both sides moved to encrypted traffic and nothing ended
 * the handshake: TLS <= 1.2, each side sent ChangeCipherSpec and then an
 * encrypted record (its Finished). TLS 1.3 hides Finished, so: the client sent
 * an encrypted record that is not alert-sized (its Finished) and the server
 * then sent data that is not a lone alert-sized record followed by a close
 * (that shape is certificate_required and friends, WIRE-FACTS).
 */
export function readTimeline(events: readonly HandshakeEvent[], version: number | null): HandshakeEnd {
  const tls13 = version === ProtocolVersion.TLSv1_3;
  const ccs = { client: false, server: false };
  const finished = { client: false, server: false };
  // TLS 1.3: a 19-byte record that may be an alert, waiting for what follows.
  const maybeAlert: { client: boolean; server: boolean } = { client: false, server: false };
  let serverRecordsAfterClientFinished = 0;

  for (const ev of events) {
    switch (ev.kind) {
      case 'ccs':
        ccs[ev.side] = true;
        break;
      case 'alert':
        if (ev.alert.level === AlertLevel.Fatal) return { kind: 'alert', side: ev.side, alert: ev.alert };
        break;
      case 'opaque': {
        if (!tls13) {
          if (ev.contentType === CONTENT_TYPE_ALERT && !finished[ev.side]) {
            // An encrypted TLS 1.2 alert in place of Finished.
            maybeAlert[ev.side] = true;
            break;
          }
          if (ccs[ev.side]) finished[ev.side] = true;
          if (finished.client && finished.server) return { kind: 'established' };
          break;
        }
        if (ev.side === 'client') {
          if (finished.client) break;
          if (hasEncryptedAlertShape(ev.length)) maybeAlert.client = true;
          else {
            finished.client = true;
            maybeAlert.client = false;
          }
          break;
        }
        // Server, TLS 1.3: its own flight precedes the client's Finished.
        if (!finished.client) break;
        serverRecordsAfterClientFinished++;
        if (serverRecordsAfterClientFinished === 1 && hasEncryptedAlertShape(ev.length)) {
          maybeAlert.server = true;
          break;
        }
        return { kind: 'established' };
      }
      case 'fin':
      case 'rst':
        if (maybeAlert[ev.side]) {
          return { kind: 'encrypted-alert', side: ev.side, afterClientFinished: finished.client };
        }
        return { kind: ev.kind === 'fin' ? 'closed' : 'reset', side: ev.side };
      case 'timeout':
        return { kind: 'timeout' };
      default:
        return assertUnreachable(ev);
    }
  }
  return { kind: 'in-progress' };
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}
