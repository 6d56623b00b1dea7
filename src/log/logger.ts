/** pino set-up: JSON lines on stdout, asynchronous, flushed on stop. */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerHandle {
  readonly logger: Logger;
  /** Writes out anything buffered; call before exit. */
  flush(): void;
}

export function createLogger(level: string, destination?: DestinationStream): LoggerHandle {
  if (destination) {
    return { logger: pino({ level, base: undefined }, destination), flush: () => undefined };
  }
  // Asynchronous writes keep logging off the relay's hot path; flushSync at stop.
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  return { logger: pino({ level, base: undefined }, dest), flush: () => dest.flushSync() };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
