/**
 * mTLS required, client sends no certificate. TLS 1.2: the CertificateRequest
 * is in clear and OpenSSL answers the client's Finished with alert 40.
 * TLS 1.3: all of it is encrypted; the server's answer to the client's
 * Finished is one 19-byte record and a close (WIRE-FACTS).
 */
import t from 'tap';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { throughProxy } from '../helpers/scenario.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);

void t.test('TLS 1.2: client certificate required, none sent', async (t) => {
  const up = await tlsServer(t, { ...leaf, maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com', maxVersion: 'TLSv1.2' }));
  t.equal(s.proxied.error, s.direct.error, `same client error (${String(s.direct.error)})`);
  t.match(s.record, { outcome: 'server_alert', cause: 'client_certificate_required', server: { certificateRequested: true, version: 'TLSv1.2' } });
  const code = s.record.server?.alert?.code ?? null;
  t.ok(code === 40 || code === 116, `server alert ${String(code)}`);
});

void t.test('TLS 1.3: client certificate required, none sent (openssl s_client)', async (t) => {
  const up = await tlsServer(t, { ...leaf, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
  const s = await throughProxy(t, up, (port) => opensslClient(port, ['-tls1_3', '-servername', 'api.example.com']));
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.proxied.stderr + s.proxied.stdout, /certificate required|alert/i, 'openssl reports the alert');
  t.match(s.record, {
    outcome: 'server_alert',
    cause: 'client_certificate_required',
    server: { version: 'TLSv1.3', alert: { encrypted: true, code: null } },
  });
});

void t.test('TLS 1.3 with a client certificate the server trusts: established', async (t) => {
  const up = await tlsServer(t, { ...leaf, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
  const client = pki.leaf(['client.example.com']);
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com', cert: client.cert, key: client.key }));
  t.equal(s.proxied.received, 'hello from upstream\n');
  t.match(s.record, { outcome: 'established', cause: null });
});
