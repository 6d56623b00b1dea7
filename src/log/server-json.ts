/** SPEC's `server` object: what the server answered, from the server-side flight facts. */
import type { ChainAssessment } from '../certs/checks.js';
import { describeCertificate, parseCertificate } from '../certs/parse.js';
import { cipherSuiteName, versionName } from '../tls/iana.js';
import type { FlightFacts } from '../tls/flight-watcher.js';
import type { CertificateInfo } from '../tls/types.js';
import { type AlertJson, alertJson } from './alert-json.js';

export interface ServerJson {
  version: string | null;
  cipherSuite: string | null;
  cipherSuiteCode: number | null;
  helloRetry: boolean;
  alpn: string | null;
  certificates: CertificateInfo[];
  certificateRequested: boolean;
  alert: AlertJson | null;
  reset: boolean;
  /** Records the server sent after it started encrypting (counted while watched). */
  encryptedRecords: number;
  /** Why the server's bytes could not be read as TLS, when they could not. */
  parseError?: string;
  /** Checks of the chain sent in clear: host name, order, trust, validity, strength. */
  chainCheck?: ChainAssessment;
}

export function serverJson(
  f: FlightFacts,
  extra: { reset: boolean; alert?: AlertJson | null; chainCheck?: ChainAssessment | null; certificates?: CertificateInfo[] },
): ServerJson {
  // After a HelloRetryRequest with no second ServerHello, the HRR is all the server said.
  const hello = f.serverHello ?? f.helloRetryRequest;
  return {
    version: hello ? versionName(hello.version) : null,
    cipherSuite: hello ? cipherSuiteName(hello.cipherSuite) : null,
    cipherSuiteCode: hello ? hello.cipherSuite : null,
    helloRetry: f.helloRetryRequest !== null,
    alpn: f.serverHello?.alpn ?? null,
    certificates: extra.certificates ?? (f.certificates ?? []).map((der) => describeCertificate(parseCertificate(der))),
    certificateRequested: f.certificateRequested,
    alert: extra.alert !== undefined ? extra.alert : f.alert ? alertJson(f.alert) : null,
    reset: extra.reset,
    encryptedRecords: f.opaqueCount,
    ...(f.error ? { parseError: f.error.message } : {}),
    ...(extra.chainCheck ? { chainCheck: extra.chainCheck } : {}),
  };
}
