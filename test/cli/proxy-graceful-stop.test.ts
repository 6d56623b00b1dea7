/** `tlspeek proxy` as a process: start-up line, one record per connection, graceful SIGTERM/SIGINT. */
import tls from 'node:tls';
import t, { type Test } from 'tap';
import type { ConnectionRecord } from '../../src/proxy/session.js';
import { runCli, startProxyCli } from '../helpers/cli.js';
import { makePki } from '../helpers/pki.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);

/** The CLI proxy in front of the upstream at `upstreamPort`. */
const startCli = (t: Test, upstreamPort: number, extra: string[] = []) => startProxyCli(t, ['--upstream', `127.0.0.1:${upstreamPort}`, ...extra]);

void t.test('start-up line, then SIGTERM with a connection open: it finishes, its record is written, exit 0', async (t) => {
  const up = await tlsServer(t, leaf);
  const { child, lines, port, exited, startLine } = await startCli(t, up.port);
  t.match(startLine, { level: 30, version: /^\d+\.\d+\.\d+/, upstream: `127.0.0.1:${up.port}`, limits: { helloTimeoutMs: 10000, handshakeTimeoutMs: 15000, maxHelloBytes: 65536 } });

  const sock = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
  await new Promise((r) => sock.once('secureConnect', r));
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(lines.some((l) => l.msg === 'connection'), 'the open connection is not cut at once');
  sock.write('ping\n');
  const reply = await new Promise<string>((resolve) => sock.once('data', (d: Buffer) => resolve(d.toString())));
  t.equal(reply, 'hello from upstream\n', 'the open connection keeps working during the grace period');
  sock.destroy();
  t.equal(await exited, 0, 'exit 0');
  const recs = lines.filter((l) => l.msg === 'connection');
  t.equal(recs.length, 1, 'its record was written');
  t.match(recs[0], { outcome: 'established' });
  t.ok(lines.some((l) => l.msg === 'tlspeek proxy stopped'), 'a stop line');
  t.equal(lines.filter((l) => l.level === 30 && !['connection', 'tlspeek proxy started', 'tlspeek proxy stopping', 'tlspeek proxy stopped'].includes(String(l.msg))).length, 0, 'nothing else at info level');
});

void t.test('a record reaches stdout while the proxy runs, within a second of the connection closing (tail -f)', async (t) => {
  const up = await tlsServer(t, leaf);
  const { child, lines, port, exited } = await startCli(t, up.port);
  const sock = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
  await new Promise((r) => sock.once('secureConnect', r));
  sock.destroy();
  const closedAt = Date.now();
  while (!lines.some((l) => l.msg === 'connection') && Date.now() - closedAt < 1000) await new Promise((r) => setTimeout(r, 10));
  t.ok(lines.some((l) => l.msg === 'connection'), `record written ${Date.now() - closedAt} ms after the close, the proxy still running`);
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

void t.test('stdout closed by its reader (EPIPE): connections still flow, stderr says the records are lost, SIGTERM still exits 0', async (t) => {
  const up = await tlsServer(t, leaf);
  const { child, port, exited, stderr } = await startCli(t, up.port);
  child.stdout.destroy();
  const roundTrip = async () => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
    await new Promise((r) => sock.once('secureConnect', r));
    sock.write('ping\n');
    const reply = await new Promise<string>((resolve) => sock.once('data', (d: Buffer) => resolve(d.toString())));
    sock.destroy();
    return reply;
  };
  t.equal(await roundTrip(), 'hello from upstream\n', 'a first connection');
  for (let i = 0; i < 100 && !stderr().includes('cannot write'); i++) await new Promise((r) => setTimeout(r, 20));
  t.match(stderr(), /cannot write log lines to stdout \(EPIPE\)/, 'the loss is reported on stderr');
  t.equal(await roundTrip(), 'hello from upstream\n', 'a connection after the failure is still forwarded');
  t.equal(stderr().match(/cannot write/g)?.length, 1, 'reported once');
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

void t.test('SIGINT with a connection that outlives the grace period: aborted, recorded, exit 0', async (t) => {
  const up = await tlsServer(t, leaf);
  const { child, lines, port, exited } = await startCli(t, up.port, ['--shutdown-grace', '300']);
  const sock = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('secureConnect', r));
  child.kill('SIGINT');
  t.equal(await exited, 0);
  t.equal(lines.filter((l) => l.msg === 'connection').length, 1, 'the aborted connection still has its record');
  sock.destroy();
});

void t.test('--probe: a failed TLS 1.3 handshake is probed and the record says so; a good one is not', async (t) => {
  const wrongHost = pki.leaf(['other.example.com']);
  const up = await tlsServer(t, { ...wrongHost, minVersion: 'TLSv1.3' });
  const dir = t.testdir({ 'ca.pem': pki.ca.cert });
  const { child, lines, port, exited, startLine } = await startCli(t, up.port, ['--probe', '--upstream-ca', `${dir}/ca.pem`]);
  t.equal(startLine.probe, true, 'the start-up line says probing is on');
  const rejecting = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
  const error = await new Promise<NodeJS.ErrnoException>((resolve) => rejecting.once('error', resolve));
  t.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID', 'Node rejects the name');
  const good = tls.connect({ host: '127.0.0.1', port, servername: 'other.example.com', ca: pki.ca.cert });
  await new Promise((r) => good.once('secureConnect', r));
  good.write('ping\n');
  await new Promise((r) => good.once('data', r));
  good.destroy();
  for (let i = 0; i < 100 && lines.filter((l) => l.msg === 'connection').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  const recs = lines.filter((l) => l.msg === 'connection') as ConnectionRecord[];
  const failed = recs.find((r) => r.hello?.sni === 'api.example.com');
  const ok = recs.find((r) => r.hello?.sni === 'other.example.com');
  t.match(ok, { outcome: 'established' });
  t.notOk(ok && 'probe' in ok, 'a successful handshake is never probed');
  t.match(failed, { outcome: 'client_closed', cause: 'hostname_mismatch', probe: { cached: false } }, 'Node closes without an alert; the probed chain says why');
  t.ok(failed?.probe?.findings.some((f) => f.kind === 'chain' && f.problems.includes('hostname_mismatch')), 'the probe fetched the chain and found the name missing');
});

void t.test('usage errors exit 2 with one line and no stack', async (t) => {
  for (const args of [
    ['proxy', '--listen', 'nonsense', '--upstream', '127.0.0.1:1'],
    ['proxy', '--upstream', '127.0.0.1:1'],
    ['proxy', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:1', '--hello-timeout', '-5'],
    ['proxy', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:1', '--log-level', 'loud'],
  ]) {
    const r = await runCli(args);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
