/**
 * tlspeek changes nothing either side sees at the TCP level: an upstream RST
 * reaches the client as an RST (not a FIN), a FIN stays a FIN, half-close works
 * both ways, and a client's RST resets the upstream side.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import t from 'tap';
import { startTestProxy } from '../helpers/proxy.js';
import { rawClient } from '../helpers/raw-client.js';
import { rawServer } from '../helpers/servers.js';
import { clientHelloMessage, record, sniExtension } from '../helpers/tls-bytes.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A syntactically valid ClientHello record, so the proxy goes into relay mode with watchers. */
const hello = record(22, clientHelloMessage({ extensions: [sniExtension('api.example.com')] }), 0x0301);

void t.test('upstream RST after the hello reaches the client as RST', async (t) => {
  const up = await rawServer(t, (sock) => sock.once('data', () => sock.resetAndDestroy()));
  const direct = await rawClient(up.port, hello);
  const proxy = await startTestProxy(t, up.upstream);
  const proxied = await rawClient(proxy.port, hello);
  t.equal(direct.ended, 'ECONNRESET');
  t.equal(proxied.ended, direct.ended, 'ECONNRESET, not a FIN');
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'server_reset', cause: 'unknown', server: { reset: true } });
});

void t.test('upstream FIN after the hello reaches the client as FIN', async (t) => {
  const up = await rawServer(t, (sock) => sock.once('data', () => sock.end()));
  const direct = await rawClient(up.port, hello);
  const proxy = await startTestProxy(t, up.upstream);
  const proxied = await rawClient(proxy.port, hello);
  t.equal(direct.ended, 'fin');
  t.equal(proxied.ended, 'fin');
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'server_closed', server: { reset: false } });
});

void t.test('client half-close: the upstream sees FIN and can still answer', async (t) => {
  const up = await rawServer(t, (sock) => {
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    // Answers only after the client's FIN, with what it received.
    sock.on('end', () => sock.end(Buffer.concat(got)));
  });
  const proxy = await startTestProxy(t, up.upstream);
  const view = await rawClient(proxy.port, Buffer.from('request then FIN'), { endAfterSend: true });
  t.equal(view.received.toString(), 'request then FIN', 'the answer sent after the client half-closed arrives');
  t.equal(view.ended, 'fin');
  await proxy.records(1);
});

void t.test("after the client's FIN, the server's answer and FIN arrive whole, whether the client reads at once or late", async (t) => {
  // 256 KiB fits in the kernel's socket buffers: tlspeek's writes are all taken
  // before the server's FIN arrives, and what is queued must still go out before
  // tlspeek's FIN. 32 MiB does not: writes are still waiting when the FIN comes.
  for (const size of [256 * 1024, 32 * 1024 * 1024]) {
    for (const readLate of [false, true]) {
      const answer = randomBytes(size);
      const up = await rawServer(t, (sock) => {
        sock.resume();
        sock.on('end', () => sock.end(answer));
      });
      const proxy = await startTestProxy(t, up.upstream);
      const got = await new Promise<{ bytes: Buffer; ended: string }>((resolve) => {
        const chunks: Buffer[] = [];
        const c = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true }, () => c.end(hello));
        c.on('data', (d: Buffer) => chunks.push(d));
        c.on('end', () => resolve({ bytes: Buffer.concat(chunks), ended: 'fin' }));
        c.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes: Buffer.concat(chunks), ended: err.code ?? 'error' }));
        if (readLate) {
          c.pause();
          setTimeout(() => c.resume(), 300);
        }
      });
      const what = `${size / 1024} KiB, client reading ${readLate ? 'after 300 ms' : 'at once'}`;
      t.equal(got.ended, 'fin', `${what}: the client sees FIN, not a reset`);
      t.equal(sha256(got.bytes), sha256(answer), `${what}: every byte of the answer, in order`);
      await proxy.records(1);
      await proxy.stop();
    }
  }
});

void t.test("after the server's FIN, the client's data and FIN reach the server whole", async (t) => {
  for (const size of [256 * 1024, 32 * 1024 * 1024]) {
    const data = randomBytes(size);
    let resolveGot: (b: Buffer) => void = () => undefined;
    const gotAll = new Promise<Buffer>((resolve) => (resolveGot = resolve));
    const up = await rawServer(t, (sock) => {
      const chunks: Buffer[] = [];
      sock.end(); // the server half-closes first
      // It reads late: the client's bytes wait in socket buffers (and in tlspeek) meanwhile.
      sock.pause();
      setTimeout(() => sock.resume(), 300);
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('end', () => resolveGot(Buffer.concat(chunks)));
    });
    const proxy = await startTestProxy(t, up.upstream);
    const c = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
    c.on('error', () => undefined);
    c.resume();
    c.on('end', () => c.end(data));
    const got = await gotAll;
    t.equal(sha256(got), sha256(data), `${size / 1024} KiB sent after the server's FIN: all of it reaches the server, then FIN`);
    await proxy.records(1);
    await proxy.stop();
  }
});

void t.test('server half-close: the client sees FIN and can still send', async (t) => {
  let upstreamGot = '';
  let resolveGot: (s: string) => void = () => undefined;
  const gotAll = new Promise<string>((resolve) => (resolveGot = resolve));
  const up = await rawServer(t, (sock) => {
    sock.end('bye'); // the server half-closes first
    sock.on('data', (d: Buffer) => (upstreamGot += d.toString()));
    sock.on('end', () => resolveGot(upstreamGot));
  });
  const proxy = await startTestProxy(t, up.upstream);
  const c = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
  let clientGot = '';
  c.on('data', (d: Buffer) => (clientGot += d.toString()));
  c.on('end', () => c.end('late data after server FIN'));
  c.on('error', () => undefined);
  c.write('x');
  t.equal(await gotAll, 'xlate data after server FIN', 'data sent after the server FIN still reaches it');
  t.equal(clientGot, 'bye');
  const [rec] = await proxy.records(1);
  t.equal(rec?.outcome, 'not_tls');
});

void t.test('client RST resets the upstream side', async (t) => {
  const upstreamSaw = new Promise<string>((resolve) => {
    void rawServer(t, (sock) => {
      sock.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      sock.on('end', () => resolve('fin'));
    }).then(async (up) => {
      const proxy = await startTestProxy(t, up.upstream);
      const c = net.connect(proxy.port, '127.0.0.1');
      c.on('error', () => undefined);
      c.write(hello, () => setTimeout(() => c.resetAndDestroy(), 100));
    });
  });
  t.equal(await upstreamSaw, 'ECONNRESET');
});
