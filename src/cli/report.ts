/** `tlspeek report [FILE] [--json] [--since TIME] [--outcome LIST] [--top N]`: a summary of a tlspeek log. */
import type { Command } from 'commander';
import { OUTCOMES } from '../diagnose/vocabulary.js';
import { formatReport } from '../report/format.js';
import { LogInputError, openLog, readLines } from '../report/input.js';
import { ReportBuilder } from '../report/summary.js';
import { UsageError } from './input.js';
import { positiveInt } from './options.js';

interface ReportFlags {
  json?: boolean;
  since?: number;
  outcome?: string[];
  top: number;
}

const HELP_AFTER = `
Reads JSON log lines as tlspeek proxy writes them (plain or gzip-compressed) and
summarises the connection records ("msg":"connection"): outcomes and causes in
SPEC order, for each failure the top SNI values, client addresses and JA4
fingerprints with an example hint, what established connections negotiated,
and p50/p95 handshake and connection times. Lines that are not JSON and JSON
lines with another msg are skipped and counted.

--json prints one JSON document whose shape is ReportJson (src/report/summary.ts).

Exit status:
  0  every connection counted was established (or none was counted)
  1  at least one connection counted failed
  2  usage error, or FILE cannot be read (one line on stderr)

Examples:
  tlspeek report tlspeek.log
  tail -n 100000 tlspeek.log | tlspeek report --since 1h --outcome failed
  tlspeek report --json tlspeek.log.1.gz | jq '.failures[] | {name, count}'`;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 date/time (no zone: local time), or a duration back from now: 30s, 15m, 2h, 7d. */
export function parseSince(value: string, now = Date.now()): number {
  const d = DURATION.exec(value);
  if (d) return now - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS];
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--since expects an ISO date/time (2025-11-22T09:00:00Z) or a duration (30s, 15m, 2h, 7d), got '${value}'`);
  return t;
}

/** Comma-separated outcomes, `failed` standing for every outcome but established; repeatable. */
export function parseOutcomes(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--outcome expects outcome names, got '${value}'`);
  const out = [...previous];
  for (const name of names) {
    if (name === 'failed') out.push(...OUTCOMES.filter((o) => o !== 'established'));
    else if ((OUTCOMES as readonly string[]).includes(name)) out.push(name);
    else throw new UsageError(`--outcome expects failed or one of ${OUTCOMES.join(', ')}, got '${name}'`);
  }
  return [...new Set(out)];
}

/** Adds `report` to the program; the action sets exit code 1 when a counted connection failed. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('summarise a tlspeek log: outcomes, causes, who fails and why, negotiated versions, timings')
    .argument('[file]', 'log of JSON lines, plain or gzip (stdin when absent or -)')
    .option('--json', 'print one JSON document instead of text')
    .option('--since <time>', 'count only connections at or after TIME: ISO date/time, or 30s, 15m, 2h, 7d back from now', (v: string) => parseSince(v))
    .option('--outcome <list>', 'count only these outcomes, comma-separated; "failed" for all but established', parseOutcomes)
    .option('--top <n>', 'rows per top table', positiveInt('--top', 1000), 5)
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string | undefined, flags: ReportFlags) => {
      const source = file ?? '-';
      const builder = new ReportBuilder(source, { since: flags.since ?? null, outcomes: flags.outcome ?? null, top: flags.top });
      try {
        const input = await openLog(file);
        if (input === process.stdin && process.stdin.isTTY) process.stderr.write('tlspeek report: reading log lines from stdin (end with Ctrl-D)\n');
        for await (const line of readLines(input, source === '-' ? 'stdin' : source)) builder.line(line);
      } catch (err: unknown) {
        if (err instanceof LogInputError) throw new UsageError(err.message, { cause: err });
        throw err;
      }
      const report = builder.build();
      const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, { color }));
      if (report.connections.failed > 0) process.exitCode = 1;
    });
}
