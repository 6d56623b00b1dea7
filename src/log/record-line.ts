/**
 * The connection record as one log line, in pino's format, written by
 * {@link JsonWriter} rather than by pino's `logger.info(record, 'connection')`.
 *
 * Why: on the handshake bench (2 cores shared by client, server and proxy) a
 * proxy that built its records without writing them (`--log-level warn`) served
 * 7 % more TLS 1.2 connections per second than one that wrote them: pino's
 * `JSON.stringify` of the 5 KB record, certificates included, was the largest
 * part of tlspeek's own cost per connection. The line is byte for byte what pino
 * writes for the same record (test/log/record-line.test.ts compares them), goes to
 * the logger's own destination, and obeys its level, so the log reads the same.
 *
 * One difference, on purpose: pino runs a key named `err` through its Error
 * serialiser, which turns the record's `{ code, message }` into
 * `{ type: "Object", message, stack: "", code }`. Here `err` is written as the
 * record declares it.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { JsonWriter } from './json-writer.js';

/** pino's number for `info`, which every connection record is logged at. */
const INFO = 30;
const HEAD = Buffer.from(`{"level":${INFO},"time":`, 'latin1');
const TAIL = Buffer.from(',"msg":"connection"}\n', 'latin1');
const COMMA = Buffer.from(',', 'latin1');

const writer = new JsonWriter();

/** `record` as pino would log it at info with message `connection`, at `time` (ms since the epoch). */
export function recordLine(record: object, time: number): string {
  writer.reset();
  writer.bytes(HEAD);
  writer.number(time);
  const fields = record as Record<string, unknown>;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    writer.bytes(COMMA);
    writer.key(key);
    writer.value(value, key);
  }
  writer.bytes(TAIL);
  return writer.text();
}

/** Logs a connection record through `logger`'s destination, when its level lets info through. */
export function logRecord(logger: Logger, record: object): void {
  if (!logger.isLevelEnabled('info')) return;
  let line: string;
  try {
    line = recordLine(record, Date.now());
  } catch {
    // A value the writer cannot take (it never happens with records as typed): pino's way.
    logger.info(record, 'connection');
    return;
  }
  // The destination pino itself writes to (documented in pino.symbols for such integrations).
  (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!.write(line);
}
