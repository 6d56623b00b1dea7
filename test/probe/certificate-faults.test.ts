/**
 * Servers configured with one certificate fault each; the probe's report
 * names that cause and nothing else. Node servers speak TLS 1.2 and 1.3 (the
 * chain is read in clear from the 1.2 probe); TLS 1.3-only servers make the
 * probe fetch the chain with Node's client; one server is `openssl s_server`.
 * The probe trusts the test root, as an operator would with --ca.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import { diagnoseUpstream, quickProbe } from '../../src/probe/scan.js';
import type { ProbeReport } from '../../src/probe/report.js';
import { expiredValidity, makePki, makeSelfSigned, notYetValidValidity } from '../helpers/certs.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Probe Faults' });
const roots = loadTrustStore(pki.rootPem);
const SNI = 'api.example.com';

function leaf(names: string[], validity?: { notBefore: Date; notAfter: Date }) {
  const issued = pki.issueLeaf(validity ? { names, validity } : { names });
  return { cert: issued.pem + pki.intermediatePem, key: issued.keyPem };
}

const selfSigned = makeSelfSigned({ names: [SNI] });

const cases: { name: string; cert: string; key: string; sni: string; cause: string; hint: RegExp }[] = [
  { name: 'wrong host', ...leaf(['other.example.com']), sni: SNI, cause: 'hostname_mismatch', hint: /other\.example\.com/ },
  { name: 'leaf without its intermediate', cert: pki.issueLeaf({ names: [SNI] }).pem, key: pki.leafKeyPem, sni: SNI, cause: 'incomplete_chain', hint: /Intermediate CA/ },
  { name: 'expired leaf', ...leaf([SNI], expiredValidity()), sni: SNI, cause: 'expired_certificate', hint: /expired/ },
  { name: 'not-yet-valid leaf', ...leaf([SNI], notYetValidValidity()), sni: SNI, cause: 'expired_certificate', hint: /not valid before/ },
  { name: 'self-signed leaf', cert: selfSigned.pem, key: selfSigned.keyPem, sni: SNI, cause: 'untrusted_certificate', hint: /self-signed/ },
  { name: 'wildcard mismatch (two labels deep)', ...leaf(['*.example.com']), sni: 'a.b.example.com', cause: 'hostname_mismatch', hint: /\*\.example\.com/ },
];

function assertOnly(t: Test, report: ProbeReport, cause: string, hint: RegExp): void {
  t.same(report.causes, [cause], `the report names ${cause} and nothing else`);
  t.equal(report.cause, cause);
  t.match(report.hint, hint, 'the hint names the certificate at fault');
  t.equal(report.chain?.verdict, cause, 'the chain check agrees');
  t.equal(report.error, null);
}

for (const c of cases) {
  void t.test(`${c.name}: ${c.cause}`, async (t) => {
    const up = await tlsServer(t, { cert: c.cert, key: c.key });
    const report = await diagnoseUpstream(up.upstream, { servername: c.sni, roots });
    assertOnly(t, report, c.cause, c.hint);
    t.match(report.chain, { source: 'handshake', version: 'TLSv1.2', orderAsSent: true, name: c.sni });
    t.same(report.versions.filter((v) => v.accepted).map((v) => v.version), ['TLSv1.2', 'TLSv1.3']);
  });
}

void t.test('wildcard match: clean', async (t) => {
  const up = await tlsServer(t, leaf(['*.example.com']));
  const report = await diagnoseUpstream(up.upstream, { servername: 'a.example.com', roots });
  t.same(report.causes, []);
  t.equal(report.cause, null);
  t.match(report.chain, { verdict: 'ok', problems: [], name: 'a.example.com' });
});

void t.test('TLS 1.3 only: the chain comes from a Node handshake, and the faults still show', async (t) => {
  const wrong = await tlsServer(t, { ...leaf(['other.example.com']), minVersion: 'TLSv1.3' });
  const r1 = await diagnoseUpstream(wrong.upstream, { servername: SNI, roots });
  assertOnly(t, r1, 'hostname_mismatch', /other\.example\.com/);
  t.match(r1.chain, { source: 'tls-connect', version: 'TLSv1.3', orderAsSent: false });
  t.same(r1.versions.filter((v) => v.accepted).map((v) => v.version), ['TLSv1.3']);

  const missing = await tlsServer(t, { cert: pki.issueLeaf({ names: [SNI] }).pem, key: pki.leafKeyPem, minVersion: 'TLSv1.3' });
  assertOnly(t, await diagnoseUpstream(missing.upstream, { servername: SNI, roots }), 'incomplete_chain', /Intermediate CA/);
});

void t.test('quickProbe (what --probe runs) confirms the same causes in TLS 1.2 and 1.3', async (t) => {
  const expired = await tlsServer(t, leaf([SNI], expiredValidity()));
  const q1 = await quickProbe(expired.upstream, { servername: SNI, roots });
  t.equal(q1.cause, 'expired_certificate');
  t.match(q1.findings, [{ kind: 'chain', source: 'handshake', verdict: 'expired_certificate' }]);
  t.ok(q1.connections <= 6);

  const wrong13 = await tlsServer(t, { ...leaf(['other.example.com']), minVersion: 'TLSv1.3' });
  const q2 = await quickProbe(wrong13.upstream, { servername: SNI, roots, clientVersions: [0x0304, 0x0303], clientCiphers: [0x1301, 0x1302, 0xc02f] });
  t.equal(q2.cause, 'hostname_mismatch');
  t.match(q2.findings, [
    { kind: 'version_check', common: true },
    { kind: 'cipher_check', common: true },
    { kind: 'chain', source: 'tls-connect', verdict: 'hostname_mismatch' },
  ]);
});

/** A port nothing listens on right now, for a server that needs a fixed one. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `openssl s_server` on 127.0.0.1 serving `certFile` alone (no -cert_chain); killed at teardown. */
async function opensslServer(t: Test, certFile: string, keyFile: string): Promise<{ host: string; port: number }> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', certFile, '-key', keyFile, '-naccept', '100'], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openssl s_server did not start')), 5000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`openssl s_server exited with ${code}`)));
  });
  return { host: '127.0.0.1', port };
}

void t.test('openssl s_server with the leaf alone: incomplete_chain', async (t) => {
  const dir = t.testdir();
  const issued = pki.issueLeaf({ names: [SNI] });
  writeFileSync(join(dir, 'leaf.pem'), issued.pem);
  writeFileSync(join(dir, 'leaf.key'), issued.keyPem);
  const up = await opensslServer(t, join(dir, 'leaf.pem'), join(dir, 'leaf.key'));
  const report = await diagnoseUpstream(up, { servername: SNI, roots });
  assertOnly(t, report, 'incomplete_chain', /Intermediate CA/);
  t.equal(report.chain?.certificates.length, 1, 'one certificate sent');
});
