/**
 * Real servers that fail the way real software does (WIRE-FACTS.md): TLS
 * servers from Node's tls, and raw TCP servers that read the ClientHello and
 * then reset, close, or answer with a plaintext alert.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Test } from 'tap';
import { ClientHelloReader } from '../../src/tls/client-hello.js';
import type { ClientHello } from '../../src/tls/types.js';

export interface Listening {
  readonly port: number;
  readonly upstream: { host: string; port: number };
}

async function listen(t: Test, server: net.Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as net.AddressInfo).port;
  return { port, upstream: { host: '127.0.0.1', port } };
}

/** A Node TLS server answering each request line with a fixed body ('hello from <name>'). */
export async function tlsServer(t: Test, options: tls.TlsOptions, name = 'upstream'): Promise<Listening> {
  const server = tls.createServer(options, (sock) => {
    sock.on('error', () => undefined);
    sock.once('data', () => sock.end(`hello from ${name}\n`));
  });
  server.on('tlsClientError', () => undefined);
  return listen(t, server);
}

export type HelloReaction = 'reset' | 'close' | { alert: number } | 'silent';

/**
 * Reads the ClientHello, then reacts: RST (an Envoy-style SNI-only ingress that
 * peeks and closes), FIN (HAProxy tcp-request reject), a fatal alert in clear
 * (nginx ssl_reject_handshake), or nothing at all. `when` limits the reaction
 * to some hellos; the others are relayed to the `otherwise` backend, as an
 * ingress routes a recognised SNI to its virtual host.
 */
export async function helloReactor(
  t: Test,
  reaction: HelloReaction,
  when: (hello: ClientHello) => boolean = () => true,
  otherwise?: Listening,
): Promise<Listening> {
  const server = net.createServer((sock) => {
    const reader = new ClientHelloReader(1 << 16);
    const chunks: Buffer[] = [];
    sock.on('error', () => undefined);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const p = reader.push(chunk);
      if (p.state === 'need-more') return;
      sock.off('data', onData);
      if (p.state === 'complete' && !when(p.hello) && otherwise) {
        const backend = net.connect(otherwise.port, '127.0.0.1');
        backend.on('error', () => sock.destroy());
        backend.write(Buffer.concat(chunks));
        sock.pipe(backend).pipe(sock);
        return;
      }
      react(sock, reaction);
    };
    sock.on('data', onData);
  });
  return listen(t, server);
}

function react(sock: net.Socket, reaction: HelloReaction): void {
  if (reaction === 'reset') sock.resetAndDestroy();
  else if (reaction === 'close') sock.end();
  else if (reaction === 'silent') return;
  else sock.end(Buffer.from([21, 3, 3, 0, 2, 2, reaction.alert]));
}

/** A raw TCP server: `onConnection` gets each socket (for echo, HTTP, reset, half-close scenarios). */
export async function rawServer(t: Test, onConnection: (sock: net.Socket) => void): Promise<Listening> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('error', () => undefined);
    onConnection(sock);
  });
  return listen(t, server);
}

/** A port with nothing listening (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
