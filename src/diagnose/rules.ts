/**
 * Diagnosis as data: an ordered table of rules; the first whose `when` holds
 * names the cause. The order encodes SPEC's precedence: an alert that names
 * the problem (70, 116, 45, 112 with SNI) beats the absence of SNI; the absence
 * of SNI beats a bare handshake_failure, reset or close.
 */
import { isIP } from 'node:net';
import { AlertDescription as A, ProtocolVersion } from '../tls/constants.js';
import { alertName, versionName } from '../tls/iana.js';
import type { DiagnosisFacts } from './facts.js';
import type { Cause } from './vocabulary.js';
import { SELF_EXPLAINING } from './vocabulary.js';

export interface Rule {
  readonly cause: Cause;
  readonly when: (f: DiagnosisFacts) => boolean;
  /** One sentence a person can act on. */
  readonly hint: (f: DiagnosisFacts) => string;
}

const serverAlertIs = (f: DiagnosisFacts, ...codes: number[]) => f.serverAlert !== null && codes.includes(f.serverAlert.code);
const clientAlertIs = (f: DiagnosisFacts, ...codes: number[]) => f.clientAlert !== null && codes.includes(f.clientAlert.code);
const serverRejected = (f: DiagnosisFacts) => f.outcome === 'server_alert' || f.outcome === 'server_reset' || f.outcome === 'server_closed';

/** Highest version the client offered (supported_versions, else legacy_version). */
function clientMaxVersion(f: DiagnosisFacts): number {
  const listed = f.hello.supportedVersions.filter((v) => v >> 8 === 3);
  return listed.length > 0 ? Math.max(...listed) : f.hello.legacyVersion;
}

function offeredVersions(f: DiagnosisFacts): string {
  const listed = f.hello.supportedVersions.filter((v) => v >> 8 === 3);
  return (listed.length > 0 ? listed : [f.hello.legacyVersion]).map(versionName).join(', ');
}

/** What the server did, in words, for hints. */
export function serverAction(f: DiagnosisFacts): string {
  switch (f.outcome) {
    case 'server_reset':
      return 'reset the connection';
    case 'server_closed':
      return 'closed the connection';
    default:
      if (f.serverAlert) return `sent alert ${alertName(f.serverAlert.code)} (${f.serverAlert.code})`;
      return 'ended the handshake with an encrypted alert';
  }
}

type ChainProblem = 'hostname_mismatch' | 'incomplete_chain' | 'expired_certificate' | 'untrusted_certificate';

/**
 * The chain problem a generic refusal most likely meant: certificate evidence
 * refines 42, 43, 46 and 48 (SPEC). unknown_ca (48) is about the issuer, never
 * the name (OpenSSL checks the chain first), so it skips hostname_mismatch. A
 * client that closes without an alert after the server's certificate also
 * points at the chain.
 */
function chainExplains(f: DiagnosisFacts): ChainProblem | null {
  const problems = f.chain?.problems ?? [];
  if (problems.length === 0) return null;
  if (clientAlertIs(f, A.UnknownCa)) return problems.find((p) => p !== 'hostname_mismatch') ?? null;
  if (clientAlertIs(f, A.BadCertificate, A.CertificateUnknown, A.UnsupportedCertificate)) return problems[0] ?? null;
  if (f.outcome === 'client_closed' && f.serverHelloSeen && f.clientAlert === null) return problems[0] ?? null;
  return null;
}

/** "The client rejected …" + the chain check's own sentence naming the certificate at fault. */
function chainHint(f: DiagnosisFacts): string {
  const how = f.clientAlert ? `with ${alertName(f.clientAlert.code)} (${f.clientAlert.code})` : 'by closing without an alert';
  return `The client rejected the server's certificate ${how}. ${f.chain?.hint ?? ''}`.trim();
}

const tls13EncryptedServerAlertAfterFinished = (f: DiagnosisFacts) =>
  f.end.kind === 'encrypted-alert' && f.end.side === 'server' && f.end.afterClientFinished;

export const RULES: readonly Rule[] = [
  /** The server wanted a client certificate: alert 116; 40/42 after a CertificateRequest (TLS 1.2);
   * in TLS 1.3 an encrypted alert right after the client's Finished (CertificateRequest is encrypted). */
  {
    cause: 'client_certificate_required',
    when: (f) =>
      serverAlertIs(f, A.CertificateRequired) ||
      (f.certificateRequested && serverAlertIs(f, A.HandshakeFailure, A.BadCertificate)) ||
      tls13EncryptedServerAlertAfterFinished(f),
    hint: (f) =>
      tls13EncryptedServerAlertAfterFinished(f)
        ? "The server ended the TLS 1.3 handshake with an encrypted alert right after the client's Finished, the shape of certificate_required: configure the client with a certificate and key the server trusts (mutual TLS)."
        : `The server requires a client certificate and ${serverAction(f)} without one: configure the client with a certificate and key signed by a CA the server trusts (mutual TLS).`,
  },
  /** Either side said protocol_version (70), or the ServerHello picked a version the client never offered. */
  {
    cause: 'protocol_mismatch',
    when: (f) =>
      serverAlertIs(f, A.ProtocolVersion) ||
      clientAlertIs(f, A.ProtocolVersion) ||
      (f.serverVersion !== null && f.serverVersion > clientMaxVersion(f)),
    hint: (f) =>
      `No TLS version in common: the client offered ${offeredVersions(f)}${f.serverVersion !== null ? ` and the server chose ${versionName(f.serverVersion)}` : ''}; ${
        clientMaxVersion(f) < ProtocolVersion.TLSv1_2
          ? 'upgrade the client to TLS 1.2 or later (for old Java set -Dhttps.protocols=TLSv1.2), or enable its version on the server'
          : 'enable TLS 1.2 or later on the server, or allow the server\'s version on the client'
      }.`,
  },
  /** The client rejected the certificate as expired (45), or a generic refusal of a chain with an expired member. */
  {
    cause: 'expired_certificate',
    when: (f) => clientAlertIs(f, A.CertificateExpired) || chainExplains(f) === 'expired_certificate',
    hint: (f) =>
      f.chain?.problems.includes('expired_certificate')
        ? chainHint(f)
        : "The client rejected the server's certificate as expired (certificate_expired): renew the server certificate (or fix the client's clock).",
  },
  /** A generic certificate refusal, and the leaf does not cover the SNI (or the upstream host when no SNI). */
  {
    cause: 'hostname_mismatch',
    when: (f) => chainExplains(f) === 'hostname_mismatch',
    hint: chainHint,
  },
  /** A generic certificate refusal, and the served chain lacks an intermediate or is out of order. */
  {
    cause: 'incomplete_chain',
    when: (f) => chainExplains(f) === 'incomplete_chain',
    hint: chainHint,
  },
  /** SNI present and the server answered unrecognized_name (112). */
  {
    cause: 'sni_unrecognized',
    when: (f) => f.sniPresent && serverAlertIs(f, A.UnrecognizedName),
    hint: (f) => `The server has no virtual host for SNI "${f.hello.sni ?? ''}" (unrecognized_name): add that host name to the ingress/virtual host, or have the client use a name the server serves.`,
  },
  /** No SNI and the server rejected the connection (reset, close or alert). */
  {
    cause: 'non_sni_client',
    when: (f) => !f.sniPresent && serverRejected(f),
    hint: (f) =>
      `The client sent no SNI and the server ${serverAction(f)}: enable SNI on the client (for Java, drop -Djsse.enableSNIExtension=false; connect by host name, not IP), give the ingress a wildcard or non-SNI route with a default certificate, or run tlspeek with --inject-sni ${isIP(f.upstreamHost) === 0 ? f.upstreamHost : '<the virtual host name>'}.`,
  },
  /** handshake_failure (40) or insufficient_security (71) before any ServerHello, with SNI: no suite in common. */
  {
    cause: 'cipher_mismatch',
    when: (f) => f.sniPresent && !f.serverHelloSeen && serverAlertIs(f, A.HandshakeFailure, A.InsufficientSecurity),
    hint: (f) =>
      `The server sent ${alertName(f.serverAlert?.code ?? A.HandshakeFailure)} right after the ClientHello: no cipher suite in common among the ${f.hello.cipherSuites.length} the client offered; enable a suite both sides support (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) on the client or the server.`,
  },
  /** The client refused the certificate (48, 42, 46) and nothing more specific is known. */
  {
    cause: 'untrusted_certificate',
    when: (f) => clientAlertIs(f, A.UnknownCa, A.BadCertificate, A.CertificateUnknown, A.UnsupportedCertificate) || chainExplains(f) === 'untrusted_certificate',
    hint: (f) =>
      chainExplains(f) === 'untrusted_certificate'
        ? chainHint(f)
        : `The client rejected the server's certificate (${alertName(f.clientAlert?.code ?? A.CertificateUnknown)}): check that the chain is complete and issued by a CA in the client's trust store, and that it covers the host name the client uses.`,
  },
];

/** Hint for failures no rule explains: says what was seen, so a person can take it from there. */
function unknownHint(f: DiagnosisFacts): string {
  if (f.end.kind === 'encrypted-alert' && f.end.side === 'client') {
    return "The client aborted the TLS 1.3 handshake with an encrypted alert after the server's flight (which alert is hidden); most often it rejects the server's certificate: check the client's error, or run tlspeek with --probe to check the chain.";
  }
  if (f.outcome === 'client_alert' && f.clientAlert) {
    return `The client sent alert ${alertName(f.clientAlert.code)} (${f.clientAlert.code}); check the client's log for why it gave up.`;
  }
  if (f.outcome === 'client_closed') {
    return f.serverHelloSeen
      ? "The client closed after the server's answer without an alert (Node and curl check certificates after the handshake); check the client's error for a certificate or protocol complaint."
      : 'The client closed before the server answered: check the client for a timeout or a cancelled request.';
  }
  return `The server ${serverAction(f)} and the wire gives no specific reason; check the server's log for this connection${f.serverHelloSeen ? '' : ', or run tlspeek with --probe'}.`;
}

/** The cause and hint for a connection, or nulls when the outcome needs no cause. */
export function diagnose(f: DiagnosisFacts): { cause: Cause | null; hint: string | null } {
  if (SELF_EXPLAINING.has(f.outcome)) return { cause: null, hint: null };
  for (const rule of RULES) {
    if (rule.when(f)) return { cause: rule.cause, hint: rule.hint(f) };
  }
  return { cause: 'unknown', hint: unknownHint(f) };
}
