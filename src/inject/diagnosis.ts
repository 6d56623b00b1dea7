/**
 * Outcome and cause for an injected connection. Two handshakes run in turn:
 * tlspeek's own with the upstream (SNI = NAME) first, then the legacy
 * client's with tlspeek, which begins only once the upstream is verified.
 *
 * The outcome is read from the legacy client's side of the wire, where the
 * record's `hello` and `clientAlert` come from: "client" is always the legacy
 * client, "server" is what answers it (tlspeek in front of the upstream). So
 * when the upstream fails, or tlspeek refuses the upstream (its certificate
 * does not cover NAME, say), the client is refused by its server: tlspeek
 * relays the upstream's reset, close or alert to it, or sends it
 * handshake_failure, and the outcome is `server_reset`, `server_closed` or
 * `server_alert`. `client_alert` stays what SPEC says: the legacy client sent
 * a fatal alert (usually rejecting tlspeek's certificate). The cause says
 * which leg failed and why; `inject.failedLeg` in the record says it in one
 * word.
 *
 * As in src/diagnose/rules.ts, causes come from an ordered table of rules.
 * Hints name tlspeek's flags: most injected failures are fixed in its
 * configuration or the upstream's, not in the client.
 */
import type { ChainAssessment } from '../certs/checks.js';
import type { Cause, Outcome } from '../diagnose/vocabulary.js';
import { AlertDescription as A, ProtocolVersion } from '../tls/constants.js';
import { alertName, versionName } from '../tls/iana.js';
import type { AlertRecord, ClientHello } from '../tls/types.js';

export type Leg = 'upstream' | 'client';

/** How the handshakes ended: the first decisive event, in wire order. */
export type InjectEnd =
  /** Both handshakes completed. */
  | { readonly kind: 'established' }
  /** The upstream refused the TCP connection, could not be resolved or did not answer. */
  | { readonly kind: 'upstream-unreachable' }
  /** --handshake-timeout passed before both handshakes completed; `leg` is the one still running. */
  | { readonly kind: 'timeout'; readonly leg: Leg }
  /** The upstream sent a fatal alert (read in clear, or decrypted by tlspeek in TLS 1.3). */
  | { readonly kind: 'upstream-alert'; readonly alert: AlertRecord }
  | { readonly kind: 'upstream-reset' }
  /** The upstream closed (FIN) before its handshake with tlspeek completed. */
  | { readonly kind: 'upstream-closed' }
  /**
   * tlspeek refused the upstream: its certificate failed verification
   * (`certificate`, Node's code in `reason`), or OpenSSL refused its answer
   * (a version below TLS 1.2, say; OpenSSL's code in `reason`).
   */
  | { readonly kind: 'upstream-refused'; readonly certificate: boolean; readonly reason: string }
  /** The legacy client sent a fatal alert during its handshake with tlspeek. */
  | { readonly kind: 'client-alert'; readonly alert: AlertRecord }
  /** tlspeek refused the legacy client (no version or cipher suite in common); `alert` is what it sent. */
  | { readonly kind: 'client-refused'; readonly alert: AlertRecord | null; readonly reason: string }
  /** The legacy client closed or reset before its handshake completed; `afterServerFlight`: it had tlspeek's certificate. */
  | { readonly kind: 'client-closed'; readonly reset: boolean; readonly afterServerFlight: boolean };

export function injectOutcome(end: InjectEnd): Outcome {
  switch (end.kind) {
    case 'established':
      return 'established';
    case 'upstream-unreachable':
      return 'upstream_unreachable';
    case 'timeout':
      return 'upstream_timeout';
    case 'upstream-alert':
    case 'upstream-refused':
    case 'client-refused':
      return 'server_alert';
    case 'upstream-reset':
      return 'server_reset';
    case 'upstream-closed':
      return 'server_closed';
    case 'client-alert':
      return 'client_alert';
    case 'client-closed':
      return 'client_closed';
  }
}

/** The leg whose failure ended the connection, null when established. */
export function failedLeg(end: InjectEnd): Leg | null {
  switch (end.kind) {
    case 'established':
      return null;
    case 'timeout':
      return end.leg;
    case 'client-alert':
    case 'client-refused':
    case 'client-closed':
      return 'client';
    case 'upstream-unreachable':
    case 'upstream-alert':
    case 'upstream-reset':
    case 'upstream-closed':
    case 'upstream-refused':
      return 'upstream';
  }
}

export interface InjectFacts {
  readonly end: InjectEnd;
  /** The --inject-sni name. */
  readonly name: string;
  /** The legacy client's ClientHello. */
  readonly hello: ClientHello;
  /** --client-min-version. */
  readonly clientMinVersion: string;
  /** The version the upstream's ServerHello chose, or null. */
  readonly upstreamVersion: number | null;
  /** The upstream sent a CertificateRequest in clear. */
  readonly certificateRequested: boolean;
  /** Checks of the upstream's chain against NAME, or null when none was received. */
  readonly chain: ChainAssessment | null;
  /** What tlspeek shows the legacy client, for hints (e.g. `its certificate for NAME, signed by the local CA in /etc/tlspeek/ca.pem`). */
  readonly servingCertificate: string;
}

export interface InjectRule {
  readonly cause: Cause;
  readonly when: (f: InjectFacts) => boolean;
  readonly hint: (f: InjectFacts) => string;
}

type ChainProblem = 'hostname_mismatch' | 'incomplete_chain' | 'expired_certificate' | 'untrusted_certificate';

/** Node's verification codes (`authorizationError`), for when the chain check found nothing more precise. */
const NODE_VERIFY_CAUSE: Readonly<Record<string, ChainProblem>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname_mismatch',
  CERT_HAS_EXPIRED: 'expired_certificate',
  CERT_NOT_YET_VALID: 'expired_certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'incomplete_chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'incomplete_chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'incomplete_chain',
};

/**
 * Why tlspeek refused the upstream's certificate: the chain check's verdict
 * names the certificate at fault; Node's own code decides when the check
 * found nothing (their rules differ at the edges).
 */
function upstreamCertificateProblem(f: InjectFacts): ChainProblem | null {
  if (f.end.kind !== 'upstream-refused' || !f.end.certificate) return null;
  const verdict = f.chain?.verdict ?? 'ok';
  if (verdict !== 'ok') return verdict;
  return NODE_VERIFY_CAUSE[f.end.reason] ?? 'untrusted_certificate';
}

function upstreamCertificateHint(f: InjectFacts): string {
  const code = f.end.kind === 'upstream-refused' ? f.end.reason : 'unknown';
  const detail = f.chain?.hint ?? `Node reports ${code}.`;
  return `tlspeek refused the upstream's certificate for ${f.name} (${code}) and sent the client handshake_failure. ${detail} If the upstream is right and tlspeek lacks its private CA, pass it with --upstream-ca FILE.`;
}

const upstreamAlertIs = (f: InjectFacts, ...codes: number[]) => f.end.kind === 'upstream-alert' && codes.includes(f.end.alert.code);
const clientAlertIs = (f: InjectFacts, ...codes: number[]) => f.end.kind === 'client-alert' && codes.includes(f.end.alert.code);
const sentToClientIs = (f: InjectFacts, ...codes: number[]) => f.end.kind === 'client-refused' && f.end.alert !== null && codes.includes(f.end.alert.code);

/** Versions the client offered (supported_versions, else legacy_version), highest first. */
function offered(hello: ClientHello): number[] {
  const listed = hello.supportedVersions.filter((v) => v >> 8 === 3);
  return (listed.length > 0 ? listed : [hello.legacyVersion]).sort((a, b) => b - a);
}

function clientVersionHint(f: InjectFacts): string {
  const versions = offered(f.hello);
  const best = versions[0] ?? f.hello.legacyVersion;
  const list = versions.map(versionName).join(', ');
  if (best < ProtocolVersion.TLSv1) {
    return `The client offered only ${list}, which tlspeek does not accept at any --client-min-version: upgrade the client to TLS 1.0 or later.`;
  }
  return `The client offered ${list} and tlspeek accepts ${f.clientMinVersion} and later from clients without SNI: run tlspeek with --client-min-version ${versionName(best)} (below TLSv1.2 it lowers OpenSSL's security level for those clients only), or upgrade the client.`;
}

export const INJECT_RULES: readonly InjectRule[] = [
  /** The upstream wants a client certificate: tlspeek re-originates without one. */
  {
    cause: 'client_certificate_required',
    when: (f) => upstreamAlertIs(f, A.CertificateRequired) || (f.certificateRequested && upstreamAlertIs(f, A.HandshakeFailure, A.BadCertificate)),
    hint: (f) =>
      `The upstream requires a client certificate for ${f.name} and tlspeek connects without one: a client that authenticates with a certificate cannot be rescued by --inject-sni; give it SNI instead, or have the upstream accept it without a certificate.`,
  },
  /** No version in common: tlspeek refused the client's, or the upstream refused tlspeek's TLS 1.2+ (or chose an older one). */
  {
    cause: 'protocol_mismatch',
    when: (f) =>
      sentToClientIs(f, A.ProtocolVersion) ||
      clientAlertIs(f, A.ProtocolVersion) ||
      upstreamAlertIs(f, A.ProtocolVersion) ||
      (f.end.kind === 'upstream-refused' && !f.end.certificate && f.upstreamVersion !== null && f.upstreamVersion < ProtocolVersion.TLSv1_2),
    hint: (f) =>
      f.end.kind === 'client-refused' || f.end.kind === 'client-alert'
        ? clientVersionHint(f)
        : `The upstream ${f.upstreamVersion !== null ? `chose ${versionName(f.upstreamVersion)}` : 'answered protocol_version'}, and tlspeek connects upstream with TLS 1.2 or later only: enable TLS 1.2 or 1.3 on the upstream.`,
  },
  /** The client rejected tlspeek's certificate as expired, or tlspeek the upstream's. */
  {
    cause: 'expired_certificate',
    when: (f) => clientAlertIs(f, A.CertificateExpired) || upstreamCertificateProblem(f) === 'expired_certificate',
    hint: (f) =>
      f.end.kind === 'client-alert'
        ? `The client rejected ${f.servingCertificate} as expired (certificate_expired): check the client's clock, or renew the certificate given with --cert.`
        : upstreamCertificateHint(f),
  },
  /** The upstream's certificate does not cover NAME. */
  {
    cause: 'hostname_mismatch',
    when: (f) => upstreamCertificateProblem(f) === 'hostname_mismatch',
    hint: upstreamCertificateHint,
  },
  {
    cause: 'incomplete_chain',
    when: (f) => upstreamCertificateProblem(f) === 'incomplete_chain',
    hint: upstreamCertificateHint,
  },
  /** The client does not trust tlspeek's certificate (48, 42, 46, 43), or tlspeek does not trust the upstream's. */
  {
    cause: 'untrusted_certificate',
    when: (f) => clientAlertIs(f, A.UnknownCa, A.BadCertificate, A.CertificateUnknown, A.UnsupportedCertificate) || upstreamCertificateProblem(f) === 'untrusted_certificate',
    hint: (f) =>
      f.end.kind === 'client-alert'
        ? `The client rejected ${f.servingCertificate} with ${alertName(f.end.alert.code)} (${f.end.alert.code}): add its issuer to the client's trust store and have the client connect by a name the certificate covers, or give tlspeek a certificate the client already trusts with --cert/--key.`
        : upstreamCertificateHint(f),
  },
  /** The upstream does not serve NAME. */
  {
    cause: 'sni_unrecognized',
    when: (f) => upstreamAlertIs(f, A.UnrecognizedName),
    hint: (f) => `The upstream has no virtual host for SNI "${f.name}" (unrecognized_name): set --inject-sni to a name the upstream serves.`,
  },
  /** No cipher suite in common on either leg. */
  {
    cause: 'cipher_mismatch',
    when: (f) => sentToClientIs(f, A.HandshakeFailure, A.InsufficientSecurity) || (upstreamAlertIs(f, A.HandshakeFailure, A.InsufficientSecurity) && f.upstreamVersion === null),
    hint: (f) =>
      f.end.kind === 'client-refused'
        ? `tlspeek shares no cipher suite with the ${f.hello.cipherSuites.length} the client offered: ${
            f.clientMinVersion === 'TLSv1' ? 'the client offers only suites OpenSSL no longer builds in (RC4, export, DES); upgrade the client' : 'run tlspeek with --client-min-version TLSv1, which also allows the older suites (OpenSSL security level 0) for clients without SNI'
          }.`
        : `The upstream sent ${alertName(f.end.kind === 'upstream-alert' ? f.end.alert.code : A.HandshakeFailure)} right after tlspeek's ClientHello for ${f.name}: no cipher suite in common with tlspeek's TLS 1.2/1.3 defaults; enable a current suite (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) on the upstream.`,
  },
];

function unknownHint(f: InjectFacts): string {
  const e = f.end;
  switch (e.kind) {
    case 'upstream-reset':
    case 'upstream-closed':
      return `The upstream ${e.kind === 'upstream-reset' ? 'reset' : 'closed'} the connection after tlspeek's ClientHello with SNI ${f.name}${
        f.upstreamVersion === null ? '' : ` and its ServerHello`
      }: check that ${f.name} is a name the upstream routes, and the upstream's log for this connection.`;
    case 'upstream-alert':
      return `The upstream sent alert ${alertName(e.alert.code)} (${e.alert.code}) to tlspeek's ClientHello for ${f.name}: check the upstream's log for why.`;
    case 'upstream-refused':
      return `tlspeek could not complete its handshake with the upstream (${e.reason}): check the upstream's TLS settings for ${f.name}.`;
    case 'client-alert':
      return `The client sent alert ${alertName(e.alert.code)} (${e.alert.code}) to tlspeek; check the client's log for why it gave up.`;
    case 'client-refused':
      return `tlspeek refused the client's handshake (${e.reason}${e.alert ? `, alert ${alertName(e.alert.code)}` : ''}): compare the client's offer in "hello" with --client-min-version ${f.clientMinVersion}.`;
    case 'client-closed':
      return e.afterServerFlight
        ? `The client ${e.reset ? 'reset' : 'closed'} the connection after receiving ${f.servingCertificate}, without an alert: it most likely does not trust it (some clients check after the handshake); add its issuer to the client's trust store.`
        : `The client ${e.reset ? 'reset' : 'closed'} the connection before tlspeek answered its hello: check the client for a timeout shorter than the upstream handshake.`;
    case 'established':
    case 'upstream-unreachable':
    case 'timeout':
      return 'The handshake failed and no rule explains it.';
  }
}

/** The cause and hint; nulls for outcomes SPEC leaves without a cause. */
export function diagnoseInject(f: InjectFacts): { cause: Cause | null; hint: string | null } {
  switch (f.end.kind) {
    case 'established':
    case 'upstream-unreachable':
    case 'timeout':
      return { cause: null, hint: null };
    default:
      break;
  }
  for (const rule of INJECT_RULES) {
    if (rule.when(f)) return { cause: rule.cause, hint: rule.hint(f) };
  }
  return { cause: 'unknown', hint: unknownHint(f) };
}
