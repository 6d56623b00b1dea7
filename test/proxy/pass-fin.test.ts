/**
 * passFin on real loopback sockets: a FIN passed to a side that has finished
 * sending reaches it after every byte written to it, as a FIN, never a reset,
 * whether the bytes wait in the kernel or still in Node.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import t, { type Test } from 'tap';
import { passFin } from '../../src/proxy/pass-fin.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A connected pair: `near` (the proxy's socket) and `far` (its peer, allowHalfOpen). */
async function pair(t: Test): Promise<{ near: net.Socket; far: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const far = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((r) => far.once('connect', r));
  const near = await accepted;
  t.teardown(() => (near.destroy(), far.destroy()));
  return { near, far };
}

/** The peer's FIN arrives at `near` (it has sent everything): resolves at `near`'s end event. */
function peerEnds(near: net.Socket, far: net.Socket): Promise<void> {
  near.resume();
  const ended = new Promise<void>((r) => near.once('end', r));
  far.end();
  return ended;
}

/** What `far` reads from now on, and how its reading ends. */
function readAll(far: net.Socket): Promise<{ bytes: Buffer; ended: string }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    far.on('data', (d: Buffer) => chunks.push(d));
    far.on('end', () => resolve({ bytes: Buffer.concat(chunks), ended: 'fin' }));
    far.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes: Buffer.concat(chunks), ended: err.code ?? 'error' }));
    far.resume();
  });
}

void t.test('bytes waiting in the kernel when the socket is closed: all of them, then FIN', async (t) => {
  const { near, far } = await pair(t);
  far.pause();
  await peerEnds(near, far);
  const data = randomBytes(200 * 1024); // fits in loopback socket buffers
  await new Promise<void>((r) => near.write(data, () => r()));
  t.equal(near.writableLength, 0, 'Node holds nothing: the kernel took it all');
  passFin(near, true);
  t.ok(near.destroyed, 'closed rather than half-closed');
  const got = await readAll(far);
  t.equal(got.ended, 'fin', 'the peer sees FIN, not a reset');
  t.equal(sha256(got.bytes), sha256(data), 'every byte, in order');
});

void t.test('bytes still waiting in Node: a half-close, and all of them, then FIN', async (t) => {
  const { near, far } = await pair(t);
  far.pause();
  await peerEnds(near, far);
  const data = randomBytes(32 * 1024 * 1024); // far more than the socket buffers take
  near.write(data);
  t.ok(near.writableLength > 0, `Node holds ${near.writableLength} bytes`);
  passFin(near, true);
  t.notOk(near.destroyed, 'not closed while a write waits');
  const got = await readAll(far);
  t.equal(got.ended, 'fin');
  t.equal(sha256(got.bytes), sha256(data), 'every byte, in order');
});

void t.test('a side that has not finished sending gets a half-close: it can go on sending', { timeout: 10_000 }, async (t) => {
  const { near, far } = await pair(t);
  near.resume();
  const fromFar: Buffer[] = [];
  near.on('data', (d: Buffer) => fromFar.push(d));
  const nearEnded = new Promise((r) => near.once('end', r));
  const farSawFin = new Promise((r) => far.once('end', r));
  far.resume();
  passFin(near, false);
  await farSawFin;
  t.notOk(near.destroyed, 'half-closed, not closed');
  far.end('still talking');
  await nearEnded;
  t.equal(Buffer.concat(fromFar).toString(), 'still talking', 'what the peer sent after our FIN arrived');
});
