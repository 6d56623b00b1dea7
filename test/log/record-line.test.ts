/**
 * Connection records are written by tlspeek's own writer: each line must be the
 * line pino writes for the same record (pino is the reference), records from
 * real handshakes included, and the logger's level must still decide.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { LineSink } from '../../src/log/line-sink.js';
import { logRecord, recordLine } from '../../src/log/record-line.js';
import { startProxy } from '../../src/proxy/listener.js';
import type { ConnectionRecord } from '../../src/proxy/session.js';
import { nodeClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { TEST_LIMITS } from '../helpers/proxy.js';
import { tlsServer } from '../helpers/servers.js';

/** What pino writes for `record` logged at info as `connection` at `time`. */
function pinoLine(record: object, time: number, options: pino.LoggerOptions = {}): string {
  let line = '';
  const logger = pino({ level: 'info', base: undefined, timestamp: () => `,"time":${time}`, ...options }, { write: (s: string) => (line = s) });
  logger.info(record, 'connection');
  return line;
}

/** A pino logger whose destination keeps the raw lines. */
function rawLogger(level = 'info') {
  const lines: string[] = [];
  return { lines, logger: pino({ level, base: undefined }, { write: (s: string) => lines.push(s) }) };
}

void t.test('records of real TLS 1.2 and 1.3 handshakes: the same bytes pino writes', async (t) => {
  const pki = makePki();
  const leaf = pki.leaf(['api.example.com']);
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const up = await tlsServer(t, { ...leaf, maxVersion: version, minVersion: version });
    const { lines, logger } = rawLogger();
    const records: ConnectionRecord[] = [];
    const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream: up.upstream, limits: TEST_LIMITS, logger, onRecord: (r) => records.push(r) });
    // Twice: the second record copies the certificates and lists serialised for the first.
    for (let i = 0; i < 2; i++) {
      const view = await nodeClient(proxy.address.port, { servername: 'api.example.com', ca: pki.ca.cert, rejectUnauthorized: true });
      t.equal(view.received, 'hello from upstream\n', `${version} #${i + 1}: handshake done`);
    }
    await proxy.stop(1000);
    t.equal(records.length, 2, `${version}: two records`);
    t.equal(lines.length, 2, `${version}: two lines`);
    for (const [i, line] of lines.entries()) {
      const time = (JSON.parse(line) as { time: number }).time;
      t.equal(line, pinoLine(records[i]!, time), `${version} #${i + 1}: byte for byte pino's line`);
    }
    if (version === 'TLSv1.2') t.match(JSON.parse(lines[1]!), { server: { certificates: [{ subject: 'CN=api.example.com' }] } }, 'certificates in the line');
  }
});

void t.test('escapes, non-ASCII and absent fields as pino writes them', async (t) => {
  const record = {
    id: 'abc123',
    hello: { sni: 'caf\u00e9.example', alpn: ['h2', 'x"y\\z'], ja3String: null },
    hint: 'line\nbreak \u2028 and \ud83d\ude00',
    cause: null,
    notTls: undefined,
    durationMs: 12.3,
    handshakeMs: -0,
    bytesFromClient: 2 ** 40,
  };
  t.equal(recordLine(record, 1_700_000_000_123), pinoLine(record, 1_700_000_000_123));
});

void t.test('err is written as the record declares it, not through pino\'s Error serialiser', async (t) => {
  const record = { outcome: 'upstream_unreachable', err: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' } };
  const line = recordLine(record, 1);
  t.same((JSON.parse(line) as { err: unknown }).err, record.err);
  t.equal(line, pinoLine(record, 1, { serializers: { err: (e: unknown) => e } }), 'pino without its err serialiser writes the same');
  t.match(pinoLine(record, 1), /"type":"Object"/, "pino's default would add type and stack");
});

void t.test('logRecord obeys the logger level and writes to its destination', async (t) => {
  const record = { id: 'x', outcome: 'established' };
  const info = rawLogger('info');
  logRecord(info.logger, record);
  t.equal(info.lines.length, 1, 'info: one line');
  t.match(JSON.parse(info.lines[0]!), { level: 30, msg: 'connection', id: 'x', outcome: 'established' });
  const warn = rawLogger('warn');
  logRecord(warn.logger, record);
  t.equal(warn.lines.length, 0, 'warn: nothing');
});

void t.test("into tlspeek's own sink the line goes as bytes: the file holds pino's line, non-ASCII included", async (t) => {
  const file = path.join(t.testdir(), 'records.jsonl');
  const fd = fs.openSync(file, 'w');
  t.teardown(() => fs.closeSync(fd));
  const sink = new LineSink(fd, () => undefined);
  const logger = pino({ level: 'info', base: undefined }, sink);
  const records = [
    { id: 'a', hello: { sni: 'api.example.com' }, outcome: 'established' },
    { id: 'b', hello: { sni: 'caf\u00e9.example' }, hint: 'line\nbreak \u2028 \ud83d\ude00', outcome: 'server_alert' },
    { id: 'c', outcome: 'not_tls', notTls: { reason: 'x'.repeat(5000), code: 'NOT_TLS', firstBytes: '474554' } },
  ];
  for (const r of records) logRecord(logger, r);
  await sink.end();
  const lines = fs.readFileSync(file, 'utf8').split(/(?<=\n)/);
  t.equal(lines.length, records.length, 'one line per record');
  for (const [i, l] of lines.entries()) {
    const time = (JSON.parse(l) as { time: number }).time;
    t.equal(l, pinoLine(records[i]!, time), `record ${records[i]!.id}: byte for byte pino's line`);
  }
});

void t.test('a record the writer cannot take still reaches the log, through pino', async (t) => {
  const { lines, logger } = rawLogger();
  logRecord(logger, { id: 'big', size: 10n as unknown as number });
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /"id":"big"/);
});
