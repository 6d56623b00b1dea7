/**
 * Legacy clients without SNI, through tlspeek --inject-sni, to an SNI-only
 * ingress that resets clients without SNI (Envoy-style) and routes
 * api.example.com to its virtual host: they get the virtual host's response.
 * A client that sends SNI through the same tlspeek stays passthrough and sees
 * the upstream's own certificate.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { helloReactor, type Listening, tlsServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('ingress test root');
const vhostCert = upstreamPki.leaf([NAME]);
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const dir = mkdtempSync(join(tmpdir(), 'tlspeek-inject-'));
const caFile = join(dir, 'tlspeek-ca.pem');
writeFileSync(caFile, tlspeekCa.certPem);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let ingress: Listening;
t.before(async () => {
  const vhost = await tlsServer(t, vhostCert, NAME);
  ingress = await helloReactor(t, 'reset', (h) => h.sni === null, vhost);
});

const inject = (clientMinVersion: 'TLSv1' | 'TLSv1.2' = 'TLSv1.2') => ({
  servername: NAME,
  certificate: { certPem: served.certPem, keyPem: served.keyPem },
  upstreamCa: upstreamPki.ca.cert,
  clientMinVersion,
});

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const vhostSha = sha256(new X509Certificate(vhostCert.cert).raw);

void t.test('openssl -noservername (TLS 1.2) gets the virtual host, verifying tlspeek against its CA', async (t) => {
  const p = await startInjectProxy(t, ingress.upstream, inject());
  const r = await opensslClient(p.port, ['-noservername', '-tls1_2', '-CAfile', caFile, '-verify_return_error', '-verify_hostname', NAME]);
  t.match(r.stdout, /hello from api\.example\.com/);
  t.equal(r.exitCode, 0, 'openssl exits 0: tlspeek ended its TLS with close_notify when the upstream closed');
  t.notMatch(r.stdout + r.stderr, /unexpected eof/i);
  const [rec] = await p.records(1);
  t.match(rec, {
    mode: 'inject',
    outcome: 'established',
    cause: null,
    hint: null,
    hello: { sni: null },
    server: { version: 'TLSv1.3', reset: false, alert: null },
    clientAlert: null,
    inject: { servername: NAME, clientVersion: 'TLSv1.2', upstreamVerification: 'verified', upstreamVerifyError: null, alertSent: null, failedLeg: null },
  });
  t.equal(rec!.server?.certificates[0]?.sha256, vhostSha, 'server.certificates is what the upstream served tlspeek');
  t.ok(rec!.bytesFromClient > rec!.hello!.bytes, 'bytes from the client include more than its hello');
  t.ok(rec!.bytesFromServer > 0);
  t.type(rec!.handshakeMs, 'number');
  t.ok(rec!.durationMs >= rec!.handshakeMs!);
  t.match(rec!.client, { address: '127.0.0.1' });
  t.same(rec!.upstream, { address: '127.0.0.1', port: ingress.port });
});

void t.test('openssl -tls1 with --client-min-version TLSv1 (security level 0 on the client side only)', async (t) => {
  const p = await startInjectProxy(t, ingress.upstream, inject('TLSv1'));
  const r = await opensslClient(p.port, ['-noservername', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-CAfile', caFile, '-verify_return_error']);
  t.match(r.stdout, /hello from api\.example\.com/);
  t.equal(r.exitCode, 0);
  const [rec] = await p.records(1);
  t.match(rec, {
    mode: 'inject',
    outcome: 'established',
    hello: { sni: null, legacyVersion: 'TLSv1' },
    // The upstream leg still gets the best the upstream offers.
    server: { version: 'TLSv1.3' },
    inject: { clientVersion: 'TLSv1' },
  });
});

void t.test('a Node client without servername, verifying tlspeek for the name', async (t) => {
  const p = await startInjectProxy(t, ingress.upstream, inject());
  const view = await nodeClient(p.port, {
    ca: tlspeekCa.certPem,
    rejectUnauthorized: true,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(NAME, cert),
  });
  t.equal(view.error, null);
  t.equal(view.authorized, true);
  t.equal(view.received, 'hello from api.example.com\n');
  const [rec] = await p.records(1);
  t.match(rec, { mode: 'inject', outcome: 'established', hello: { sni: null }, inject: { clientVersion: 'TLSv1.3' } });
});

/** The certificate a client sees, and the reply. */
function peek(port: number, servername: string | null): Promise<{ sha256: string; reply: string }> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    let reply = '';
    sock.on('secureConnect', () => sock.write('ping\n'));
    sock.on('data', (d: Buffer) => (reply += d.toString()));
    sock.on('end', () => resolve({ sha256: sha256(sock.getPeerCertificate().raw), reply }));
    sock.on('error', reject);
  });
}

void t.test('through the same tlspeek, a client with SNI is not terminated: it sees the upstream certificate', async (t) => {
  const p = await startInjectProxy(t, ingress.upstream, inject());
  const withSni = await peek(p.port, NAME);
  t.equal(withSni.sha256, vhostSha, 'SNI client sees the virtual host certificate');
  t.equal(withSni.reply, 'hello from api.example.com\n');
  const withoutSni = await peek(p.port, null);
  t.equal(withoutSni.sha256, served.sha256, 'the client without SNI sees tlspeek certificate');
  t.equal(withoutSni.reply, 'hello from api.example.com\n');
  const recs = await p.records(2);
  const bySni = new Map(recs.map((r) => [r.hello?.sni ?? null, r]));
  t.match(bySni.get(NAME), { mode: 'passthrough', outcome: 'established', hello: { sni: NAME } });
  t.notOk('inject' in bySni.get(NAME)!, 'passthrough records carry no inject object');
  t.match(bySni.get(null), { mode: 'inject', outcome: 'established' });
});

void t.test('ALPN: the upstream is offered what the client offered, the client gets what the upstream chose', async (t) => {
  const vhost = await tlsServer(t, { ...vhostCert, ALPNProtocols: ['http/1.1'] }, NAME);
  const up = await helloReactor(t, 'reset', (h) => h.sni === null, vhost);
  const p = await startInjectProxy(t, up.upstream, inject());
  const alpn = await new Promise<string | false>((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port: p.port, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
    sock.on('secureConnect', () => {
      resolve(sock.alpnProtocol ?? false);
      sock.end();
    });
    sock.on('error', reject);
  });
  t.equal(alpn, 'http/1.1');
  const [rec] = await p.records(1);
  t.match(rec, { mode: 'inject', hello: { alpn: ['h2', 'http/1.1'] }, server: { alpn: 'http/1.1' } });
});
