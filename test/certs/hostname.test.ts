/**
 * checkHostname against three independent judges on the same certificates:
 * X509Certificate.checkHost/checkIP (OpenSSL's X509_check_host with partial
 * wildcards off), tls.checkServerIdentity (Node's own JS matcher), and the
 * openssl CLI (`x509 -checkhost/-checkip`, X509_check_host with default flags).
 * Where a judge differs on purpose, the case says so and why.
 */
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import fc from 'fast-check';
import t from 'tap';
import { checkHostname, matchesDnsPattern, referenceName } from '../../src/certs/hostname.js';
import { parseCertificate, type ParsedCertificate } from '../../src/certs/parse.js';
import { issueCertificate, makePki, testKey } from '../helpers/certs.js';
import { openssl, opensslVerify, pemFile } from '../helpers/openssl-verify.js';

type Judge = 'checkHost' | 'checkServerIdentity' | 'openssl';

interface Case {
  readonly what: string;
  readonly names?: readonly string[];
  readonly cn?: string;
  /** false: no SAN extension at all. */
  readonly san?: boolean;
  readonly host: string;
  readonly expect: boolean;
  readonly matchedBy?: 'dns' | 'ip' | 'cn';
  /** Judges that answer otherwise, with the answer they give (null: the judge cannot take this input). */
  readonly differs?: Partial<Record<Judge, boolean | null>>;
}

const API = ['api.example.com'];
const WILD = ['*.example.com'];

const cases: readonly Case[] = [
  { what: 'exact name', names: API, host: 'api.example.com', expect: true, matchedBy: 'dns' },
  { what: 'wrong host', names: API, host: 'www.example.com', expect: false },
  { what: 'parent domain', names: API, host: 'example.com', expect: false },
  { what: 'case-insensitive', names: API, host: 'API.Example.COM', expect: true, matchedBy: 'dns' },
  {
    what: 'trailing dot on the reference',
    names: API,
    host: 'api.example.com.',
    expect: true,
    matchedBy: 'dns',
    // X509_check_host takes the dot literally; Node's TLS client strips it (unfqdn), as RFC 6125 wants.
    differs: { checkHost: false, openssl: false },
  },
  { what: 'trailing dot in the SAN', names: ['api.example.com.'], host: 'api.example.com', expect: true, matchedBy: 'dns', differs: { checkHost: false, openssl: false } },
  { what: 'wildcard covers one label', names: WILD, host: 'a.example.com', expect: true, matchedBy: 'dns' },
  { what: 'wildcard, upper case', names: WILD, host: 'A.EXAMPLE.com', expect: true, matchedBy: 'dns' },
  { what: 'wildcard does not cover the apex', names: WILD, host: 'example.com', expect: false },
  { what: 'wildcard does not cross dots', names: WILD, host: 'a.b.example.com', expect: false },
  { what: 'wildcard covers an IDNA label', names: WILD, host: 'xn--bcher-kva.example.com', expect: true, matchedBy: 'dns' },
  {
    what: 'partial-label wildcard matches nothing',
    names: ['f*.example.com'],
    host: 'foo.example.com',
    expect: false,
    // OpenSSL's default flags and Node's TLS client accept f*; RFC 6125 §7.2 and CA/B do not.
    differs: { checkServerIdentity: true, openssl: true },
  },
  { what: 'wildcard needs two labels after it', names: ['*.com'], host: 'example.com', expect: false },
  { what: 'wildcard only in the left-most label', names: ['a.*.example.com'], host: 'a.b.example.com', expect: false },
  { what: 'IP SAN', names: ['localhost', '127.0.0.1'], host: '127.0.0.1', expect: true, matchedBy: 'ip' },
  { what: 'IP not in SAN', names: ['localhost', '127.0.0.1'], host: '127.0.0.2', expect: false },
  { what: 'IPv6 SAN', names: ['::1'], host: '::1', expect: true, matchedBy: 'ip' },
  { what: 'IPv6 SAN, long form', names: ['::1'], host: '0:0:0:0:0:0:0:1', expect: true, matchedBy: 'ip' },
  { what: 'IPv6 SAN, brackets', names: ['2001:db8::1'], host: '[2001:db8::1]', expect: true, matchedBy: 'ip', differs: { checkHost: null, checkServerIdentity: null, openssl: null } },
  { what: 'an IP never matches a DNS SAN', names: ['DNS:127.0.0.1'], host: '127.0.0.1', expect: false },
  { what: 'a DNS name never matches an IP SAN', names: ['127.0.0.1'], host: 'localhost', expect: false },
  { what: 'CN-only certificate', cn: 'legacy.example.com', san: false, host: 'legacy.example.com', expect: true, matchedBy: 'cn' },
  { what: 'CN-only certificate, other name', cn: 'legacy.example.com', san: false, host: 'other.example.com', expect: false },
  { what: 'CN-only wildcard', cn: '*.legacy.example.com', san: false, host: 'a.legacy.example.com', expect: true, matchedBy: 'cn' },
  { what: 'CN ignored when a DNS SAN exists', names: API, cn: 'cn.example.com', host: 'cn.example.com', expect: false },
  {
    what: 'CN used when the SAN has only IPs (as OpenSSL, Node, Java do)',
    names: ['10.0.0.1'],
    cn: 'box.example.com',
    host: 'box.example.com',
    expect: true,
    matchedBy: 'cn',
  },
  { what: 'an IP never matches the CN', cn: '10.0.0.1', san: false, host: '10.0.0.1', expect: false },
  {
    what: 'U-label reference is compared as its A-label',
    names: ['xn--bcher-kva.example'],
    host: 'bücher.example',
    expect: true,
    matchedBy: 'dns',
    // URL parsing (https.request) converts U-labels before TLS sees them; these judges get the raw string.
    differs: { checkHost: false, checkServerIdentity: false, openssl: null },
  },
];

const certCache = new Map<string, { pem: string; der: Buffer }>();

function certFor(c: Case): { pem: string; der: Buffer } {
  const id = JSON.stringify([c.names, c.cn, c.san]);
  let cert = certCache.get(id);
  if (cert === undefined) {
    const names = c.names ?? [];
    cert = issueCertificate({
      subject: { O: 'Hostname Tests', CN: c.cn ?? names[0]?.replace(/^DNS:/, '') ?? 'none' },
      names: c.san === false ? null : names,
      key: testKey('hostname-leaf', 'ec256'),
    });
    certCache.set(id, cert);
  }
  return cert;
}

function parsed(der: Buffer): ParsedCertificate {
  const p = parseCertificate(der);
  if (!p.ok) throw p.error;
  return p;
}

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':');

function judge(j: Judge, x: X509Certificate, pemPath: string, host: string): boolean {
  switch (j) {
    case 'checkHost':
      return isIp(host) ? x.checkIP(host) !== undefined : x.checkHost(host, { partialWildcards: false }) !== undefined;
    case 'checkServerIdentity':
      return checkServerIdentity(host, x.toLegacyObject()) === undefined;
    case 'openssl': {
      const out = openssl(['x509', '-in', pemPath, '-noout', isIp(host) ? '-checkip' : '-checkhost', host]);
      return /does match/.test(out.stdout);
    }
  }
}

void t.test('cases against checkHost, checkServerIdentity and openssl x509', (t) => {
  const dir = t.testdir();
  for (const c of cases) {
    const cert = certFor(c);
    const leaf = parsed(cert.der);
    const r = checkHostname(leaf, c.host);
    t.equal(r.matched, c.expect, `${c.what}: ours`);
    t.equal(r.matchedBy, c.expect ? (c.matchedBy ?? null) : null, `${c.what}: matchedBy`);
    const x = new X509Certificate(cert.der);
    const path = pemFile(dir, 'c.pem', cert.pem);
    for (const j of ['checkHost', 'checkServerIdentity', 'openssl'] as const) {
      const want = c.differs?.[j] === undefined ? c.expect : c.differs[j];
      if (want === null) continue;
      t.equal(judge(j, x, path, c.host), want, `${c.what}: ${j}${want === c.expect ? '' : ' (differs on purpose)'}`);
    }
  }
  t.end();
});

void t.test('findings name the leaf and what it presents', (t) => {
  const leaf = parsed(certFor(cases[0]!).der);
  const miss = checkHostname(leaf, 'www.example.com');
  t.same(miss.findings, [
    {
      kind: 'hostname_mismatch',
      cert: { index: 0, subject: 'CN=api.example.com, O=Hostname Tests', issuer: 'CN=api.example.com, O=Hostname Tests', sha256: leaf.sha256 },
      name: 'www.example.com',
      presented: ['DNS:api.example.com'],
    },
  ]);
  const ipMiss = checkHostname(parsed(certFor(cases[15]!).der), '127.0.0.2');
  t.match(ipMiss.findings, [{ kind: 'hostname_mismatch', presented: ['IP Address:127.0.0.1'] }]);
  const cnOnly = checkHostname(parsed(certFor(cases[21]!).der), 'legacy.example.com');
  t.match(cnOnly.findings, [{ kind: 'hostname_cn_fallback', commonName: 'legacy.example.com' }]);
  const cnMiss = checkHostname(parsed(certFor(cases[21]!).der), 'other.example.com');
  t.match(cnMiss.findings, [{ kind: 'hostname_mismatch', presented: ['CN=legacy.example.com'] }]);
  t.end();
});

void t.test('openssl verify -verify_hostname / -verify_ip on a full chain', (t) => {
  const pki = makePki({ leafNames: ['api.example.com', '*.example.com', '127.0.0.1'] });
  const leaf = parsed(pki.leaf.der);
  const dir = t.testdir();
  const hosts: [string, string][] = [
    ['-verify_hostname', 'api.example.com'],
    ['-verify_hostname', 'b.example.com'],
    ['-verify_hostname', 'a.b.example.com'],
    ['-verify_hostname', 'example.org'],
    ['-verify_ip', '127.0.0.1'],
    ['-verify_ip', '10.1.1.1'],
  ];
  for (const [flag, host] of hosts) {
    const v = opensslVerify(dir, { roots: pki.rootPem, untrusted: pki.intermediatePem, leaf: pki.leafPem, args: [flag, host] });
    const ours = checkHostname(leaf, host).matched;
    t.equal(ours, v.ok, `${host}: ours ${ours}, openssl ${v.ok ? 'OK' : v.error}`);
    if (!v.ok) t.equal(v.code, flag === '-verify_ip' ? 64 : 62, `${host}: ${v.error}`);
  }
  t.end();
});

void t.test('property: agrees with X509_check_host (no partial wildcards) on generated names', (t) => {
  const label = fc.constantFrom('a', 'b', 'B', 'xn--a', 'ab-c', '1');
  const first = fc.oneof(label, fc.constantFrom('*', 'f*', '*b', 'a*b'));
  const pattern = fc.tuple(first, fc.array(label, { minLength: 0, maxLength: 3 })).map(([f, rest]) => [f, ...rest].join('.'));
  const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
  const key = testKey('hostname-prop', 'ec256');
  fc.assert(
    fc.property(pattern, host, (p, h) => {
      const cert = issueCertificate({ subject: 'prop', names: [`DNS:${p}`], key });
      const ours = checkHostname(parsed(cert.der), h).matched;
      const theirs = new X509Certificate(cert.der).checkHost(h, { partialWildcards: false }) !== undefined;
      return ours === theirs;
    }),
    { numRuns: 250 },
  );
  t.pass('250 generated pattern/host pairs agree');
  t.end();
});

void t.test('matchesDnsPattern and referenceName edge cases', (t) => {
  t.equal(matchesDnsPattern('*.example.com', 'a.example.com'), true);
  t.equal(matchesDnsPattern('*.example.com.', 'a.example.com'), true);
  t.equal(matchesDnsPattern('*.*.example.com', 'a.b.example.com'), false);
  t.equal(matchesDnsPattern('', 'a'), false);
  t.equal(matchesDnsPattern('a..example.com', 'a..example.com'), false);
  t.equal(referenceName('*.example.com'), null, 'a wildcard is not a name to look for');
  t.equal(referenceName(''), null);
  t.equal(referenceName('.'), null);
  t.equal(referenceName('Bücher.Example.'), 'xn--bcher-kva.example');
  t.end();
});
