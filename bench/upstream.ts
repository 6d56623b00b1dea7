/**
 * The bench's TLS upstream, run as its own process so it does not share an
 * event loop (or a core) with the clients.
 *
 *   node dist/bench/upstream.js --key KEY.pem --cert CERT.pem
 *
 * Prints `listening PORT` once bound to 127.0.0.1. After the handshake the
 * client's first byte picks the behaviour:
 *   'E'  echo every later byte back (request/response);
 *   'S'  read an 8-byte big-endian count, send that many bytes, then end;
 *   'U'  read an 8-byte big-endian count, take that many bytes, answer 'K', then end.
 * A client that sends nothing is simply held open (idle connections).
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { key: { type: 'string' }, cert: { type: 'string' } } });
if (!values.key || !values.cert) {
  process.stderr.write('usage: upstream --key KEY.pem --cert CERT.pem\n');
  process.exit(2);
}

/** Bulk payload: large writes, so the cost is TLS and the relay, not write calls. */
const BLOCK = Buffer.alloc(256 * 1024, 0x61);

const server = tls.createServer({ key: readFileSync(values.key), cert: readFileSync(values.cert), minVersion: 'TLSv1.2' }, (socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let mode: 'unknown' | 'echo' | 'stream' | 'sink' = 'unknown';
  let header: Buffer = Buffer.alloc(0);
  let sinkLeft = 0;
  const sink = (n: number): void => {
    sinkLeft -= n;
    if (sinkLeft <= 0) socket.end('K');
  };
  socket.on('data', (chunk: Buffer) => {
    if (mode === 'echo') {
      socket.write(chunk);
      return;
    }
    if (mode === 'sink') return sink(chunk.length);
    if (mode === 'stream') return;
    header = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
    if (header[0] === 0x45 /* 'E' */) {
      mode = 'echo';
      if (header.length > 1) socket.write(header.subarray(1));
      return;
    }
    if (header[0] === 0x53 /* 'S' */) {
      if (header.length < 9) return;
      mode = 'stream';
      streamTo(socket, Number(header.readBigUInt64BE(1)));
      return;
    }
    if (header[0] === 0x55 /* 'U' */) {
      if (header.length < 9) return;
      mode = 'sink';
      sinkLeft = Number(header.readBigUInt64BE(1));
      sink(header.length - 9);
      return;
    }
    socket.destroy();
  });
});
server.on('tlsClientError', () => undefined);

function streamTo(socket: tls.TLSSocket, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, BLOCK.length);
      left -= n;
      if (!socket.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
