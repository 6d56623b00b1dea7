/**
 * The client refuses the server's certificate. OpenSSL clients send the alert
 * in clear in TLS 1.2 (unknown_ca 48, certificate_expired 45); in TLS 1.3 it is
 * an encrypted 19-byte record, recognised by shape only.
 */
import t from 'tap';
import { gnutlsClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { throughProxy } from '../helpers/scenario.js';
import { tlsServer } from '../helpers/servers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pki = makePki();
const otherCa = makePki('some other root');

void t.test('TLS 1.2, issuer unknown to the client: unknown_ca -> untrusted_certificate', async (t) => {
  const dir = t.testdir({ 'ca.pem': otherCa.ca.cert });
  const up = await tlsServer(t, pki.leaf(['api.example.com']));
  const s = await throughProxy(t, up, (port) => opensslClient(port, ['-tls1_2', '-servername', 'api.example.com', '-CAfile', join(dir, 'ca.pem'), '-verify_return_error']));
  t.not(s.direct.exitCode, 0);
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.record, { outcome: 'client_alert', cause: 'untrusted_certificate', clientAlert: { level: 'fatal', description: 'unknown_ca', code: 48 } });
});

void t.test('TLS 1.2, expired certificate: certificate_expired -> expired_certificate', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
  const up = await tlsServer(t, pki.leaf(['api.example.com'], { daysFrom: -30, daysTo: -1 }));
  const s = await throughProxy(t, up, (port) => opensslClient(port, ['-tls1_2', '-servername', 'api.example.com', '-CAfile', join(dir, 'ca.pem'), '-verify_return_error']));
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.record, { outcome: 'client_alert', cause: 'expired_certificate', clientAlert: { code: 45, description: 'certificate_expired' } });
});

void t.test('TLS 1.3, OpenSSL client rejects the certificate: OpenSSL still sends unknown_ca in clear', async (t) => {
  const dir = t.testdir({ 'ca.pem': otherCa.ca.cert });
  const up = await tlsServer(t, pki.leaf(['api.example.com']));
  const s = await throughProxy(t, up, (port) => opensslClient(port, ['-tls1_3', '-servername', 'api.example.com', '-CAfile', join(dir, 'ca.pem'), '-verify_return_error']));
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  // OpenSSL aborts while reading the server's Certificate, before it installs
  // its handshake write keys: the alert goes out as a plaintext record.
  t.match(s.record, { outcome: 'client_alert', cause: 'untrusted_certificate', clientAlert: { code: 48 }, server: { version: 'TLSv1.3' } });
});

void t.test('TLS 1.3, GnuTLS client rejects the certificate: an encrypted alert, said so', async (t) => {
  const up = await tlsServer(t, pki.leaf(['api.example.com']));
  const args = ['--sni-hostname', 'api.example.com', '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3'];
  const s = await throughProxy(t, up, (port) => gnutlsClient(port, args));
  t.not(s.direct.exitCode, 0, 'gnutls-cli fails: the issuer is unknown to it');
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.record, { outcome: 'client_alert', clientAlert: { encrypted: true, code: null }, server: { version: 'TLSv1.3' } });
  t.equal(s.record.cause, 'unknown', 'TLS 1.3 hides which alert: no guessed cause');
  t.match(s.record.hint, /encrypted alert/);
});

void t.test('TLS 1.2, GnuTLS client rejects the certificate: bad_certificate in clear', async (t) => {
  const up = await tlsServer(t, pki.leaf(['api.example.com']));
  const args = ['--sni-hostname', 'api.example.com', '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.2'];
  const s = await throughProxy(t, up, (port) => gnutlsClient(port, args));
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.record, { outcome: 'client_alert', cause: 'untrusted_certificate', clientAlert: { code: 42, description: 'bad_certificate' } });
});
