/** pino set-up: JSON lines on stdout, batched off the event loop, written out on stop. */
import pino, { type DestinationStream, type Logger } from 'pino';
import { LineSink } from './line-sink.js';

export type { Logger };

export interface LoggerHandle {
  readonly logger: Logger;
  /** Writes out anything pending; await it before exit. */
  readonly end: () => Promise<void>;
}

export function createLogger(level: string, destination?: DestinationStream): LoggerHandle {
  if (destination) {
    return { logger: pino({ level, base: undefined }, destination), end: () => Promise.resolve() };
  }
  // Batched writes from libuv's thread pool, as proxies write access logs:
  // records go out once 256 KiB wait or every 100 ms, quick enough for a person
  // tailing. A reader that has gone (EPIPE) costs the records, not the traffic.
  const sink = new LineSink(1, (err) => {
    process.stderr.write(`tlspeek: cannot write log lines to stdout (${err.code ?? err.message}); they are lost from now on, connections are still forwarded\n`);
  });
  return { logger: pino({ level, base: undefined }, sink), end: () => sink.end() };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
