/**
 * The proxy's `--probe` cache: quickProbe results kept in a bounded LRU with a
 * TTL, keyed by upstream + SNI (and the client's offer, which the version and
 * suite checks depend on); at most one probe in flight per key, a bounded
 * number of probes at once, and a bounded number waiting. Never used for a
 * successful handshake: the caller only asks after a failure.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ProbeTarget } from './handshake-probe.js';
import { quickProbe, type QuickProbeOptions, type QuickProbeResult } from './quick.js';
import { Limiter } from './runner.js';
import { formatTarget } from './target.js';

export interface ProbeCacheOptions {
  /** Distinct keys remembered; default 500. */
  readonly max?: number;
  /** How long a result holds; default 5 minutes (certificates get renewed, servers reconfigured). */
  readonly ttlMs?: number;
  /** Probes running at once, across keys; default 2 (each opens up to 4 connections at a time). */
  readonly concurrency?: number;
  /** Distinct keys waiting or running; beyond it `probe` declines (returns null). Default 32. */
  readonly maxPending?: number;
  /** The probe to run; tests inject one. Default `quickProbe`. */
  readonly probe?: (upstream: ProbeTarget, options: QuickProbeOptions) => Promise<QuickProbeResult>;
}

export interface CachedProbe {
  /** True when no probe ran for this call: the result came from the cache or from a probe already in flight for the same key. */
  readonly cached: boolean;
  readonly result: QuickProbeResult;
}

export class ProbeCache {
  private readonly cache: LRUCache<string, QuickProbeResult>;
  private readonly inFlight = new Map<string, Promise<QuickProbeResult>>();
  private readonly limiter: Limiter;
  private readonly maxPending: number;
  private readonly run: NonNullable<ProbeCacheOptions['probe']>;

  constructor(options: ProbeCacheOptions = {}) {
    // ttlResolution 0: no timer per lookup (see ChainEvidence).
    this.cache = new LRUCache({ max: options.max ?? 500, ttl: options.ttlMs ?? 5 * 60_000, ttlResolution: 0 });
    this.limiter = new Limiter(options.concurrency ?? 2);
    this.maxPending = options.maxPending ?? 32;
    this.run = options.probe ?? quickProbe;
  }

  /** The key: upstream, SNI, the name checked, and a digest of the client's versions and suites. */
  static key(upstream: ProbeTarget, options: QuickProbeOptions): string {
    const offer = createHash('sha256')
      .update(`${options.clientVersions?.join(',') ?? '-'}|${options.clientCiphers?.join(',') ?? '-'}`)
      .digest('hex')
      .slice(0, 16);
    return `${formatTarget(upstream)}|${options.servername ?? ''}|${options.name ?? ''}|${offer}`;
  }

  /** The cached or shared result, or a new probe; null when too many probes are already pending. */
  async probe(upstream: ProbeTarget, options: QuickProbeOptions): Promise<CachedProbe | null> {
    const key = ProbeCache.key(upstream, options);
    const hit = this.cache.get(key);
    if (hit !== undefined) return { cached: true, result: hit };
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return { cached: true, result: await pending };
    if (this.inFlight.size >= this.maxPending) return null;

    const running = this.limiter.run(() => this.run(upstream, options));
    this.inFlight.set(key, running);
    try {
      const result = await running;
      // A probe cut short by its budget may have missed the cause: let the next failure try again.
      if (!result.incomplete) this.cache.set(key, result);
      return { cached: false, result };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Keys remembered (for metrics and tests). */
  get size(): number {
    return this.cache.size;
  }
}
