/**
 * The baseline a passthrough proxy is judged against: the least a Node TCP
 * proxy can do. Accept, dial the upstream, `a.pipe(b).pipe(a)`; no parsing, no
 * logging. `setNoDelay(true)` on both sides as tlspeek does, so small
 * request/response traffic is compared without Nagle in one of them.
 *
 *   node dist/bench/baseline-pipe.js --upstream 127.0.0.1:PORT
 *
 * Prints `listening PORT` once bound to 127.0.0.1.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { isMain } from './lib/paths.js';

export function startPipeProxy(upstreamPort: number, onListening: (port: number) => void): net.Server {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1', () => onListening((server.address() as net.AddressInfo).port));
  return server;
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
  const port = Number(/:(\d+)$/.exec(values.upstream ?? '')?.[1]);
  if (!Number.isInteger(port) || port <= 0) {
    process.stderr.write('usage: baseline-pipe --upstream 127.0.0.1:PORT\n');
    process.exit(2);
  }
  startPipeProxy(port, (p) => process.stdout.write(`listening ${p}\n`));
  process.on('SIGTERM', () => process.exit(0));
}
