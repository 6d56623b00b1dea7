/**
 * ClientHello decode rate on one core: what the proxy does with each new
 * connection's first flight, without sockets.
 *
 *   parse         decodeClientHello(bytes)
 *   parse+json    decodeClientHello + helloJson (IANA names, JA3, JA4): the
 *                 `hello` object of every connection record
 *
 * For a typical ~517-byte browser hello (from the shared corpus) and a
 * ~1.9 KB post-quantum hello with an X25519MLKEM768 key share (from the corpus
 * when it has one, else bench/fixtures/chromium-pq-clienthello.json).
 * Each figure: warm-up, then `runs` timed runs of `runMs`, median reported.
 *
 *   node dist/bench/decode.js [--runs 5] [--run-ms 2000]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { helloJson } from '../src/log/hello-json.js';
import { decodeClientHello } from '../src/tls/client-hello.js';
import { machineFacts, machineLines } from './lib/machine.js';
import { corpusDir, isMain, repoRoot } from './lib/paths.js';
import { ForeignLoad, foreignLoadWarning, selfCpuSeconds } from './lib/proc.js';
import { fmt, median, spreadPct } from './lib/stats.js';
import { passFail, table } from './lib/table.js';

/** Goal: parse + names + JA3 + JA4 of a typical hello, per core. */
export const DECODE_GOAL_PER_SECOND = 200_000;

const X25519MLKEM768 = 0x11ec;

export interface DecodeOptions {
  readonly runs: number;
  readonly runMs: number;
  readonly warmupMs: number;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { runs: 5, runMs: 2000, warmupMs: 1000 };

interface Sample {
  readonly label: string;
  readonly source: string;
  readonly bytes: Buffer;
  /** JA3/JA4 the corpus expects, checked once before timing. */
  readonly expected: { ja3: string; ja4: string | null } | null;
}

export interface DecodeFigure {
  hello: string;
  source: string;
  bytes: number;
  records: number;
  keyShares: string[];
  mode: 'parse' | 'parse+json';
  perSecond: number;
  runs: number[];
  spreadPct: number;
}

export interface DecodeResult {
  options: DecodeOptions;
  figures: DecodeFigure[];
  goal: { description: string; perSecond: number; measured: number; met: boolean };
  /** Other processes' CPU use while timing, % of one core. */
  foreignLoadPct: number;
}

interface CorpusLine {
  source: string;
  hex: string;
  expected: { ja3: string; ja4: string | null };
}

function loadSamples(): Sample[] {
  const lines = readFileSync(path.join(corpusDir(), 'clienthellos.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusLine);
  // Typical: the first 517-byte hello (the common Chromium size) that offers TLS 1.3 and carries SNI.
  const typical = lines.find((l) => l.hex.length === 517 * 2 && l.expected.ja4?.startsWith('t13d') === true);
  if (!typical) throw new Error('no 517-byte TLS 1.3 ClientHello with SNI in the corpus');
  // Post-quantum: the corpus's largest hello with an X25519MLKEM768 key share, if any.
  const pq = lines
    .filter((l) => l.hex.length >= 1500 * 2 && decodeClientHello(Buffer.from(l.hex, 'hex')).hello.keyShareGroups.includes(X25519MLKEM768))
    .sort((a, b) => b.hex.length - a.hex.length)[0];
  const samples: Sample[] = [{ label: 'typical', source: `corpus ${typical.source}`, bytes: Buffer.from(typical.hex, 'hex'), expected: typical.expected }];
  if (pq) {
    samples.push({ label: 'post-quantum', source: `corpus ${pq.source}`, bytes: Buffer.from(pq.hex, 'hex'), expected: pq.expected });
  } else {
    const fixture = JSON.parse(readFileSync(path.join(repoRoot(), 'bench', 'fixtures', 'chromium-pq-clienthello.json'), 'utf8')) as { source: string; hex: string };
    samples.push({ label: 'post-quantum', source: `bench/fixtures/chromium-pq-clienthello.json (${fixture.source.split(',')[0]})`, bytes: Buffer.from(fixture.hex, 'hex'), expected: null });
  }
  return samples;
}

/** Runs `fn` for `ms` milliseconds; returns calls per second. `sink` keeps the work observable. */
let sink = 0;
function timed(fn: () => number, ms: number): number {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let calls = 0;
  let now = start;
  // A fixed time, checked every 64 calls; a hard cap keeps a broken clock from looping forever.
  while (now < end && calls < 1e9) {
    for (let i = 0; i < 64; i++) sink += fn();
    calls += 64;
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - start) / 1e9);
}

export function runDecodeBench(options: DecodeOptions = DEFAULT_DECODE_OPTIONS): DecodeResult {
  const samples = loadSamples();
  const jobs: { sample: Sample; mode: DecodeFigure['mode']; fn: () => number; runs: number[] }[] = [];
  for (const sample of samples) {
    const buf = sample.bytes;
    // Sanity: the bytes decode, and to what the corpus says.
    const d = decodeClientHello(buf);
    const j = helloJson(d.hello, d.bytes, d.records);
    if (d.bytes !== buf.length) throw new Error(`${sample.source}: hello is ${d.bytes} of ${buf.length} bytes`);
    if (sample.expected && (j.ja3 !== sample.expected.ja3 || j.ja4 !== sample.expected.ja4)) {
      throw new Error(`${sample.source}: JA3/JA4 ${j.ja3}/${j.ja4} differ from the corpus ${sample.expected.ja3}/${sample.expected.ja4}`);
    }
    jobs.push({ sample, mode: 'parse', fn: () => decodeClientHello(buf).hello.cipherSuites.length, runs: [] });
    jobs.push({
      sample,
      mode: 'parse+json',
      fn: () => {
        const r = decodeClientHello(buf);
        return helloJson(r.hello, r.bytes, r.records).ja4?.length ?? 0;
      },
      runs: [],
    });
  }
  const load = new ForeignLoad(selfCpuSeconds);
  for (const job of jobs) timed(job.fn, options.warmupMs);
  // Runs interleaved across the figures, so drift (frequency, neighbours) spreads over all of them.
  for (let run = 0; run < options.runs; run++) for (const job of jobs) job.runs.push(timed(job.fn, options.runMs));

  const figures: DecodeFigure[] = jobs.map(({ sample, mode, runs }) => {
    const d = decodeClientHello(sample.bytes);
    const j = helloJson(d.hello, d.bytes, d.records);
    return { hello: sample.label, source: sample.source, bytes: sample.bytes.length, records: d.records, keyShares: j.keyShareGroups, mode, perSecond: median(runs), runs, spreadPct: spreadPct(runs) };
  });
  const measured = figures.find((f) => f.hello === 'typical' && f.mode === 'parse+json')?.perSecond ?? 0;
  const foreignLoadPct = load.percent();
  if (sink === -1) process.stdout.write('');
  return {
    options,
    figures,
    foreignLoadPct,
    goal: { description: 'typical hello, parse + names + JA3 + JA4, per core', perSecond: DECODE_GOAL_PER_SECOND, measured, met: measured >= DECODE_GOAL_PER_SECOND },
  };
}

export function formatDecode(r: DecodeResult): string {
  const rows = r.figures.map((f) => [
    f.hello,
    fmt(f.bytes),
    f.mode,
    fmt(f.perSecond),
    `±${fmt(f.spreadPct, 1)}%`,
    fmt(1e6 / f.perSecond, 2),
  ]);
  const sources = [...new Map(r.figures.map((f) => [f.hello, f])).values()].map(
    (f) => `  ${f.hello}: ${f.source}; ${f.bytes} bytes in ${f.records} record(s); key shares ${f.keyShares.join(', ')}`,
  );
  return [
    `ClientHello decode, one core (median of ${r.options.runs} runs of ${r.options.runMs} ms after ${r.options.warmupMs} ms warm-up each)`,
    table(['hello', 'bytes', 'work', 'hellos/s', 'spread', 'µs/hello'], rows),
    'hellos:',
    ...sources,
    `other processes' CPU use while timing: ${fmt(r.foreignLoadPct)}% of one core`,
    ...(foreignLoadWarning(r.foreignLoadPct) !== null ? [foreignLoadWarning(r.foreignLoadPct)!] : []),
    `goal: >= ${fmt(r.goal.perSecond)}/s for the ${r.goal.description}: measured ${fmt(r.goal.measured)}/s -> ${passFail(r.goal.met)}`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, 'run-ms': { type: 'string' } } });
  const options = { ...DEFAULT_DECODE_OPTIONS };
  if (values.runs) options.runs = Math.max(1, Number(values.runs));
  if (values['run-ms']) options.runMs = Math.max(50, Number(values['run-ms']));
  console.log(machineLines(machineFacts()).join('\n') + '\n');
  console.log(formatDecode(runDecodeBench(options)));
}
