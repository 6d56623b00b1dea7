/**
 * Versions and cipher suites, enumerated the way sslyze and testssl.sh do it:
 * offer one version with every suite; if the server answers that version, it
 * accepts it; then remove the suite it chose and offer the rest, until it
 * refuses. Two accepted suites offered in both orders tell whether the server
 * picks by its own preference or by the client's.
 */
import { ProtocolVersion } from '../tls/constants.js';
import { cipherSuiteName } from '../tls/iana.js';
import type { HelloOptions } from './client-hello-builder.js';
import type { HelloProbeResult } from './handshake-probe.js';
import type { CipherResult, VersionResult } from './report.js';
import { helloAnswer } from './report.js';
import type { ProbeRunner } from './runner.js';
import { PROBE_VERSIONS, type ProbeVersionName, suitesFor, versionCode } from './suites.js';

/** More suites than any server enables; stops a server that keeps answering from running the enumeration forever. */
const MAX_SUITES_PER_VERSION = 128;

/** The hello that tests `version` alone with `suites`. */
export function versionHello(version: number, suites: readonly number[], servername: string | null, extra: Partial<HelloOptions> = {}): HelloOptions {
  return { versions: [version], cipherSuites: suites, servername, ...extra };
}

/** Did the server take exactly this version? (A lower ServerHello version means it does not accept this one.) */
export function answersVersion(r: HelloProbeResult, version: number): boolean {
  return r.outcome === 'server_hello' && r.serverHello?.version === version;
}

export interface VersionProbe {
  readonly name: ProbeVersionName;
  readonly code: number;
  readonly result: HelloProbeResult;
  readonly accepted: boolean;
}

/** Tests each of SSLv3 ... TLS 1.3 alone, offering every suite of that version, all at once (the runner bounds concurrency). */
export async function probeVersions(runner: ProbeRunner, servername: string | null): Promise<VersionProbe[]> {
  return Promise.all(
    PROBE_VERSIONS.map(async (name) => {
      const code = versionCode(name);
      const result = await runner.hello(versionHello(code, suitesFor(code), servername));
      return { name, code, result, accepted: answersVersion(result, code) };
    }),
  );
}

export function versionResults(probes: readonly VersionProbe[]): VersionResult[] {
  return probes.map((p) => ({ version: p.name, accepted: p.accepted, answer: helloAnswer(p.result) }));
}

/**
 * The suites `first.version` accepts, starting from the version probe's answer
 * (which offered every suite), then the preference check.
 */
export async function enumerateSuites(runner: ProbeRunner, first: VersionProbe, servername: string | null): Promise<CipherResult> {
  const version = first.code;
  const picks: number[] = [];
  let remaining = [...suitesFor(version)];
  let complete = true;
  let answer: HelloProbeResult = first.result;
  for (;;) {
    if (!answersVersion(answer, version)) {
      // A refusal ends the list; a timeout or a failed connection leaves it unfinished.
      complete = answer.outcome === 'alert' || answer.outcome === 'closed' || answer.outcome === 'reset' || answer.outcome === 'server_hello';
      break;
    }
    const chosen = answer.serverHello!.cipherSuite;
    if (!remaining.includes(chosen)) {
      // The server chose a suite that was not offered: a protocol violation; stop rather than loop.
      complete = false;
      break;
    }
    picks.push(chosen);
    remaining = remaining.filter((c) => c !== chosen);
    if (remaining.length === 0) break;
    if (picks.length >= MAX_SUITES_PER_VERSION) {
      complete = false;
      break;
    }
    answer = await runner.hello(versionHello(version, remaining, servername));
  }
  const order = await preference(runner, version, picks, servername);
  return { version: first.name, accepted: picks.map(cipherSuiteName), codes: picks, order, complete };
}

/** Offers the first two accepted suites as [a, b] and [b, a]: the same pick both times means server order; the first listed each time means client order. */
async function preference(runner: ProbeRunner, version: number, picks: readonly number[], servername: string | null): Promise<CipherResult['order']> {
  const [a, b] = picks;
  if (a === undefined || b === undefined) return null;
  const [ab, ba] = await Promise.all([runner.hello(versionHello(version, [a, b], servername)), runner.hello(versionHello(version, [b, a], servername))]);
  if (!answersVersion(ab, version) || !answersVersion(ba, version)) return null;
  const x = ab.serverHello!.cipherSuite;
  const y = ba.serverHello!.cipherSuite;
  if (x === y) return 'server';
  if (x === a && y === b) return 'client';
  return null;
}

/** The highest accepted version up to TLS 1.2 (its certificates travel in clear), else TLS 1.3, else null. */
export function bestForClearText(probes: readonly VersionProbe[]): VersionProbe | null {
  const accepted = probes.filter((p) => p.accepted);
  const clear = accepted.filter((p) => p.code <= ProtocolVersion.TLSv1_2);
  return clear[clear.length - 1] ?? accepted[accepted.length - 1] ?? null;
}
