/**
 * Prometheus metrics for the proxy, in the text exposition format (0.0.4).
 * Hand-written: a few counters and one histogram do not justify a client
 * library. Label values come only from closed vocabularies (outcome, cause,
 * mode, version), never from client-controlled strings, so cardinality is
 * bounded.
 */
import http from 'node:http';
import type { HostPort } from '../proxy/address.js';

/** What metrics needs from a connection record. */
export interface RecordSummary {
  readonly mode: string;
  readonly outcome: string;
  readonly cause: string | null;
  readonly handshakeMs: number | null;
  readonly bytesFromClient: number;
  readonly bytesFromServer: number;
  readonly server: { readonly version: string | null } | null;
  readonly probe?: { readonly cached: boolean };
}

const HANDSHAKE_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ProxyMetrics {
  private readonly connections = new Map<string, number>();
  private readonly versions = new Map<string, number>();
  private readonly buckets = new Array<number>(HANDSHAKE_BUCKETS_S.length).fill(0);
  private handshakeCount = 0;
  private handshakeSum = 0;
  private bytesFromClient = 0;
  private bytesFromServer = 0;
  private readonly probes = { ran: 0, cached: 0 };

  /** @param openConnections read at scrape time */
  constructor(private readonly openConnections: () => number) {}

  observe(r: RecordSummary): void {
    const key = `mode="${r.mode}",outcome="${r.outcome}",cause="${r.cause ?? ''}"`;
    this.connections.set(key, (this.connections.get(key) ?? 0) + 1);
    if (r.outcome === 'established' && r.server?.version) {
      const v = `version="${r.server.version}"`;
      this.versions.set(v, (this.versions.get(v) ?? 0) + 1);
    }
    if (r.handshakeMs !== null) {
      const s = r.handshakeMs / 1000;
      this.handshakeCount++;
      this.handshakeSum += s;
      HANDSHAKE_BUCKETS_S.forEach((b, i) => {
        if (s <= b) this.buckets[i]!++;
      });
    }
    this.bytesFromClient += r.bytesFromClient;
    this.bytesFromServer += r.bytesFromServer;
    if (r.probe) this.probes[r.probe.cached ? 'cached' : 'ran']++;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP tlspeek_connections_total Connections that ended, by mode, outcome and cause.');
    out.push('# TYPE tlspeek_connections_total counter');
    for (const [k, v] of this.connections) out.push(`tlspeek_connections_total{${k}} ${v}`);
    out.push('# HELP tlspeek_established_total Established handshakes by negotiated TLS version.');
    out.push('# TYPE tlspeek_established_total counter');
    for (const [k, v] of this.versions) out.push(`tlspeek_established_total{${k}} ${v}`);
    out.push('# HELP tlspeek_open_connections Connections currently open.');
    out.push('# TYPE tlspeek_open_connections gauge');
    out.push(`tlspeek_open_connections ${this.openConnections()}`);
    out.push('# HELP tlspeek_handshake_seconds Time from accept to an established handshake.');
    out.push('# TYPE tlspeek_handshake_seconds histogram');
    HANDSHAKE_BUCKETS_S.forEach((b, i) => out.push(`tlspeek_handshake_seconds_bucket{le="${b}"} ${this.buckets[i]}`));
    out.push(`tlspeek_handshake_seconds_bucket{le="+Inf"} ${this.handshakeCount}`);
    out.push(`tlspeek_handshake_seconds_sum ${this.handshakeSum}`);
    out.push(`tlspeek_handshake_seconds_count ${this.handshakeCount}`);
    out.push('# HELP tlspeek_bytes_total Bytes relayed, by direction.');
    out.push('# TYPE tlspeek_bytes_total counter');
    out.push(`tlspeek_bytes_total{direction="from_client"} ${this.bytesFromClient}`);
    out.push(`tlspeek_bytes_total{direction="from_server"} ${this.bytesFromServer}`);
    out.push('# HELP tlspeek_probes_total Failed connections confirmed by --probe: a probe ran, or a cached result was used.');
    out.push('# TYPE tlspeek_probes_total counter');
    out.push(`tlspeek_probes_total{cached="false"} ${this.probes.ran}`);
    out.push(`tlspeek_probes_total{cached="true"} ${this.probes.cached}`);
    return out.join('\n') + '\n';
  }
}

/** Serves `GET /metrics`; everything else is 404. */
export async function serveMetrics(metrics: ProxyMetrics, at: HostPort): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
