/** The openssl CLI as an independent judge of the same certificates. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function openssl(args: readonly string[], input?: string): Run {
  const r = spawnSync(OPENSSL, args, { encoding: 'utf8', input, timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes PEM text to `dir/name` and returns the path. */
export function pemFile(dir: string, name: string, pem: string): string {
  const path = join(dir, name);
  writeFileSync(path, pem);
  return path;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** The first `error N at D depth lookup: text` line. */
  readonly code: number | null;
  readonly depth: number | null;
  readonly error: string | null;
}

/**
 * `openssl verify -CAfile roots [-untrusted others] leaf` plus extra options
 * (e.g. `-verify_hostname`, `-auth_level`).
 */
export function opensslVerify(
  dir: string,
  opts: { roots: string; untrusted?: string; leaf: string; args?: readonly string[] },
): VerifyResult {
  const args = ['verify', '-CAfile', pemFile(dir, 'roots.pem', opts.roots)];
  if (opts.untrusted !== undefined && opts.untrusted !== '') args.push('-untrusted', pemFile(dir, 'untrusted.pem', opts.untrusted));
  args.push(...(opts.args ?? []), pemFile(dir, 'leaf.pem', opts.leaf));
  const r = openssl(args);
  const m = /error (\d+) at (\d+) depth lookup: (.*)/.exec(r.stdout + r.stderr);
  return {
    ok: r.status === 0,
    code: m ? Number(m[1]) : null,
    depth: m ? Number(m[2]) : null,
    error: m ? m[3]!.trim() : null,
  };
}
