/**
 * The connection record as one log line, in pino's format, written by
 * {@link JsonWriter} rather than by pino's `logger.info(record, 'connection')`.
 *
 * Why: the parts of a record that repeat from connection to connection (the
 * upstream's certificates and chain check, the client's `hello`: most of a
 * 5 KB TLS 1.2 record) are serialised once and copied after, which pino cannot
 * do. A record takes ~6 µs in a quiet process against pino's 17-21 µs; under the
 * TLS 1.2 handshake bench tlspeek's CPU per connection fell from 901 to 859 µs.
 * The line is byte for byte what pino writes for the same record
 * (test/log/record-line.test.ts compares them), goes to the logger's own
 * destination, and obeys its level, so the log reads the same.
 *
 * Into tlspeek's own sink ({@link LineSink}, the proxy's stdout) the line goes
 * as the writer's UTF-8 bytes: a 5 KB string per record, made only to be
 * encoded again, was most of what a record allocated.
 *
 * One difference, on purpose: pino runs a key named `err` through its Error
 * serialiser, which turns the record's `{ code, message }` into
 * `{ type: "Object", message, stack: "", code }`. Here `err` is written as the
 * record declares it.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { JsonWriter } from './json-writer.js';
import { LineSink } from './line-sink.js';

/** pino's number for `info`, which every connection record is logged at. */
const INFO = 30;
const HEAD = Buffer.from(`{"level":${INFO},"time":`, 'latin1');
const TAIL = Buffer.from(',"msg":"connection"}\n', 'latin1');

const writer = new JsonWriter();

/** Writes `record` as pino would log it at info with message `connection`, at `time` (ms since the epoch). */
function writeLine(record: object, time: number): void {
  writer.reset();
  writer.bytes(HEAD);
  writer.number(time);
  writer.members(record, 0, true);
  writer.bytes(TAIL);
}

/** `record` as pino would log it at info with message `connection`, at `time` (ms since the epoch). */
export function recordLine(record: object, time: number): string {
  writeLine(record, time);
  return writer.text();
}

/** Logs a connection record through `logger`'s destination, when its level lets info through. */
export function logRecord(logger: Logger, record: object): void {
  if (!logger.isLevelEnabled('info')) return;
  try {
    writeLine(record, Date.now());
  } catch {
    // A value the writer cannot take (it never happens with records as typed): pino's way.
    logger.info(record, 'connection');
    return;
  }
  // The destination pino itself writes to (documented in pino.symbols for such integrations).
  const destination = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!;
  // tlspeek's own sink takes the bytes as they are; any other destination, pino's string.
  if (destination instanceof LineSink) destination.writeBytes(writer.view());
  else destination.write(writer.text());
}
