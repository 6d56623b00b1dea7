/** Silent clients, silent servers and dead upstreams end promptly with the right outcome. */
import net from 'node:net';
import t from 'tap';
import { nodeClient } from '../helpers/clients.js';
import { startTestProxy } from '../helpers/proxy.js';
import { rawClient } from '../helpers/raw-client.js';
import { closedPort, helloReactor, rawServer } from '../helpers/servers.js';

void t.test('a client that connects and says nothing: hello_timeout', async (t) => {
  const up = await rawServer(t, () => undefined);
  const proxy = await startTestProxy(t, up.upstream, { helloTimeoutMs: 300 });
  const view = await rawClient(proxy.port, null);
  t.ok(view.ms >= 250 && view.ms < 3000, `closed after ${view.ms} ms`);
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'hello_timeout', cause: null, hello: null });
});

void t.test('half a ClientHello, then silence: hello_timeout', async (t) => {
  const up = await rawServer(t, () => undefined);
  const proxy = await startTestProxy(t, up.upstream, { helloTimeoutMs: 300 });
  await rawClient(proxy.port, Buffer.from([22, 3, 1, 1, 0, 1, 0, 0]));
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'hello_timeout' });
});

void t.test('a client that connects and closes at once: client_closed; the upstream gets no byte', async (t) => {
  // In passthrough the upstream is dialled at accept, as a direct client's
  // connect would reach it; a client that leaves before a verdict sends it nothing.
  let received = 0;
  const up = await rawServer(t, (sock) => sock.on('data', (d: Buffer) => (received += d.length)));
  const proxy = await startTestProxy(t, up.upstream);
  await rawClient(proxy.port, null, { endAfterSend: true });
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'client_closed', hello: null });
  t.equal(received, 0);
});

void t.test('an upstream that accepts and never answers: upstream_timeout', async (t) => {
  const up = await helloReactor(t, 'silent');
  const proxy = await startTestProxy(t, up.upstream, { handshakeTimeoutMs: 300 });
  const view = await nodeClient(proxy.port, { servername: 'api.example.com' });
  t.ok(view.error, `client fails (${String(view.error)})`);
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'upstream_timeout', cause: null, hello: { sni: 'api.example.com' } });
});

void t.test('a closed upstream port: upstream_unreachable, client closed promptly', async (t) => {
  const port = await closedPort();
  const proxy = await startTestProxy(t, { host: '127.0.0.1', port });
  const started = Date.now();
  const view = await nodeClient(proxy.port, { servername: 'api.example.com' });
  t.ok(Date.now() - started < 2000, 'promptly');
  t.equal(view.error, 'ECONNRESET', 'the client sees its connection fail');
  const [rec] = await proxy.records(1);
  // The refusal comes back while the hello arrives; the client is reset once it is read, so the record has it.
  t.match(rec, { outcome: 'upstream_unreachable', cause: null, err: { code: 'ECONNREFUSED' }, hello: { sni: 'api.example.com' } });
});

void t.test('an unresolvable upstream host: upstream_unreachable', async (t) => {
  const proxy = await startTestProxy(t, { host: 'no-such-host.invalid', port: 443 });
  await nodeClient(proxy.port, { servername: 'api.example.com' });
  const [rec] = await proxy.records(1);
  t.match(rec, { outcome: 'upstream_unreachable', err: { code: /ENOTFOUND|EAI_AGAIN/ } });
});

void t.test('one bad client does not disturb another', async (t) => {
  const up = await rawServer(t, (sock) => {
    sock.on('data', (d: Buffer) => sock.write(d));
    sock.on('end', () => sock.end());
  });
  const proxy = await startTestProxy(t, up.upstream, { helloTimeoutMs: 500 });
  const silent = net.connect(proxy.port, '127.0.0.1');
  silent.on('error', () => undefined);
  const echo = await rawClient(proxy.port, Buffer.from('not tls at all'), { timeoutMs: 300 });
  t.equal(echo.received.toString(), 'not tls at all', 'the second client is served while the first one stalls');
  const recs = await proxy.records(2);
  t.same(recs.map((r) => r.outcome).sort(), ['hello_timeout', 'not_tls']);
  silent.destroy();
});
