/**
 * Test certificates made with the openssl CLI (independent of tlspeek's own
 * certificate code): a root CA, leaves it signs (names and validity chosen per
 * test), all EC P-256 so generation takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly ca: Issued;
  /** A leaf for `names` (DNS or IP), valid from `daysFrom` to `daysTo` days relative to now. */
  leaf(names: string[], opts?: { daysFrom?: number; daysTo?: number; cn?: string }): Issued;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

function newKey(dir: string, file: string): void {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

/** openssl's -not_before/-not_after need OpenSSL 3.4; `ca -startdate/-enddate` work everywhere. */
function stamp(days: number): string {
  const d = new Date(Date.now() + days * 86400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

export function makePki(caName = 'tlspeek test root'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tlspeek-pki-'));
  try {
    newKey(dir, 'ca.key');
    openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-subj', `/CN=${caName}`, '-days', '30', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const ca = { cert: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
    return { ca, leaf: (names, opts = {}) => issueLeaf(ca, names, opts) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function issueLeaf(ca: Issued, names: string[], opts: { daysFrom?: number; daysTo?: number; cn?: string }): Issued {
  const dir = mkdtempSync(join(tmpdir(), 'tlspeek-leaf-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key);
    newKey(dir, 'leaf.key');
    const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    openssl(dir, ['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${opts.cn ?? names[0] ?? 'leaf'}`, '-out', 'leaf.csr']);
    writeFileSync(join(dir, 'ext.cnf'), `[ext]\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n${san ? `subjectAltName=${san}\n` : ''}`);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
    writeFileSync(
      join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ncertificate=ca.pem\nprivate_key=ca.key\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\n[p]\ncommonName=supplied\n`,
    );
    openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-extfile', 'ext.cnf', '-extensions', 'ext', '-startdate', stamp(opts.daysFrom ?? -1), '-enddate', stamp(opts.daysTo ?? 10), '-in', 'leaf.csr', '-out', 'leaf.pem', '-notext']);
    return { cert: readFileSync(join(dir, 'leaf.pem'), 'utf8'), key: readFileSync(join(dir, 'leaf.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
