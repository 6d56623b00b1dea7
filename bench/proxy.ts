/**
 * tlspeek's relay against a direct connection and against the least a Node
 * proxy can do (bench/baseline-pipe.ts), in one run, on 127.0.0.1; and
 * tlspeek's injected connections (--inject-sni) beside its passthrough.
 *
 * Processes: the TLS upstream (bench/upstream.ts), the pipe baseline, tlspeek
 * in passthrough and tlspeek with --inject-sni (`bin/tlspeek proxy`, as users
 * start it, stdout to /dev/null) each in their own process (lib/targets.ts);
 * the clients in this one. The pipe runs with bin/tlspeek's node flags and its
 * glibc malloc setting too. Proxy CPU and RSS are read from /proc/<pid>/stat and
 * /proc/<pid>/status.
 *
 * Figures: new-handshake rate (TLS 1.3 and 1.2), keep-alive request rate,
 * bulk throughput both ways (upstream -> client, then client -> upstream, one
 * connection each), proxy CPU per GiB relayed and per new connection, RSS per
 * idle established connection.
 * The inject target (clients without SNI, so tlspeek terminates them and
 * re-originates with SNI) takes part in the TLS 1.3 new-handshake and bulk
 * figures only.
 *
 *   node dist/bench/proxy.js [--quick] [--cpu-prof DIR]
 *
 * --quick: shorter runs, 256 MiB bulk, 500 idle connections (a smoke test, not figures).
 * --cpu-prof DIR: run both tlspeek processes under `node --cpu-prof` (TLSPEEK_NODE_FLAGS), profiles written to DIR when they stop.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { makeBenchPki } from './lib/certs.js';
import { machineFacts, machineLines, openFilesLimit } from './lib/machine.js';
import { isMain } from './lib/paths.js';
import { foreignLoadWarning, type NodeChild, selfCpuSeconds, systemBusySeconds } from './lib/proc.js';
import { fmt, median, medianInterval, ratio, sleep } from './lib/stats.js';
import { passFail, table } from './lib/table.js';
import { startInject, startPipe, startTlspeek, startUpstream, type Target, TARGETS, type TargetName } from './lib/targets.js';
import { BenchClient, type TlsVersion } from './lib/tls-client.js';

export const GOALS = {
  bulkVsPipe: 0.95,
  handshakeVsPipe: 0.9,
  idleRssKiB: 32,
} as const;

export interface ProxyBenchOptions {
  /**
   * New connections each target takes before the first reading, half over TLS 1.3,
   * half over TLS 1.2 (the inject target: all TLS 1.3). V8 keeps optimising a
   * proxy's per-connection code for its first few thousand connections
   * (`--trace-opt`: tlspeek until ~2,500); a reading taken sooner measures the
   * compiler, and penalises the proxy with more code to compile.
   */
  readonly warmupHandshakes: number;
  /** Concurrent clients for the new-handshake figure. */
  readonly handshakeConcurrency: number;
  /**
   * Time per target per round for each new-handshake figure. Rounds alternate the
   * targets, each round starting one target later (so each takes every place in
   * the order equally often): this VM's speed drifts by 10-30 % within a minute,
   * and short turns compared round by round keep that drift out of the ratios.
   */
  readonly handshakeMs: number;
  readonly handshakeRounds: number;
  readonly keepAliveConnections: number;
  readonly keepAliveMs: number;
  readonly keepAliveRounds: number;
  /** Bytes per bulk transfer, and how many transfers per target (median kept). */
  readonly bulkBytes: number;
  readonly bulkRepeats: number;
  readonly idleConnections: number;
  /** When set, both tlspeek processes run with `node --cpu-prof` and write their profiles here. */
  readonly tlspeekProfileDir?: string;
}

export const DEFAULT_PROXY_OPTIONS: ProxyBenchOptions = {
  warmupHandshakes: 5000,
  handshakeConcurrency: 16,
  handshakeMs: 1000,
  // One round's ratio of two proxies scatters with an sd of ~0.09 (two identical
  // pipes, 24 and 48 rounds): the median of 20 has a standard error of ~0.025
  // (of 12, ~0.033).
  handshakeRounds: 20,
  keepAliveConnections: 16,
  keepAliveMs: 1000,
  keepAliveRounds: 3,
  bulkBytes: 2 ** 30,
  // Seven: the fewest rounds with a 95 % interval for the median (lowest to highest).
  bulkRepeats: 7,
  idleConnections: 2000,
};

export const QUICK_PROXY_OPTIONS: ProxyBenchOptions = {
  ...DEFAULT_PROXY_OPTIONS,
  warmupHandshakes: 800,
  handshakeMs: 1000,
  handshakeRounds: 1,
  keepAliveMs: 1000,
  keepAliveRounds: 1,
  bulkBytes: 2 ** 28,
  bulkRepeats: 1,
  idleConnections: 500,
};

/** The figures the inject target takes part in: the client's TLS 1.3 handshake and bulk. */
const INJECT_FIGURES = ['handshake-TLSv1.3', 'handshake-cpu-TLSv1.3', 'bulk', 'bulk-cpu'] as const;
const PASSTHROUGH_TARGETS = TARGETS.filter((t) => t !== 'inject');

export interface ProxyFigure {
  key: string;
  label: string;
  unit: string;
  /** Whether more is better (rates) or less (costs). */
  higherIsBetter: boolean;
  values: Record<TargetName, number | null>;
  /** Raw per-round or per-repeat values (none for a target the figure does not measure, whose value is null). */
  samples: Record<TargetName, number[]>;
}

export interface CpuShare {
  phase: string;
  target: TargetName;
  /** CPU use during the phase, % of one core. */
  clientPct: number;
  upstreamPct: number;
  proxyPct: number | null;
  /** Processes other than the bench's own (a busy machine makes every figure low). */
  otherPct: number;
}

export interface GoalResult {
  description: string;
  measured: number | null;
  threshold: string;
  met: boolean | null;
}

export interface ProxyBenchResult {
  options: ProxyBenchOptions;
  figures: ProxyFigure[];
  cpu: CpuShare[];
  goals: GoalResult[];
  errors: Record<TargetName, number>;
  /** Other processes' CPU use over the whole run, % of one core. */
  foreignLoadPct: number;
  notes: string[];
}

interface Reading {
  seconds: number;
  clientCpu: number;
  upstreamCpu: number;
  proxyCpu: number;
  otherCpu: number;
}

/** CPU used by the client (this process), the upstream, the proxy and everyone else over one measurement. */
class Meter {
  private readonly t0 = performance.now();
  private readonly client0 = selfCpuSeconds();
  private readonly busy0 = systemBusySeconds();
  private readonly upstream0: number;
  private readonly proxy0: number;

  constructor(
    private readonly upstream: NodeChild,
    private readonly proxy: NodeChild | null,
  ) {
    this.upstream0 = upstream.usage().cpuSeconds;
    this.proxy0 = proxy ? proxy.usage().cpuSeconds : 0;
  }

  read(): Reading {
    const seconds = (performance.now() - this.t0) / 1000;
    const clientCpu = selfCpuSeconds() - this.client0;
    const upstreamCpu = this.upstream.usage().cpuSeconds - this.upstream0;
    const proxyCpu = this.proxy ? this.proxy.usage().cpuSeconds - this.proxy0 : 0;
    const otherCpu = Math.max(0, systemBusySeconds() - this.busy0 - clientCpu - upstreamCpu - proxyCpu);
    return { seconds, clientCpu, upstreamCpu, proxyCpu, otherCpu };
  }
}

/** Sums readings per target over the rounds of one phase. */
class Tally {
  private readonly sums = emptyRecord<Reading>(() => ({ seconds: 0, clientCpu: 0, upstreamCpu: 0, proxyCpu: 0, otherCpu: 0 }));

  add(target: TargetName, r: Reading): void {
    const s = this.sums[target];
    s.seconds += r.seconds;
    s.clientCpu += r.clientCpu;
    s.upstreamCpu += r.upstreamCpu;
    s.proxyCpu += r.proxyCpu;
    s.otherCpu += r.otherCpu;
  }

  proxyCpu(target: TargetName): number {
    return this.sums[target].proxyCpu;
  }

  /** One row per target measured in the phase. */
  shares(phase: string): CpuShare[] {
    return TARGETS.filter((target) => this.sums[target].seconds > 0).map((target) => {
      const s = this.sums[target];
      const pct = (x: number) => (s.seconds > 0 ? (x / s.seconds) * 100 : 0);
      return { phase, target, clientPct: pct(s.clientCpu), upstreamPct: pct(s.upstreamCpu), proxyPct: target === 'direct' ? null : pct(s.proxyCpu), otherPct: pct(s.otherCpu) };
    });
  }
}

function emptyRecord<T>(make: () => T): Record<TargetName, T> {
  return { direct: make(), pipe: make(), tlspeek: make(), inject: make() };
}

/**
 * Checks, by the certificate each target shows, that passthrough targets reach
 * the upstream and that the inject target really terminates its SNI-less clients.
 */
async function checkWhoAnswers(client: BenchClient, targets: Record<TargetName, Target>, expected: Record<'upstream' | 'tlspeek', string>): Promise<void> {
  for (const name of TARGETS) {
    const want = name === 'inject' ? 'tlspeek' : 'upstream';
    const got = await client.peerFingerprint(targets[name]);
    if (got !== expected[want]) throw new Error(`${name}: the client was shown certificate ${got}, not the ${want}'s ${expected[want]}`);
  }
}

/** Connections per warm-up batch; the versions take turns by batch. */
const WARMUP_BATCH = 500;

/**
 * `count` new connections to `to` in batches, TLS 1.3 and 1.2 taking turns (the
 * inject target's clients are TLS 1.3 only). Returns, per version, the proxy's CPU
 * per connection in its first and last batch, so the log shows whether it had
 * levelled off; null for the direct target.
 */
async function warmUp(client: BenchClient, to: Target, count: number, concurrency: number): Promise<string | null> {
  const perConnection: Record<TlsVersion, number[]> = { 'TLSv1.3': [], 'TLSv1.2': [] };
  for (let batch = 0; batch * WARMUP_BATCH < count; batch++) {
    const version: TlsVersion = to.name === 'inject' || batch % 2 === 0 ? 'TLSv1.3' : 'TLSv1.2';
    const before = to.child?.usage().cpuSeconds ?? 0;
    const r = await client.handshakeLoop(to, version, 60_000, concurrency, Math.min(WARMUP_BATCH, count - batch * WARMUP_BATCH));
    if (to.child && r.count > 0) perConnection[version].push(((to.child.usage().cpuSeconds - before) / r.count) * 1e6);
  }
  const levels = Object.entries(perConnection)
    .filter(([, us]) => us.length > 1)
    .map(([version, us]) => `${version} ${fmt(us[0]!)} µs in the first batch, ${fmt(us.at(-1)!)} µs in the last`);
  return levels.length > 0 ? levels.join('; ') : null;
}

export async function runProxyBench(options: ProxyBenchOptions = DEFAULT_PROXY_OPTIONS, log: (line: string) => void = () => undefined): Promise<ProxyBenchResult> {
  const limit = openFilesLimit();
  const notes: string[] = [];
  let idleCount = options.idleConnections;
  if (limit !== null && limit < 2 * idleCount + 200) {
    idleCount = Math.max(100, Math.floor((limit - 200) / 2));
    notes.push(`open files limit ${limit}: idle connections reduced to ${idleCount} (run under 'ulimit -n 65536' for more)`);
  }
  const tlspeekArgs = options.tlspeekProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.tlspeekProfileDir] : [];

  const pki = makeBenchPki();
  const children: NodeChild[] = [];
  const client = new BenchClient(pki.caPem);
  const figures: ProxyFigure[] = [];
  const cpu: CpuShare[] = [];
  const errors = emptyRecord(() => 0);
  // Other processes' CPU over the measured phases: a busy machine makes every figure low.
  let meteredSeconds = 0;
  let otherCpu = 0;
  const measure = async <T>(upstream: NodeChild, target: Target, tally: Tally, fn: () => Promise<T>): Promise<T> => {
    const meter = new Meter(upstream, target.child);
    const result = await fn();
    const reading = meter.read();
    tally.add(target.name, reading);
    meteredSeconds += reading.seconds;
    otherCpu += reading.otherCpu;
    return result;
  };
  try {
    const up = await startUpstream(pki);
    children.push(up.child);
    const pipe = await startPipe(up.port);
    children.push(pipe.child!);
    const peek = await startTlspeek(up.port, tlspeekArgs);
    children.push(peek.child!);
    const inject = await startInject(up.port, pki, tlspeekArgs);
    children.push(inject.child!);
    const targets: Record<TargetName, Target> = { direct: { name: 'direct', port: up.port, sni: true, child: null }, pipe, tlspeek: peek, inject };
    await checkWhoAnswers(client, targets, { upstream: pki.upstream.fingerprint256, tlspeek: pki.tlspeek.fingerprint256 });

    for (const name of TARGETS) {
      log(`warming up ${name} (${fmt(options.warmupHandshakes)} new connections, a 64 MiB download) ...`);
      const levels = await warmUp(client, targets[name], options.warmupHandshakes, options.handshakeConcurrency);
      await client.download(targets[name], 64 * 2 ** 20, 30_000);
      if (levels !== null) notes.push(`warm-up, ${name}: proxy CPU per new connection (batches of ${WARMUP_BATCH}): ${levels}`);
    }

    // ---- new-handshake rate ------------------------------------------------
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const satisfies readonly TlsVersion[]) {
      log(`new-handshake rate, ${version} ...`);
      const rate = newFigure(`handshake-${version}`, `new-handshake rate, ${version} (${options.handshakeConcurrency} clients)`, 'conn/s', true);
      const cpuPerConn = newFigure(`handshake-cpu-${version}`, `proxy CPU per new connection, ${version}`, 'µs', false);
      const tally = new Tally();
      const connections = emptyRecord(() => 0);
      // tlspeek's own TLS server and client are Node's: the injected figure is for a TLS 1.3 client only.
      const measured = version === 'TLSv1.3' ? TARGETS : PASSTHROUGH_TARGETS;
      for (let round = 0; round < options.handshakeRounds; round++) {
        for (const name of rotate(measured, round)) {
          const cpuBefore = tally.proxyCpu(name);
          const r = await measure(up.child, targets[name], tally, () => client.handshakeLoop(targets[name], version, options.handshakeMs, options.handshakeConcurrency));
          errors[name] += r.errors;
          connections[name] += r.count;
          rate.samples[name].push(r.perSecond);
          if (name !== 'direct' && r.count > 0) cpuPerConn.samples[name].push(((tally.proxyCpu(name) - cpuBefore) / r.count) * 1e6);
        }
      }
      for (const name of measured) {
        rate.values[name] = median(rate.samples[name]);
        cpuPerConn.values[name] = name === 'direct' || connections[name] === 0 ? null : (tally.proxyCpu(name) / connections[name]) * 1e6;
      }
      cpu.push(...tally.shares(`handshake ${version}`));
      figures.push(rate, cpuPerConn);
    }

    // ---- keep-alive request rate --------------------------------------------
    log('keep-alive request rate ...');
    const keepAlive = newFigure('keepalive', `keep-alive requests, 64 B echo (${options.keepAliveConnections} connections)`, 'req/s', true);
    const keepAliveTally = new Tally();
    for (let round = 0; round < options.keepAliveRounds; round++) {
      for (const name of rotate(PASSTHROUGH_TARGETS, round)) {
        const r = await measure(up.child, targets[name], keepAliveTally, () => client.keepAliveLoop(targets[name], options.keepAliveMs, options.keepAliveConnections));
        keepAlive.samples[name].push(r.perSecond);
      }
    }
    for (const name of PASSTHROUGH_TARGETS) keepAlive.values[name] = median(keepAlive.samples[name]);
    cpu.push(...keepAliveTally.shares('keep-alive'));
    figures.push(keepAlive);

    // ---- bulk, both ways ------------------------------------------------------
    const mib = options.bulkBytes / 2 ** 20;
    const gib = options.bulkBytes / 2 ** 30;
    /** `bulkRepeats` transfers per target, taking turns: median MiB/s and proxy CPU per GiB. */
    const bulkRounds = async (phase: string, names: readonly TargetName[], rate: ProxyFigure, cpuPerGiB: ProxyFigure, transfer: (to: Target) => Promise<{ seconds: number }>) => {
      const tally = new Tally();
      for (let rep = 0; rep < options.bulkRepeats; rep++) {
        for (const name of rotate(names, rep)) {
          const before = name === 'direct' ? 0 : tally.proxyCpu(name);
          const r = await measure(up.child, targets[name], tally, () => transfer(targets[name]));
          rate.samples[name].push(mib / r.seconds);
          if (name !== 'direct') cpuPerGiB.samples[name].push((tally.proxyCpu(name) - before) / gib);
        }
      }
      for (const name of names) {
        rate.values[name] = median(rate.samples[name]);
        cpuPerGiB.values[name] = name === 'direct' ? null : median(cpuPerGiB.samples[name]);
      }
      cpu.push(...tally.shares(phase));
      figures.push(rate, cpuPerGiB);
    };
    log(`bulk, ${fmt(mib)} MiB upstream -> client, x${options.bulkRepeats} per target ...`);
    await bulkRounds(
      'bulk',
      TARGETS,
      newFigure('bulk', `bulk throughput, ${fmt(mib)} MiB on one connection`, 'MiB/s', true),
      newFigure('bulk-cpu', 'proxy CPU per GiB relayed', 's/GiB', false),
      (to) => client.download(to, options.bulkBytes, 120_000),
    );
    // The other direction reads into Node's own buffers (tlspeek's relay cannot use onread there).
    log(`bulk upload, ${fmt(mib)} MiB client -> upstream, x${options.bulkRepeats} per target ...`);
    await bulkRounds(
      'upload',
      PASSTHROUGH_TARGETS,
      newFigure('upload', `bulk upload, ${fmt(mib)} MiB client -> upstream`, 'MiB/s', true),
      newFigure('upload-cpu', 'proxy CPU per GiB uploaded', 's/GiB', false),
      (to) => client.upload(to, options.bulkBytes, 120_000),
    );

    // ---- RSS per idle connection (fresh proxy processes) ----------------------
    await pipe.child!.stop();
    await peek.child!.stop();
    await inject.child!.stop();
    const idle = newFigure('idle-rss', `proxy RSS per idle TLS connection (${fmt(idleCount)} open)`, 'KiB', false);
    const idleTotal = newFigure('idle-rss-total', 'proxy RSS with them open', 'MiB', false);
    for (const name of ['pipe', 'tlspeek'] as const) {
      log(`RSS per idle connection, ${name} ...`);
      const t = name === 'pipe' ? await startPipe(up.port) : await startTlspeek(up.port, []);
      children.push(t.child!);
      // Warm the fresh process the same way (code compiled, heap grown) before the first reading.
      await client.handshakeLoop(t, 'TLSv1.3', 1000, options.handshakeConcurrency, 400);
      await sleep(500);
      const before = t.child!.usage().rssKiB;
      const sockets = await client.openIdle(t, idleCount, 32).catch((err: unknown) => {
        client.closeAll();
        throw err;
      });
      try {
        await sleep(1500);
        const after = t.child!.usage().rssKiB;
        idle.values[name] = (after - before) / sockets.length;
        idleTotal.values[name] = after / 1024;
      } finally {
        for (const s of sockets) s.destroy();
        await client.drain();
        await t.child!.stop();
      }
    }
    figures.push(idle, idleTotal);

    const foreignLoadPct = meteredSeconds > 0 ? (otherCpu / meteredSeconds) * 100 : 0;
    if (options.tlspeekProfileDir) {
      notes.push(`tlspeek CPU profiles (all phases but idle) written to ${options.tlspeekProfileDir}: passthrough pid ${peek.child!.pid}, inject pid ${inject.child!.pid}`);
    }
    return { options: { ...options, idleConnections: idleCount }, figures, cpu, goals: evaluateGoals(figures), errors, foreignLoadPct, notes };
  } finally {
    client.closeAll();
    await Promise.all(children.map((c) => c.stop()));
    pki.remove();
  }
}

function newFigure(key: string, label: string, unit: string, higherIsBetter: boolean): ProxyFigure {
  return { key, label, unit, higherIsBetter, values: emptyRecord<number | null>(() => null), samples: emptyRecord<number[]>(() => []) };
}

function evaluateGoals(figures: readonly ProxyFigure[]): GoalResult[] {
  const get = (key: string) => figures.find((f) => f.key === key);
  const vsPipe = (key: string) => {
    const f = get(key);
    return f ? pairedRatio(f, 'tlspeek', 'pipe') : null;
  };
  const goals: GoalResult[] = [];
  const bulk = vsPipe('bulk');
  goals.push({ description: 'bulk throughput, tlspeek / pipe', measured: bulk, threshold: `>= ${GOALS.bulkVsPipe}x`, met: bulk === null ? null : bulk >= GOALS.bulkVsPipe });
  for (const v of ['TLSv1.3', 'TLSv1.2']) {
    const hs = vsPipe(`handshake-${v}`);
    goals.push({ description: `new-handshake rate ${v}, tlspeek / pipe`, measured: hs, threshold: `>= ${GOALS.handshakeVsPipe}x`, met: hs === null ? null : hs >= GOALS.handshakeVsPipe });
  }
  const idle = get('idle-rss')?.values.tlspeek ?? null;
  goals.push({ description: 'tlspeek RSS per idle connection', measured: idle, threshold: `<= ${GOALS.idleRssKiB} KiB`, met: idle === null ? null : idle <= GOALS.idleRssKiB });
  return goals;
}

/** `targets` starting at place `round` (mod length): over the rounds, each target takes every place in the order. */
function rotate<T>(targets: readonly T[], round: number): T[] {
  const k = round % targets.length;
  return [...targets.slice(k), ...targets.slice(0, k)];
}

/** a/b for each round, when both targets have one reading per round. */
function roundRatios(f: ProxyFigure, a: TargetName, b: TargetName): number[] | null {
  const sa = f.samples[a];
  const sb = f.samples[b];
  if (sa.length < 2 || sa.length !== sb.length) return null;
  return sa.map((v, i) => v / sb[i]!);
}

/**
 * a/b as the median of the rounds' own ratios: each compares readings taken
 * seconds apart, so the machine's drift over the run cancels out (a ratio of
 * the two medians can pair a fast minute with a slow one). A single reading
 * each: their ratio.
 */
function pairedRatio(f: ProxyFigure, a: TargetName, b: TargetName): number | null {
  const r = roundRatios(f, a, b);
  return r ? median(r) : ratio(f.values[a], f.values[b]);
}

/** Lowest and highest a/b ratio of the rounds: how much one round scatters. */
function pairedRange(f: ProxyFigure, a: TargetName, b: TargetName): string {
  const r = roundRatios(f, a, b);
  return r ? `${fmt(Math.min(...r), 2)}-${fmt(Math.max(...r), 2)}` : '';
}

/** A 95 % interval for the median a/b ratio (order statistics of the rounds' ratios): how firm the figure is. */
function pairedInterval(f: ProxyFigure, a: TargetName, b: TargetName): string {
  const r = roundRatios(f, a, b);
  const ci = r ? medianInterval(r) : null;
  return ci ? `${fmt(ci.low, 2)}-${fmt(ci.high, 2)}` : '';
}

const digitsFor = (unit: string): number => (unit === 's/GiB' ? 2 : unit === 'KiB' || unit === 'MiB' ? 1 : 0);
const times = (v: number | null): string => (v === null ? 'n/a' : `${fmt(v, 2)}x`);

export function formatProxy(r: ProxyBenchResult): string {
  const rows = r.figures.map((f) => {
    const d = digitsFor(f.unit);
    const v = f.values;
    return [f.label, f.unit, fmt(v.direct, d), fmt(v.pipe, d), fmt(v.tlspeek, d), times(pairedRatio(f, 'tlspeek', 'pipe')), pairedInterval(f, 'tlspeek', 'pipe'), pairedRange(f, 'tlspeek', 'pipe'), times(pairedRatio(f, 'tlspeek', 'direct'))];
  });
  const injectRows = r.figures
    .filter((f) => (INJECT_FIGURES as readonly string[]).includes(f.key))
    .map((f) => {
      const d = digitsFor(f.unit);
      const v = f.values;
      return [f.label, f.unit, fmt(v.direct, d), fmt(v.pipe, d), fmt(v.tlspeek, d), fmt(v.inject, d), times(pairedRatio(f, 'inject', 'pipe')), pairedInterval(f, 'inject', 'pipe'), pairedRange(f, 'inject', 'pipe'), times(pairedRatio(f, 'inject', 'tlspeek'))];
    });
  const cpuRows = r.cpu.map((c) => [c.phase, c.target, fmt(c.clientPct), fmt(c.upstreamPct), c.proxyPct === null ? 'n/a' : fmt(c.proxyPct), fmt(c.otherPct)]);
  const warning = foreignLoadWarning(r.foreignLoadPct);
  const goalRows = r.goals.map((g) => [g.description, g.threshold, g.measured === null ? 'n/a' : fmt(g.measured, 2), passFail(g.met)]);
  const o = r.options;
  return [
    `Proxy relay on 127.0.0.1: direct to the upstream, through a pipe proxy, through tlspeek (passthrough)`,
    `(new handshakes: ${o.handshakeRounds} rounds of ${o.handshakeMs} ms per target; keep-alive: ${o.keepAliveRounds} rounds of ${o.keepAliveMs} ms;`,
    ` bulk: ${o.bulkRepeats} rounds; the targets take turns, each round starting one target later; figures are medians,`,
    ` ratios the median of the rounds' own ratios, with a 95% interval for that median and the rounds' range;`,
    ` idle: fresh proxy processes, RSS after - before)`,
    table(['figure', 'unit', 'direct', 'pipe', 'tlspeek', 'tlspeek/pipe', '(95% interval)', '(per round)', 'tlspeek/direct'], rows),
    '',
    `Injected connections, same rounds: tlspeek --inject-sni, clients sending no SNI (TLS 1.3), so tlspeek terminates them`,
    `and re-originates upstream with SNI (TLS 1.3, verified against --upstream-ca); 'tlspeek' is passthrough, as above:`,
    table(['figure', 'unit', 'direct', 'pipe', 'tlspeek', 'inject', 'inject/pipe', '(95% interval)', '(per round)', 'inject/tlspeek'], injectRows),
    '',
    `CPU use during each phase, % of one core (${os.availableParallelism()} cores in all; 'other' = processes not of this bench):`,
    table(['phase', 'target', 'client', 'upstream', 'proxy', 'other'], cpuRows),
    '',
    `failed connections: ${TARGETS.map((t) => `${t} ${r.errors[t]}`).join(', ')}`,
    `other processes' CPU use while measuring: ${fmt(r.foreignLoadPct)}% of one core`,
    ...(warning ? [warning] : []),
    ...r.notes.map((n) => `note: ${n}`),
    '',
    table(['goal', 'threshold', 'measured', 'result'], goalRows),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'cpu-prof': { type: 'string' } } });
  console.log(machineLines(machineFacts()).join('\n') + '\n');
  const base = values.quick ? QUICK_PROXY_OPTIONS : DEFAULT_PROXY_OPTIONS;
  const options = values['cpu-prof'] ? { ...base, tlspeekProfileDir: path.resolve(values['cpu-prof']) } : base;
  const result = await runProxyBench(options, (l) => console.error(l));
  console.log(formatProxy(result));
}
