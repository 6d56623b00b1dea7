/** assessChain: verdicts, their precedence, hints, and bad input. */
import t from 'tap';
import { VERDICT_PRECEDENCE, assessChain, loadTrustStore, type ChainAssessment } from '../../src/certs/checks.js';
import { parseCertificate } from '../../src/certs/parse.js';
import { expiredValidity, issueCertificate, makePki, makeSelfSigned, testKey, type Issued } from '../helpers/certs.js';

const NAMES = ['api.example.com', '127.0.0.1'];
const pki = makePki({ leafNames: NAMES });
const aia = makePki({ aia: true, leafNames: NAMES });
const other = makePki({ name: 'Other CA', leafNames: NAMES });
const roots = loadTrustStore(pki.rootPem);
const LEAF = 'CN=api.example.com';
const INTER = 'CN=tlspeek Test Intermediate CA, O=tlspeek Test, C=US';

function assess(chain: readonly (Issued | Buffer)[], name: string | null = 'api.example.com'): ChainAssessment {
  return assessChain({ chain: chain.map((c) => (Buffer.isBuffer(c) ? c : c.der)), name, roots });
}

const kinds = (a: ChainAssessment): string[] => a.findings.map((f) => f.kind);

void t.test('a good chain is ok', (t) => {
  for (const name of ['api.example.com', '127.0.0.1', 'API.EXAMPLE.COM.']) {
    const a = assess([pki.leaf, pki.intermediate], name);
    t.same([a.verdict, a.problems, a.hint, a.findings], ['ok', [], null, []], name);
  }
  const ec = pki.issueLeaf({ key: 'ec256', names: NAMES });
  t.equal(assess([ec, pki.intermediate]).verdict, 'ok', 'ECDSA leaf');
  t.end();
});

void t.test('one problem each', (t) => {
  const wrongName = assess([pki.leaf, pki.intermediate], 'www.example.com');
  t.equal(wrongName.verdict, 'hostname_mismatch');
  t.equal(
    wrongName.hint,
    `The certificate "${LEAF}" (issued by "${INTER}") covers DNS:api.example.com but not "www.example.com": serve a certificate whose subjectAltName includes www.example.com, or have the client use a name it covers.`,
  );

  const wrongIp = assess([pki.leaf, pki.intermediate], '10.0.0.1');
  t.match(wrongIp, { verdict: 'hostname_mismatch', hint: /covers IP Address:127\.0\.0\.1 but not "10\.0\.0\.1"/ });

  const missing = assess([aia.leaf]);
  t.equal(missing.verdict, 'incomplete_chain');
  t.equal(
    missing.hint,
    `The server sends "${LEAF}" without its issuer "${INTER}": append that intermediate certificate (published at http://ca.test/tlspeek-Test-Intermediate-CA.crt) to the served chain after it, or add it to the client's trust store if it is a private CA.`,
  );

  const expired = assess([pki.issueLeaf({ names: NAMES, validity: expiredValidity() }), pki.intermediate]);
  t.equal(expired.verdict, 'expired_certificate');
  t.match(expired.hint, new RegExp(`^The certificate "${LEAF}" \\(issued by "${INTER}"\\) expired on \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: renew it`));

  const oldInter = makePki({ intermediateValidity: expiredValidity(), leafNames: NAMES });
  t.match(assess([oldInter.leaf, oldInter.intermediate]), { verdict: 'expired_certificate', hint: /^The intermediate "CN=tlspeek Test Intermediate CA/ });

  const ss = assess([makeSelfSigned({ names: NAMES })]);
  t.match(ss, { verdict: 'untrusted_certificate', hint: /^The certificate "CN=api\.example\.com" is self-signed:/ });

  const unknown = assess([other.leaf, other.intermediate, other.root]);
  t.match(unknown, { verdict: 'untrusted_certificate', hint: /^The chain ends at the root "CN=Other CA Root CA, O=Other CA, C=US", which the client does not trust/ });
  const unknownNoRoot = assess([other.leaf, other.intermediate]);
  t.match(unknownNoRoot, { verdict: 'untrusted_certificate', hint: /the client does not trust "CN=Other CA Root CA, O=Other CA, C=US": add that root/ });

  const reordered = assess([pki.leaf, pki.root, pki.intermediate]);
  t.match(reordered, { verdict: 'incomplete_chain', hint: /out of order: the issuer of "CN=api\.example\.com" \(position 0\) is at position 2/ });

  const sha1 = assess([pki.issueLeaf({ names: NAMES, hash: 'sha1' }), pki.intermediate]);
  t.match(sha1, { verdict: 'untrusted_certificate', hint: /signed with sha1WithRSAEncryption, .*re-issued with a SHA-256 signature/ });
  t.end();
});

void t.test('notes leave the verdict ok', (t) => {
  const rsa1024 = assess([pki.issueLeaf({ names: NAMES, key: 'rsa1024' }), pki.intermediate]);
  t.same([rsa1024.verdict, kinds(rsa1024)], ['ok', ['weak_key']]);

  const cnOnly = pki.issueLeaf({ cn: 'legacy.example.com', san: false });
  const cn = assess([cnOnly, pki.intermediate], 'legacy.example.com');
  t.same([cn.verdict, kinds(cn)], ['ok', ['hostname_cn_fallback']]);

  const stranger = makeSelfSigned({ names: ['old.example.com'], validity: expiredValidity() });
  const offPath = assess([pki.leaf, pki.intermediate, stranger]);
  t.same([offPath.verdict, kinds(offPath)], ['ok', ['chain_order', 'expired']]);
  t.match(offPath.findings[1], { kind: 'expired', onTrustPath: false, cert: { index: 2 } });
  t.end();
});

void t.test('precedence: hostname > expired > incomplete > untrusted, all listed', (t) => {
  t.same(VERDICT_PRECEDENCE, ['hostname_mismatch', 'expired_certificate', 'incomplete_chain', 'untrusted_certificate']);
  const expiredLeaf = pki.issueLeaf({ names: NAMES, validity: expiredValidity() });

  const all = assess([expiredLeaf], 'www.example.com');
  t.same([all.verdict, all.problems], ['hostname_mismatch', ['hostname_mismatch', 'expired_certificate', 'incomplete_chain']]);
  t.match(all.hint, /^The certificate "CN=api\.example\.com"/);

  const expiredAndMissing = assess([expiredLeaf]);
  t.same(expiredAndMissing.problems, ['expired_certificate', 'incomplete_chain']);

  // The wrong certificate served (a self-signed default for another host): the name is the news.
  const snakeoil = makeSelfSigned({ names: ['localhost'], validity: expiredValidity() });
  const wrongCert = assess([snakeoil], 'api.example.com');
  t.same(wrongCert.problems, ['hostname_mismatch', 'expired_certificate', 'untrusted_certificate']);
  t.match(wrongCert.hint, /covers DNS:localhost but not "api\.example\.com"/);

  const selfSignedSha1 = makeSelfSigned({ names: NAMES, keyLabel: 'ss-sha1', hash: 'sha1' });
  t.same(assess([selfSignedSha1]).problems, ['untrusted_certificate'], 'a self-signature is never judged weak');
  t.end();
});

void t.test('garbage and empty input never throw', (t) => {
  const garbageLeaf = assess([Buffer.from('not a certificate'), pki.intermediate]);
  t.equal(garbageLeaf.verdict, 'untrusted_certificate');
  t.match(garbageLeaf.findings, [{ kind: 'unparsable_certificate', index: 0, code: 'TRUNCATED' }]);
  t.match(garbageLeaf.hint, /^The server's certificate \(sha256 [0-9a-f]{16}…\) cannot be read \(TRUNCATED\)/);

  const garbageInter = assess([pki.leaf, pki.intermediate.der.subarray(0, 100)]);
  t.same(garbageInter.problems, ['incomplete_chain', 'untrusted_certificate']);
  t.match(garbageInter.findings, [
    { kind: 'unparsable_certificate', index: 1, code: 'TRUNCATED' },
    { kind: 'issuer_missing', cert: { index: 0 } },
  ]);

  // OpenSSL clients answer any unreadable certificate with decode_error, wherever it sits.
  const garbageMiddle = assess([pki.leaf, Buffer.from('0500', 'hex'), pki.intermediate]);
  t.same([garbageMiddle.verdict, kinds(garbageMiddle)], ['untrusted_certificate', ['unparsable_certificate']]);
  t.match(garbageMiddle.hint, /^The certificate at position 1 of the served chain \(sha256 [0-9a-f]{16}…\) cannot be read \(UNEXPECTED_TAG\)/);

  const empty = assess([]);
  t.same([empty.verdict, kinds(empty)], ['untrusted_certificate', ['no_certificate']]);
  t.end();
});

void t.test('inputs: parsed results, no name, roots as PEM or list, default roots', (t) => {
  const chain = [parseCertificate(pki.leaf.der), parseCertificate(pki.intermediate.der)];
  t.equal(assessChain({ chain, name: 'api.example.com', roots: pki.rootPem }).verdict, 'ok');
  t.equal(assessChain({ chain, name: 'nope.example.org', roots: [pki.rootPem] }).verdict, 'hostname_mismatch');
  t.equal(assessChain({ chain, roots }).verdict, 'ok', 'no name: no hostname check');
  t.equal(assessChain({ chain, name: null, roots }).verdict, 'ok');
  t.equal(assessChain({ chain, name: 'api.example.com' }).verdict, 'untrusted_certificate', "a private CA is not in Node's roots");
  const now = new Date(Date.now() + 3 * 365 * 86_400_000);
  t.equal(assessChain({ chain, name: 'api.example.com', roots, now }).verdict, 'expired_certificate', '`now` is honoured');
  t.end();
});

void t.test('findings are JSON-ready', (t) => {
  const a = assess([pki.issueLeaf({ names: NAMES, validity: expiredValidity() })], 'x.example.org');
  t.same(JSON.parse(JSON.stringify(a)), a);
  const leaf = issueCertificate({ subject: 'weird, name', names: ['a.example.com'], key: testKey('weird') });
  t.match(assess([leaf], 'b.example.com').hint, /"CN=weird\\, name"/);
  t.end();
});
