/**
 * Certificate evidence for the connection record: the chain a TLS <= 1.2
 * server sent in clear, checked against the name the client asked for and the
 * trust anchors. Chains repeat across connections, so assessments are cached
 * by (chain, name) in a bounded LRU.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { assessChain, type ChainAssessment, systemTrustStore, type TrustStore } from '../certs/checks.js';
import { describeCertificate, parseCertificate } from '../certs/parse.js';
import { serializeOnce } from '../log/json-writer.js';
import type { CertificateInfo } from '../tls/types.js';

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
  /** Parsed descriptions by chain: parsing X.509 costs ~0.2-2 ms a chain, far more than the relay. */
  private readonly described: LRUCache<string, CertificateInfo[]>;
  private readonly roots: TrustStore;
  /** The chain keyed last, and its key. */
  private lastChain: readonly Buffer[] | null = null;
  private lastKey = '';

  constructor(options: ChainEvidenceOptions = {}) {
    this.roots = options.roots ?? systemTrustStore();
    // ttlResolution 0: read the clock on each lookup. lru-cache's default caches
    // it for 1 ms behind a new timer, which at hundreds of connections a second
    // is a timer per record, for a lookup that is otherwise ~30 ns.
    this.cache = new LRUCache({ max: options.max ?? 1000, ttl: options.ttlMs ?? 10 * 60_000, ttlResolution: 0 });
    this.described = new LRUCache({ max: options.max ?? 1000 });
  }

  /** SPEC's certificate objects for `chain`, parsed once per distinct chain. */
  describe(chain: readonly Buffer[]): CertificateInfo[] {
    const key = this.keyOf(chain);
    const hit = this.described.get(key);
    if (hit) return hit;
    // Shared by every record of this chain: frozen, and serialised once.
    const infos = serializeOnce(chain.map((der) => describeCertificate(parseCertificate(der))));
    this.described.set(key, infos);
    return infos;
  }

  /** Assesses `chain` (DER, leaf first) for `name`; null name skips the host name check. */
  assess(chain: readonly Buffer[], name: string | null): ChainAssessment {
    const key = `${this.keyOf(chain)}|${name ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = serializeOnce(assessChain({ chain, name, roots: this.roots }));
    this.cache.set(key, result);
    return result;
  }

  /**
   * A record asks for its chain's assessment and then its description, and a
   * proxy in front of one upstream sees the same chain on every connection: a
   * chain equal to the last one keyed reuses its key. Comparing the bytes costs
   * a tenth of hashing them.
   */
  private keyOf(chain: readonly Buffer[]): string {
    if (chain !== this.lastChain && !sameChain(chain, this.lastChain)) this.lastKey = chainKey(chain);
    this.lastChain = chain;
    return this.lastKey;
  }
}

function sameChain(a: readonly Buffer[], b: readonly Buffer[] | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!a[i]!.equals(b[i]!)) return false;
  return true;
}

function chainKey(chain: readonly Buffer[]): string {
  const h = createHash('sha256');
  for (const der of chain) h.update(der);
  return h.digest('hex');
}
