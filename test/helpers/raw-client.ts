/** A plain TCP client that records what it received and how the connection ended (FIN or RST). */
import net from 'node:net';

export interface RawView {
  readonly received: Buffer;
  /** 'fin' when the peer ended cleanly, else the socket error code (ECONNRESET for an RST). */
  readonly ended: string;
  readonly ms: number;
}

export interface RawClientOptions {
  readonly endAfterSend?: boolean;
  /** Send only once the server has spoken (a greeting), not on connect. */
  readonly sendAfterGreeting?: boolean;
  readonly timeoutMs?: number;
}

export function rawClient(port: number, send: Buffer | null, opts: RawClientOptions = {}): Promise<RawView> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let done = false;
    const finish = (ended: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ received: Buffer.concat(chunks), ended, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('TIMEOUT'), opts.timeoutMs ?? 5000);
    const sendNow = () => {
      if (send) sock.write(send);
      if (opts.endAfterSend) sock.end();
    };
    if (!opts.sendAfterGreeting) sock.on('connect', sendNow);
    sock.on('data', (d: Buffer) => {
      if (opts.sendAfterGreeting && chunks.length === 0) sendNow();
      chunks.push(d);
    });
    sock.on('end', () => finish('fin'));
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? 'error'));
  });
}
