/**
 * `tlspeek probe` as a process: the text report's sections, the JSON
 * document, exit 0 clean / 1 a cause or no server / 2 usage.
 */
import { join } from 'node:path';
import t from 'tap';
import type { ProbeReport } from '../../src/probe/report.js';
import { makePki } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Probe CLI' });

void t.test('a clean server: exit 0, JSON; the default SNI for an IP literal is none', async (t) => {
  const dir = t.testdir({ 'root.pem': pki.rootPem });
  const up = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem });
  const r = await runCli(['probe', `127.0.0.1:${up.port}`, '--ca', join(dir, 'root.pem'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ProbeReport;
  t.match(report, { target: `127.0.0.1:${up.port}`, servername: null, cause: null, causes: [], error: null, chain: { name: '127.0.0.1', verdict: 'ok' } });
  t.same(Object.keys(report), ['target', 'address', 'servername', 'error', 'versions', 'ciphers', 'sni', 'alpn', 'chain', 'causes', 'cause', 'hint', 'incomplete', 'connections', 'durationMs'], 'stable field order');
});

void t.test('a wrong-host certificate: exit 1, the text report with every section and the cause', async (t) => {
  const dir = t.testdir({ 'root.pem': pki.rootPem });
  const up = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem });
  const r = await runCli(['probe', `127.0.0.1:${up.port}`, '--servername', 'api.example.com', '--ca', join(dir, 'root.pem'), '--timeout', '3000']);
  t.equal(r.code, 1);
  for (const section of [/^versions$/m, /^cipher suites$/m, /^SNI$/m, /^ALPN$/m, /^certificate chain$/m]) t.match(r.stdout, section);
  t.match(r.stdout, /^ {2}TLSv1\.2 +yes$/m);
  t.match(r.stdout, /host name +MISMATCH: "api\.example\.com" is not covered/);
  t.match(r.stdout, /^cause: hostname_mismatch$/m);
  t.match(r.stdout, /^hint: The certificate "CN=localhost"/m);
});

void t.test('nothing listening: exit 1, a clear message, cause none', async (t) => {
  const port = await closedPort();
  const r = await runCli(['probe', `127.0.0.1:${port}`, '--json']);
  t.equal(r.code, 1);
  t.match(JSON.parse(r.stdout), { error: { kind: 'unreachable', message: /cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/ }, cause: null });
});

void t.test('usage errors: exit 2, one line, no stack', async (t) => {
  const dir = t.testdir({ 'empty.pem': 'not a certificate\n' });
  for (const args of [
    ['probe', '127.0.0.1:443', '--servername', 'a.example', '--no-servername'],
    ['probe', '127.0.0.1'],
    ['probe', '127.0.0.1:443', '--ca', join(dir, 'missing.pem')],
    ['probe', '127.0.0.1:443', '--ca', join(dir, 'empty.pem')],
    ['probe', '127.0.0.1:443', '--timeout', '0'],
    ['probe'],
  ]) {
    const r = await runCli(args);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.notMatch(r.stderr, /\n\s+at /);
  }
});
