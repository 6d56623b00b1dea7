/**
 * SNI behaviour (RFC 6066 §3): the same hello with the name probed, without
 * SNI, and with a name no server is configured for. What the server does
 * with each (a ServerHello and which certificate, reset, close, alert) is
 * what an operator needs to know about clients that send no SNI.
 */
import type { HelloOptions } from './client-hello-builder.js';
import type { HelloProbeResult } from './handshake-probe.js';
import { helloAnswer, leafInfo, type SniCase, type SniReport } from './report.js';
import type { ProbeRunner } from './runner.js';

/** A name under the reserved .invalid TLD (RFC 2606 §2): no server has a certificate for it. */
export const UNKNOWN_SERVERNAME = 'tlspeek-probe.invalid';

export interface SniPlan {
  /** The name probed, or null with --no-servername. */
  readonly servername: string | null;
  /** The target's DNS name, tried as SNI when `servername` is null; null for an IP literal. */
  readonly hostName: string | null;
}

interface Variant {
  readonly kind: SniCase['kind'];
  readonly sent: string | null;
}

function variants(plan: SniPlan): Variant[] {
  const out: Variant[] = [];
  if (plan.servername !== null) out.push({ kind: 'servername', sent: plan.servername });
  else if (plan.hostName !== null) out.push({ kind: 'host', sent: plan.hostName });
  out.push({ kind: 'none', sent: null });
  if (plan.servername !== UNKNOWN_SERVERNAME) out.push({ kind: 'unknown', sent: UNKNOWN_SERVERNAME });
  return out;
}

const answered = (r: HelloProbeResult): boolean => r.outcome === 'server_hello';
/** A refusal is an answer; a timeout or a failed connection is not evidence either way. */
const refused = (r: HelloProbeResult): boolean => r.outcome === 'alert' || r.outcome === 'reset' || r.outcome === 'closed';

/** Sends `base` with each SNI variant and says whether the server requires SNI. */
export async function probeSni(runner: ProbeRunner, base: Omit<HelloOptions, 'servername'>, plan: SniPlan): Promise<SniReport> {
  const vs = variants(plan);
  const results = await Promise.all(vs.map((v) => runner.hello({ ...base, servername: v.sent })));
  const cases: SniCase[] = vs.map((v, i) => {
    const r = results[i]!;
    return { kind: v.kind, sent: v.sent, answer: helloAnswer(r), certificate: leafInfo(r.certificates) };
  });
  const none = results[vs.findIndex((v) => v.kind === 'none')]!;
  const withName = results.filter((_, i) => vs[i]!.kind !== 'none');
  let required: boolean | null = null;
  if (answered(none)) required = false;
  else if (refused(none) && withName.some(answered)) required = true;
  return { required, cases };
}
