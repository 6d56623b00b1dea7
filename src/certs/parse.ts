/**
 * X.509 certificates (RFC 5280 §4.1) as servers send them in a TLS Certificate
 * message: parsed once into what the checks and the connection record need.
 *
 * Why two parsers:
 * - node-forge's `pki.certificateFromAsn1` only reads RSA keys ("OID is not
 *   RSA"), but most servers today send ECDSA leaves. node:crypto's
 *   `X509Certificate` is OpenSSL itself: it reads every key type, and its
 *   `verify`/`checkIssued` are the very checks OpenSSL-based clients run, so
 *   it does signatures, issuer matching and key sizes.
 * - Node 20's `X509Certificate` exposes no signature algorithm, only text for
 *   names, dates and extensions (with its own escaping quirks), so the fields
 *   are read from the DER with the small cursor in `der.ts`. It also means a
 *   certificate OpenSSL would refuse is refused here too: both must succeed.
 *
 * Nothing here throws on bad input: `parseCertificate` returns an
 * `UnparsedCertificate` carrying the typed error and the SHA-256 of the bytes.
 */
import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateInfo } from '../tls/types.js';
import { CertParseError } from './errors.js';
import { DerReader, Tag, TagClass, decodeOid, decodeTime, type DerElement } from './der.js';
import { decodeGeneralNames, decodeName, type SubjectAltNames } from './names.js';

/** Key algorithms as node:crypto names them (`KeyObject.asymmetricKeyType`). */
export type PublicKeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';

/** A certificate that parsed: everything the checks and the log record need. */
export interface ParsedCertificate {
  readonly ok: true;
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex. */
  readonly sha256: string;
  /** OpenSSL's view of the same bytes, for signature and issuer checks. */
  readonly x509: X509Certificate;
  /** Serial number, upper-case hex. */
  readonly serialNumber: string;
  /** RFC 4514 one-line DN, most specific first: `CN=api.example.com, O=Example, C=US`. */
  readonly subject: string;
  readonly issuer: string;
  /** Canonical forms of subject and issuer for equality tests (see `names.ts`). */
  readonly subjectKey: string;
  readonly issuerKey: string;
  /** Every subject CN value. */
  readonly commonNames: readonly string[];
  /** True when the certificate has a subjectAltName extension, even an empty one. */
  readonly hasSubjectAltName: boolean;
  /** Every SAN entry in OpenSSL's and Node's notation: `DNS:a.example`, `IP Address:10.0.0.1`. */
  readonly san: readonly string[];
  /** SAN dNSName values as written in the certificate. */
  readonly dnsNames: readonly string[];
  /** SAN iPAddress values, dotted IPv4 or 8 upper-case hex groups for IPv6 (OpenSSL's form). */
  readonly ipAddresses: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithmOid: string;
  /** OpenSSL's name for it, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`; the OID when unknown. */
  readonly signatureAlgorithm: string;
  /** The digest the signature uses (`sha1`, `sha256`, ...); null when unknown or intrinsic (Ed25519). */
  readonly signatureHash: string | null;
  readonly publicKeyType: PublicKeyType;
  /** RSA/DSA modulus bits, or the curve's size for EC and EdDSA; null when unknown. */
  readonly publicKeyBits: number | null;
  /** Named curve for EC keys (`prime256v1`, `secp384r1`); null otherwise. */
  readonly publicKeyCurve: string | null;
  /** The first authorityInfoAccess caIssuers URI: where the issuer's certificate can be fetched. */
  readonly caIssuersUrl: string | null;
  /** basicConstraints cA. */
  readonly isCA: boolean;
  /** Subject and issuer are the same name. */
  readonly selfIssued: boolean;
  /** Self-issued and its signature verifies with its own key: a root, or a self-signed leaf. */
  readonly selfSigned: boolean;
}

/** Bytes that did not parse as a certificate. */
export interface UnparsedCertificate {
  readonly ok: false;
  readonly der: Buffer;
  readonly sha256: string;
  readonly error: CertParseError;
}

export type CertificateParseResult = ParsedCertificate | UnparsedCertificate;

/** Parses one DER certificate. Never throws. */
export function parseCertificate(der: Buffer): CertificateParseResult {
  const sha256 = createHash('sha256').update(der).digest('hex');
  try {
    const fields = readFields(der);
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(der);
    } catch (err: unknown) {
      throw new CertParseError('REJECTED', `OpenSSL refuses the certificate: ${errorMessage(err)}`, 0, { cause: err });
    }
    const key = publicKeyFacts(x509, fields.spkiAlgorithmOid);
    const selfIssued = fields.subject.key === fields.issuer.key;
    return {
      ok: true,
      der,
      sha256,
      x509,
      serialNumber: x509.serialNumber.toUpperCase(),
      subject: fields.subject.text,
      issuer: fields.issuer.text,
      subjectKey: fields.subject.key,
      issuerKey: fields.issuer.key,
      commonNames: fields.subject.commonNames,
      hasSubjectAltName: fields.san !== null,
      san: fields.san?.entries ?? [],
      dnsNames: fields.san?.dnsNames ?? [],
      ipAddresses: fields.san?.ipAddresses ?? [],
      notBefore: fields.notBefore,
      notAfter: fields.notAfter,
      signatureAlgorithmOid: fields.signatureAlgorithmOid,
      signatureAlgorithm: SIGNATURE_ALGORITHMS[fields.signatureAlgorithmOid]?.name ?? fields.signatureAlgorithmOid,
      signatureHash: fields.signatureHash,
      ...key,
      caIssuersUrl: fields.caIssuersUrl,
      isCA: x509.ca,
      selfIssued,
      selfSigned: selfIssued && verifiesWith(x509, x509),
    };
  } catch (err: unknown) {
    const error =
      err instanceof CertParseError
        ? err
        : new CertParseError('BAD_VALUE', `unreadable certificate: ${errorMessage(err)}`, 0, { cause: err });
    return { ok: false, der, sha256, error };
  }
}

/** Splits a PEM bundle into the DER of each CERTIFICATE block; other blocks and text are ignored. */
export function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m !== null; m = re.exec(pem)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

/**
 * The certificate as SPEC's connection record shows it. For bytes that did
 * not parse, a placeholder with empty fields and only `sha256` filled in.
 */
export function describeCertificate(p: CertificateParseResult | Buffer): CertificateInfo {
  const c = Buffer.isBuffer(p) ? parseCertificate(p) : p;
  if (!c.ok) return { subject: '', issuer: '', san: [], notBefore: '', notAfter: '', sha256: c.sha256 };
  return {
    subject: c.subject,
    issuer: c.issuer,
    san: c.san,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sha256: c.sha256,
  };
}

/** True when `issuer`'s key verifies `cert`'s signature. */
export function verifiesWith(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

interface RawFields {
  readonly subject: ReturnType<typeof decodeName>;
  readonly issuer: ReturnType<typeof decodeName>;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithmOid: string;
  readonly signatureHash: string | null;
  readonly spkiAlgorithmOid: string;
  readonly san: SubjectAltNames | null;
  readonly caIssuersUrl: string | null;
}

const OID_SAN = '2.5.29.17';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';

/** Walks Certificate and TBSCertificate (RFC 5280 §4.1) for the fields node:crypto does not expose. */
function readFields(der: Buffer): RawFields {
  const top = new DerReader(der);
  const cert = top.sequence('Certificate');
  top.expectEnd('Certificate');
  const tbs = cert.sequence('TBSCertificate');
  const sigAlg = readAlgorithm(cert.sequence('signatureAlgorithm'));
  cert.expect(TagClass.Universal, Tag.BitString, 'signatureValue');
  cert.expectEnd('Certificate');

  if (tbs.peekIs(TagClass.Context, 0)) tbs.next('version');
  tbs.expect(TagClass.Universal, Tag.Integer, 'serialNumber');
  tbs.sequence('signature');
  const issuer = decodeName(tbs.expect(TagClass.Universal, Tag.Sequence, 'issuer'));
  const validity = tbs.sequence('validity');
  const notBefore = decodeTime(validity.next('notBefore'));
  const notAfter = decodeTime(validity.next('notAfter'));
  validity.expectEnd('validity');
  const subject = decodeName(tbs.expect(TagClass.Universal, Tag.Sequence, 'subject'));
  const spki = tbs.sequence('subjectPublicKeyInfo');
  const spkiAlgorithmOid = readAlgorithm(spki.sequence('algorithm')).oid;

  let san: SubjectAltNames | null = null;
  let caIssuersUrl: string | null = null;
  while (!tbs.done) {
    const el = tbs.next('TBSCertificate optional field');
    if (el.cls !== TagClass.Context || el.tag !== 3) continue; // issuerUniqueID, subjectUniqueID
    const exts = DerReader.inside(el).sequence('extensions');
    while (!exts.done) {
      const ext = exts.sequence('Extension');
      const oid = decodeOid(ext.expect(TagClass.Universal, Tag.Oid, 'extnID'));
      if (ext.peekIs(TagClass.Universal, Tag.Boolean)) ext.next('critical');
      const value = ext.expect(TagClass.Universal, Tag.OctetString, 'extnValue');
      if (oid === OID_SAN) {
        san = decodeGeneralNames(DerReader.inside(value).expect(TagClass.Universal, Tag.Sequence, 'subjectAltName'));
      } else if (oid === OID_AIA) {
        caIssuersUrl = readCaIssuers(DerReader.inside(value).sequence('authorityInfoAccess'));
      }
    }
  }
  return {
    subject,
    issuer,
    notBefore,
    notAfter,
    signatureAlgorithmOid: sigAlg.oid,
    signatureHash: sigAlg.oid === OID_RSASSA_PSS ? pssHash(sigAlg.params) : (SIGNATURE_ALGORITHMS[sigAlg.oid]?.hash ?? null),
    spkiAlgorithmOid,
    san,
    caIssuersUrl,
  };
}

function readAlgorithm(r: DerReader): { oid: string; params: DerElement | null } {
  const oid = decodeOid(r.expect(TagClass.Universal, Tag.Oid, 'algorithm'));
  return { oid, params: r.done ? null : r.next('parameters') };
}

function readCaIssuers(r: DerReader): string | null {
  while (!r.done) {
    const ad = r.sequence('AccessDescription');
    const method = decodeOid(ad.expect(TagClass.Universal, Tag.Oid, 'accessMethod'));
    const location = ad.next('accessLocation');
    if (method === OID_CA_ISSUERS && location.cls === TagClass.Context && location.tag === 6) {
      return location.body.toString('latin1');
    }
  }
  return null;
}

/** RSASSA-PSS-params hashAlgorithm [0] (RFC 4055 §3.1); SHA-1 when absent. */
function pssHash(params: DerElement | null): string | null {
  if (params === null || params.tag !== Tag.Sequence) return 'sha1';
  const r = DerReader.inside(params);
  if (!r.peekIs(TagClass.Context, 0)) return 'sha1';
  const alg = readAlgorithm(DerReader.inside(r.next('hashAlgorithm')).sequence('hashAlgorithm'));
  return HASHES[alg.oid] ?? null;
}

function publicKeyFacts(
  x509: X509Certificate,
  spkiOid: string,
): Pick<ParsedCertificate, 'publicKeyType' | 'publicKeyBits' | 'publicKeyCurve'> {
  try {
    const key = x509.publicKey;
    const type = (key.asymmetricKeyType ?? 'unknown') as PublicKeyType;
    const details = key.asymmetricKeyDetails ?? {};
    const curve = details.namedCurve ?? null;
    const bits =
      details.modulusLength ??
      (curve !== null ? (CURVE_BITS[curve] ?? null) : type === 'ed25519' ? 256 : type === 'ed448' ? 448 : null);
    return { publicKeyType: type, publicKeyBits: bits, publicKeyCurve: curve };
  } catch {
    // An explicit-parameter curve or a key type OpenSSL cannot load: name the family at least.
    return { publicKeyType: KEY_TYPES[spkiOid] ?? 'unknown', publicKeyBits: null, publicKeyCurve: null };
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const KEY_TYPES: Readonly<Record<string, PublicKeyType>> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.2.840.10040.4.1': 'dsa',
};

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

const HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};

/** Signature algorithms by OID, with OpenSSL's long names. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { name: string; hash: string | null }>> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSA', hash: 'sha1' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', hash: null },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsaWithSHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', hash: 'sha256' },
  '1.3.101.112': { name: 'ED25519', hash: null },
  '1.3.101.113': { name: 'ED448', hash: null },
};
