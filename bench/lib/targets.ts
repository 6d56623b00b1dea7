/**
 * What the proxy bench connects to: the upstream itself, the pipe baseline,
 * tlspeek in passthrough, and tlspeek terminating SNI-less clients
 * (--inject-sni). Each proxy is its own process, started from dist.
 */
import path from 'node:path';
import { BENCH_HOST, type BenchPki } from './certs.js';
import { distDir, launcher, launcherEnv, launcherNodeFlags } from './paths.js';
import { freePort, NodeChild, waitForPort } from './proc.js';
import type { Endpoint } from './tls-client.js';

export type TargetName = 'direct' | 'pipe' | 'tlspeek' | 'inject';
/** In the order they take turns within a round. */
export const TARGETS: readonly TargetName[] = ['direct', 'pipe', 'tlspeek', 'inject'];

export interface Target extends Endpoint {
  readonly name: TargetName;
  /** The proxy process; null for direct. */
  readonly child: NodeChild | null;
}

export async function startUpstream(pki: BenchPki): Promise<{ child: NodeChild; port: number }> {
  const child = new NodeChild('upstream', path.join(distDir(), 'bench', 'upstream.js'), ['--key', pki.upstream.keyPath, '--cert', pki.upstream.certPath], { stdout: 'pipe' });
  const port = Number(await child.waitForLine(/listening (\d+)/, 10_000));
  return { child, port };
}

export async function startPipe(upstreamPort: number): Promise<Target> {
  const child = new NodeChild('pipe', path.join(distDir(), 'bench', 'baseline-pipe.js'), ['--upstream', `127.0.0.1:${upstreamPort}`], {
    stdout: 'pipe',
    nodeArgs: launcherNodeFlags(),
    env: { ...process.env, ...launcherEnv() },
  });
  const port = Number(await child.waitForLine(/listening (\d+)/, 10_000));
  return { name: 'pipe', port, sni: true, child };
}

/** tlspeek in passthrough; its clients send SNI. */
export function startTlspeek(upstreamPort: number, nodeArgs: readonly string[]): Promise<Target> {
  return startCli('tlspeek', upstreamPort, [], nodeArgs);
}

/**
 * tlspeek with --inject-sni BENCH_HOST, showing the bench PKI's tlspeek leaf
 * (--cert/--key) and verifying the upstream against the bench CA
 * (--upstream-ca); its clients send no SNI, so every one is terminated.
 */
export function startInject(upstreamPort: number, pki: BenchPki, nodeArgs: readonly string[]): Promise<Target> {
  const flags = ['--inject-sni', BENCH_HOST, '--cert', pki.tlspeek.certPath, '--key', pki.tlspeek.keyPath, '--upstream-ca', pki.caPath];
  return startCli('inject', upstreamPort, flags, nodeArgs);
}

async function startCli(name: 'tlspeek' | 'inject', upstreamPort: number, flags: readonly string[], nodeArgs: readonly string[]): Promise<Target> {
  // The CLI logs to stdout, which goes to /dev/null; so it cannot tell us its port: pick one for it.
  const port = await freePort();
  // Started as users start it: bin/tlspeek, with its node flags (extra ones through TLSPEEK_NODE_FLAGS).
  const child = new NodeChild(name, launcher(), ['proxy', '--listen', `127.0.0.1:${port}`, '--upstream', `127.0.0.1:${upstreamPort}`, ...flags], {
    stdout: 'null',
    executable: true,
    env: { ...process.env, TLSPEEK_NODE_FLAGS: nodeArgs.join(' ') },
  });
  await waitForPort(port, 10_000, child);
  return { name, port, sni: name !== 'inject', child };
}
