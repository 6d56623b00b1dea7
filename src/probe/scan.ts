/**
 * The probe runs. `diagnoseUpstream` is `tlspeek probe`: versions, suites
 * per version and preference, SNI behaviour, ALPN, the chain and its checks.
 * `quickProbe` is what the proxy's `--probe` runs after a failed handshake:
 * a handful of connections that confirm or rule out the causes a client's
 * own offer could have met (see its JSDoc).
 */
import { systemTrustStore, type TrustStore } from '../certs/checks.js';
import type { Cause } from '../diagnose/vocabulary.js';
import { AlertDescription, ProtocolVersion } from '../tls/constants.js';
import { versionName } from '../tls/iana.js';
import { chainReport, checkName, fetchWithTlsConnect, isDnsName } from './chain-fetch.js';
import { bestForClearText, enumerateSuites, probeVersions, versionHello, versionResults, type VersionProbe } from './enumerate.js';
import type { ProbeTarget } from './handshake-probe.js';
import { type AlpnReport, type ChainReport, type CipherResult, describeAnswer, helloAnswer, type ProbeReport, type SniReport } from './report.js';
import { ProbeRunner, type RunLimits } from './runner.js';
import { probeSni } from './sni.js';
import { broadHello, isTls13Suite, MODERN_CLIENT_SUITES, MODERN_CLIENT_VERSIONS, suitesFor } from './suites.js';
import { formatTarget, noTlsError, resolveTarget } from './target.js';

export { clientOffer, quickProbe, type QuickProbeOptions, type QuickProbeResult } from './quick.js';

/** ALPN protocols `tlspeek probe` offers. */
export const PROBE_ALPN: readonly string[] = ['h2', 'http/1.1'];

export interface ProbeOptions {
  /** SNI sent by the version, suite, ALPN and chain probes; null sends none. */
  readonly servername: string | null;
  /** Trust anchors for the chain check; default Node's bundled roots. */
  readonly roots?: TrustStore;
  /** Deadline per connection; default 5000 ms. */
  readonly timeoutMs?: number;
  /** Time for the whole run; default 60 s. Probes not started by then are skipped and the report says `incomplete`. */
  readonly budgetMs?: number;
  /** Connections in flight at once; default 4. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export const PROBE_DEFAULTS = { timeoutMs: 5000, budgetMs: 60_000, concurrency: 4 } as const;

/**
 * `tlspeek probe HOST:PORT`: everything the server accepts and serves, and
 * the causes that follows from it. Never throws for network trouble: an
 * unreachable or silent server is reported in `error`, with a null cause.
 *
 * Causes, most widely felt first:
 * 1. `protocol_mismatch`: no version a current default client offers (TLS 1.2, 1.3) is accepted;
 * 2. `cipher_mismatch`: those versions are accepted but none of a current default client's suites is (see `MODERN_CLIENT_SUITES`);
 * 3. the chain's problems, in `assessChain`'s precedence (hostname_mismatch, expired_certificate, incomplete_chain, untrusted_certificate);
 * 4. `non_sni_client`: hellos without SNI are refused while hellos with it are answered.
 * When nothing is accepted with the probed name: `non_sni_client` when the
 * name was none and SNI helps, `sni_unrecognized` when the name drew
 * unrecognized_name (112), `protocol_mismatch` when every version drew
 * protocol_version (70), else `unknown`.
 */
export async function diagnoseUpstream(target: ProbeTarget, options: ProbeOptions): Promise<ProbeReport> {
  const started = performance.now();
  const roots = options.roots ?? systemTrustStore();
  const servername = options.servername;
  const report: ProbeReport = {
    target: formatTarget(target),
    address: null,
    servername,
    error: null,
    versions: [],
    ciphers: [],
    sni: null,
    alpn: null,
    chain: null,
    causes: [],
    cause: null,
    hint: null,
    incomplete: false,
    connections: 0,
    durationMs: 0,
  };
  const done = (runner: ProbeRunner | null): ProbeReport => {
    report.cause = report.causes[0] ?? null;
    report.incomplete = runner?.exhausted ?? false;
    report.connections = runner?.connections ?? 0;
    report.durationMs = Math.round((performance.now() - started) * 10) / 10;
    return report;
  };

  const resolved = await resolveTarget(target.host);
  if ('error' in resolved) {
    report.error = { kind: 'unreachable', message: `cannot resolve ${target.host}: ${resolved.error}` };
    return done(null);
  }
  report.address = resolved.address;
  const runner = new ProbeRunner({ host: resolved.address, port: target.port }, limitsOf(options));

  const versions = await probeVersions(runner, servername);
  report.versions = versionResults(versions);
  const anyAccepted = versions.some((v) => v.accepted);
  if (!anyAccepted) {
    const error = noTlsError(target, versions.map((v) => v.result), options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs);
    if (error !== null) {
      report.error = error;
      return done(runner);
    }
  }

  const best = bestForClearText(versions);
  const sniBase = best ? versionHello(best.code, suitesFor(best.code), null) : broadHello();
  const hostName = isDnsName(target.host) ? target.host : null;
  const [ciphers, sni, alpn, chain] = await Promise.all([
    Promise.all(versions.filter((v) => v.accepted).map((v) => enumerateSuites(runner, v, servername))),
    probeSni(runner, sniBase, { servername, hostName }),
    best ? probeAlpn(runner, best, servername) : Promise.resolve(null),
    best ? fetchChain(runner, versions, best, { servername, name: checkName(servername, target.host), roots }) : Promise.resolve(null),
  ]);
  report.ciphers = ciphers;
  report.sni = sni;
  report.alpn = alpn;
  report.chain = chain;

  const found = anyAccepted ? causesWhenAccepted(versions, ciphers, chain, sni, servername) : causesWhenRefused(versions, sni, servername);
  report.causes = found.map((f) => f.cause);
  report.hint = found[0]?.hint ?? null;
  return done(runner);
}

function limitsOf(o: ProbeOptions): RunLimits {
  return {
    concurrency: o.concurrency ?? PROBE_DEFAULTS.concurrency,
    timeoutMs: o.timeoutMs ?? PROBE_DEFAULTS.timeoutMs,
    budgetMs: o.budgetMs ?? PROBE_DEFAULTS.budgetMs,
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/** ALPN as the server selects it for [h2, http/1.1]: from a ServerHello in clear, or (TLS 1.3 only) from Node's handshake. */
async function probeAlpn(runner: ProbeRunner, best: VersionProbe, servername: string | null): Promise<AlpnReport> {
  const offered = [...PROBE_ALPN];
  if (best.code <= ProtocolVersion.TLSv1_2) {
    const r = await runner.hello(versionHello(best.code, suitesFor(best.code), servername, { alpn: offered }));
    if (r.outcome === 'server_hello' && r.serverHello) return { offered, selected: r.serverHello.alpn, via: 'handshake', error: null };
    return { offered, selected: null, via: 'handshake', error: describeAnswer(helloAnswer(r)) };
  }
  const r = await runner.connect((timeoutMs) => fetchWithTlsConnect(runner.target, { servername, timeoutMs, alpn: offered }));
  if (r === null) return { offered, selected: null, via: 'tls-connect', error: 'not tried (time budget spent)' };
  return { offered, selected: r.alpn, via: 'tls-connect', error: r.error };
}

/**
 * The served chain: from the Certificate message of the best clear-text
 * version's probe (no extra connection), else one more crafted hello with
 * certificate-based suites only, else (TLS 1.3 only) Node's handshake.
 */
async function fetchChain(
  runner: ProbeRunner,
  versions: readonly VersionProbe[],
  best: VersionProbe,
  meta: { servername: string | null; name: string; roots: TrustStore },
): Promise<ChainReport | null> {
  if (best.code <= ProtocolVersion.TLSv1_2) {
    let r = best.result;
    if (r.certificates === undefined) {
      // It picked a suite without certificates (anonymous or PSK): ask again with certificate-based suites only.
      r = await runner.hello(versionHello(best.code, MODERN_CLIENT_SUITES.filter((c) => !isTls13Suite(c)), meta.servername));
    }
    if (r.certificates !== undefined && r.serverHello) {
      return chainReport(r.certificates, { source: 'handshake', version: versionName(r.serverHello.version), ...meta });
    }
  }
  if (!versions.some((v) => v.accepted && v.code === ProtocolVersion.TLSv1_3)) return null;
  const fetched = await runner.connect((timeoutMs) => fetchWithTlsConnect(runner.target, { servername: meta.servername, timeoutMs }));
  if (fetched === null || fetched.error !== null || fetched.certificates.length === 0) return null;
  return chainReport(fetched.certificates, { source: 'tls-connect', version: fetched.version, ...meta });
}

interface FoundCause {
  readonly cause: Cause;
  readonly hint: string;
}

const acceptedNames = (versions: readonly VersionProbe[]): string => versions.filter((v) => v.accepted).map((v) => v.name).join(', ');

function causesWhenAccepted(
  versions: readonly VersionProbe[],
  ciphers: readonly CipherResult[],
  chain: ChainReport | null,
  sni: SniReport,
  servername: string | null,
): FoundCause[] {
  const out: FoundCause[] = [];
  const modern = versions.filter((v) => v.accepted && MODERN_CLIENT_VERSIONS.includes(v.code));
  if (modern.length === 0) {
    out.push({
      cause: 'protocol_mismatch',
      hint: `The server accepts only ${acceptedNames(versions)}; clients that offer TLS 1.2 and 1.3 (OpenSSL 3, Java 17, current browsers and curl by default) get protocol_version (70): enable TLS 1.2 on the server.`,
    });
  } else {
    const modernCiphers = ciphers.filter((c) => modern.some((v) => v.name === c.version));
    const accepted = modernCiphers.flatMap((c) => c.codes);
    if (modernCiphers.every((c) => c.complete) && !accepted.some((c) => MODERN_CLIENT_SUITES.includes(c))) {
      out.push({
        cause: 'cipher_mismatch',
        hint: `The server accepts only ${modernCiphers.flatMap((c) => c.accepted).join(', ')} on ${modern.map((v) => v.name).join(', ')}, none of which a current default client offers: enable an ECDHE suite with AES-GCM or CHACHA20 on the server.`,
      });
    }
  }
  if (chain !== null) {
    for (const p of chain.problems) out.push({ cause: p, hint: chain.problems[0] === p && chain.hint !== null ? chain.hint : `The certificate chain also has this problem: ${p}.` });
  }
  if (sni.required === true && servername !== null) out.push({ cause: 'non_sni_client', hint: nonSniHint(sni) });
  return out;
}

function causesWhenRefused(versions: readonly VersionProbe[], sni: SniReport, servername: string | null): FoundCause[] {
  const alerts = versions.map((v) => v.result.alert?.code ?? null);
  if (servername === null && sni.required === true) return [{ cause: 'non_sni_client', hint: nonSniHint(sni) }];
  if (servername !== null && alerts.includes(AlertDescription.UnrecognizedName)) {
    return [
      {
        cause: 'sni_unrecognized',
        hint: `The server answers SNI "${servername}" with unrecognized_name (112): check the name, or add it to the server's virtual hosts (server_name / SNI certificate map).`,
      },
    ];
  }
  if (alerts.every((a) => a === AlertDescription.ProtocolVersion)) {
    return [{ cause: 'protocol_mismatch', hint: 'The server refuses SSLv3 and TLS 1.0 to 1.3 alike with protocol_version (70): check which protocol it really speaks on this port.' }];
  }
  const first = versions.find((v) => v.result.outcome !== 'timeout')?.result;
  return [
    {
      cause: 'unknown',
      hint: `The server refuses every ClientHello tlspeek sends${first ? ` (${describeAnswer(helloAnswer(first))})` : ''}: check the server's log for the reason.`,
    },
  ];
}

function nonSniHint(sni: SniReport): string {
  const none = sni.cases.find((c) => c.kind === 'none');
  const what = none ? describeAnswer(none.answer) : 'a refusal';
  return `The server answers a ClientHello without SNI with ${what} and one with SNI normally: clients that send no SNI (IP-literal URLs, old Java and .NET, health checkers) fail; have them send SNI, give the server a default certificate, or put tlspeek proxy --inject-sni NAME in front of them.`;
}
