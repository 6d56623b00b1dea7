/**
 * The legacy client's leg fails: tlspeek refuses its version or suites, the
 * client rejects tlspeek's certificate, or it goes away or stalls.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { rawClient } from '../helpers/raw-client.js';
import { helloReactor, type Listening, tlsServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('client failures root');
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const options = { servername: NAME, certificate: { certPem: served.certPem, keyPem: served.keyPem }, upstreamCa: upstreamPki.ca.cert };
const dir = mkdtempSync(join(tmpdir(), 'tlspeek-inject-client-'));
const otherCaFile = join(dir, 'other-ca.pem');
writeFileSync(otherCaFile, createCertificateAuthority().certPem);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let vhost: Listening;
t.before(async () => {
  vhost = await tlsServer(t, upstreamPki.leaf([NAME]), NAME);
});

/** The first flight of a Node TLS client that sends no SNI. */
async function nodeHelloWithoutSni(): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const first = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (d: Buffer) => (resolve(d), s.destroy()))));
  const c = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, rejectUnauthorized: false });
  c.on('error', () => undefined);
  const hello = await first;
  c.destroy();
  server.close();
  return hello;
}

void t.test('a TLS 1.0 client at the default --client-min-version: protocol_version, and the hint names the flag', async (t) => {
  const p = await startInjectProxy(t, vhost.upstream, options);
  const r = await opensslClient(p.port, ['-noservername', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0']);
  t.not(r.exitCode, 0);
  t.match(r.stdout + r.stderr, /alert protocol version|alert number 70/);
  const [rec] = await p.records(1);
  t.match(rec, {
    mode: 'inject',
    outcome: 'server_alert',
    cause: 'protocol_mismatch',
    hello: { legacyVersion: 'TLSv1' },
    server: { version: 'TLSv1.3' },
    clientAlert: null,
    inject: { alertSent: { code: 70, description: 'protocol_version' }, failedLeg: 'client', clientVersion: null, upstreamVerification: 'verified' },
  });
  t.match(rec!.hint, /--client-min-version TLSv1\b/);
});

void t.test('a client offering only suites tlspeek cannot use with its RSA key: cipher_mismatch', async (t) => {
  const p = await startInjectProxy(t, vhost.upstream, options);
  const r = await opensslClient(p.port, ['-noservername', '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
  t.not(r.exitCode, 0);
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_alert', cause: 'cipher_mismatch', inject: { alertSent: { code: 40 }, failedLeg: 'client' } });
  t.match(rec!.hint, /--client-min-version TLSv1/);
});

for (const version of ['-tls1_2', '-tls1_3']) {
  void t.test(`a client that does not trust tlspeek's certificate (${version}): client_alert, untrusted_certificate`, async (t) => {
    const p = await startInjectProxy(t, vhost.upstream, options);
    const r = await opensslClient(p.port, ['-noservername', version, '-CAfile', otherCaFile, '-verify_return_error']);
    t.not(r.exitCode, 0);
    const [rec] = await p.records(1);
    t.match(rec, {
      mode: 'inject',
      outcome: 'client_alert',
      cause: 'untrusted_certificate',
      clientAlert: { level: 'fatal', description: 'unknown_ca', code: 48 },
      inject: { failedLeg: 'client', alertSent: null },
    });
    t.match(rec!.hint, /trust store/);
  });
}

void t.test('a client that leaves while tlspeek talks to the upstream: client_closed, seen at once', async (t) => {
  const silent = await helloReactor(t, 'silent');
  const p = await startInjectProxy(t, silent.upstream, options, { handshakeTimeoutMs: 5000 });
  const hello = await nodeHelloWithoutSni();
  const view = await rawClient(p.port, hello, { endAfterSend: true });
  t.equal(view.ended, 'fin');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'client_closed', cause: 'unknown', hello: { sni: null }, inject: { failedLeg: 'client' } });
  t.ok(rec!.durationMs < 2000, 'not held until the handshake timeout');
});

void t.test('a client that stalls after tlspeek answered: upstream_timeout on the client leg', async (t) => {
  const p = await startInjectProxy(t, vhost.upstream, options, { handshakeTimeoutMs: 500 });
  const hello = await nodeHelloWithoutSni();
  const view = await rawClient(p.port, hello, { timeoutMs: 5000 });
  t.ok(view.received.length > 0, 'tlspeek answered the hello');
  t.equal(view.received[0], 22, 'with a handshake record');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'upstream_timeout', cause: null, inject: { failedLeg: 'client' }, server: { version: 'TLSv1.3' } });
});
