/** Version and cipher mismatches, decided by real OpenSSL servers and clients (WIRE-FACTS: alerts 70 and 40 in clear). */
import t from 'tap';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { throughProxy } from '../helpers/scenario.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);
const legacy = { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1' } as const;

void t.test('a TLS 1.0-only server against a modern client', async (t) => {
  const up = await tlsServer(t, { ...leaf, ...legacy });
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com' }));
  t.equal(s.proxied.error, s.direct.error, `same client error (${String(s.direct.error)})`);
  t.match(s.record, { outcome: 'server_alert', cause: 'protocol_mismatch', server: { alert: { code: 70, description: 'protocol_version', level: 'fatal' } } });
  t.match(s.record.hint, /TLSv1\.3, TLSv1\.2/, 'the hint says what the client offered');
});

void t.test('a modern server against a client forced to TLS 1.0 (openssl -tls1)', async (t) => {
  const up = await tlsServer(t, leaf);
  const s = await throughProxy(t, up, (port) => opensslClient(port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'api.example.com']));
  t.not(s.direct.exitCode, 0);
  t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
  t.match(s.record, { outcome: 'server_alert', cause: 'protocol_mismatch', hello: { legacyVersion: 'TLSv1', supportedVersions: [] }, server: { alert: { code: 70 } } });
  t.match(s.record.hint, /upgrade the client/);
});

void t.test('no cipher suite in common (TLS 1.2)', async (t) => {
  const up = await tlsServer(t, { ...leaf, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' });
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }));
  t.equal(s.proxied.error, s.direct.error, `same client error (${String(s.direct.error)})`);
  t.match(s.record, { outcome: 'server_alert', cause: 'cipher_mismatch', server: { alert: { code: 40, description: 'handshake_failure' }, version: null } });
  t.same(s.record.hello?.cipherSuites, ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV']);
});
