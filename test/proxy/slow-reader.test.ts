/**
 * A peer that stops reading must not make tlspeek buffer without bound: the
 * other side is paused instead. Measured from outside: how much a fast sender
 * manages to hand off while the receiver reads nothing. Without backpressure
 * tlspeek would swallow it all (hundreds of MiB); with it, only socket buffers
 * on both legs plus tlspeek's own high-water marks can fill.
 */
import net from 'node:net';
import t from 'tap';
import { startTestProxy } from '../helpers/proxy.js';
import { rawServer } from '../helpers/servers.js';
import { clientHelloMessage, record, sniExtension } from '../helpers/tls-bytes.js';

const hello = record(22, clientHelloMessage({ extensions: [sniExtension('api.example.com')] }), 0x0301);
const CHUNK = Buffer.alloc(64 * 1024, 0x17);
const BOUND = 48 * 1024 * 1024;

/** Writes as fast as the socket accepts for `ms`; returns bytes the kernel took (written minus still queued). */
function flood(sock: net.Socket, ms: number): Promise<number> {
  return new Promise((resolve) => {
    const until = Date.now() + ms;
    const pump = () => {
      while (Date.now() < until && sock.write(CHUNK));
      if (Date.now() < until) sock.once('drain', pump);
    };
    pump();
    setTimeout(() => resolve(sock.bytesWritten - sock.writableLength), ms);
  });
}

void t.test('client stops reading while the server floods', async (t) => {
  let handedOff = 0;
  let serverSock: net.Socket | null = null;
  const floodDone = new Promise<void>((resolve) => {
    void rawServer(t, (sock) => {
      serverSock = sock;
      sock.once('data', () => void flood(sock, 1500).then((n) => ((handedOff = n), resolve())));
    }).then(async (up) => {
      const proxy = await startTestProxy(t, up.upstream);
      const client = net.connect(proxy.port, '127.0.0.1');
      client.on('error', () => undefined);
      client.write(hello);
      client.pause(); // reads nothing
      t.teardown(() => client.destroy());
    });
  });
  await floodDone;
  t.ok(handedOff > 0, `server handed off ${(handedOff / 1048576).toFixed(1)} MiB`);
  t.ok(handedOff < BOUND, 'bounded: tlspeek did not swallow the flood');
  (serverSock as net.Socket | null)?.destroy();
});

void t.test('server stops reading while the client floods', async (t) => {
  let clientHandedOff = 0;
  const up = await rawServer(t, (sock) => sock.pause());
  const proxy = await startTestProxy(t, up.upstream);
  const client = net.connect(proxy.port, '127.0.0.1');
  client.on('error', () => undefined);
  t.teardown(() => client.destroy());
  await new Promise((r) => client.once('connect', r));
  client.write(hello);
  clientHandedOff = await flood(client, 1500);
  t.ok(clientHandedOff < BOUND, `client handed off ${(clientHandedOff / 1048576).toFixed(1)} MiB: bounded`);
});
