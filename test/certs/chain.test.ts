/**
 * Chain order, trust, validity and strength against `openssl verify` on the
 * same files: `-CAfile root -untrusted <rest of the chain> leaf`.
 */
import { rootCertificates } from 'node:tls';
import t from 'tap';
import { checkChainOrder, checkStrength, checkTrust, checkValidity, issuerMismatch, loadTrustStore, type Finding } from '../../src/certs/checks.js';
import { parseCertificate, pemToDer, type ParsedCertificate } from '../../src/certs/parse.js';
import {
  daysFromNow,
  expiredValidity,
  issueCertificate,
  makePki,
  makeSelfSigned,
  notYetValidValidity,
  testKey,
  type Issued,
} from '../helpers/certs.js';
import { opensslVerify } from '../helpers/openssl-verify.js';

const NAMES = ['api.example.com', '127.0.0.1'];
const pki = makePki({ leafNames: NAMES });
const aia = makePki({ aia: true, leafNames: NAMES }); // same name, same keys: same CA, AIA added
const other = makePki({ name: 'Other CA', leafNames: NAMES });
const selfSigned = makeSelfSigned({ names: NAMES });

// A longer chain: root -> A -> B -> leaf.
const interA = issueCertificate({ subject: { O: 'tlspeek Test', CN: 'Intermediate A' }, key: testKey('tlspeek Test/a'), issuer: pki.root, ca: true });
const interB = issueCertificate({ subject: { O: 'tlspeek Test', CN: 'Intermediate B' }, key: testKey('tlspeek Test/b'), issuer: interA, ca: true });
const deepLeaf = issueCertificate({ subject: 'deep.example.com', names: ['deep.example.com'], key: testKey('tlspeek Test/leaf'), issuer: interB });

const store = loadTrustStore(pki.rootPem);

function parsed(i: Issued): ParsedCertificate {
  const p = parseCertificate(i.der);
  if (!p.ok) throw p.error;
  return p;
}

const pems = (chain: readonly Issued[]): string => chain.map((c) => c.pem).join('');
const kinds = (fs: readonly Finding[]): string[] => fs.map((f) => f.kind);

interface TrustCase {
  readonly what: string;
  readonly chain: readonly Issued[];
  readonly trusted: boolean;
  readonly ignoringOrder: boolean;
  readonly finding?: Partial<Finding> & { kind: Finding['kind'] };
  /** openssl verify: OK, or the error number and depth it reports. */
  readonly openssl: 'OK' | { code: number; depth: number; error: string };
}

const trustCases: readonly TrustCase[] = [
  { what: 'leaf + intermediate', chain: [pki.leaf, pki.intermediate], trusted: true, ignoringOrder: true, openssl: 'OK' },
  { what: 'leaf + intermediate + root', chain: [pki.leaf, pki.intermediate, pki.root], trusted: true, ignoringOrder: true, openssl: 'OK' },
  { what: 'four levels in order', chain: [deepLeaf, interB, interA], trusted: true, ignoringOrder: true, openssl: 'OK' },
  {
    what: 'leaf without its intermediate',
    chain: [pki.leaf],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'issuer_missing', issuer: 'CN=tlspeek Test Intermediate CA, O=tlspeek Test, C=US', caIssuersUrl: null },
    openssl: { code: 20, depth: 0, error: 'unable to get local issuer certificate' },
  },
  {
    what: 'leaf without its intermediate, AIA names where to get it',
    chain: [aia.leaf],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'issuer_missing', caIssuersUrl: 'http://ca.test/tlspeek-Test-Intermediate-CA.crt' },
    openssl: { code: 20, depth: 0, error: 'unable to get local issuer certificate' },
  },
  {
    what: 'chain out of order (A before B)',
    chain: [deepLeaf, interA, interB],
    trusted: false,
    ignoringOrder: true,
    finding: { kind: 'chain_out_of_order' },
    // OpenSSL builds the path from the untrusted set in any order: it accepts what TLS 1.2 forbids.
    openssl: 'OK',
  },
  {
    what: 'root sent before the intermediate',
    chain: [pki.leaf, pki.root, pki.intermediate],
    trusted: false,
    ignoringOrder: true,
    finding: { kind: 'chain_out_of_order' },
    openssl: 'OK',
  },
  {
    what: 'middle intermediate missing, no AIA (reads as a private CA)',
    chain: [deepLeaf, interB],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'unknown_root', issuer: 'CN=Intermediate A, O=tlspeek Test', selfSigned: false },
    openssl: { code: 20, depth: 1, error: 'unable to get local issuer certificate' },
  },
  {
    what: 'self-signed leaf',
    chain: [selfSigned],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'self_signed_leaf' },
    openssl: { code: 18, depth: 0, error: 'self-signed certificate' },
  },
  {
    what: 'unknown CA, root sent',
    chain: [other.leaf, other.intermediate, other.root],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'unknown_root', selfSigned: true, issuer: 'CN=Other CA Root CA, O=Other CA, C=US' },
    openssl: { code: 19, depth: 2, error: 'self-signed certificate in certificate chain' },
  },
  {
    what: 'unknown CA, root not sent',
    chain: [other.leaf, other.intermediate],
    trusted: false,
    ignoringOrder: false,
    finding: { kind: 'unknown_root', selfSigned: false },
    openssl: { code: 20, depth: 1, error: 'unable to get local issuer certificate' },
  },
  {
    what: 'an unrelated extra certificate after a complete chain',
    chain: [pki.leaf, pki.intermediate, selfSigned],
    trusted: true,
    ignoringOrder: true,
    openssl: 'OK',
  },
];

void t.test('checkTrust agrees with openssl verify', (t) => {
  const dir = t.testdir();
  for (const c of trustCases) {
    const chain = c.chain.map(parsed);
    const r = checkTrust(chain, store);
    t.equal(r.trusted, c.trusted, `${c.what}: trusted`);
    t.equal(r.trustedIgnoringOrder, c.ignoringOrder, `${c.what}: trustedIgnoringOrder`);
    if (c.finding === undefined) t.same(r.findings, [], `${c.what}: no findings`);
    else t.match(r.findings, [c.finding], `${c.what}: ${c.finding.kind}`);
    if (r.trustedIgnoringOrder) t.equal(r.anchor?.subject, 'CN=tlspeek Test Root CA, O=tlspeek Test, C=US', `${c.what}: anchor`);

    const v = opensslVerify(dir, { roots: pki.rootPem, untrusted: pems(c.chain.slice(1)), leaf: c.chain[0]!.pem });
    if (c.openssl === 'OK') {
      t.ok(v.ok, `${c.what}: openssl OK (${v.error ?? ''})`);
      t.equal(r.trustedIgnoringOrder, true, `${c.what}: a path exists, as openssl found`);
    } else {
      t.same({ code: v.code, depth: v.depth, error: v.error }, c.openssl, `${c.what}: openssl says ${v.error}`);
      t.equal(r.trustedIgnoringOrder, false, `${c.what}: no path, as openssl found`);
    }
  }
  t.end();
});

void t.test('out-of-order findings say where the issuer was', (t) => {
  const r = checkTrust([deepLeaf, interA, interB].map(parsed), store);
  t.match(r.findings, [{ kind: 'chain_out_of_order', cert: { index: 0, subject: 'CN=deep.example.com' }, issuerCert: { index: 2, subject: 'CN=Intermediate B, O=tlspeek Test' } }]);
  t.same(
    r.path.map((c) => c.subject),
    ['CN=deep.example.com', 'CN=Intermediate B, O=tlspeek Test', 'CN=Intermediate A, O=tlspeek Test'],
  );
  t.end();
});

void t.test('checkChainOrder agrees with openssl verify -partial_chain, pair by pair', (t) => {
  const dir = t.testdir();
  // Same names and key identifier scheme as the real intermediate, different key.
  const impostor = issueCertificate({ subject: pki.intermediate.subject, key: testKey('impostor'), issuer: pki.root, ca: true });
  const chains: [string, Issued[], string | null][] = [
    ['in order', [deepLeaf, interB, interA, pki.root], null],
    ['out of order', [deepLeaf, interA, interB], 'issuer_name'],
    ['wrong key under the right name', [pki.leaf, impostor], 'key_identifier'],
    ['extra certificate at the end', [pki.leaf, pki.intermediate, selfSigned], 'issuer_name'],
  ];
  for (const [what, chain, reason] of chains) {
    const parsedChain = chain.map(parsed);
    const found = checkChainOrder(parsedChain);
    t.equal(found[0]?.kind === 'chain_order' ? found[0].reason : null, reason, `${what}: first break`);
    for (let i = 0; i + 1 < chain.length; i++) {
      const ours = issuerMismatch(parsedChain[i]!, parsedChain[i + 1]!) === null;
      const v = opensslVerify(dir, { roots: chain[i + 1]!.pem, leaf: chain[i]!.pem, args: ['-partial_chain'] });
      t.equal(ours, v.ok, `${what}: #${i} issued by #${i + 1}: ours ${ours}, openssl ${v.ok ? 'OK' : v.error}`);
    }
  }
  t.end();
});

void t.test('checkValidity agrees with openssl verify', (t) => {
  const dir = t.testdir();
  const expiredLeaf = pki.issueLeaf({ names: NAMES, validity: expiredValidity() });
  const futureLeaf = pki.issueLeaf({ names: NAMES, validity: notYetValidValidity() });
  const oldCa = makePki({ intermediateValidity: expiredValidity(), leafNames: NAMES });
  const expiredStranger = makeSelfSigned({ names: ['old.example.com'], validity: expiredValidity() });
  const cases: [string, Issued[], string[], { code: number; depth: number } | 'OK'][] = [
    ['expired leaf', [expiredLeaf, pki.intermediate], ['expired@0'], { code: 10, depth: 0 }],
    ['not-yet-valid leaf', [futureLeaf, pki.intermediate], ['not_yet_valid@0'], { code: 9, depth: 0 }],
    ['expired intermediate', [oldCa.leaf, oldCa.intermediate], ['expired@1'], { code: 10, depth: 1 }],
    ['expired certificate off the path', [pki.leaf, pki.intermediate, expiredStranger], ['expired@2:off-path'], 'OK'],
  ];
  for (const [what, chain, want, verdict] of cases) {
    const members = chain.map(parsed);
    const trust = checkTrust(members, store);
    const got = checkValidity(members, new Date(), { trustPath: trust.path, anchor: trust.anchor }).map((f) =>
      f.kind === 'expired' || f.kind === 'not_yet_valid' ? `${f.kind}@${f.cert.index}${f.onTrustPath ? '' : ':off-path'}` : f.kind,
    );
    t.same(got, want, what);
    const v = opensslVerify(dir, { roots: pki.rootPem, untrusted: pems(chain.slice(1)), leaf: chain[0]!.pem });
    if (verdict === 'OK') t.ok(v.ok, `${what}: openssl OK`);
    else t.same({ code: v.code, depth: v.depth }, verdict, `${what}: openssl ${v.error}`);
  }
  // `now` decides: the good leaf is expired a day after its notAfter.
  const leaf = parsed(pki.leaf);
  t.match(checkValidity([leaf], new Date(leaf.notAfter.getTime() + 86_400_000)), [{ kind: 'expired', notAfter: leaf.notAfter.toISOString() }]);
  t.match(checkValidity([leaf], new Date(leaf.notBefore.getTime() - 1000)), [{ kind: 'not_yet_valid' }]);
  t.same(checkValidity([leaf], leaf.notAfter), [], 'notAfter itself is still valid');
  t.end();
});

void t.test('checkStrength agrees with openssl verify -auth_level', (t) => {
  const dir = t.testdir();
  const sha1Root = issueCertificate({ subject: 'SHA-1 Root', key: testKey('sha1-root'), ca: true, hash: 'sha1', notAfter: daysFromNow(365) });
  const underSha1Root = issueCertificate({ subject: 'a.example.com', names: ['a.example.com'], key: testKey('tlspeek Test/leaf'), issuer: sha1Root });
  const cases: [string, Issued, Issued, string[], number, 'OK' | number][] = [
    // [what, leaf, its issuer (trusted), findings, auth level, openssl at that level]
    ['SHA-1 signed leaf', pki.issueLeaf({ hash: 'sha1' }), pki.intermediate, ['weak_signature'], 1, 68],
    ['MD5 signed leaf', pki.issueLeaf({ hash: 'md5' }), pki.intermediate, ['weak_signature'], 1, 68],
    ['1024-bit RSA leaf at level 1', pki.issueLeaf({ key: 'rsa1024' }), pki.intermediate, ['weak_key'], 1, 'OK'],
    ['1024-bit RSA leaf at level 2', pki.issueLeaf({ key: 'rsa1024' }), pki.intermediate, ['weak_key'], 2, 66],
    ['P-256 leaf', pki.issueLeaf({ key: 'ec256' }), pki.intermediate, [], 2, 'OK'],
    ['SHA-1 self-signature on the root is never checked', underSha1Root, sha1Root, [], 2, 'OK'],
  ];
  for (const [what, leaf, issuer, want, level, verdict] of cases) {
    t.same(kinds(checkStrength([parsed(leaf), parsed(issuer)])), want, what);
    const v = opensslVerify(dir, {
      roots: issuer === sha1Root ? sha1Root.pem : pki.rootPem,
      untrusted: issuer === sha1Root ? '' : issuer.pem,
      leaf: leaf.pem,
      args: ['-auth_level', String(level)],
    });
    if (verdict === 'OK') t.ok(v.ok, `${what}: openssl OK at level ${level}`);
    else t.equal(v.code, verdict, `${what}: openssl at level ${level}: ${v.error}`);
  }
  const weak = checkStrength([parsed(pki.issueLeaf({ key: 'rsa1024' }))]);
  t.match(weak, [{ kind: 'weak_key', keyType: 'rsa', bits: 1024, rejectedByDefault: false }]);
  t.end();
});

void t.test("Node's bundled roots are the default store", (t) => {
  const r = checkTrust([pki.leaf, pki.intermediate].map(parsed));
  t.equal(r.trusted, false);
  t.match(r.findings, [{ kind: 'unknown_root', issuer: 'CN=tlspeek Test Root CA, O=tlspeek Test, C=US' }]);
  // A public root sent on its own is its own anchor.
  const [der] = pemToDer(rootCertificates[0]!);
  const root = parseCertificate(der!);
  t.ok(root.ok && checkTrust([root]).trusted);
  t.end();
});
