/**
 * The local CA behind `--local-ca DIR`: created on first use, reused after, so
 * clients can be given one certificate to trust (`DIR/ca.pem`) that stays
 * valid across restarts while tlspeek issues a fresh server certificate at
 * each start-up.
 *
 * Files: `ca.pem` (the CA certificate, world-readable: it is what clients
 * import) and `ca-key.pem` (PKCS#8, created with mode 0600 in a directory
 * created with mode 0700). Creation never overwrites: files are opened with
 * O_EXCL, and a directory holding only one of the two is an error, not a
 * reason to start over (clients may already trust the old certificate).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { certificateSha256, createCertificateAuthority, type Issuer } from '../certs/issue.js';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** Thrown when the CA directory cannot be used; the message says what to do. */
export class LocalCaError extends Error {
  override readonly name = 'LocalCaError';
}

export interface LocalCa extends Issuer {
  readonly certPath: string;
  readonly keyPath: string;
  /** True when this call made the CA (clients must be given `certPath`). */
  readonly created: boolean;
  readonly sha256: string;
  readonly subject: string;
  readonly notAfter: Date;
  /** The key file is readable by group or others (only possible for a reused CA). */
  readonly keyExposed: boolean;
}

/** Opens the CA in `dir`, creating directory, key and certificate when none exist. */
export function openLocalCa(dir: string, now: Date = new Date()): LocalCa {
  const root = resolve(dir);
  const certPath = join(root, CA_CERT_FILE);
  const keyPath = join(root, CA_KEY_FILE);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (err: unknown) {
    throw new LocalCaError(`cannot create ${root}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const hasCert = existsSync(certPath);
  const hasKey = existsSync(keyPath);
  if (hasCert !== hasKey) {
    throw new LocalCaError(`${root} holds ${hasCert ? CA_CERT_FILE : CA_KEY_FILE} without ${hasCert ? CA_KEY_FILE : CA_CERT_FILE}: restore it, or use an empty directory for a new CA`);
  }
  if (!hasCert) return create(certPath, keyPath);
  return reuse(certPath, keyPath, now);
}

/** True when `path` may be read by group or others (mode & 0o077). */
export function readableByOthers(path: string): boolean {
  return (statSync(path).mode & 0o077) !== 0;
}

function create(certPath: string, keyPath: string): LocalCa {
  const ca = createCertificateAuthority();
  // The key first: a certificate on disk without its key would make the directory unusable.
  writeExclusive(keyPath, ca.keyPem, 0o600);
  writeExclusive(certPath, ca.certPem, 0o644);
  return describe(ca.certPem, ca.keyPem, certPath, keyPath, true, false);
}

function reuse(certPath: string, keyPath: string, now: Date): LocalCa {
  let certPem: string;
  let keyPem: string;
  try {
    certPem = readFileSync(certPath, 'utf8');
    keyPem = readFileSync(keyPath, 'utf8');
  } catch (err: unknown) {
    throw new LocalCaError(`cannot read the local CA: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new LocalCaError(`${keyPath} is not the key of ${certPath}`);
  } catch (err: unknown) {
    if (err instanceof LocalCaError) throw err;
    throw new LocalCaError(`${certPath} and ${keyPath} are not a readable PEM certificate and key: ${(err as Error).message}`, { cause: err });
  }
  if (!cert.ca) throw new LocalCaError(`${certPath} is not a CA certificate`);
  if (new Date(cert.validTo).getTime() <= now.getTime()) {
    throw new LocalCaError(`the local CA ${certPath} expired on ${new Date(cert.validTo).toISOString()}: move the directory away to create a new CA, and give clients the new ${CA_CERT_FILE}`);
  }
  return describe(certPem, keyPem, certPath, keyPath, false, readableByOthers(keyPath));
}

function describe(certPem: string, keyPem: string, certPath: string, keyPath: string, created: boolean, keyExposed: boolean): LocalCa {
  const cert = new X509Certificate(certPem);
  return {
    certPem,
    keyPem,
    certPath,
    keyPath,
    created,
    sha256: certificateSha256(certPem),
    subject: cert.subject.replace(/\n/g, ', '),
    notAfter: new Date(cert.validTo),
    keyExposed,
  };
}

/** Creates `path` with `mode` (O_EXCL: never replaces a file) and writes `text`. */
function writeExclusive(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (err: unknown) {
    throw new LocalCaError(`cannot create ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  try {
    // The umask may only remove bits; set the mode exactly anyway.
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
