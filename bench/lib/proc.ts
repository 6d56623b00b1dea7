/**
 * Child processes for benchmarks (upstream, baseline proxy, tlspeek), their
 * CPU time and RSS from /proc, and clean-up: every child started here is
 * killed when the bench exits, however it exits.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import { sleep } from './stats.js';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface ChildOptions {
  /** 'null': stdout to /dev/null (what a proxy logging nowhere costs); 'pipe': read it for a ready line. */
  readonly stdout: 'null' | 'pipe';
  readonly nodeArgs?: readonly string[];
  /** `script` is an executable of its own (bin/tlspeek), run directly rather than by node. */
  readonly executable?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** A node child process running a script from dist (or bin/tlspeek). */
export class NodeChild {
  private readonly proc: ChildProcess;
  private stderrTail = '';
  private stdoutBuf = '';
  private exited: { code: number | null; signal: string | null } | null = null;
  private readonly exitWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    script: string,
    args: readonly string[],
    options: ChildOptions,
  ) {
    hookExit();
    const devnull = options.stdout === 'null' ? openSync('/dev/null', 'w') : null;
    const [file, argv] = options.executable ? [script, args] : [process.execPath, [...(options.nodeArgs ?? []), script, ...args]];
    this.proc = spawn(file, argv, { stdio: ['ignore', devnull ?? 'pipe', 'pipe'], env: options.env ?? process.env });
    if (devnull !== null) closeSync(devnull);
    live.add(this.proc);
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-4000);
    });
    this.proc.stdout?.setEncoding('utf8');
    this.proc.stdout?.on('data', (s: string) => {
      this.stdoutBuf = (this.stdoutBuf + s).slice(-4000);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = { code, signal };
      live.delete(this.proc);
      for (const w of this.exitWaiters.splice(0)) w();
    });
  }

  get pid(): number {
    const pid = this.proc.pid;
    if (pid === undefined) throw new Error(`${this.name} did not start`);
    return pid;
  }

  /** Why it is gone, for error messages. */
  describeExit(): string {
    if (!this.exited) return `${this.name} is running`;
    return `${this.name} exited (code ${this.exited.code}, signal ${this.exited.signal}); stderr: ${this.stderrTail.trim() || '(empty)'}`;
  }

  /** Waits for a stdout line matching `re` (stdout 'pipe' only); returns the first capture group. */
  async waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = re.exec(this.stdoutBuf);
      if (m) return m[1] ?? m[0];
      if (this.exited) throw new Error(this.describeExit());
      await sleep(20);
    }
    throw new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms; stderr: ${this.stderrTail.trim()}`);
  }

  /** Ends the child: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** CPU seconds (user + system) and resident set size of the child now. */
  usage(): ProcUsage {
    if (this.exited) throw new Error(this.describeExit());
    return procUsage(this.pid);
  }
}

export interface ProcUsage {
  readonly cpuSeconds: number;
  readonly rssKiB: number;
}

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime (fields 14 and 15 of /proc/PID/stat) and VmRSS of /proc/PID/status. */
export function procUsage(pid: number): ProcUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / ticksPerSecond(), rssKiB: rss?.[1] ? Number(rss[1]) : Number.NaN };
}

/** A port free on 127.0.0.1 right now (for a child that cannot report the one it bound). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once host:port accepts a TCP connection; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: NodeChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (child?.describeExit().includes('exited')) throw new Error(child.describeExit());
    await sleep(50);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms${child ? `; ${child.describeExit()}` : ''}`);
}

/** CPU seconds all processes on the machine spent busy so far (user, nice, system, irq, softirq, steal of /proc/stat). */
export function systemBusySeconds(): number {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = first.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) of this process so far. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Watches how much CPU processes other than ours used while a benchmark ran:
 * on a shared machine their load makes every figure slower and noisier.
 */
export class ForeignLoad {
  private readonly t0 = performance.now();
  private readonly busy0 = systemBusySeconds();
  private readonly own0: number;

  /** `ownCpu` returns the CPU seconds used so far by this process and its children. */
  constructor(private readonly ownCpu: () => number) {
    this.own0 = ownCpu();
  }

  /** Other processes' CPU use since construction, in % of one core. */
  percent(): number {
    const seconds = (performance.now() - this.t0) / 1000;
    const other = systemBusySeconds() - this.busy0 - (this.ownCpu() - this.own0);
    return Math.max(0, (other / seconds) * 100);
  }
}

/** A warning line when other processes used more than `thresholdPct` of one core. */
export function foreignLoadWarning(pct: number, thresholdPct = 10): string | null {
  if (!Number.isFinite(pct) || pct <= thresholdPct) return null;
  return `WARNING: other processes used ${pct.toFixed(0)}% of one core while this ran; figures are low and noisy (run on an idle machine)`;
}
