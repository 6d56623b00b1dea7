/**
 * What `--probe` adds to a failed connection's diagnosis. The wire's own
 * cause stands when the wire explains the failure (SPEC: "a failure that the
 * wire alone explains keeps the wire's cause"); the probe's evidence only
 * refines a generic certificate refusal with the chain it fetched, or names a
 * cause where the wire gave none (`unknown`): a TLS 1.3 client's encrypted
 * rejection, or a bare reset or close from a server that was sent SNI.
 */
import type { ChainAssessment } from '../certs/checks.js';
import type { ProbeFinding } from '../probe/report.js';
import type { DiagnosisFacts } from './facts.js';
import { diagnose, serverAction } from './rules.js';
import type { Cause, Outcome } from './vocabulary.js';

/** Outcomes worth a probe: the handshake failed and the server had a part in it. */
const PROBED: ReadonlySet<Outcome> = new Set<Outcome>(['server_alert', 'server_reset', 'server_closed', 'client_alert', 'client_closed']);

/**
 * True when a probe may explain this connection. Never a successful
 * handshake; never a client that gave up before the server answered (nothing
 * the upstream did explains that).
 */
export function wantsProbe(f: DiagnosisFacts): boolean {
  if (!PROBED.has(f.outcome)) return false;
  return f.outcome !== 'client_closed' || f.serverHelloSeen;
}

/** What the probe concluded, as `quickProbe` returns it. */
export interface ProbeConclusion {
  readonly findings: readonly ProbeFinding[];
  readonly cause: Cause | null;
  readonly hint: string | null;
}

export interface Diagnosis {
  readonly cause: Cause | null;
  readonly hint: string | null;
}

/** The diagnosis once the probe's evidence is in. `wire` is `diagnose(f)`. */
export function refineWithProbe(f: DiagnosisFacts, wire: Diagnosis, probe: ProbeConclusion): Diagnosis {
  // A chain seen in clear on the client's own connection beats the probe's copy.
  const chain = f.chain ?? probedChain(probe.findings);
  const refined = chain === f.chain ? wire : diagnose({ ...f, chain });
  if (refined.cause !== 'unknown' || probe.cause === null || probe.hint === null) return refined;
  return { cause: probe.cause, hint: `${whatTheWireShowed(f)}, and tlspeek's probe of the upstream shows why. ${probe.hint}` };
}

function probedChain(findings: readonly ProbeFinding[]): ChainAssessment | null {
  for (const finding of findings) if (finding.kind === 'chain') return finding;
  return null;
}

function whatTheWireShowed(f: DiagnosisFacts): string {
  if (f.end.kind === 'encrypted-alert' && f.end.side === 'client') return 'The client aborted the TLS 1.3 handshake with an encrypted alert';
  if (f.outcome === 'client_alert' || f.outcome === 'client_closed') return "The client gave up after the server's answer";
  return `The server ${serverAction(f)}`;
}
