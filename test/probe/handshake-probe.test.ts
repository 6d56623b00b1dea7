/**
 * One probe connection against servers that answer each way a real server
 * can: ServerHello (TLS 1.2 with its flight, TLS 1.3, HelloRetryRequest), a
 * fatal alert, RST, FIN, silence, nothing listening, not TLS, and a flood.
 * Plus the runner's limits: concurrency and the time budget.
 */
import t from 'tap';
import { probeHello } from '../../src/probe/handshake-probe.js';
import { ProbeRunner } from '../../src/probe/runner.js';
import { TLS12_SUITES, TLS13_SUITES } from '../../src/probe/suites.js';
import { ProtocolVersion as V } from '../../src/tls/constants.js';
import { makePki } from '../helpers/certs.js';
import { closedPort, helloReactor, rawServer, tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Handshake Probe' });
const tls12 = { versions: [V.TLSv1_2], cipherSuites: TLS12_SUITES, servername: 'localhost' };
const tls13 = { versions: [V.TLSv1_3], cipherSuites: TLS13_SUITES, servername: 'localhost' };

void t.test('TLS 1.2: reads the whole first flight, certificates and CertificateRequest included', async (t) => {
  const up = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem, requestCert: true, rejectUnauthorized: false, ca: pki.rootPem });
  const r = await probeHello(up.upstream, tls12, { timeoutMs: 3000 });
  t.match(r, { outcome: 'server_hello', serverHello: { version: V.TLSv1_2 }, certificateRequested: true });
  t.equal(r.certificates?.length, 2);
  t.notOk(r.alert);
  t.ok(r.bytes > 1000, 'the flight with its chain');
});

void t.test('TLS 1.3: stops at the ServerHello; HelloRetryRequest when the key share does not suit', async (t) => {
  const up = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem, ecdhCurve: 'P-256' });
  const hrr = await probeHello(up.upstream, tls13, { timeoutMs: 3000 });
  t.match(hrr, { outcome: 'server_hello', helloRetry: true, serverHello: { version: V.TLSv1_3 } }, 'x25519 share, P-256 only: HRR');
  const plain = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem });
  const r = await probeHello(plain.upstream, tls13, { timeoutMs: 3000 });
  t.match(r, { outcome: 'server_hello', helloRetry: false, serverHello: { version: V.TLSv1_3 } });
});

void t.test('refusals: alert, reset, close', async (t) => {
  const alert = await helloReactor(t, { alert: 112 });
  t.match(await probeHello(alert.upstream, tls12, { timeoutMs: 3000 }), { outcome: 'alert', alert: { level: 2, code: 112 } });
  const reset = await helloReactor(t, 'reset');
  t.match(await probeHello(reset.upstream, tls12, { timeoutMs: 3000 }), { outcome: 'reset', error: 'ECONNRESET' });
  const closed = await helloReactor(t, 'close');
  t.match(await probeHello(closed.upstream, tls12, { timeoutMs: 3000 }), { outcome: 'closed' });
});

void t.test('a warning alert does not end the read; the fatal one after it does', async (t) => {
  const up = await rawServer(t, (sock) => {
    sock.once('data', () => sock.end(Buffer.from([21, 3, 3, 0, 2, 1, 112, 21, 3, 3, 0, 2, 2, 40])));
  });
  t.match(await probeHello(up.upstream, tls12, { timeoutMs: 3000 }), { outcome: 'alert', alert: { level: 2, code: 40 } });
});

void t.test('silence: timeout at the deadline; nothing listening: unreachable', async (t) => {
  const silent = await helloReactor(t, 'silent');
  const r = await probeHello(silent.upstream, tls12, { timeoutMs: 300 });
  t.equal(r.outcome, 'timeout');
  t.ok(r.ms >= 290 && r.ms < 1500, `ended at the deadline (${r.ms} ms)`);
  const port = await closedPort();
  t.match(await probeHello({ host: '127.0.0.1', port }, tls12, { timeoutMs: 3000 }), { outcome: 'unreachable', error: 'ECONNREFUSED' });
});

void t.test('not TLS: an HTTP answer; a flood of bytes stops at the cap', async (t) => {
  const http = await rawServer(t, (sock) => sock.once('data', () => sock.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  t.match(await probeHello(http.upstream, tls12, { timeoutMs: 3000 }), { outcome: 'not_tls' });

  const flood = await rawServer(t, (sock) => {
    // A ServerHello-ish handshake record that never ends: 16 KiB records of zeros, forever.
    const chunk = Buffer.concat([Buffer.from([22, 3, 3, 0x40, 0x00]), Buffer.alloc(0x4000)]);
    const pump = () => {
      while (!sock.destroyed && sock.write(chunk));
      if (!sock.destroyed) sock.once('drain', pump);
    };
    sock.once('data', pump);
  });
  const r = await probeHello(flood.upstream, tls12, { timeoutMs: 3000, maxBytes: 64 * 1024 });
  t.equal(r.outcome, 'not_tls');
  t.ok(r.bytes < 64 * 1024 + 256 * 1024, `stopped reading (${r.bytes} bytes)`);
  t.ok(r.ms < 2000, 'well before the deadline');
});

void t.test('the runner keeps at most `concurrency` connections open and stops at the budget', async (t) => {
  let open = 0;
  let peak = 0;
  const slow = await rawServer(t, (sock) => {
    open++;
    peak = Math.max(peak, open);
    sock.once('data', () =>
      setTimeout(() => {
        open--;
        sock.resetAndDestroy();
      }, 40),
    );
  });
  const runner = new ProbeRunner(slow.upstream, { concurrency: 4, timeoutMs: 2000, budgetMs: 10_000 });
  const results = await Promise.all(Array.from({ length: 12 }, () => runner.hello(tls12)));
  t.ok(results.every((r) => r.outcome === 'reset'));
  t.equal(peak, 4, 'four at a time');
  t.equal(runner.connections, 12);

  const silent = await helloReactor(t, 'silent');
  const budgeted = new ProbeRunner(silent.upstream, { concurrency: 2, timeoutMs: 5000, budgetMs: 200 });
  const started = Date.now();
  const late = await Promise.all(Array.from({ length: 6 }, () => budgeted.hello(tls12)));
  t.ok(Date.now() - started < 1500, 'the budget bounds the run, not 3 x the per-connection deadline');
  t.ok(late.some((r) => r.error === 'budget'), 'probes after the budget are not tried');
  t.equal(budgeted.exhausted, true);
});
