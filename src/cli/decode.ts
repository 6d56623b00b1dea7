/** `tlspeek decode [FILE] [--hex] [--server]`: one JSON document describing a first flight. */
import type { Command } from 'commander';
import { helloJson } from '../log/hello-json.js';
import { serverJson } from '../log/server-json.js';
import { ClientHelloReader } from '../tls/client-hello.js';
import { FlightWatcher } from '../tls/flight-watcher.js';
import { parseHex, readInput } from './input.js';

/** Largest input decode accepts: a generous multiple of any real first flight. */
const MAX_INPUT = 1 << 20;

export interface DecodeResult {
  /** The JSON document to print, when something was decoded. */
  readonly json: unknown;
  /** Why the bytes are not a ClientHello / server flight; null when they are. */
  readonly problem: string | null;
}

export function decodeClientFlight(bytes: Buffer): DecodeResult {
  const reader = new ClientHelloReader(MAX_INPUT);
  const pushed = reader.push(bytes);
  const p = pushed.state === 'need-more' ? reader.end() : pushed;
  if (p.state === 'not-tls') return { json: null, problem: `not a ClientHello: ${p.error.message}` };
  return { json: helloJson(p.hello, p.bytes, p.records), problem: null };
}

export function decodeServerFlight(bytes: Buffer): DecodeResult {
  const w = new FlightWatcher('server', { maxBuffered: MAX_INPUT });
  w.push(bytes);
  w.end();
  const f = w.facts;
  const json = serverJson(f, { reset: false });
  if (f.records === 0 || (f.serverHello === null && f.helloRetryRequest === null && f.alert === null)) {
    return { json: null, problem: `not a server flight: ${f.error?.message ?? 'no ServerHello or alert'}` };
  }
  return { json, problem: f.error ? `server flight is damaged: ${f.error.message}` : null };
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description("decode a client's first flight (or a server's with --server) and print it as JSON")
    .argument('[file]', 'raw bytes as captured (stdin when absent or -)')
    .option('--hex', 'input is hex text (whitespace ignored)')
    .option('--server', "input is a server's first flight")
    .action(async (file: string | undefined, opts: { hex?: boolean; server?: boolean }) => {
      const raw = await readInput(file);
      const bytes = opts.hex ? parseHex(raw.toString('latin1')) : raw;
      const result = opts.server ? decodeServerFlight(bytes) : decodeClientFlight(bytes);
      if (result.json !== null) process.stdout.write(JSON.stringify(result.json, null, 2) + '\n');
      if (result.problem !== null) {
        process.stderr.write(`tlspeek decode: ${result.problem}\n`);
        process.exitCode = 1;
      }
    });
}
