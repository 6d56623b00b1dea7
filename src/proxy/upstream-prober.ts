/**
 * `--probe` for the proxy: after a failed handshake, confirm the cause with
 * tlspeek's own connections to the upstream (src/probe/quick.ts), through a
 * cache shared by every session (one probe per upstream + SNI + offer at a
 * time, results kept for a while). The session's sockets are gone by then;
 * only its record waits for the probe, so a probe never holds a client.
 */
import type { TrustStore } from '../certs/checks.js';
import type { DiagnosisFacts } from '../diagnose/facts.js';
import { type Diagnosis, refineWithProbe, wantsProbe } from '../diagnose/probe-evidence.js';
import { clientOffer } from '../probe/quick.js';
import { ProbeCache, type ProbeCacheOptions } from '../probe/probe-cache.js';
import type { ProbeFinding } from '../probe/report.js';
import type { HostPort } from './address.js';

/** SPEC's `probe` field of the connection record. */
export interface ProbeJson {
  /** No probe ran for this connection: the result was cached, or shared with a probe in flight. */
  cached: boolean;
  findings: ProbeFinding[];
}

export interface ProbedDiagnosis extends Diagnosis {
  /** Absent when no probe was made (not wanted, or too many pending). */
  readonly probe?: ProbeJson;
}

export interface UpstreamProberOptions extends ProbeCacheOptions {
  readonly upstream: HostPort;
  /** Trust anchors for the fetched chain (--upstream-ca); default Node's root store. */
  readonly roots?: TrustStore;
}

export class UpstreamProber {
  private readonly cache: ProbeCache;
  private readonly stopping = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: UpstreamProberOptions) {
    this.cache = new ProbeCache(options);
  }

  /**
   * Calls `write` with the wire's diagnosis, refined by a probe when one is
   * wanted and possible: at once when no probe is needed, else when the probe
   * ends. `settled()` waits for every `write` still due.
   */
  confirm(facts: DiagnosisFacts, wire: Diagnosis, write: (diagnosis: ProbedDiagnosis) => void): void {
    if (!wantsProbe(facts) || this.stopping.signal.aborted) {
      write(wire);
      return;
    }
    const { upstream, roots } = this.options;
    const done = this.cache
      .probe(upstream, { ...clientOffer(facts.hello), ...(roots ? { roots } : {}), signal: this.stopping.signal })
      .catch(() => null)
      .then((probed) =>
        write(probed === null ? wire : { ...refineWithProbe(facts, wire, probed.result), probe: { cached: probed.cached, findings: probed.result.findings } }),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Probes running or waiting. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves once every probe has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Cuts running probes short (they return what they found so far) and declines new ones. */
  abort(): void {
    this.stopping.abort();
  }
}
