/**
 * Certificate evidence for the connection record: the chain a TLS <= 1.2
 * server sent in clear, checked against the name the client asked for and the
 * trust anchors. Chains repeat across connections, so assessments are cached
 * by (chain, name) in a bounded LRU.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { assessChain, type ChainAssessment, systemTrustStore, type TrustStore } from '../certs/checks.js';

export interface ChainEvidenceOptions {
  /** Trust anchors (--upstream-ca); default Node's root store. */
  readonly roots?: TrustStore;
  /** Distinct (chain, name) pairs remembered. */
  readonly max?: number;
  /** How long an assessment stays valid: expiry is a matter of time. */
  readonly ttlMs?: number;
}

export class ChainEvidence {
  private readonly cache: LRUCache<string, ChainAssessment>;
  private readonly roots: TrustStore;

  constructor(options: ChainEvidenceOptions = {}) {
    this.roots = options.roots ?? systemTrustStore();
    this.cache = new LRUCache({ max: options.max ?? 1000, ttl: options.ttlMs ?? 10 * 60_000 });
  }

  /** Assesses `chain` (DER, leaf first) for `name`; null name skips the host name check. */
  assess(chain: readonly Buffer[], name: string | null): ChainAssessment {
    const h = createHash('sha256');
    for (const der of chain) h.update(der);
    const key = `${h.digest('hex')}|${name ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = assessChain({ chain, name, roots: this.roots });
    this.cache.set(key, result);
    return result;
  }
}
