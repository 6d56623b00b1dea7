/**
 * The bench PKI, made with the openssl CLI in a temporary folder: a P-256 CA
 * and two P-256 leaves it signs, both for BENCH_HOST. The upstream shows one;
 * tlspeek shows the other to the clients it terminates (--inject-sni), so a
 * client can tell from the certificate it got which side answered it.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BENCH_HOST = 'bench.tlspeek.test';

export interface BenchLeaf {
  readonly keyPath: string;
  readonly certPath: string;
  /** SHA-256 fingerprint as X509Certificate prints it (AA:BB:...). */
  readonly fingerprint256: string;
}

export interface BenchPki {
  /** The CA certificate: what clients and `--upstream-ca` trust. */
  readonly caPath: string;
  readonly caPem: string;
  /** The upstream's certificate. */
  readonly upstream: BenchLeaf;
  /** tlspeek's certificate for terminated clients (`--cert`/`--key`). */
  readonly tlspeek: BenchLeaf;
  /** Removes the temporary folder. */
  remove(): void;
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];

export function makeBenchPki(): BenchPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tlspeek-bench-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: readonly string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const leaf = (name: string): BenchLeaf => {
    const keyPath = file(`${name}-key.pem`);
    const certPath = file(`${name}.pem`);
    // `req -x509 -CA` (OpenSSL 3.0+) issues the leaf in one step. The key file is written 0600.
    openssl(['req', '-x509', ...P256, '-keyout', keyPath, '-out', certPath, '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
      '-subj', `/CN=${BENCH_HOST}`, '-addext', `subjectAltName=DNS:${BENCH_HOST}`, '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth']);
    return { keyPath, certPath, fingerprint256: new X509Certificate(readFileSync(certPath)).fingerprint256 };
  };
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', remove);
  };
  // Also on Ctrl-C or an uncaught error, which skip the caller's finally.
  process.on('exit', remove);
  try {
    openssl(['req', '-x509', ...P256, '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-subj', '/CN=tlspeek bench CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const upstream = leaf('upstream');
    const tlspeek = leaf('tlspeek');
    return { caPath: file('ca.pem'), caPem: readFileSync(file('ca.pem'), 'utf8'), upstream, tlspeek, remove };
  } catch (err: unknown) {
    remove();
    throw new Error('openssl could not make the bench certificates (is the openssl 3 CLI installed?)', { cause: err });
  }
}
