/** pino set-up: JSON lines on stdout, asynchronous and batched, flushed on stop. */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerHandle {
  readonly logger: Logger;
  /** Writes out anything buffered; call before exit. */
  readonly flush: () => void;
}

export function createLogger(level: string, destination?: DestinationStream): LoggerHandle {
  if (destination) {
    return { logger: pino({ level, base: undefined }, destination), flush: () => undefined };
  }
  // Asynchronous, batched writes, as proxies write access logs: each write is
  // a hand-off to libuv's thread pool and back, which under load cost more of
  // the event loop than the rest of a connection's bookkeeping. Records go out
  // once 32 KiB are waiting or every 100 ms, quick enough for a person tailing.
  const dest = pino.destination({ dest: 1, sync: false, minLength: 32 * 1024, maxWrite: 64 * 1024, periodicFlush: 100 });
  return { logger: pino({ level, base: undefined }, dest), flush: () => dest.flushSync() };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
