/** Facts about the machine a benchmark ran on, printed with every result. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { repoRoot } from './paths.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  openssl: string;
  openFilesLimit: number | null;
  tlspeek: string;
}

export function machineFacts(): MachineFacts {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpuModel,
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openssl: process.versions.openssl,
    openFilesLimit: openFilesLimit(),
    tlspeek: gitDescribe(),
  };
}

/** Soft limit on open files for this process (children inherit it). */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function gitDescribe(): string {
  try {
    const opts = { cwd: repoRoot(), encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], opts).trim() !== '';
    return dirty ? `${rev} + uncommitted changes in src/` : rev;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function machineLines(m: MachineFacts): string[] {
  return [
    `cpu      ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `system   ${m.kernel}, open files limit ${m.openFilesLimit ?? 'unknown'}`,
    `node     ${m.node} (OpenSSL ${m.openssl})`,
    `tlspeek  ${m.tlspeek}`,
  ];
}
