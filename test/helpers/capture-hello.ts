/** A raw TCP listener that records a client's first flight, decodes it, then drops the connection. */
import net from 'node:net';
import { ClientHelloReader, type HelloDecision } from '../../src/tls/client-hello.js';

export interface HelloCapture {
  readonly port: number;
  /** Resolves with the next connection's decoded first flight. */
  next(): Promise<HelloDecision>;
  close(): Promise<void>;
}

export async function listenForHello(): Promise<HelloCapture> {
  const waiting: ((d: HelloDecision) => void)[] = [];
  const server = net.createServer((sock) => {
    const reader = new ClientHelloReader(1 << 16);
    const settle = (d: HelloDecision) => {
      sock.removeAllListeners('data');
      sock.destroy();
      waiting.shift()?.(d);
    };
    sock.on('data', (chunk: Buffer) => {
      const p = reader.push(chunk);
      if (p.state !== 'need-more') settle(p);
    });
    sock.on('end', () => settle(reader.end()));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
