/** The closed vocabularies of SPEC.md. Names here are a contract: never rename. */

export const OUTCOMES = [
  'established',
  'server_alert',
  'server_reset',
  'server_closed',
  'client_alert',
  'client_closed',
  'hello_timeout',
  'upstream_timeout',
  'not_tls',
  'upstream_unreachable',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const CAUSES = [
  'non_sni_client',
  'sni_unrecognized',
  'protocol_mismatch',
  'cipher_mismatch',
  'hostname_mismatch',
  'incomplete_chain',
  'expired_certificate',
  'untrusted_certificate',
  'client_certificate_required',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

/** Outcomes that already say everything: SPEC gives them a null cause. */
export const SELF_EXPLAINING: ReadonlySet<Outcome> = new Set<Outcome>([
  'established',
  'not_tls',
  'hello_timeout',
  'upstream_timeout',
  'upstream_unreachable',
]);

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
