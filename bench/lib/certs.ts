/** A throw-away P-256 server certificate for the bench upstream, made with the openssl CLI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BENCH_HOST = 'bench.tlspeek.test';

export interface BenchCert {
  readonly keyPath: string;
  readonly certPath: string;
  readonly certPem: string;
  /** Removes the temporary folder. */
  remove(): void;
}

export function makeBenchCert(): BenchCert {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tlspeek-bench-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath,
        '-days', '2', '-subj', `/CN=${BENCH_HOST}`, '-addext', `subjectAltName=DNS:${BENCH_HOST}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err: unknown) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('openssl could not make the bench certificate (is the openssl CLI installed?)', { cause: err });
  }
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', remove);
  };
  // Also on Ctrl-C or an uncaught error, which skip the caller's finally.
  process.on('exit', remove);
  return { keyPath, certPath, certPem: readFileSync(certPath, 'utf8'), remove };
}
