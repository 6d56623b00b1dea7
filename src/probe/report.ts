/**
 * What a probe reports: `ProbeReport` is the document `tlspeek probe --json`
 * prints, `ProbeFinding` the evidence `quickProbe` adds to a connection
 * record (SPEC: `probe.findings`). Plain JSON data: names, not codes, except
 * where a code is kept beside its name.
 */
import type { ChainVerdict, Finding } from '../certs/checks.js';
import { describeCertificate, parseCertificate } from '../certs/parse.js';
import type { Cause } from '../diagnose/vocabulary.js';
import { type AlertJson, alertJson } from '../log/alert-json.js';
import { cipherSuiteName, versionName } from '../tls/iana.js';
import type { CertificateInfo } from '../tls/types.js';
import type { HelloOutcome, HelloProbeResult } from './handshake-probe.js';
import type { ProbeVersionName } from './suites.js';

/** How the server answered one crafted hello. */
export interface HelloAnswer {
  outcome: HelloOutcome;
  /** Version of the ServerHello (or HelloRetryRequest); null without one. */
  version: string | null;
  cipherSuite: string | null;
  helloRetry: boolean;
  alert: AlertJson | null;
  /** Socket error code or why the bytes were not TLS; `budget` when the run's time budget was spent before this probe. */
  error: string | null;
}

export function helloAnswer(r: HelloProbeResult): HelloAnswer {
  return {
    outcome: r.outcome,
    version: r.serverHello ? versionName(r.serverHello.version) : null,
    cipherSuite: r.serverHello ? cipherSuiteName(r.serverHello.cipherSuite) : null,
    helloRetry: r.helloRetry === true,
    alert: r.alert ? alertJson(r.alert) : null,
    error: r.error ?? null,
  };
}

/** The answer in a few words: "ServerHello TLSv1.2", "alert protocol_version (70)", "reset". */
export function describeAnswer(a: HelloAnswer): string {
  switch (a.outcome) {
    case 'server_hello':
      return `${a.helloRetry ? 'HelloRetryRequest' : 'ServerHello'} ${a.version ?? '?'}`;
    case 'alert':
      return a.alert ? `alert ${a.alert.description} (${a.alert.code ?? '?'})` : 'alert';
    case 'reset':
      return 'reset (RST)';
    case 'closed':
      return 'closed (FIN, no alert)';
    case 'timeout':
      return a.error === 'budget' ? 'not tried (time budget spent)' : 'no answer (timeout)';
    case 'unreachable':
      return `unreachable${a.error ? ` (${a.error})` : ''}`;
    case 'not_tls':
      return `not TLS${a.error ? ` (${a.error})` : ''}`;
    default: {
      const never: never = a.outcome;
      return never;
    }
  }
}

/** One version's result. */
export interface VersionResult {
  version: ProbeVersionName;
  /** The server answered this very version (a lower one means it does not accept this one). */
  accepted: boolean;
  answer: HelloAnswer;
}

/** The suites one accepted version takes. */
export interface CipherResult {
  version: ProbeVersionName;
  /**
   * IANA names in the order the server picked them, offering the whole list
   * and removing each pick: with `order: "server"` that is the server's own
   * preference order.
   */
  accepted: string[];
  codes: number[];
  /** "server": it picks by its own preference; "client": it takes the first the client lists; null: undetermined (fewer than two suites, or inconsistent answers). */
  order: 'server' | 'client' | null;
  /** False when the enumeration stopped early (timeout, budget, a suite not offered), so the list may be short. */
  complete: boolean;
}

/** One SNI variant: what the server did with it. */
export interface SniCase {
  /** "servername": the name probed; "host": the target's DNS name (with --no-servername); "none": no SNI; "unknown": a name no server has. */
  kind: 'servername' | 'host' | 'none' | 'unknown';
  /** The name sent; null for none. */
  sent: string | null;
  answer: HelloAnswer;
  /** The leaf the server sent in clear (TLS <= 1.2), or null. */
  certificate: CertificateInfo | null;
}

export interface SniReport {
  /** True: hellos without SNI are refused while hellos with one are answered. Null: undetermined. */
  required: boolean | null;
  cases: SniCase[];
}

export interface AlpnReport {
  offered: string[];
  /** The protocol the server selected; null when it selected none. */
  selected: string | null;
  /** "handshake": read from a crafted hello's ServerHello (TLS <= 1.2); "tls-connect": a TLS 1.3 handshake by Node (ALPN is encrypted there). */
  via: 'handshake' | 'tls-connect';
  /** Why ALPN could not be read, or the server's refusal (no_application_protocol); null when it could. */
  error: string | null;
}

/** The served chain and every check run on it. */
export interface ChainReport {
  /** "handshake": the Certificate message of a crafted TLS <= 1.2 hello, in clear; "tls-connect": a TLS 1.3 handshake by Node. */
  source: 'handshake' | 'tls-connect';
  version: string | null;
  /** False for tls-connect: Node hands the chain back rebuilt issuer by issuer, so the order as sent is lost (and a root from Node's store may be appended). */
  orderAsSent: boolean;
  /** The SNI sent to fetch it. */
  servername: string | null;
  /** The name the certificate was checked against; null skips the host name check. */
  name: string | null;
  certificates: CertificateInfo[];
  verdict: ChainVerdict;
  problems: Exclude<ChainVerdict, 'ok'>[];
  hint: string | null;
  findings: Finding[];
}

/** Why a probe could not talk TLS to the target at all. */
export interface ProbeError {
  /** unreachable: TCP failed; timeout: connected but no answer to any hello; not_tls: the answers were not TLS. */
  kind: 'unreachable' | 'timeout' | 'not_tls';
  message: string;
}

/**
 * `tlspeek probe --json`. Stable: fields are added, never renamed.
 *
 * ```json
 * {"target":"api.example.com:443","address":"203.0.113.7","servername":"api.example.com",
 *  "error":null,
 *  "versions":[{"version":"SSLv3","accepted":false,"answer":{"outcome":"alert","version":null,"cipherSuite":null,
 *     "helloRetry":false,"alert":{"level":"fatal","description":"protocol_version","code":70},"error":null}}, ...],
 *  "ciphers":[{"version":"TLSv1.2","accepted":["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"],"codes":[49200],
 *     "order":"server","complete":true}, ...],
 *  "sni":{"required":false,"cases":[{"kind":"servername","sent":"api.example.com","answer":{...},"certificate":{...}}, ...]},
 *  "alpn":{"offered":["h2","http/1.1"],"selected":"h2","via":"handshake","error":null},
 *  "chain":{"source":"handshake","version":"TLSv1.2","orderAsSent":true,"servername":"api.example.com",
 *     "name":"api.example.com","certificates":[...],"verdict":"ok","problems":[],"hint":null,"findings":[]},
 *  "causes":[],"cause":null,"hint":null,
 *  "incomplete":false,"connections":41,"durationMs":212.5}
 * ```
 */
export interface ProbeReport {
  /** HOST:PORT as given. */
  target: string;
  /** The address probed (the host resolved once); null when it could not be resolved. */
  address: string | null;
  /** SNI sent by the version, cipher, ALPN and chain probes; null: none. */
  servername: string | null;
  error: ProbeError | null;
  /** SSLv3 to TLSv1.3, each tested alone. */
  versions: VersionResult[];
  /** One entry per accepted version. */
  ciphers: CipherResult[];
  sni: SniReport | null;
  alpn: AlpnReport | null;
  chain: ChainReport | null;
  /** Every cause the probe found, most widely felt first (see `diagnoseUpstream`). */
  causes: Cause[];
  /** causes[0], or null. */
  cause: Cause | null;
  /** One sentence about `cause`; null when none. */
  hint: string | null;
  /** The time budget ran out and some probes were not tried. */
  incomplete: boolean;
  connections: number;
  durationMs: number;
}

/**
 * Evidence from `quickProbe` (the record's `probe.findings`).
 * - `chain`: the chain fetched with the client's SNI, checked;
 * - `chain_unavailable`: no chain could be fetched (the answer says why);
 * - `version_check`: a hello offering the client's versions (and every suite): is there a version in common?
 * - `cipher_check`: a hello offering the client's versions and suites: is there a suite in common?
 * - `sni_check`: the same hello without SNI and with one: does the server require SNI?
 * - `sni_unrecognized`: the server refused the client's SNI with unrecognized_name (112);
 * - `unreachable`: the upstream could not be reached (or resolved) at all.
 * `common`/`required` are null when the answers do not settle it.
 */
export type ProbeFinding =
  | ({ kind: 'chain' } & ChainReport)
  | { kind: 'chain_unavailable'; servername: string | null; answer: HelloAnswer | null; error: string | null }
  | { kind: 'version_check'; offered: string[]; answer: HelloAnswer; common: boolean | null }
  | { kind: 'cipher_check'; offered: string[]; answer: HelloAnswer; common: boolean | null }
  | { kind: 'sni_check'; without: HelloAnswer; with: { name: string; answer: HelloAnswer }; required: boolean | null }
  | { kind: 'sni_unrecognized'; servername: string; answer: HelloAnswer }
  | { kind: 'unreachable'; message: string };

/** The leaf of a chain as SPEC's certificate object, or null. */
export function leafInfo(certificates: readonly Buffer[] | undefined): CertificateInfo | null {
  const leaf = certificates?.[0];
  return leaf === undefined ? null : describeCertificate(parseCertificate(leaf));
}
