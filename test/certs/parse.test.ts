import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import t from 'tap';
import { describeCertificate, parseCertificate, pemToDer, type ParsedCertificate } from '../../src/certs/parse.js';
import { daysFromNow, issueCertificate, makePki, makeSelfSigned, testKey } from '../helpers/certs.js';
import { openssl, pemFile } from '../helpers/openssl-verify.js';

function parsed(der: Buffer): ParsedCertificate {
  const p = parseCertificate(der);
  if (!p.ok) throw p.error;
  return p;
}

/** OpenSSL's RFC 2253 one-liner with ", " separators and raw UTF-8, i.e. our format. */
const NAMEOPT = ['-nameopt', 'RFC2253,-esc_msb,sep_comma_plus_space'];

const pki = makePki({
  aia: true,
  leafNames: ['api.example.com', '*.api.example.com', '127.0.0.1', '2001:db8::ab', '::1'],
});

void t.test('leaf fields agree with node:crypto and the openssl CLI', (t) => {
  const c = parsed(pki.leaf.der);
  const x = new X509Certificate(pki.leaf.der);
  t.equal(c.sha256, x.fingerprint256.replace(/:/g, '').toLowerCase());
  t.equal(c.sha256, createHash('sha256').update(pki.leaf.der).digest('hex'));
  t.equal(c.san.join(', '), x.subjectAltName, 'SAN notation is the one Node prints');
  t.same(c.dnsNames, ['api.example.com', '*.api.example.com']);
  t.same(c.ipAddresses, ['127.0.0.1', '2001:DB8:0:0:0:0:0:AB', '0:0:0:0:0:0:0:1']);
  t.equal(c.notBefore.getTime(), Date.parse(x.validFrom));
  t.equal(c.notAfter.getTime(), Date.parse(x.validTo));
  t.equal(c.serialNumber, x.serialNumber.toUpperCase());
  t.equal(c.caIssuersUrl, 'http://ca.test/tlspeek-Test-Intermediate-CA.crt');
  t.match(x.infoAccess, `CA Issuers - URI:${c.caIssuersUrl}`);
  t.same(
    [c.isCA, c.selfIssued, c.selfSigned, c.publicKeyType, c.publicKeyBits, c.signatureAlgorithm, c.signatureHash],
    [false, false, false, 'rsa', 2048, 'sha256WithRSAEncryption', 'sha256'],
  );

  const dir = t.testdir();
  const out = openssl(['x509', '-in', pemFile(dir, 'leaf.pem', pki.leafPem), '-noout', '-subject', '-issuer', ...NAMEOPT, '-ext', 'subjectAltName']);
  t.equal(out.status, 0);
  t.match(out.stdout, `subject=${c.subject}\n`);
  t.match(out.stdout, `issuer=${c.issuer}\n`);
  t.equal(c.issuer, 'CN=tlspeek Test Intermediate CA, O=tlspeek Test, C=US');
  t.match(out.stdout, c.san.join(', '), 'SAN notation is the one OpenSSL prints');
  t.end();
});

void t.test('describeCertificate gives the SPEC record shape', (t) => {
  const info = describeCertificate(pki.leaf.der);
  t.same(Object.keys(info).sort(), ['issuer', 'notAfter', 'notBefore', 'san', 'sha256', 'subject']);
  t.equal(info.subject, 'CN=api.example.com');
  t.match(info.notBefore, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  t.same(info.san.slice(0, 3), ['DNS:api.example.com', 'DNS:*.api.example.com', 'IP Address:127.0.0.1']);
  t.same(describeCertificate(parseCertificate(pki.leaf.der)), info);
  t.end();
});

void t.test('CA certificates, self-signed leaves and EC keys', (t) => {
  const root = parsed(pki.root.der);
  t.same([root.isCA, root.selfIssued, root.selfSigned], [true, true, true]);
  const inter = parsed(pki.intermediate.der);
  t.same([inter.isCA, inter.selfSigned, inter.caIssuersUrl], [true, false, 'http://ca.test/tlspeek-Test-Root-CA.crt']);
  const ss = parsed(makeSelfSigned().der);
  t.same([ss.isCA, ss.selfSigned], [false, true]);

  const ec = parsed(pki.issueLeaf({ key: 'ec256', names: ['ec.example.com'] }).der);
  t.same([ec.publicKeyType, ec.publicKeyBits, ec.publicKeyCurve], ['ec', 256, 'prime256v1']);
  const ecRoot = issueCertificate({ subject: 'EC Root', key: testKey('ec-root', 'ec384'), ca: true, hash: 'sha384' });
  const r = parsed(ecRoot.der);
  t.same([r.signatureAlgorithm, r.signatureHash, r.publicKeyCurve, r.publicKeyBits, r.selfSigned], ['ecdsa-with-SHA384', 'sha384', 'secp384r1', 384, true]);
  const weak = parsed(pki.issueLeaf({ key: 'rsa1024', hash: 'sha1' }).der);
  t.same([weak.publicKeyBits, weak.signatureAlgorithm, weak.signatureHash], [1024, 'sha1WithRSAEncryption', 'sha1']);
  t.end();
});

void t.test('certificates made by the openssl CLI: RSA-PSS, Ed25519', (t) => {
  const dir = t.testdir();
  const make = (file: string, args: string[]): ParsedCertificate => {
    const out = openssl(['req', '-x509', '-nodes', '-keyout', `${dir}/${file}.key`, '-subj', `/CN=${file}`, '-days', '2', '-out', `${dir}/${file}.pem`, ...args]);
    t.equal(out.status, 0, `${file}: ${out.stderr}`);
    const der = openssl(['x509', '-in', `${dir}/${file}.pem`, '-outform', 'DER', '-out', `${dir}/${file}.der`]);
    t.equal(der.status, 0);
    return parsed(readFileSync(`${dir}/${file}.der`));
  };
  const pss = make('pss', ['-newkey', 'rsa:2048', '-sigopt', 'rsa_padding_mode:pss', '-sha384']);
  t.same([pss.signatureAlgorithm, pss.signatureHash, pss.publicKeyType, pss.selfSigned], ['rsassaPss', 'sha384', 'rsa', true]);
  const ed = make('ed', ['-newkey', 'ed25519']);
  t.same([ed.signatureAlgorithm, ed.signatureHash, ed.publicKeyType, ed.publicKeyBits, ed.selfSigned], ['ED25519', null, 'ed25519', 256, true]);
  t.end();
});

void t.test('names that need escaping match OpenSSL RFC 2253 output', (t) => {
  const dir = t.testdir();
  const cert = issueCertificate({
    subject: { C: 'DE', O: 'Example, Inc. + "Friends"', OU: '#hash; <angle> ', CN: 'Zürich \\ test' },
    names: ['a.example.com'],
    key: testKey('escape'),
  });
  const c = parsed(cert.der);
  const out = openssl(['x509', '-in', pemFile(dir, 'c.pem', cert.pem), '-noout', '-subject', ...NAMEOPT]);
  t.equal(out.stdout.trim(), `subject=${c.subject}`);
  t.equal(c.subject, 'CN=Zürich \\\\ test, OU=\\#hash\\; \\<angle\\>\\ , O=Example\\, Inc. \\+ \\"Friends\\", C=DE');
  t.same(c.commonNames, ['Zürich \\ test']);
  t.end();
});

void t.test("every root in Node's bundle parses, and names match Node's and OpenSSL's", (t) => {
  const all = rootCertificates.flatMap(pemToDer).map(parsed);
  t.equal(all.length, rootCertificates.length);
  t.ok(all.every((c) => c.isCA && c.selfIssued), 'roots are self-issued CAs');
  // Node prints names one RDN a line, encoded order, with the same RFC 2253 escaping.
  const nodeForm = (c: ParsedCertificate): string => c.x509.subject.split('\n').reverse().join(', ');
  t.same(
    all.map((c) => c.subject),
    all.map(nodeForm),
  );
  // The CLI costs a process per certificate: ask it about the tricky ones and a few more.
  const dir = t.testdir();
  const tricky = all.filter((c) => /[\\+]|[^\x20-\x7e]/.test(c.subject));
  t.ok(tricky.length > 0, 'the bundle has names with escapes or non-ASCII');
  for (const c of [...tricky.slice(0, 10), ...all.slice(0, 3)]) {
    const out = openssl(['x509', '-in', pemFile(dir, 'root.pem', c.x509.toString()), '-noout', '-subject', ...NAMEOPT]);
    t.equal(out.stdout.trim(), `subject=${c.subject}`);
  }
  t.end();
});

void t.test('validity times: UTCTime and GeneralizedTime', (t) => {
  const far = new Date(Date.UTC(2051, 0, 2, 3, 4, 5));
  const old = new Date(Date.UTC(1999, 11, 31, 23, 59, 59));
  const c = parsed(issueCertificate({ subject: 'dates', key: testKey('dates'), notBefore: old, notAfter: far }).der);
  t.equal(c.notBefore.toISOString(), '1999-12-31T23:59:59.000Z');
  t.equal(c.notAfter.toISOString(), '2051-01-02T03:04:05.000Z');
  t.equal(describeCertificate(c).notAfter, '2051-01-02T03:04:05.000Z');
  t.end();
});

void t.test('garbage never throws: typed error plus sha256 placeholder', (t) => {
  const cases: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'TRUNCATED'],
    ['not a SEQUENCE', Buffer.from('0400', 'hex'), 'UNEXPECTED_TAG'],
    ['lying length', Buffer.from('8f12ab00ff00ee', 'hex'), 'TRUNCATED'],
    ['PEM text instead of DER', Buffer.from(pki.leafPem), 'UNEXPECTED_TAG'],
    ['truncated', pki.leaf.der.subarray(0, pki.leaf.der.length - 10), 'TRUNCATED'],
    ['trailing bytes', Buffer.concat([pki.leaf.der, Buffer.of(0)]), 'TRAILING_BYTES'],
    ['indefinite length', Buffer.from('3080', 'hex'), 'BAD_LENGTH'],
    ['SEQUENCE of nothing', Buffer.from('3000', 'hex'), 'TRUNCATED'],
  ];
  for (const [what, der, code] of cases) {
    const p = parseCertificate(der);
    t.equal(p.ok, false, what);
    if (p.ok) continue;
    t.equal(p.error.code, code, `${what}: ${p.error.message}`);
    t.equal(p.sha256, createHash('sha256').update(der).digest('hex'));
    t.same(describeCertificate(p), { subject: '', issuer: '', san: [], notBefore: '', notAfter: '', sha256: p.sha256 });
  }
  // A signature byte flipped still parses (signatures are for the checks to judge).
  const flipped = Buffer.from(pki.leaf.der);
  flipped[flipped.length - 1]! ^= 1;
  t.equal(parseCertificate(flipped).ok, true);
  t.end();
});

void t.test('fuzz: random bytes and mutated certificates never throw', (t) => {
  const base = pki.leaf.der;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const p = parseCertificate(Buffer.from(bytes));
      return typeof p.sha256 === 'string' && typeof describeCertificate(p).sha256 === 'string';
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const der = Buffer.from(base);
      der[at] = value;
      const p = parseCertificate(der);
      const info = describeCertificate(p);
      return p.ok ? info.subject !== '' || info.sha256.length === 64 : info.subject === '';
    }),
    { numRuns: 400 },
  );
  t.doesNotThrow(() => parseCertificate(randomBytes(2000)));
  t.end();
});

void t.test('pemToDer reads bundles and skips other blocks', (t) => {
  const bundle = `junk\n${pki.leafPem}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pki.intermediatePem}`;
  const ders = pemToDer(bundle);
  t.equal(ders.length, 2);
  t.same(ders[1], pki.intermediate.der);
  t.end();
});

void t.test('a certificate valid from the past to the future', (t) => {
  const c = parsed(issueCertificate({ subject: 'now', key: testKey('now'), notBefore: daysFromNow(-1), notAfter: daysFromNow(1) }).der);
  t.ok(c.notBefore.getTime() < Date.now() && Date.now() < c.notAfter.getTime());
  t.end();
});
