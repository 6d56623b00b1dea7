/**
 * Issuing certificates (RFC 5280 §4.1): a local CA, and server certificates
 * for one DNS name, signed by that CA or self-signed.
 *
 * node-forge builds the X.509 structure (names, validity, extensions); the
 * keys and signatures come from node:crypto, because forge's JavaScript RSA
 * key generation takes seconds per 2048-bit key. The signature is made over
 * forge's encoding of the TBSCertificate and put back into forge's
 * certificate, so forge never holds a private key.
 *
 * Keys are RSA 2048 on purpose: TLS 1.0 clients (old Java, embedded stacks)
 * know RSA, some of them only RSA key exchange (hence keyEncipherment on
 * server certificates), and no EC key types; 2048 bits also passes OpenSSL's
 * default security level on modern clients. Signatures are SHA-256.
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const DAY_MS = 86_400_000;
/** Validity starts this far back, so a client whose clock is a little behind still accepts it. */
const BACKDATE_MS = 3_600_000;

/** A certificate and its key, as PEM. */
export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex (as in connection records). */
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The issuer of a server certificate: a CA certificate and its private key, as PEM. */
export interface Issuer {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CaOptions {
  /** Subject CN; default `tlspeek local CA <random hex>` (unique, so two CAs never share a name). */
  readonly commonName?: string;
  /** Default 3650 days. */
  readonly validityDays?: number;
  readonly now?: Date;
}

/** Makes a self-signed CA certificate (pathLenConstraint 0: it signs server certificates only). */
export function createCertificateAuthority(options: CaOptions = {}): IssuedCertificate {
  const key = newRsaKey();
  const subject = [
    { shortName: 'O', value: 'tlspeek' },
    { shortName: 'CN', value: options.commonName ?? `tlspeek local CA ${randomBytes(4).toString('hex')}` },
  ];
  const cert = baseCertificate(key.publicKey, options.now ?? new Date(), options.validityDays ?? 3650);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  return finish(cert, key.privateKey, key.privateKey);
}

export interface ServerCertificateOptions {
  /** The DNS name the certificate is for (subject CN and the only subjectAltName). */
  readonly name: string;
  /** The signing CA; absent: self-signed. */
  readonly issuer?: Issuer;
  /** Default 397 days (the longest a public CA may issue; some clients refuse longer). */
  readonly validityDays?: number;
  readonly now?: Date;
}

/** Makes a server certificate for `name` with a fresh RSA 2048 key. */
export function issueServerCertificate(options: ServerCertificateOptions): IssuedCertificate {
  const key = newRsaKey();
  const cert = baseCertificate(key.publicKey, options.now ?? new Date(), options.validityDays ?? 397);
  const subject = [{ shortName: 'CN', value: options.name }];
  cert.setSubject(subject);
  let signer = key.privateKey;
  let authorityKeyId: string | null = null;
  if (options.issuer) {
    const ca = forge.pki.certificateFromPem(options.issuer.certPem);
    cert.setIssuer(ca.subject.attributes);
    signer = createPrivateKey(options.issuer.keyPem);
    const ski = ca.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
    authorityKeyId = ski?.subjectKeyIdentifier ? forge.util.hexToBytes(ski.subjectKeyIdentifier) : null;
  } else {
    cert.setIssuer(subject);
  }
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    // keyEncipherment: TLS 1.0-1.2 RSA key exchange, which some legacy clients still use.
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: options.name }] },
    { name: 'subjectKeyIdentifier' },
    ...(authorityKeyId ? [{ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId }] : []),
  ]);
  return finish(cert, key.privateKey, signer);
}

/** A self-signed server certificate for `name`, in the shape `tls.createServer` takes (`cert`, `key`). */
export function issueSelfSignedCertificate(name: string): { cert: string; key: string; sha256: string } {
  const c = issueServerCertificate({ name });
  return { cert: c.certPem, key: c.keyPem, sha256: c.sha256 };
}

/** SHA-256 of a PEM certificate's DER (the first certificate in the text), lower-case hex. */
export function certificateSha256(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

// --- plumbing ---------------------------------------------------------------

interface RsaKey {
  readonly privateKey: KeyObject;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

function newRsaKey(): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string) };
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, now: Date, validityDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialHex();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  return cert;
}

/** Signs forge's TBSCertificate with node:crypto and returns the finished certificate. */
function finish(cert: forge.pki.Certificate, privateKey: KeyObject, signer: KeyObject): IssuedCertificate {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = oid;
  const withTbs = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1; signatureOid: string; signature: string };
  withTbs.signatureOid = oid;
  withTbs.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(withTbs.tbsCertificate).getBytes(), 'binary');
  withTbs.signature = sign('sha256', tbs, signer).toString('binary');
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  // A round trip through OpenSSL: what it cannot read, no client will.
  const x509 = new X509Certificate(der);
  return {
    certPem: x509.toString(),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

/** 16 random bytes, positive and without a leading zero octet (RFC 5280 §4.1.2.2). */
function serialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x10;
  return b.toString('hex');
}
