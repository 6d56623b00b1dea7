/**
 * The proxy's `--probe`: after a failed handshake, a few connections of
 * tlspeek's own to the upstream confirm what the client's offer met. It is
 * what the passive diagnosis cannot see in TLS 1.3 (the chain, the client's
 * encrypted rejection) and what only a comparison shows (no version or suite
 * in common, SNI required).
 */
import { systemTrustStore, type TrustStore } from '../certs/checks.js';
import type { Cause } from '../diagnose/vocabulary.js';
import { isGrease } from '../fingerprint/grease.js';
import { AlertDescription, ProtocolVersion } from '../tls/constants.js';
import { cipherSuiteName, versionName } from '../tls/iana.js';
import type { ClientHello } from '../tls/types.js';
import { chainReport, checkName, fetchWithTlsConnect, isDnsName } from './chain-fetch.js';
import type { HelloProbeResult, ProbeTarget } from './handshake-probe.js';
import { describeAnswer, helloAnswer, type ProbeFinding } from './report.js';
import { ProbeRunner } from './runner.js';
import { UNKNOWN_SERVERNAME } from './sni.js';
import { broadHello, isNegotiable, MODERN_CLIENT_VERSIONS, TLS12_SUITES, TLS13_SUITES } from './suites.js';
import { noTlsError, resolveTarget } from './target.js';

export interface QuickProbeOptions {
  /** The SNI the failing client sent (or the name --inject-sni re-originates with); null: it sent none. */
  readonly servername: string | null;
  /** The name to check the certificate against; default `servername`, else the upstream host (an IP literal included). */
  readonly name?: string | null;
  /**
   * Versions the client offered, as wire codes: its supported_versions, else
   * its legacy_version (see `clientOffer`). Absent: no version check.
   */
  readonly clientVersions?: readonly number[];
  /** Suites the client offered, as wire codes (GREASE and signalling values are ignored). Absent: no suite check. */
  readonly clientCiphers?: readonly number[];
  /** Trust anchors (--upstream-ca); default Node's bundled roots. */
  readonly roots?: TrustStore;
  /** Deadline per connection; default 3000 ms. */
  readonly timeoutMs?: number;
  /** Time for the whole probe; default 6000 ms. */
  readonly budgetMs?: number;
  /** Connections in flight at once; default 4 (the probe opens at most 6). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface QuickProbeResult {
  /** The evidence, in the order the checks are listed in `quickProbe`. */
  readonly findings: ProbeFinding[];
  /** What the probe confirms; null when it confirms nothing (or the upstream is unreachable). */
  readonly cause: Cause | null;
  /** One sentence about `cause`; null when none. */
  readonly hint: string | null;
  readonly connections: number;
  readonly durationMs: number;
  /** The budget ran out before every check was tried. */
  readonly incomplete: boolean;
}

/**
 * What the proxy passes for a failed connection: the client's SNI, versions
 * and suites as its ClientHello offered them. A hello without
 * supported_versions is taken to offer only its legacy_version: the clients
 * that still send one (Java 8, .NET Framework, embedded stacks) mostly refuse
 * a lower version, and a server answering lower is worth reporting.
 */
export function clientOffer(hello: ClientHello): Pick<QuickProbeOptions, 'servername' | 'clientVersions' | 'clientCiphers'> {
  const listed = hello.supportedVersions.filter(isProbeable);
  return {
    servername: hello.sni,
    clientVersions: listed.length > 0 ? listed : [hello.legacyVersion].filter(isProbeable),
    clientCiphers: hello.cipherSuites.filter((c) => !isGrease(c)),
  };
}

const isProbeable = (v: number): boolean => v >= ProtocolVersion.SSLv3 && v <= ProtocolVersion.TLSv1_3;

/**
 * Probes `upstream` as the failing client would have met it, in at most six
 * connections run side by side within one small budget. Checks, and the
 * cause each confirms (first in this order wins, handshake order: a server
 * that refuses the client's versions never got as far as its certificate):
 *
 * 1. `version_check` (with `clientVersions`): the client's versions with
 *    every suite. Refused with protocol_version (70), or answered with a
 *    version the client did not offer: `protocol_mismatch`.
 * 2. `cipher_check` (with `clientCiphers`): the client's versions (default
 *    TLS 1.2 and 1.3) with only its suites. Refused while check 1's hello
 *    (every suite) is answered: `cipher_mismatch`.
 * 3. `sni_check` (when `servername` is null): the same hello without SNI
 *    and with the host name (or a name under .invalid for an IP literal).
 *    Refused without, answered with: `non_sni_client`.
 *    (`sni_unrecognized` when the client's SNI itself drew alert 112.)
 * 4. `chain`: the chain fetched with `servername` (a crafted TLS <= 1.2
 *    hello; Node's TLS 1.3 handshake when the server speaks only 1.3),
 *    checked against `name`: hostname_mismatch, expired_certificate,
 *    incomplete_chain or untrusted_certificate.
 *
 * Never throws for network trouble; an unreachable upstream gives an
 * `unreachable` finding and a null cause (SPEC: `upstream_unreachable`
 * needs none).
 *
 * The proxy calls it as
 * `quickProbe(upstream, { ...clientOffer(hello), roots })`, passing
 * `servername: NAME` for an --inject-sni connection.
 */
export async function quickProbe(upstream: ProbeTarget, options: QuickProbeOptions): Promise<QuickProbeResult> {
  const started = performance.now();
  const findings: ProbeFinding[] = [];
  const finish = (runner: ProbeRunner | null, cause: Cause | null, hint: string | null): QuickProbeResult => ({
    findings,
    cause,
    hint,
    connections: runner?.connections ?? 0,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    incomplete: runner?.exhausted ?? false,
  });

  const resolved = await resolveTarget(upstream.host);
  if ('error' in resolved) {
    findings.push({ kind: 'unreachable', message: `cannot resolve ${upstream.host}: ${resolved.error}` });
    return finish(null, null, null);
  }
  const timeoutMs = options.timeoutMs ?? 3000;
  const runner = new ProbeRunner(
    { host: resolved.address, port: upstream.port },
    { concurrency: options.concurrency ?? 4, timeoutMs, budgetMs: options.budgetMs ?? 6000, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const { servername } = options;
  const clientVersions = options.clientVersions?.filter(isProbeable);
  const clientCiphers = options.clientCiphers?.filter((c) => !isGrease(c) && isNegotiable(c));
  const versions = clientVersions !== undefined && clientVersions.length > 0 ? clientVersions : [...MODERN_CLIENT_VERSIONS];
  const everySuite = (vs: readonly number[]): number[] => [...(vs.includes(ProtocolVersion.TLSv1_3) ? TLS13_SUITES : []), ...TLS12_SUITES];
  const sniName = isDnsName(upstream.host) ? upstream.host : UNKNOWN_SERVERNAME;
  const broad = broadHello();

  const checkVersions = clientVersions !== undefined || clientCiphers !== undefined;
  const [allSuites, onlyTheirs, withoutSni, withSni, chainHello] = await Promise.all([
    checkVersions ? runner.hello({ versions, cipherSuites: everySuite(versions), servername }) : null,
    clientCiphers !== undefined && clientCiphers.length > 0 ? runner.hello({ versions, cipherSuites: clientCiphers, servername }) : null,
    servername === null ? runner.hello({ ...broad, servername: null }) : null,
    servername === null ? runner.hello({ ...broad, servername: sniName }) : null,
    // A classic TLS 1.2 hello: a server that takes <= 1.2 sends its chain in clear.
    runner.hello({ versions: [ProtocolVersion.TLSv1_2], cipherSuites: TLS12_SUITES, servername }),
  ]);

  const answered = [allSuites, onlyTheirs, withoutSni, withSni, chainHello].filter((r): r is HelloProbeResult => r !== null);
  const error = noTlsError(upstream, answered, timeoutMs);
  if (error?.kind === 'unreachable') {
    findings.push({ kind: 'unreachable', message: error.message });
    return finish(runner, null, null);
  }

  const found: { cause: Cause; hint: string }[] = [];

  if (allSuites !== null && clientVersions !== undefined) {
    const common = versionInCommon(allSuites, versions);
    findings.push({ kind: 'version_check', offered: versions.map(versionName), answer: helloAnswer(allSuites), common });
    if (common === false) {
      found.push({
        cause: 'protocol_mismatch',
        hint: `The upstream ${allSuites.outcome === 'server_hello' ? `answers ${versionName(allSuites.serverHello!.version)}` : 'refuses with protocol_version (70)'} for a client offering ${versions.map(versionName).join(', ')}: align the versions the client and the server accept.`,
      });
    }
  }
  if (onlyTheirs !== null && clientCiphers !== undefined) {
    const common = onlyTheirs.outcome === 'server_hello' ? true : refusal(onlyTheirs) && allSuites !== null && versionInCommon(allSuites, versions) === true ? false : null;
    findings.push({ kind: 'cipher_check', offered: clientCiphers.map(cipherSuiteName), answer: helloAnswer(onlyTheirs), common });
    if (common === false) {
      found.push({
        cause: 'cipher_mismatch',
        hint: `The upstream accepts ${versions.map(versionName).join('/')} but none of the client's ${clientCiphers.length} cipher suites (it answers them with ${describeAnswer(helloAnswer(onlyTheirs))}): enable a suite both sides share, e.g. an ECDHE AES-GCM suite.`,
      });
    }
  }
  if (withoutSni !== null && withSni !== null) {
    const required = withoutSni.outcome === 'server_hello' ? false : refusal(withoutSni) && withSni.outcome === 'server_hello' ? true : null;
    findings.push({ kind: 'sni_check', without: helloAnswer(withoutSni), with: { name: sniName, answer: helloAnswer(withSni) }, required });
    if (required === true) {
      found.push({
        cause: 'non_sni_client',
        hint: `The upstream answers a ClientHello without SNI with ${describeAnswer(helloAnswer(withoutSni))} and one with SNI normally: have the client send SNI, or run tlspeek with --inject-sni NAME.`,
      });
    }
  }
  if (servername !== null) {
    const unrecognized = [allSuites, chainHello].find((r) => r?.outcome === 'alert' && r.alert?.code === AlertDescription.UnrecognizedName);
    if (unrecognized) {
      findings.push({ kind: 'sni_unrecognized', servername, answer: helloAnswer(unrecognized) });
      found.push({ cause: 'sni_unrecognized', hint: `The upstream answers SNI "${servername}" with unrecognized_name (112): check the name, or the server's virtual hosts.` });
    }
  }

  const name = options.name !== undefined ? options.name : checkName(servername, upstream.host);
  const roots = options.roots ?? systemTrustStore();
  const chain = await fetchQuickChain(runner, chainHello, { servername, name, roots });
  findings.push(chain);
  if (chain.kind === 'chain') {
    for (const p of chain.problems) found.push({ cause: p, hint: chain.hint ?? `The certificate chain has a problem: ${p}.` });
  }

  const first = found[0] ?? null;
  return finish(runner, first?.cause ?? null, first?.hint ?? null);
}

const refusal = (r: HelloProbeResult): boolean => r.outcome === 'alert' || r.outcome === 'reset' || r.outcome === 'closed';

/** True: answered with an offered version; false: answered with another, or protocol_version (70); null: anything else. */
function versionInCommon(r: HelloProbeResult, offered: readonly number[]): boolean | null {
  if (r.outcome === 'server_hello' && r.serverHello) return offered.includes(r.serverHello.version);
  if (r.outcome === 'alert' && r.alert?.code === AlertDescription.ProtocolVersion) return false;
  return null;
}

async function fetchQuickChain(
  runner: ProbeRunner,
  clear: HelloProbeResult,
  meta: { servername: string | null; name: string | null; roots: TrustStore },
): Promise<ProbeFinding> {
  if (clear.outcome === 'server_hello' && clear.serverHello && clear.certificates !== undefined) {
    return { kind: 'chain', ...chainReport(clear.certificates, { source: 'handshake', version: versionName(clear.serverHello.version), ...meta }) };
  }
  // No chain in clear (a TLS 1.3-only server refuses a 1.2 hello): let Node do a TLS 1.3 handshake.
  const fetched = await runner.connect((timeoutMs) => fetchWithTlsConnect(runner.target, { servername: meta.servername, timeoutMs }));
  if (fetched !== null && fetched.error === null && fetched.certificates.length > 0) {
    return { kind: 'chain', ...chainReport(fetched.certificates, { source: 'tls-connect', version: fetched.version, ...meta }) };
  }
  return {
    kind: 'chain_unavailable',
    servername: meta.servername,
    answer: helloAnswer(clear),
    error: fetched === null ? 'budget' : (fetched.error ?? 'no certificate'),
  };
}
