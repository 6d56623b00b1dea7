/** pino set-up: JSON lines on stdout, asynchronous, flushed on stop. */
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
  // Asynchronous writes keep logging off the relay's hot path; no minimum
  // length, so a person tailing the log sees each record as it is written.
  const dest = pino.destination({ dest: 1, sync: false });
  return { logger: pino({ level, base: undefined }, dest), flush: () => dest.flushSync() };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
