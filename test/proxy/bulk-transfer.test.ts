/** 256 MiB each way through tlspeek over TLS: what arrives hashes the same as what was sent. */
import { createHash, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import t from 'tap';
import { makePki } from '../helpers/pki.js';
import { startTestProxy } from '../helpers/proxy.js';
import { type Listening } from '../helpers/servers.js';
import net from 'node:net';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);
const TOTAL = 256 * 1024 * 1024;
const BLOCK = randomBytes(1024 * 1024);

/** Resolves on 'drain' or 'close', whichever comes first, and leaves no listener behind. */
function drainOrClose(sock: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    const go = (): void => {
      sock.off('drain', go);
      sock.off('close', go);
      resolve();
    };
    sock.once('drain', go);
    sock.once('close', go);
  });
}

/** Writes TOTAL bytes (a varying pattern) with backpressure; returns their SHA-256. */
async function send(sock: tls.TLSSocket): Promise<string> {
  const h = createHash('sha256');
  for (let sent = 0, i = 0; sent < TOTAL; sent += BLOCK.length, i++) {
    const chunk = Buffer.from(BLOCK);
    chunk.writeUInt32BE(i, 0);
    h.update(chunk);
    if (sock.destroyed) break;
    if (!sock.write(chunk)) await drainOrClose(sock);
  }
  sock.end();
  return h.digest('hex');
}

function receive(sock: tls.TLSSocket): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    let bytes = 0;
    sock.on('data', (d: Buffer) => {
      h.update(d);
      bytes += d.length;
    });
    // 'close' without 'end' (a destroyed connection) resolves too: short counts fail the test at once instead of hanging it.
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      resolve({ sha256: h.digest('hex'), bytes });
    };
    sock.once('end', done);
    sock.once('close', done);
  });
}

void t.test('256 MiB server -> client and 256 MiB client -> server', async (t) => {
  let serverSentP: Promise<string> = Promise.resolve('');
  let serverGotP: Promise<{ sha256: string; bytes: number }> = Promise.resolve({ sha256: '', bytes: 0 });
  const server = tls.createServer({ ...leaf, allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    serverGotP = receive(s);
    serverSentP = send(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const up: Listening = { port: (server.address() as net.AddressInfo).port, upstream: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } };
  const proxy = await startTestProxy(t, up.upstream);

  // Half-open, like the server: the download can finish first, and a socket that is not
  // ends its own side on the server's FIN, cutting the upload short (seen: 160 of 256 MiB).
  // tls.connect honours allowHalfOpen; @types/node leaves it out of ConnectionOptions.
  const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = { host: '127.0.0.1', port: proxy.port, servername: 'api.example.com', ca: pki.ca.cert, allowHalfOpen: true };
  const client = tls.connect(options);
  await new Promise((r) => client.once('secureConnect', r));
  const [clientGot, clientSent] = await Promise.all([receive(client), send(client)]);
  const [serverGot, serverSent] = await Promise.all([serverGotP, serverSentP]);
  client.destroy();
  t.equal(clientGot.bytes, TOTAL);
  t.equal(clientGot.sha256, serverSent, 'server -> client SHA-256 matches');
  t.equal(serverGot.bytes, TOTAL);
  t.equal(serverGot.sha256, clientSent, 'client -> server SHA-256 matches');
  const [rec] = await proxy.records(1, 30000);
  t.match(rec, { outcome: 'established' });
  t.ok(rec!.bytesFromServer > TOTAL && rec!.bytesFromClient > TOTAL, 'byte counts include the TLS overhead');
});
