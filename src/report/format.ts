/**
 * The human-readable report: aligned plain-text columns, headings in bold only
 * when asked (a terminal). Values that came from clients (SNI, and hints that
 * quote it) are made printable first: a ClientHello can carry any bytes, and a
 * terminal must not receive an attacker's escape sequences.
 */
import type { CountRow, FailureGroup, ReportJson } from './summary.js';
import { percent, type TopTable } from './top-counter.js';

export interface FormatOptions {
  /** Bold headings (ANSI); only for a terminal. */
  readonly color: boolean;
}

/** Longest value shown in a table cell; longer ones end in an ellipsis. */
const MAX_CELL = 64;

type Align = 'l' | 'r';

/** The report as text for a person: summary, outcomes, causes, one block per failure, negotiated parameters, timings. */
export function formatReport(r: ReportJson, options: FormatOptions): string {
  const heading = (s: string) => (options.color ? `\x1b[1m${s}\x1b[0m` : s);
  const out: string[] = [];
  const c = r.connections;

  out.push(heading(`tlspeek report: ${printable(r.source === '-' ? 'stdin' : r.source)}`));
  out.push(`  ${linesSummary(r)}`);
  const filters = filterSummary(r);
  if (filters) out.push(`  ${filters}`);
  if (c.total === 0) {
    out.push('  no connection records', '');
    return out.join('\n');
  }
  if (r.time.first !== null) out.push(`  from ${r.time.first} to ${r.time.last ?? r.time.first}`);
  out.push(
    ...indent(
      columns(
        [
          ['connections', count(c.total), ''],
          ['established', count(c.established), pct(percent(c.established, c.total))],
          ['failed', count(c.failed), pct(percent(c.failed, c.total))],
        ],
        ['l', 'r', 'r'],
      ),
    ),
  );

  out.push('', heading('Outcomes'), ...indent(countRows(r.outcomes)));
  if (r.causes.some((row) => row.count > 0)) out.push('', heading('Causes (% of all connections)'), ...indent(countRows(r.causes)));

  for (const g of r.failures) out.push('', ...failureGroup(g, heading));

  if (c.established > 0) {
    out.push('', heading('Negotiated on established connections'));
    out.push(...indent(columns([...topRows('version', r.established.versions, '(unknown)'), ...topRows('cipher', r.established.cipherSuites, '(unknown)')], ['l', 'l', 'r', 'r'])));
  }

  const t = r.timings;
  out.push('', heading('Timings (ms)'));
  out.push(
    ...indent(
      columns(
        [
          ['', 'count', 'p50', 'p95', 'max'],
          ['handshake', count(t.handshakeMs.count), ms(t.handshakeMs.p50), ms(t.handshakeMs.p95), ms(t.handshakeMs.max)],
          ['duration', count(t.durationMs.count), ms(t.durationMs.p50), ms(t.durationMs.p95), ms(t.durationMs.max)],
        ],
        ['l', 'r', 'r', 'r', 'r'],
      ),
    ),
  );
  out.push('');
  return out.join('\n');
}

function linesSummary(r: ReportJson): string {
  const l = r.lines;
  const parts = [`${count(l.read)} ${plural(l.read, 'line')} read`, `${count(l.connectionRecords)} connection ${plural(l.connectionRecords, 'record')}`];
  const why: string[] = [];
  if (l.skipped.notJson > 0) why.push(`${count(l.skipped.notJson)} not JSON`);
  if (l.skipped.otherMessages > 0) why.push(`${count(l.skipped.otherMessages)} other ${plural(l.skipped.otherMessages, 'message')}`);
  if (l.skipped.malformed > 0) why.push(`${count(l.skipped.malformed)} without an outcome`);
  parts.push(`${count(l.skipped.total)} ${plural(l.skipped.total, 'line')} skipped${why.length ? ` (${why.join(', ')})` : ''}`);
  return parts.join(', ');
}

function filterSummary(r: ReportJson): string | null {
  const f: string[] = [];
  if (r.filters.since !== null) f.push(`since ${r.filters.since}`);
  if (r.filters.outcomes !== null) f.push(`outcome ${r.filters.outcomes.join(',')}`);
  if (f.length === 0) return null;
  return `filter: ${f.join(', ')}; ${count(r.lines.filteredOut)} ${plural(r.lines.filteredOut, 'record')} left out`;
}

function countRows(rows: readonly CountRow[]): string[] {
  return columns(
    rows.filter((row) => row.count > 0).map((row) => [printable(row.name), count(row.count), pct(row.percent)]),
    ['l', 'r', 'r'],
  );
}

function failureGroup(g: FailureGroup, heading: (s: string) => string): string[] {
  const how = g.outcomes.map((o) => `${printable(o.name)} ${count(o.count)}`).join(', ');
  const lines = [heading(`${printable(g.name)}: ${count(g.count)} ${plural(g.count, 'connection')} (${pct(g.percent)})${g.by === 'cause' ? `, ${how}` : ''}`)];
  const rows = [...topRows('SNI', g.sni, '(no SNI)'), ...topRows('client', g.clients, '(unknown)'), ...topRows('JA4', g.ja4, '(none)')];
  lines.push(...indent(columns(rows, ['l', 'l', 'r', 'r'])));
  const ex = g.example;
  const ref = ex.id !== null ? ` [id ${printable(ex.id)}]` : '';
  if (ex.hint !== null) lines.push(`  hint    ${printable(ex.hint)}${ref}`);
  if (ex.detail !== null) lines.push(`  detail  ${printable(ex.detail)}${ex.hint === null ? ref : ''}`);
  return lines;
}

/** A top table as rows `label value count percent`; the label only on the first. */
function topRows(label: string, t: TopTable, nullLabel: string): string[][] {
  if (t.total === 0) return [];
  const rows = t.top.map((row, i) => [i === 0 ? label : '', row.value === null ? nullLabel : cell(row.value), count(row.count), pct(row.percent)]);
  if (t.other > 0) {
    const rest = t.distinct - t.top.length;
    const what = t.approximate || rest <= 0 ? '(others)' : `(${count(rest)} ${plural(rest, 'other')})`;
    rows.push(['', what, count(t.other), pct(percent(t.other, t.total))]);
  }
  return rows;
}

/** Pads each column to its widest cell; the last column is not padded when left-aligned. */
function columns(rows: readonly string[][], align: readonly Align[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((row) =>
    row
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
        return align[i] === 'r' ? pad + c : i === row.length - 1 ? c : c + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
const count = (n: number) => n.toLocaleString('en-US');
const pct = (p: number) => `${p.toFixed(1)}%`;
const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1));
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

function cell(s: string): string {
  const p = printable(s);
  const chars = [...p];
  return chars.length > MAX_CELL ? `${chars.slice(0, MAX_CELL - 1).join('')}…` : p;
}

/** Control characters (C0, DEL, C1) and bidirectional overrides as visible escapes. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
