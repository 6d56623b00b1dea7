/** Everything diagnosis may look at, gathered from the wire by the session. */
import type { ChainAssessment } from '../certs/checks.js';
import type { AlertRecord, ClientHello } from '../tls/types.js';
import type { HandshakeEnd } from './timeline.js';
import type { Outcome } from './vocabulary.js';

export interface DiagnosisFacts {
  readonly outcome: Outcome;
  readonly end: HandshakeEnd;
  readonly hello: ClientHello;
  /** The ClientHello carried server_name. */
  readonly sniPresent: boolean;
  /** The version the ServerHello chose, or null if the server sent none. */
  readonly serverVersion: number | null;
  readonly serverHelloSeen: boolean;
  /** First fatal alert read in clear from each side. */
  readonly serverAlert: AlertRecord | null;
  readonly clientAlert: AlertRecord | null;
  /** The server sent a CertificateRequest in clear (TLS <= 1.2). */
  readonly certificateRequested: boolean;
  /** The upstream the client was trying to reach (host as configured). */
  readonly upstreamHost: string;
  /** Checks of the chain the server sent in clear (TLS <= 1.2), or null when none was seen. */
  readonly chain: ChainAssessment | null;
}
