/**
 * `--probe`: in TLS 1.3 the chain and the client's rejection are encrypted, so
 * the wire alone can say no more than "unknown" or a generic certificate alert.
 * After such a failure tlspeek fetches the chain itself and names the fault
 * the server was configured with. Real servers (Node `tls`), real clients
 * (GnuTLS, whose TLS 1.3 alerts are encrypted; OpenSSL, whose are not).
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import type { ProbeFinding } from '../../src/probe/report.js';
import { gnutlsClient, nodeClient, opensslClient } from '../helpers/clients.js';
import { expiredValidity, makePki, makeSelfSigned, notYetValidValidity } from '../helpers/certs.js';
import { type Rec, startTestProxy } from '../helpers/proxy.js';
import { throughProxy } from '../helpers/scenario.js';
import { helloReactor, type Listening, rawServer, tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Probe' });
const roots = loadTrustStore(pki.rootPem);
const probe = {};
const TLS13_ONLY = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

function leaf(names: string[], validity?: { notBefore: Date; notAfter: Date }) {
  const issued = pki.issueLeaf(validity ? { names, validity } : { names });
  return { cert: issued.pem + pki.intermediatePem, key: issued.keyPem };
}
const selfSigned = makeSelfSigned({ names: ['api.example.com'] });

const faults: { name: string; server: { cert: string; key: string }; sni: string; cause: string }[] = [
  { name: 'wrong host', server: leaf(['other.example.com']), sni: 'api.example.com', cause: 'hostname_mismatch' },
  { name: 'leaf without its intermediate', server: { cert: pki.issueLeaf({ names: ['api.example.com'] }).pem, key: pki.leafKeyPem }, sni: 'api.example.com', cause: 'incomplete_chain' },
  { name: 'expired leaf', server: leaf(['api.example.com'], expiredValidity()), sni: 'api.example.com', cause: 'expired_certificate' },
  { name: 'not-yet-valid leaf', server: leaf(['api.example.com'], notYetValidValidity()), sni: 'api.example.com', cause: 'expired_certificate' },
  { name: 'self-signed leaf', server: { cert: selfSigned.pem, key: selfSigned.keyPem }, sni: 'api.example.com', cause: 'untrusted_certificate' },
  { name: 'wildcard mismatch (two labels deep)', server: leaf(['*.example.com']), sni: 'a.b.example.com', cause: 'hostname_mismatch' },
];

function rootFile(t: Test): string {
  const file = join(t.testdir(), 'root.pem');
  writeFileSync(file, pki.rootPem);
  return file;
}

const chainOf = (r: Rec): Extract<ProbeFinding, { kind: 'chain' }> | undefined =>
  r.probe?.findings.find((f): f is Extract<ProbeFinding, { kind: 'chain' }> => f.kind === 'chain');

for (const f of faults) {
  void t.test(`TLS 1.3, ${f.name}, GnuTLS client (encrypted alert): probed -> ${f.cause}`, async (t) => {
    const up = await tlsServer(t, { ...f.server, ...TLS13_ONLY });
    const args = ['--sni-hostname', f.sni, '--verify-hostname', f.sni, '--x509cafile', rootFile(t), '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3'];
    const s = await throughProxy(t, up, (port) => gnutlsClient(port, args), {}, { roots, probe });
    t.not(s.direct.exitCode, 0, 'the client refuses');
    t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
    t.match(s.record, { outcome: 'client_alert', clientAlert: { encrypted: true }, server: { version: 'TLSv1.3', certificates: [] } });
    t.equal(s.record.cause, f.cause, 'the probe names the configured fault');
    t.match(s.record.hint, /encrypted alert.*probe/);
    t.equal(s.record.probe?.cached, false, 'a probe ran for this connection');
    const chain = chainOf(s.record);
    t.same(chain?.problems, [f.cause], 'the fetched chain shows that fault and nothing else');
    t.equal(chain?.source, 'tls-connect', 'fetched by a TLS 1.3 handshake: the server takes nothing older');
  });

  void t.test(`TLS 1.3, ${f.name}, OpenSSL client (alert in clear): ${f.cause}`, async (t) => {
    const up = await tlsServer(t, { ...f.server, ...TLS13_ONLY });
    const args = ['-tls1_3', '-servername', f.sni, '-verify_hostname', f.sni, '-CAfile', rootFile(t), '-verify_return_error'];
    const s = await throughProxy(t, up, (port) => opensslClient(port, args), {}, { roots, probe });
    t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
    t.equal(s.record.outcome, 'client_alert');
    t.equal(s.record.cause, f.cause, `client alert ${String(s.record.clientAlert?.code)} refined by the probed chain`);
    t.ok(s.record.probe, 'the record says it was probed');
    t.same(chainOf(s.record)?.problems, [f.cause]);
  });
}

void t.test('TLS 1.3, wildcard match: established, never probed', async (t) => {
  const server = await tlsServer(t, { ...leaf(['*.example.com']), ...TLS13_ONLY });
  let connections = 0;
  const counted = await rawServer(t, (sock) => {
    connections++;
    const onward = net.connect(server.port, '127.0.0.1');
    onward.on('error', () => sock.destroy());
    sock.pipe(onward).pipe(sock);
  });
  const proxy = await startTestProxy(t, counted.upstream, {}, { roots, probe });
  const view = await opensslClient(proxy.port, ['-tls1_3', '-servername', 'a.example.com', '-verify_hostname', 'a.example.com', '-CAfile', rootFile(t), '-verify_return_error']);
  const [record] = await proxy.records(1);
  t.equal(view.exitCode, 0);
  t.match(record, { outcome: 'established', cause: null });
  t.notOk(record && 'probe' in record, 'no probe field');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(connections, 1, 'the upstream saw the client only');
});

void t.test('a TLS 1.0-only server: protocol_mismatch from the wire, confirmed by the probe', async (t) => {
  const up = await tlsServer(t, { ...leaf(['api.example.com']), ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1' });
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com' }), {}, { roots, probe });
  t.equal(s.proxied.error, s.direct.error);
  t.match(s.record, { outcome: 'server_alert', cause: 'protocol_mismatch', server: { alert: { code: 70 } } });
  t.match(s.record.probe?.findings, [{ kind: 'version_check', offered: ['TLSv1.3', 'TLSv1.2'], common: false }]);
});

void t.test('a single-cipher server: cipher_mismatch from the wire, confirmed by the probe', async (t) => {
  const up = await tlsServer(t, { ...leaf(['api.example.com']), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
  const client = (port: number) => nodeClient(port, { servername: 'api.example.com', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
  const s = await throughProxy(t, up, client, {}, { roots, probe });
  t.match(s.record, { outcome: 'server_alert', cause: 'cipher_mismatch' });
  const check = s.record.probe?.findings.find((x) => x.kind === 'cipher_check');
  t.match(check, { offered: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], common: false });
  t.match(s.record.probe?.findings.find((x) => x.kind === 'version_check'), { common: true }, 'the version is fine: only the suite is missing');
});

void t.test('an SNI-only ingress resetting non-SNI clients: non_sni_client, the probe shows SNI is required', async (t) => {
  const backend = await tlsServer(t, { ...leaf(['api.example.com']), ...TLS13_ONLY });
  const ingress = await helloReactor(t, 'reset', (hello) => hello.sni === null, backend);
  const s = await throughProxy(t, ingress, (port) => nodeClient(port, { servername: '' }), {}, { roots, probe });
  t.equal(s.proxied.error, s.direct.error);
  t.match(s.record, { outcome: 'server_reset', cause: 'non_sni_client' });
  t.match(s.record.probe?.findings.find((x) => x.kind === 'sni_check'), { without: { outcome: 'reset' }, with: { answer: { outcome: 'server_hello' } }, required: true });
});

void t.test('one probe per upstream + SNI: repeats use the cache, concurrent failures share one probe', async (t) => {
  const up = await tlsServer(t, { ...leaf(['other.example.com']), ...TLS13_ONLY });
  const proxy = await startTestProxy(t, up.upstream, {}, { roots, probe });
  const args = ['--sni-hostname', 'api.example.com', '--verify-hostname', 'api.example.com', '--x509cafile', rootFile(t), '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3'];
  await Promise.all([1, 2, 3].map(() => gnutlsClient(proxy.port, args)));
  const together = await proxy.records(3);
  t.same(together.map((r) => r.probe?.cached).sort(), [false, true, true], 'three failures at once: one probe ran');
  t.ok(together.every((r) => r.cause === 'hostname_mismatch'));
  await gnutlsClient(proxy.port, args);
  const [again] = await proxy.records(1);
  t.match(again, { cause: 'hostname_mismatch', probe: { cached: true } }, 'a later failure: from the cache');
});

void t.test('stopping the proxy cuts a slow probe short and still writes the record', async (t) => {
  // The first connection (the client's) is reset after its hello; every later one (the probe's) hears nothing.
  let seen = 0;
  const up: Listening = await rawServer(t, (sock) => {
    if (seen++ === 0) sock.once('data', () => sock.resetAndDestroy());
  });
  const proxy = await startTestProxy(t, up.upstream, {}, { probe });
  await nodeClient(proxy.port, { servername: 'api.example.com' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  await proxy.proxy.stop(100);
  t.ok(Date.now() - started < 2000, `stopped in ${Date.now() - started} ms (a probe connection waits up to 3 s)`);
  const [record] = await proxy.records(1, 1000);
  t.match(record, { outcome: 'server_reset', cause: 'unknown', probe: { cached: false } });
  t.ok(seen > 1, 'the probe had connected');
});
