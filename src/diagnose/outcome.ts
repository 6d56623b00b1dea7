/** One outcome per connection (SPEC "outcome"), from what happened before the handshake and the timeline. */
import type { HandshakeEnd } from './timeline.js';
import { assertNever, type Outcome } from './vocabulary.js';

/** What happened around the handshake, in the order the session can know it. */
export interface OutcomeFacts {
  /** The hello deadline fired before a complete ClientHello. */
  readonly helloTimedOut: boolean;
  /** The client's first bytes: a TLS hello, not TLS, or nothing complete before the client left. */
  readonly hello: 'complete' | 'not-tls' | 'incomplete';
  /** Connecting upstream failed (refused, unresolvable, timed out). */
  readonly upstreamUnreachable: boolean;
  readonly end: HandshakeEnd;
}

export function decideOutcome(f: OutcomeFacts): Outcome {
  if (f.helloTimedOut) return 'hello_timeout';
  if (f.hello === 'not-tls') return 'not_tls';
  if (f.hello === 'incomplete') return 'client_closed';
  if (f.upstreamUnreachable) return 'upstream_unreachable';
  const end = f.end;
  switch (end.kind) {
    case 'established':
      return 'established';
    case 'alert':
    case 'encrypted-alert':
      return end.side === 'server' ? 'server_alert' : 'client_alert';
    case 'reset':
      return end.side === 'server' ? 'server_reset' : 'client_closed';
    case 'closed':
      return end.side === 'server' ? 'server_closed' : 'client_closed';
    case 'timeout':
    // A connection still mid-handshake when tlspeek had to stop waiting.
    case 'in-progress':
      return 'upstream_timeout';
    default:
      return assertNever(end);
  }
}
