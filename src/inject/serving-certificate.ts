/**
 * The certificate tlspeek shows the clients it terminates: the operator's own
 * (`--cert FILE --key FILE`), else one for NAME generated at start-up, signed
 * by the local CA (`--local-ca DIR`) or self-signed.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateSha256, issueServerCertificate } from '../certs/issue.js';
import { openLocalCa, readableByOthers, type LocalCa } from './local-ca.js';

export class ServingCertificateError extends Error {
  override readonly name = 'ServingCertificateError';
}

export interface ServingCertificateOptions {
  /** The --inject-sni name. */
  readonly name: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly localCaDir?: string;
  readonly now?: Date;
}

export interface ServingCertificate {
  /** PEM: the leaf, then any intermediates (as given in --cert). */
  readonly certPem: string;
  readonly keyPem: string;
  /** `file`: --cert/--key; `local-ca`: generated, signed by the local CA; `self-signed`: generated. */
  readonly source: 'file' | 'local-ca' | 'self-signed';
  /** Of the leaf. */
  readonly sha256: string;
  readonly subject: string;
  readonly notAfter: Date;
  /** The leaf covers NAME (always true for generated ones). */
  readonly coversName: boolean;
  readonly localCa: LocalCa | null;
  /** --key is readable by group or others. */
  readonly keyExposed: boolean;
}

export function loadServingCertificate(o: ServingCertificateOptions): ServingCertificate {
  if (o.certFile !== undefined && o.keyFile !== undefined) return fromFiles(o.name, o.certFile, o.keyFile, o.now ?? new Date());
  const ca = o.localCaDir !== undefined ? openLocalCa(o.localCaDir, o.now) : null;
  const leaf = issueServerCertificate({ name: o.name, ...(ca ? { issuer: ca } : {}), ...(o.now ? { now: o.now } : {}) });
  return {
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    source: ca ? 'local-ca' : 'self-signed',
    sha256: leaf.sha256,
    subject: `CN=${o.name}`,
    notAfter: leaf.notAfter,
    coversName: true,
    localCa: ca,
    keyExposed: false,
  };
}

function fromFiles(name: string, certFile: string, keyFile: string, now: Date): ServingCertificate {
  const certPem = readText(certFile, '--cert');
  const keyPem = readText(keyFile, '--key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch (err: unknown) {
    throw new ServingCertificateError(`--cert ${certFile} holds no readable PEM certificate`, { cause: err });
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err: unknown) {
    throw new ServingCertificateError(`--key ${keyFile} holds no readable PEM private key (encrypted keys are not supported)`, { cause: err });
  }
  if (!matches) throw new ServingCertificateError(`--key ${keyFile} is not the key of the first certificate in --cert ${certFile}`);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) throw new ServingCertificateError(`--cert ${certFile} expired on ${notAfter.toISOString()}`);
  return {
    certPem,
    keyPem,
    source: 'file',
    sha256: certificateSha256(certPem),
    subject: leaf.subject.replace(/\n/g, ', '),
    notAfter,
    coversName: leaf.checkHost(name) !== undefined,
    localCa: null,
    keyExposed: readableByOthers(keyFile),
  };
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new ServingCertificateError(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}
