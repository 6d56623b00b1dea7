/** The probed server: resolving it once, naming it, and telling "no TLS at all" from refusals. */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { HelloProbeResult, ProbeTarget } from './handshake-probe.js';
import type { ProbeError } from './report.js';

/** The address to probe: an IP literal as is, a name resolved once (so every probe of a run hits the same server). */
export async function resolveTarget(host: string): Promise<{ address: string } | { error: string }> {
  if (net.isIP(host) !== 0) return { address: host };
  try {
    return { address: (await lookup(host)).address };
  } catch (err: unknown) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND' };
  }
}

/** HOST:PORT, IPv6 in brackets. */
export function formatTarget(t: ProbeTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** When no hello got an answer of any kind: unreachable, silent, or not TLS. Null when the server did answer (refusals included). */
export function noTlsError(target: ProbeTarget, results: readonly HelloProbeResult[], timeoutMs: number): ProbeError | null {
  const where = formatTarget(target);
  if (results.length === 0) return null;
  if (results.every((r) => r.outcome === 'unreachable')) {
    return { kind: 'unreachable', message: `cannot connect to ${where}: ${results[0]?.error ?? 'failed'}` };
  }
  if (results.every((r) => r.outcome === 'timeout' || r.outcome === 'unreachable')) {
    return { kind: 'timeout', message: `${where} accepted the connection but answered no ClientHello within ${timeoutMs} ms` };
  }
  if (results.every((r) => r.outcome === 'not_tls' || r.outcome === 'timeout' || r.outcome === 'unreachable')) {
    const why = results.find((r) => r.outcome === 'not_tls')?.error;
    return { kind: 'not_tls', message: `${where} does not speak TLS${why ? `: ${why}` : ''}` };
  }
  return null;
}
