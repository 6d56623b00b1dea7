/**
 * Test certificates: a root CA, an intermediate, leaves, and the broken kinds
 * (self-signed, expired, not yet valid, weak), as PEM that Node's `tls` and
 * OpenSSL 3 accept.
 *
 * node-forge builds the TBSCertificate (names, validity, extensions); the key
 * pairs and signatures come from node:crypto, because forge's JS RSA keygen
 * takes seconds per 2048-bit key and forge cannot encode or sign with EC
 * keys. The forge TBS is encoded with a placeholder key; its signature
 * algorithm and SubjectPublicKeyInfo are then swapped for the real ones at
 * the DER level and the result is signed natively.
 *
 * Keys are cached per process by label: two PKIs made with the same `name`
 * share keys (and so trust each other's certificates); give a different
 * `name` for an unrelated CA.
 */
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { DerReader } from '../../src/certs/der.js';

export type KeySpec = 'rsa2048' | 'rsa1024' | 'ec256' | 'ec384';
export type HashName = 'sha256' | 'sha384' | 'sha1' | 'md5';

export interface TestKey {
  readonly spec: KeySpec;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
}

const keys = new Map<string, TestKey>();

/** A key pair for `label`, made once per process. */
export function testKey(label: string, spec: KeySpec = 'rsa2048'): TestKey {
  const id = `${label}/${spec}`;
  let k = keys.get(id);
  if (k === undefined) {
    const { privateKey, publicKey } = spec.startsWith('rsa')
      ? generateKeyPairSync('rsa', { modulusLength: spec === 'rsa1024' ? 1024 : 2048 })
      : generateKeyPairSync('ec', { namedCurve: spec === 'ec384' ? 'P-384' : 'P-256' });
    k = {
      spec,
      privateKey,
      publicKey,
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      spki: publicKey.export({ type: 'spki', format: 'der' }),
    };
    keys.set(id, k);
  }
  return k;
}

export interface DnSpec {
  readonly C?: string;
  readonly O?: string;
  readonly OU?: string;
  readonly CN?: string;
}

export interface CertSpec {
  /** Subject name; a string is a CN. */
  readonly subject: DnSpec | string;
  /**
   * SAN entries: DNS names (wildcards allowed) and IP literals, told apart by
   * their form; `DNS:` forces a dNSName (e.g. `DNS:127.0.0.1`). Absent or
   * null: no SAN extension.
   */
  readonly names?: readonly string[] | null;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  readonly key: TestKey;
  /** The issuing certificate; absent means self-signed. */
  readonly issuer?: Issued;
  readonly hash?: HashName;
  /** authorityInfoAccess caIssuers URI. */
  readonly caIssuersUrl?: string;
}

/** A made certificate. */
export interface Issued {
  readonly pem: string;
  readonly der: Buffer;
  readonly keyPem: string;
  readonly key: TestKey;
  readonly subject: DnSpec;
  /** SHA-1 of the public key, used as this certificate's subjectKeyIdentifier. */
  readonly keyId: Buffer;
}

const DAY = 86_400_000;

/** `n` days from now (negative: in the past). */
export function daysFromNow(n: number): Date {
  return new Date(Date.now() + n * DAY);
}

/** Makes one certificate. */
export function issueCertificate(spec: CertSpec): Issued {
  const subject = typeof spec.subject === 'string' ? { CN: spec.subject } : spec.subject;
  const issuerKey = spec.issuer?.key ?? spec.key;
  const hash = spec.hash ?? 'sha256';
  const keyId = createHash('sha1').update(subjectPublicKeyBits(spec.key.spki)).digest();
  const ca = spec.ca ?? false;

  const cert = forge.pki.createCertificate();
  cert.publicKey = placeholderKey();
  cert.serialNumber = serialHex();
  cert.validity.notBefore = spec.notBefore ?? daysFromNow(-1);
  cert.validity.notAfter = spec.notAfter ?? daysFromNow(90);
  cert.setSubject(forgeName(subject));
  cert.setIssuer(forgeName(spec.issuer?.subject ?? subject));
  const exts: object[] = [
    { name: 'basicConstraints', critical: true, cA: ca },
    ca
      ? { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true }
      : { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: spec.key.spec.startsWith('rsa') },
    { name: 'subjectKeyIdentifier', value: octets(keyId) },
    {
      name: 'authorityKeyIdentifier',
      value: seq([forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 0, false, binary(spec.issuer?.keyId ?? keyId))]),
    },
  ];
  if (!ca) exts.push({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
  if (spec.names != null) {
    exts.push({
      name: 'subjectAltName',
      altNames: spec.names.map((n) =>
        n.startsWith('DNS:') ? { type: 2, value: n.slice(4) } : isIpLiteral(n) ? { type: 7, ip: n } : { type: 2, value: n },
      ),
    });
  }
  if (spec.caIssuersUrl !== undefined) {
    const caIssuers = seq([
      forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer('1.3.6.1.5.5.7.48.2').getBytes()),
      forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 6, false, spec.caIssuersUrl),
    ]);
    exts.push({ id: '1.3.6.1.5.5.7.1.1', value: seq([caIssuers]) });
  }
  cert.setExtensions(exts);
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;

  // Swap in the real signature algorithm (TBS field 2) and public key (field 6).
  const forgeTbs = Buffer.from(forge.asn1.toDer(getTbs(cert)).getBytes(), 'binary');
  const fields = elements(forgeTbs);
  const algorithm = algorithmIdentifier(issuerKey.spec, hash);
  fields[2] = algorithm;
  fields[6] = spec.key.spki;
  const tbs = tlv(0x30, Buffer.concat(fields));
  const signature = sign(hash, tbs, issuerKey.privateKey);
  const der = tlv(0x30, Buffer.concat([tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.of(0), signature]))]));
  return { pem: new X509Certificate(der).toString(), der, keyPem: spec.key.keyPem, key: spec.key, subject, keyId };
}

export interface Validity {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface LeafOptions {
  /** SAN entries (DNS names, wildcards, IP literals; `DNS:` forces a dNSName). Default: localhost, 127.0.0.1, ::1. */
  readonly names?: readonly string[];
  /** Subject CN; default the first name. */
  readonly cn?: string;
  /** false: no SAN extension at all (a CN-only certificate). */
  readonly san?: boolean;
  /** Default: from yesterday for 90 days. See `expiredValidity`, `notYetValidValidity`. */
  readonly validity?: Validity;
  /** Default rsa2048. */
  readonly key?: KeySpec;
  /** Signature digest; default sha256. */
  readonly hash?: HashName;
  /** Label for the leaf's key pair (default: shared by every leaf of this PKI with the same key type). */
  readonly keyLabel?: string;
}

export interface PkiOptions {
  /** Names the CA (subject O and CNs) and its key pairs. Default 'tlspeek Test'. */
  readonly name?: string;
  readonly leafNames?: readonly string[];
  readonly leafCn?: string;
  readonly leafSan?: boolean;
  readonly leafValidity?: Validity;
  readonly leafKey?: KeySpec;
  readonly leafHash?: HashName;
  readonly intermediateValidity?: Validity;
  readonly intermediateHash?: HashName;
  /** Put authorityInfoAccess caIssuers URLs (see `caIssuersUrlFor`) on the intermediate and leaves. */
  readonly aia?: boolean;
}

export interface Pki {
  readonly root: Issued;
  readonly intermediate: Issued;
  readonly leaf: Issued;
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly leafPem: string;
  readonly leafKeyPem: string;
  /** Leaf then intermediate: what a server should send. */
  readonly chainPem: string;
  /** Leaf, intermediate, root. */
  readonly fullChainPem: string;
  /** Another leaf under the same intermediate. */
  issueLeaf(options?: LeafOptions): Issued;
}

/** The caIssuers URL `makePki({ aia: true })` puts on certificates issued by `issuer`. */
export function caIssuersUrlFor(issuer: Issued): string {
  return `http://ca.test/${(issuer.subject.CN ?? 'ca').replace(/[^A-Za-z0-9]+/g, '-')}.crt`;
}

/** A root CA, an intermediate under it, and a leaf under the intermediate. */
export function makePki(options: PkiOptions = {}): Pki {
  const name = options.name ?? 'tlspeek Test';
  const root = issueCertificate({
    subject: { C: 'US', O: name, CN: `${name} Root CA` },
    key: testKey(`${name}/root`),
    ca: true,
    notAfter: daysFromNow(3650),
  });
  const intermediate = issueCertificate({
    subject: { C: 'US', O: name, CN: `${name} Intermediate CA` },
    key: testKey(`${name}/intermediate`),
    issuer: root,
    ca: true,
    notBefore: options.intermediateValidity?.notBefore,
    notAfter: options.intermediateValidity?.notAfter ?? daysFromNow(1825),
    hash: options.intermediateHash,
    caIssuersUrl: options.aia === true ? caIssuersUrlFor(root) : undefined,
  });
  const issueLeaf = (o: LeafOptions = {}): Issued => {
    const names = o.names ?? DEFAULT_NAMES;
    return issueCertificate({
      subject: { CN: o.cn ?? names[0]?.replace(/^DNS:/, '') ?? 'leaf' },
      names: o.san === false ? null : names,
      key: testKey(o.keyLabel ?? `${name}/leaf`, o.key ?? 'rsa2048'),
      issuer: intermediate,
      notBefore: o.validity?.notBefore,
      notAfter: o.validity?.notAfter,
      hash: o.hash,
      caIssuersUrl: options.aia === true ? caIssuersUrlFor(intermediate) : undefined,
    });
  };
  const leaf = issueLeaf({
    names: options.leafNames,
    cn: options.leafCn,
    san: options.leafSan,
    validity: options.leafValidity,
    key: options.leafKey,
    hash: options.leafHash,
  });
  return {
    root,
    intermediate,
    leaf,
    rootPem: root.pem,
    intermediatePem: intermediate.pem,
    leafPem: leaf.pem,
    leafKeyPem: leaf.keyPem,
    chainPem: leaf.pem + intermediate.pem,
    fullChainPem: leaf.pem + intermediate.pem + root.pem,
    issueLeaf,
  };
}

/** A self-signed leaf (not a CA) for `names`. */
export function makeSelfSigned(options: LeafOptions = {}): Issued {
  const names = options.names ?? DEFAULT_NAMES;
  return issueCertificate({
    subject: { CN: options.cn ?? names[0]?.replace(/^DNS:/, '') ?? 'self-signed' },
    names: options.san === false ? null : names,
    key: testKey(options.keyLabel ?? 'self-signed', options.key ?? 'rsa2048'),
    notBefore: options.validity?.notBefore,
    notAfter: options.validity?.notAfter,
    hash: options.hash,
  });
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Validity windows for the broken kinds. */
export const expiredValidity = (): Required<Validity> => ({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-10) });
export const notYetValidValidity = (): Required<Validity> => ({ notBefore: daysFromNow(10), notAfter: daysFromNow(400) });

// --- DER plumbing ---------------------------------------------------------

const SIGNATURE_OIDS: Record<'rsa' | 'ec', Partial<Record<HashName, string>>> = {
  rsa: {
    md5: '1.2.840.113549.1.1.4',
    sha1: '1.2.840.113549.1.1.5',
    sha256: '1.2.840.113549.1.1.11',
    sha384: '1.2.840.113549.1.1.12',
  },
  ec: { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3' },
};

/** AlgorithmIdentifier DER: RSA PKCS#1 v1.5 takes NULL parameters, ECDSA none (RFC 5758 §3.2). */
function algorithmIdentifier(issuerSpec: KeySpec, hash: HashName): Buffer {
  const family = issuerSpec.startsWith('rsa') ? 'rsa' : 'ec';
  const oid = SIGNATURE_OIDS[family][hash];
  if (oid === undefined) throw new Error(`no ${family} signature with ${hash}`);
  const oidDer = tlv(0x06, Buffer.from(forge.asn1.oidToDer(oid).getBytes(), 'binary'));
  return tlv(0x30, family === 'rsa' ? Buffer.concat([oidDer, Buffer.of(0x05, 0x00)]) : oidDer);
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : n < 0x10000 ? Buffer.of(0x82, n >> 8, n & 0xff) : Buffer.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, body]);
}

/** The raw elements inside a DER SEQUENCE. */
function elements(der: Buffer): Buffer[] {
  const r = new DerReader(der).sequence('TBSCertificate');
  const out: Buffer[] = [];
  while (!r.done) out.push(Buffer.from(r.next('field').raw));
  return out;
}

/** The subjectPublicKey BIT STRING contents (without the unused-bits octet), as RFC 5280 §4.2.1.2 hashes it. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const r = new DerReader(spki).sequence('SubjectPublicKeyInfo');
  r.next('algorithm');
  return r.next('subjectPublicKey').body.subarray(1);
}

let placeholder: forge.pki.rsa.PublicKey | undefined;

function placeholderKey(): forge.pki.rsa.PublicKey {
  placeholder ??= forge.pki.publicKeyFromPem(testKey('placeholder', 'rsa1024').publicKey.export({ type: 'spki', format: 'pem' }) as string);
  return placeholder;
}

function getTbs(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  return (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
}

function forgeName(dn: DnSpec): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const out: forge.pki.CertificateField[] = [];
  if (dn.C !== undefined) out.push({ shortName: 'C', value: dn.C });
  if (dn.O !== undefined) out.push({ shortName: 'O', value: dn.O, valueTagClass: utf8 });
  if (dn.OU !== undefined) out.push({ shortName: 'OU', value: dn.OU, valueTagClass: utf8 });
  if (dn.CN !== undefined) out.push({ shortName: 'CN', value: dn.CN, valueTagClass: utf8 });
  return out;
}

function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, items);
}

function octets(b: Buffer): forge.asn1.Asn1 {
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, binary(b));
}

function binary(b: Buffer): string {
  return b.toString('binary');
}

function serialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x10;
  return b.toString('hex');
}

function isIpLiteral(s: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':');
}
