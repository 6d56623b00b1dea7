/**
 * The server-side read buffers passthrough connections share (src/proxy/read-buffers.ts):
 * a buffer goes back for the next connection only when nothing holds it, and a
 * reused buffer never shows a new connection anything but its own bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import t from 'tap';
import { ReadBufferPool, SERVER_READ_BUFFERS } from '../../src/proxy/read-buffers.js';
import { startTestProxy } from '../helpers/proxy.js';
import { rawServer } from '../helpers/servers.js';
import { clientHelloMessage, record, sniExtension } from '../helpers/tls-bytes.js';

const hello = record(22, clientHelloMessage({ extensions: [sniExtension('api.example.com')] }), 0x0301);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Sends the hello through the proxy and resolves with everything the server sent back, at its FIN. */
function fetchThrough(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const c = net.connect(port, '127.0.0.1', () => c.write(hello));
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('end', () => {
      c.end();
      resolve(Buffer.concat(chunks));
    });
    c.on('error', reject);
  });
}

void t.test('the pool: a buffer given back is the next one taken; it keeps at most `keep`, of its own size only', async (t) => {
  const pool = new ReadBufferPool(16, 2);
  const a = pool.take();
  const b = pool.take();
  const c = pool.take();
  t.equal(a.length, 16, 'buffers of the pool size');
  t.not(a, b, 'distinct buffers while none was given back');
  pool.give(a);
  t.equal(pool.take(), a, 'the buffer given back is reused');
  pool.give(a);
  pool.give(b);
  pool.give(c);
  t.equal(pool.kept, 2, 'no more than keep are kept');
  pool.give(Buffer.alloc(8));
  t.equal(pool.kept, 2, 'a buffer of another size is not kept');
  t.ok([a, b].includes(pool.take()) && pool.kept === 1, 'what is kept is what was given back first');
});

void t.test('connections one after another reuse one buffer, and each client gets exactly its own server bytes', async (t) => {
  const payloads: Buffer[] = [];
  const up = await rawServer(t, (sock) => {
    sock.once('data', () => {
      // Distinct bytes per connection, more than one read buffer's worth: stale bytes would show.
      const payload = randomBytes(300 * 1024 + payloads.length * 7919);
      payloads.push(payload);
      sock.end(payload);
    });
  });
  const proxy = await startTestProxy(t, up.upstream);
  const keptBefore = SERVER_READ_BUFFERS.kept;
  for (let i = 0; i < 6; i++) {
    const received = await fetchThrough(proxy.port);
    await proxy.records(1);
    t.equal(sha256(received), sha256(payloads[i]!), `connection ${i + 1}: the client received exactly its server's ${payloads[i]!.length} bytes`);
    t.equal(SERVER_READ_BUFFERS.kept, Math.min(keptBefore + 1, SERVER_READ_BUFFERS.keep), `connection ${i + 1}: its buffer went back, and the next connection takes it`);
  }
});

void t.test('a client reset while a write to it was pending: the next connection reuses the buffer and gets exactly its own bytes', async (t) => {
  const payload = randomBytes(700 * 1024);
  let connections = 0;
  const up = await rawServer(t, (sock) => {
    sock.on('error', () => undefined);
    // The first connection: far more than the client's and the proxy's socket
    // buffers take, so a write to the client is pending when the client resets.
    // The second: its own bytes.
    const first = connections++ === 0;
    sock.once('data', () => (first ? sock.write(Buffer.alloc(32 * 1024 * 1024, 0x17)) : sock.end(payload)));
  });
  const proxy = await startTestProxy(t, up.upstream);
  const keptBefore = SERVER_READ_BUFFERS.kept;
  const flooded = net.connect(proxy.port, '127.0.0.1', () => flooded.write(hello));
  flooded.on('error', () => undefined);
  flooded.pause(); // reads nothing
  await new Promise((r) => setTimeout(r, 500));
  flooded.resetAndDestroy();
  const [first] = await proxy.records(1);
  t.ok(first!.bytesFromServer > 0, `the proxy had read ${first!.bytesFromServer} bytes from the server into the buffer`);
  // It took a kept buffer (the earlier test left one) or a new one, and gave it back.
  t.equal(SERVER_READ_BUFFERS.kept, Math.max(keptBefore, 1), 'its buffer went back once the cancelled write let go of it');
  const received = await fetchThrough(proxy.port);
  await proxy.records(1);
  t.equal(sha256(received), sha256(payload), 'the next client received exactly its own server bytes');
});
