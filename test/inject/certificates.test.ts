/**
 * The certificate shown to terminated clients: generated for NAME (self-signed
 * or by the local CA), or the operator's files; judged by `openssl verify`.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { CA_CERT_FILE, CA_KEY_FILE, LocalCaError, openLocalCa } from '../../src/inject/local-ca.js';
import { loadServingCertificate, ServingCertificateError } from '../../src/inject/serving-certificate.js';
import { opensslVerify } from '../helpers/openssl-verify.js';

const NAME = 'api.example.com';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tlspeek-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

void t.test('--local-ca: the CA is created with a private key file, and the generated certificate is valid for NAME under it', async (t) => {
  const dir = tempDir(t);
  const caDir = join(dir, 'ca');
  const cert = loadServingCertificate({ name: NAME, localCaDir: caDir });
  t.equal(cert.source, 'local-ca');
  t.ok(cert.localCa?.created);
  t.equal(statSync(join(caDir, CA_KEY_FILE)).mode & 0o777, 0o600, 'CA key file mode 0600');
  t.equal(statSync(caDir).mode & 0o777, 0o700, 'CA directory mode 0700');
  const caPem = readFileSync(join(caDir, CA_CERT_FILE), 'utf8');
  t.equal(cert.localCa?.certPath, join(caDir, CA_CERT_FILE));

  const ok = opensslVerify(dir, { roots: caPem, leaf: cert.certPem, args: ['-verify_hostname', NAME, '-purpose', 'sslserver'] });
  t.ok(ok.ok, `openssl verify -CAfile ca.pem -verify_hostname ${NAME}: ${ok.error ?? 'OK'}`);
  const other = opensslVerify(dir, { roots: caPem, leaf: cert.certPem, args: ['-verify_hostname', 'other.example.com'] });
  t.equal(other.code, 62, 'and for no other name (hostname mismatch)');

  const leaf = new X509Certificate(cert.certPem);
  t.equal(leaf.publicKey.asymmetricKeyType, 'rsa', 'RSA, for TLS 1.0 clients');
  t.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  t.equal(leaf.subjectAltName, `DNS:${NAME}`);
  t.equal(cert.sha256, leaf.fingerprint256.replace(/:/g, '').toLowerCase(), 'the logged fingerprint is the SHA-256 of the DER');
  t.ok(new X509Certificate(caPem).ca);
});

void t.test('--local-ca reuses the CA on the next start and issues a new certificate under it', async (t) => {
  const dir = tempDir(t);
  const first = loadServingCertificate({ name: NAME, localCaDir: dir });
  const second = loadServingCertificate({ name: NAME, localCaDir: dir });
  t.equal(second.localCa?.created, false);
  t.equal(second.localCa?.sha256, first.localCa?.sha256, 'same CA');
  t.not(second.sha256, first.sha256, 'fresh server certificate');
  t.ok(opensslVerify(dir, { roots: first.localCa!.certPem, leaf: second.certPem, args: ['-verify_hostname', NAME] }).ok);
  t.equal(second.localCa?.keyExposed, false);
  chmodSync(join(dir, CA_KEY_FILE), 0o644);
  t.equal(openLocalCa(dir).keyExposed, true, 'a CA key readable by others is reported');
});

void t.test('--local-ca refuses a directory it cannot trust', async (t) => {
  const half = tempDir(t);
  writeFileSync(join(half, CA_CERT_FILE), createCertificateAuthority().certPem);
  t.throws(() => openLocalCa(half), LocalCaError, 'a certificate without its key');

  const expired = tempDir(t);
  const old = createCertificateAuthority({ now: new Date(Date.now() - 10 * 86_400_000), validityDays: 2 });
  writeFileSync(join(expired, CA_CERT_FILE), old.certPem);
  writeFileSync(join(expired, CA_KEY_FILE), old.keyPem, { mode: 0o600 });
  t.throws(() => openLocalCa(expired), { name: 'LocalCaError', message: /expired/ });

  const mismatched = tempDir(t);
  writeFileSync(join(mismatched, CA_CERT_FILE), createCertificateAuthority().certPem);
  writeFileSync(join(mismatched, CA_KEY_FILE), createCertificateAuthority().keyPem, { mode: 0o600 });
  t.throws(() => openLocalCa(mismatched), { name: 'LocalCaError', message: /not the key/ });
});

void t.test('without --cert or --local-ca: a self-signed certificate for NAME', async (t) => {
  const dir = tempDir(t);
  const cert = loadServingCertificate({ name: NAME });
  t.equal(cert.source, 'self-signed');
  t.equal(cert.localCa, null);
  t.ok(opensslVerify(dir, { roots: cert.certPem, leaf: cert.certPem, args: ['-verify_hostname', NAME] }).ok, 'trusting it directly works');
});

void t.test('--cert/--key: checked against each other and NAME; a key readable by others is reported', async (t) => {
  const dir = tempDir(t);
  const ca = createCertificateAuthority();
  const mine = issueServerCertificate({ name: 'legacy.example.com', issuer: ca });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, mine.certPem + ca.certPem);
  writeFileSync(keyFile, mine.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);

  const loaded = loadServingCertificate({ name: NAME, certFile, keyFile });
  t.match(loaded, { source: 'file', sha256: mine.sha256, coversName: false, keyExposed: false });
  t.equal(loaded.certPem, mine.certPem + ca.certPem, 'the whole chain is served');
  t.equal(loadServingCertificate({ name: 'legacy.example.com', certFile, keyFile }).coversName, true);

  chmodSync(keyFile, 0o640);
  t.equal(loadServingCertificate({ name: NAME, certFile, keyFile }).keyExposed, true);

  const otherKey = join(dir, 'other-key.pem');
  writeFileSync(otherKey, issueServerCertificate({ name: NAME }).keyPem, { mode: 0o600 });
  t.throws(() => loadServingCertificate({ name: NAME, certFile, keyFile: otherKey }), ServingCertificateError);
  t.throws(() => loadServingCertificate({ name: NAME, certFile: join(dir, 'missing.pem'), keyFile }), { message: /cannot read --cert/ });
});
