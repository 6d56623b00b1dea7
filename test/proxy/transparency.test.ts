/**
 * tlspeek changes nothing either side sees at the TCP level: an upstream RST
 * reaches the client as an RST (not a FIN), a FIN stays a FIN, half-close works
 * both ways, and a client's RST resets the upstream side.
 */
import net from 'node:net';
import t from 'tap';
import { startTestProxy } from '../helpers/proxy.js';
import { rawClient } from '../helpers/raw-client.js';
import { rawServer } from '../helpers/servers.js';
import { clientHelloMessage, record, sniExtension } from '../helpers/tls-bytes.js';

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
