/**
 * Versions and cipher suites: a TLS 1.0-only server, single-suite servers,
 * server versus client preference; and quickProbe's version and suite checks
 * for a client whose offer does not fit (protocol_mismatch, cipher_mismatch).
 */
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import { diagnoseUpstream, quickProbe } from '../../src/probe/scan.js';
import { ProtocolVersion as V } from '../../src/tls/constants.js';
import { makePki } from '../helpers/certs.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Probe Versions' });
const roots = loadTrustStore(pki.rootPem);
const cert = { cert: pki.chainPem, key: pki.leafKeyPem };
const accepted = (r: { versions: { version: string; accepted: boolean }[] }) => r.versions.filter((v) => v.accepted).map((v) => v.version);

void t.test('a TLS 1.0-only server: only TLSv1 accepted; protocol_mismatch for modern clients', async (t) => {
  const up = await tlsServer(t, { ...cert, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  const report = await diagnoseUpstream(up.upstream, { servername: 'localhost', roots });
  t.same(accepted(report), ['TLSv1']);
  t.match(report.versions.find((v) => v.version === 'TLSv1.2'), { accepted: false, answer: { outcome: 'server_hello', version: 'TLSv1' } }, 'a 1.2 hello gets a 1.0 answer');
  t.same(report.ciphers.map((c) => c.version), ['TLSv1']);
  t.ok(report.ciphers[0]!.accepted.every((s) => !/GCM|SHA256|SHA384|CHACHA/.test(s)), 'only suites TLS 1.0 can use');
  t.same(report.causes, ['protocol_mismatch'], 'nothing else: the certificate is fine');
  t.match(report.hint, /only TLSv1\b/);
  t.equal(report.chain?.verdict, 'ok');

  const modern = await quickProbe(up.upstream, { servername: 'localhost', roots, clientVersions: [V.TLSv1_3, V.TLSv1_2] });
  t.equal(modern.cause, 'protocol_mismatch');
  t.match(modern.findings, [{ kind: 'version_check', offered: ['TLSv1.3', 'TLSv1.2'], common: false }]);
  const legacy = await quickProbe(up.upstream, { servername: 'localhost', roots, clientVersions: [V.TLSv1] });
  t.equal(legacy.cause, null, 'a TLS 1.0 client has a version in common');
});

void t.test('a single-suite server: exactly that suite listed', async (t) => {
  const up = await tlsServer(t, { ...cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
  const report = await diagnoseUpstream(up.upstream, { servername: 'localhost', roots });
  t.same(accepted(report), ['TLSv1.2']);
  t.same(report.ciphers, [{ version: 'TLSv1.2', accepted: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'], codes: [0xc030], order: null, complete: true }]);
  t.same(report.causes, [], 'a suite every modern client offers: no cause');

  const q = await quickProbe(up.upstream, { servername: 'localhost', roots, clientVersions: [V.TLSv1_2], clientCiphers: [0xc02f, 0x009c, 0x002f] });
  t.equal(q.cause, 'cipher_mismatch', 'a client without that suite');
  t.match(q.findings, [
    { kind: 'version_check', common: true },
    { kind: 'cipher_check', common: false, answer: { outcome: 'alert', alert: { code: 40 } } },
  ]);
  const ok = await quickProbe(up.upstream, { servername: 'localhost', roots, clientCiphers: [0x0a0a, 0xc030] });
  t.equal(ok.cause, null, 'a client offering it (GREASE ignored)');

  const only13 = await tlsServer(t, { ...cert, minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' });
  const r13 = await diagnoseUpstream(only13.upstream, { servername: 'localhost', roots });
  t.same(r13.ciphers.map((c) => [c.version, c.accepted]), [['TLSv1.3', ['TLS_CHACHA20_POLY1305_SHA256']]]);
  t.same(r13.causes, []);
});

void t.test('a server whose suites no modern client offers: cipher_mismatch', async (t) => {
  const up = await tlsServer(t, { ...cert, maxVersion: 'TLSv1.2', ciphers: 'CAMELLIA128-SHA:CAMELLIA256-SHA' });
  const report = await diagnoseUpstream(up.upstream, { servername: 'localhost', roots });
  t.same(report.ciphers.map((c) => c.accepted.sort()), [['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA']]);
  t.same(report.causes, ['cipher_mismatch']);
  t.match(report.hint, /CAMELLIA/);
});

void t.test('preference: server order versus client order', async (t) => {
  const ciphers = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305';
  const server = await tlsServer(t, { ...cert, maxVersion: 'TLSv1.2', ciphers, honorCipherOrder: true });
  const rs = await diagnoseUpstream(server.upstream, { servername: 'localhost', roots });
  t.same(rs.ciphers[0], {
    version: 'TLSv1.2',
    accepted: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    codes: [0xc02f, 0xc030, 0xcca8],
    order: 'server',
    complete: true,
  }, "listed in the server's own order");
  const client = await tlsServer(t, { ...cert, maxVersion: 'TLSv1.2', ciphers, honorCipherOrder: false });
  const rc = await diagnoseUpstream(client.upstream, { servername: 'localhost', roots });
  t.equal(rc.ciphers[0]?.order, 'client');
  t.same(rc.ciphers[0]?.codes, [0xc02f, 0xc030, 0xcca8], 'registry order is the order offered');
});

void t.test('ALPN: the selected protocol, in clear (TLS 1.2) and through Node (TLS 1.3 only)', async (t) => {
  const h2 = await tlsServer(t, { ...cert, ALPNProtocols: ['http/1.1', 'h2'] });
  t.match((await diagnoseUpstream(h2.upstream, { servername: 'localhost', roots })).alpn, { offered: ['h2', 'http/1.1'], selected: 'http/1.1', via: 'handshake' }, 'the server picks by its own list');
  const h13 = await tlsServer(t, { ...cert, minVersion: 'TLSv1.3', ALPNProtocols: ['h2'] });
  t.match((await diagnoseUpstream(h13.upstream, { servername: 'localhost', roots })).alpn, { selected: 'h2', via: 'tls-connect', error: null });
});
