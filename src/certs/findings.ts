/**
 * What the certificate checks report. Findings are plain JSON-able data (ISO
 * dates, DN strings) so a probe can log them as they are.
 */
import type { CertParseErrorCode } from './errors.js';
import type { ParsedCertificate, PublicKeyType } from './parse.js';

/** The chain verdicts; the non-`ok` ones are SPEC causes of the same name. */
export type ChainVerdict = 'ok' | 'hostname_mismatch' | 'incomplete_chain' | 'expired_certificate' | 'untrusted_certificate';

/** A certificate a finding is about. */
export interface CertRef {
  /** Position in the chain as the server sent it (leaf = 0); null for a certificate from the trust store. */
  readonly index: number | null;
  readonly subject: string;
  readonly issuer: string;
  readonly sha256: string;
}

export type Finding =
  /** The leaf does not cover the name the client asked for. `presented` lists the identities that were compared. */
  | { readonly kind: 'hostname_mismatch'; readonly cert: CertRef; readonly name: string; readonly presented: readonly string[] }
  /** Note: the name matched only the subject CN (no DNS SAN); Chrome and Go ignore CN and reject it. */
  | { readonly kind: 'hostname_cn_fallback'; readonly cert: CertRef; readonly name: string; readonly commonName: string }
  /** Note: `cert` is not issued by the certificate sent right after it (the first such break). */
  | {
      readonly kind: 'chain_order';
      readonly cert: CertRef;
      readonly next: CertRef;
      readonly reason: 'issuer_name' | 'key_identifier' | 'signature';
    }
  /** Nobody sent or trusts the issuer of `cert`, the top of the chain as far as it goes; `issuer` is the DN needed. */
  | { readonly kind: 'issuer_missing'; readonly cert: CertRef; readonly issuer: string; readonly caIssuersUrl: string | null }
  /** Every certificate needed was sent, but `issuerCert` (the issuer of `cert`) is not right after it. */
  | { readonly kind: 'chain_out_of_order'; readonly cert: CertRef; readonly issuerCert: CertRef }
  /** The leaf is self-signed and not in the trust store. */
  | { readonly kind: 'self_signed_leaf'; readonly cert: CertRef }
  /**
   * The chain ends at a CA the store does not hold: a self-signed root the
   * server sent, or an intermediate without an AIA caIssuers URL (the mark of
   * a private CA) whose issuer, named in `issuer`, is presumably its root.
   */
  | { readonly kind: 'unknown_root'; readonly cert: CertRef; readonly issuer: string; readonly selfSigned: boolean }
  /** `onTrustPath` false: the certificate was sent but a valid path does without it (a note). */
  | { readonly kind: 'expired'; readonly cert: CertRef; readonly notAfter: string; readonly onTrustPath: boolean }
  | { readonly kind: 'not_yet_valid'; readonly cert: CertRef; readonly notBefore: string; readonly onTrustPath: boolean }
  /**
   * MD5 or SHA-1 signature on a certificate that is not self-signed. Not a
   * mere note: OpenSSL 3 refuses it at its default security level 1 ("CA
   * signature digest algorithm too weak"; Node will not even serve one), as
   * do Java, Go and browsers.
   */
  | { readonly kind: 'weak_signature'; readonly cert: CertRef; readonly algorithm: string; readonly hash: string }
  /**
   * RSA or DSA below 2048 bits, EC below 256: a note, since OpenSSL at its
   * default level 1 takes 1024-bit RSA (level 2, the Debian and RHEL
   * default, does not). `rejectedByDefault`: below even level 1's floor
   * (RSA/DSA < 1024, EC < 160), which makes it a problem.
   */
  | {
      readonly kind: 'weak_key';
      readonly cert: CertRef;
      readonly keyType: PublicKeyType;
      readonly bits: number;
      readonly rejectedByDefault: boolean;
    }
  /**
   * The bytes at `index` are not a certificate OpenSSL would read. Fatal
   * wherever it sits: OpenSSL clients answer it with decode_error (50).
   */
  | {
      readonly kind: 'unparsable_certificate';
      readonly index: number;
      readonly sha256: string;
      readonly code: CertParseErrorCode;
      readonly message: string;
    }
  /** The server sent an empty Certificate message. */
  | { readonly kind: 'no_certificate' };

export type FindingKind = Finding['kind'];

/** The verdict a finding supports on its own; null for notes. */
export function findingVerdict(f: Finding): Exclude<ChainVerdict, 'ok'> | null {
  switch (f.kind) {
    case 'hostname_mismatch':
      return 'hostname_mismatch';
    case 'expired':
    case 'not_yet_valid':
      return f.onTrustPath ? 'expired_certificate' : null;
    case 'issuer_missing':
    case 'chain_out_of_order':
      return 'incomplete_chain';
    case 'self_signed_leaf':
    case 'unknown_root':
    case 'no_certificate':
    case 'weak_signature':
    case 'unparsable_certificate':
      return 'untrusted_certificate';
    case 'weak_key':
      return f.rejectedByDefault ? 'untrusted_certificate' : null;
    case 'hostname_cn_fallback':
    case 'chain_order':
      return null;
    default: {
      const never: never = f;
      return never;
    }
  }
}

/**
 * Maps certificates to their position as sent. Checks run on the parsed
 * members only; this keeps indices true when an unparsable one was dropped.
 */
export class ChainIndex {
  private readonly positions = new Map<ParsedCertificate, number>();

  constructor(members: readonly ParsedCertificate[], positions?: readonly number[]) {
    members.forEach((c, i) => this.positions.set(c, positions?.[i] ?? i));
  }

  ref(c: ParsedCertificate): CertRef {
    return { index: this.positions.get(c) ?? null, subject: c.subject, issuer: c.issuer, sha256: c.sha256 };
  }

  indexOf(c: ParsedCertificate): number | null {
    return this.positions.get(c) ?? null;
  }
}
