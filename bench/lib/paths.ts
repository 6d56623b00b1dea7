/** Where things are, whether a bench runs compiled (dist/bench/...) or from source (bench/...). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json names tlspeek. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tlspeek') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the tlspeek repository root above ' + fileURLToPath(import.meta.url));
}

/** The compiled output folder (benchmarks always start children from dist). */
export const distDir = (): string => path.join(repoRoot(), 'dist');

/** The shared handshake corpus, beside the repository (../shared/corpus). */
export const corpusDir = (): string => path.join(repoRoot(), '..', 'shared', 'corpus');

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === metaUrl;
}

/** The `tlspeek` command users run: bin/tlspeek, which starts node with its own flags. */
export const launcher = (): string => path.join(repoRoot(), 'bin', 'tlspeek');

/**
 * The node flags bin/tlspeek starts node with, read from its `exec node ...`
 * line: the pipe baseline runs with the same ones, so a ratio compares the
 * proxies' work, not V8 settings.
 */
export function launcherNodeFlags(): string[] {
  const m = /^exec node (.*?) \$TLSPEEK_NODE_FLAGS /m.exec(readFileSync(launcher(), 'utf8'));
  if (!m) throw new Error(`cannot find the node flags in ${launcher()}`);
  return m[1]!.split(' ');
}

/**
 * The environment bin/tlspeek gives node (its glibc malloc setting), for the
 * pipe baseline: the same page-fault behaviour in both, so a ratio compares the
 * proxies' work, not the C library's settings.
 */
export function launcherEnv(): Record<string, string> {
  const m = /^GLIBC_TUNABLES="([^"$]*)/m.exec(readFileSync(launcher(), 'utf8'));
  if (!m) throw new Error(`cannot find GLIBC_TUNABLES in ${launcher()}`);
  return { GLIBC_TUNABLES: m[1]! };
}
