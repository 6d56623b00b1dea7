/** The text report: aligned columns, plain unless asked, client-controlled strings made printable. */
import t from 'tap';
import { formatReport, printable } from '../../src/report/format.js';
import { ReportBuilder } from '../../src/report/summary.js';
import { hello, line, noSniReset, record } from './fixtures/records.js';

function text(lines: string[], color = false): string {
  const b = new ReportBuilder('tlspeek.log');
  for (const l of lines) b.line(l);
  return formatReport(b.build(), { color });
}

const sample = [
  ...Array.from({ length: 97 }, (_, i) => line(record({ client: { address: `10.0.0.${i}`, port: 1 } }))),
  line(noSniReset('10.1.2.3')),
  line(noSniReset('10.1.2.3')),
  line(noSniReset('10.200.200.200')),
  'not json',
];

void t.test('sections, and numbers right-aligned in their columns', async (t) => {
  const out = text(sample);
  t.match(out, /^tlspeek report: tlspeek\.log\n/);
  t.match(out, /^ {2}from 2025-11-22T08:00:00\.000Z to 2025-11-22T08:00:00\.000Z$/m);
  t.match(out, /101 lines read, 100 connection records, 1 line skipped \(1 not JSON\)/);
  for (const heading of ['Outcomes', 'Causes (% of all connections)', 'non_sni_client: 3 connections (3.0%), server_reset 3', 'Negotiated on established connections', 'Timings (ms)']) {
    t.ok(out.split('\n').includes(heading), heading);
  }
  const lines = out.split('\n');
  const outcomes = lines.slice(lines.indexOf('Outcomes') + 1, lines.indexOf('Causes (% of all connections)') - 1);
  t.same(outcomes.map((l) => l.trim().split(/\s+/)), [
    ['established', '97', '97.0%'],
    ['server_reset', '3', '3.0%'],
  ]);
  t.equal(outcomes[0]!.length, outcomes[1]!.length, 'percent columns end together');
  t.match(out, /^ {2}established\s+97\s+97\.0%$/m);
  t.match(out, /^ {2}client {2}10\.1\.2\.3\s+2\s+66\.7%$/m);
  t.match(out, /^ {10}10\.200\.200\.200\s+1\s+33\.3%$/m, 'continuation rows leave the label blank');
  t.match(out, /^ {2}SNI {5}\(no SNI\)/m);
  t.match(out, /^ {2}hint {4}The client sent no SNI .* \[id [0-9a-f]{6}\]$/m);
  t.notMatch(out, /\x1b/, 'no escape sequences when not a terminal');
});

void t.test('bold headings for a terminal', async (t) => {
  t.match(text(sample, true), /\x1b\[1mOutcomes\x1b\[0m/);
});

void t.test('more values than rows: the rest in one line', async (t) => {
  const lines = Array.from({ length: 8 }, (_, i) => line(noSniReset(`10.1.2.${i}`)));
  t.match(text(lines), /^ {10}\(3 others\)\s+3\s+37\.5%$/m);
});

void t.test('no connection records', async (t) => {
  const out = text(['{"level":30,"msg":"tlspeek proxy started"}']);
  t.match(out, /1 line read, 0 connection records, 1 line skipped \(1 other message\)/);
  t.match(out, /no connection records/);
  t.notMatch(out, /Outcomes/);
});

void t.test('an SNI with terminal escapes is shown escaped, in the table and in the hint', async (t) => {
  const evil = 'a\x1b]0;pwned\x07\x9b31m\u202eb';
  const rec = record({ hello: hello({ sni: evil }), outcome: 'server_alert', cause: 'sni_unrecognized', hint: `The server has no virtual host for SNI "${evil}"` });
  const out = text([line(rec)]);
  t.notMatch(out, /[\x1b\x07\x9b\u202e]/);
  t.match(out, 'a\\x1b]0;pwned\\x07\\x9b31m\\u202eb');
  t.equal(printable('api.example.com'), 'api.example.com');
});

void t.test('long values are cut in tables', async (t) => {
  const long = `${'x'.repeat(200)}.example.com`;
  const out = text([line(record({ hello: hello({ sni: long }), outcome: 'server_alert', cause: 'sni_unrecognized' }))]);
  t.match(out, `${'x'.repeat(63)}…`);
  t.notMatch(out, 'x'.repeat(64));
});
