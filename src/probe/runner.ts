/**
 * The limits every probe run works within: at most `concurrency` connections
 * in flight, each with its own deadline, and one time budget for the whole
 * run. Once the budget is spent, further probes are not attempted: they come
 * back as `timeout` with error `budget`, and the run says it is incomplete.
 */
import type { HelloOptions } from './client-hello-builder.js';
import { type HelloProbeResult, probeHello, type ProbeTarget } from './handshake-probe.js';

export interface RunLimits {
  /** Connections in flight at once. */
  readonly concurrency: number;
  /** Deadline for one connection (connect + answer). */
  readonly timeoutMs: number;
  /** Time for the whole run. */
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
}

/** A small FIFO semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`concurrency must be at least 1, got ${max}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** One run against one target: counts connections and enforces the limits. */
export class ProbeRunner {
  private readonly limiter: Limiter;
  private readonly deadline: number;
  /** Connections opened so far. */
  connections = 0;
  /** True once a probe was skipped because the budget was spent. */
  exhausted = false;

  constructor(
    readonly target: ProbeTarget,
    readonly limits: RunLimits,
  ) {
    this.limiter = new Limiter(limits.concurrency);
    this.deadline = performance.now() + limits.budgetMs;
  }

  /** Milliseconds left in the budget. */
  get remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** Deadline for the next connection: the per-connection timeout, cut to what is left of the budget. */
  private nextTimeout(): number | null {
    const left = Math.floor(this.remainingMs);
    if (left <= 0 || this.limits.signal?.aborted === true) {
      this.exhausted = true;
      return null;
    }
    return Math.min(this.limits.timeoutMs, left);
  }

  /** Sends one crafted hello, within the limits. */
  hello(options: HelloOptions): Promise<HelloProbeResult> {
    return this.limiter.run(() => {
      const timeoutMs = this.nextTimeout();
      if (timeoutMs === null) return Promise.resolve<HelloProbeResult>({ outcome: 'timeout', error: 'budget', ms: 0, bytes: 0 });
      this.connections++;
      return probeHello(this.target, options, { timeoutMs, ...(this.limits.signal ? { signal: this.limits.signal } : {}) });
    });
  }

  /** Runs another kind of connection (a full tls.connect) within the limits; `fn` gets its deadline. Null when the budget is spent. */
  connect<T>(fn: (timeoutMs: number) => Promise<T>): Promise<T | null> {
    return this.limiter.run(() => {
      const timeoutMs = this.nextTimeout();
      if (timeoutMs === null) return Promise.resolve(null);
      this.connections++;
      return fn(timeoutMs);
    });
  }
}
