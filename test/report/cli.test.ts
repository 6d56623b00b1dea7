/** `tlspeek report` as a process: stdin and files, plain and gzip, text and --json, filters, exit codes 0/1/2. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import type { ReportJson } from '../../src/report/summary.js';
import { runCli } from '../helpers/cli.js';
import { line, noSniReset, otherLine, record, T0 } from './fixtures/records.js';

const established = [line(record(), T0), line(record(), T0 + 1000)];
const mixed = [
  otherLine('tlspeek proxy started'),
  ...established,
  'garbage \x00\x01 line',
  line(noSniReset('10.1.2.3'), T0 + 2000),
  '',
  '{"msg":"connection"}',
  line(noSniReset('10.1.2.3'), T0 + 3000),
].join('\n');

void t.test('garbage lines are skipped and counted; a failure means exit 1', async (t) => {
  const r = await runCli(['report', '--json'], mixed);
  t.equal(r.code, 1);
  t.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as ReportJson;
  t.same(doc.connections, { total: 4, established: 2, failed: 2 });
  t.same(doc.lines.skipped, { total: 3, notJson: 1, otherMessages: 1, malformed: 1 });
  t.equal(doc.source, '-');
  t.same(doc.failures[0]?.clients.top, [{ value: '10.1.2.3', count: 2, percent: 100 }]);
});

void t.test('text by default', async (t) => {
  const r = await runCli(['report'], mixed);
  t.equal(r.code, 1);
  t.match(r.stdout, /3 lines skipped \(1 not JSON, 1 other message, 1 without an outcome\)/);
  t.match(r.stdout, /non_sni_client: 2 connections \(50\.0%\)/);
  t.notMatch(r.stdout, /\x1b\[/, 'no colour into a pipe');
});

void t.test('every connection established: exit 0', async (t) => {
  const r = await runCli(['report', '-'], established.join('\n') + '\n');
  t.equal(r.code, 0);
  t.match(r.stdout, /established\s+2\s+100\.0%/);
});

void t.test('empty input: exit 0, says so', async (t) => {
  const r = await runCli(['report']);
  t.equal(r.code, 0);
  t.match(r.stdout, /0 lines read, 0 connection records, 0 lines skipped/);
  t.match(r.stdout, /no connection records/);
  const j = await runCli(['report', '--json']);
  t.same((JSON.parse(j.stdout) as ReportJson).connections, { total: 0, established: 0, failed: 0 });
});

void t.test('a file, and a gzip-compressed rotated file', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'tlspeek.log'), mixed);
  writeFileSync(join(dir, 'tlspeek.log.1.gz'), gzipSync(mixed + '\n'));
  for (const name of ['tlspeek.log', 'tlspeek.log.1.gz']) {
    const r = await runCli(['report', '--json', join(dir, name)]);
    t.equal(r.code, 1, name);
    const doc = JSON.parse(r.stdout) as ReportJson;
    t.equal(doc.connections.total, 4, name);
    t.equal(doc.source, join(dir, name));
  }
});

void t.test('filters: --outcome, --since', async (t) => {
  const ok = await runCli(['report', '--json', '--outcome', 'established'], mixed);
  t.equal(ok.code, 0, 'only established connections counted');
  t.same((JSON.parse(ok.stdout) as ReportJson).lines.filteredOut, 2);
  const failed = await runCli(['report', '--json', '--outcome', 'failed'], mixed);
  t.same((JSON.parse(failed.stdout) as ReportJson).connections, { total: 2, established: 0, failed: 2 });
  const since = await runCli(['report', '--json', '--since', new Date(T0 + 2000).toISOString()], mixed);
  t.same((JSON.parse(since.stdout) as ReportJson).connections, { total: 2, established: 0, failed: 2 });
  const recent = await runCli(['report', '--json', '--since', '1h'], line(record(), Date.now() - 60_000) + '\n' + line(noSniReset('10.1.2.3'), T0));
  t.same((JSON.parse(recent.stdout) as ReportJson).connections, { total: 1, established: 1, failed: 0 });
  t.equal(recent.code, 0);
});

void t.test('unreadable input and bad flags: exit 2, one line, no stack', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'a-directory'));
  writeFileSync(join(dir, 'broken.gz'), Buffer.concat([gzipSync(mixed).subarray(0, 40), Buffer.from('not gzip any more')]));
  for (const [args, pattern] of [
    [['report', '/nonexistent/tlspeek.log'], /cannot read \/nonexistent\/tlspeek\.log: ENOENT/],
    [['report', join(dir, 'a-directory')], /EISDIR/],
    [['report', join(dir, 'broken.gz')], /cannot read .*broken\.gz: Z_/],
    [['report', '--outcome', 'exploded'], /--outcome expects failed or one of established, /],
    [['report', '--since', 'yesterday'], /--since expects/],
    [['report', '--top', '0'], /--top expects/],
  ] as const) {
    const r = await runCli([...args], '');
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.match(r.stderr, pattern);
    t.notMatch(r.stderr, /\n\s+at /);
    t.equal(r.stdout, '');
  }
});

void t.test('--help documents the exit status', async (t) => {
  const r = await runCli(['report', '--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /Exit status:\n\s+0 .*\n\s+1 .*failed\n\s+2 /);
});
