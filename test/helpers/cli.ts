/** Runs the tlspeek CLI from source (through tsx) as a real child process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export function spawnCli(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs to completion, feeding `stdin`. */
export function runCli(args: string[], stdin: string | Buffer = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A log line of the CLI proxy, parsed. */
export type CliLine = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Starts `tlspeek proxy --listen 127.0.0.1:0 ARGS` and resolves once its
 * start-up line names the bound listener; every stdout line is collected in `lines`.
 */
export async function startProxyCli(t: Test, args: string[]) {
  const child = spawnCli(['proxy', '--listen', '127.0.0.1:0', ...args]);
  t.teardown(() => child.kill('SIGKILL'));
  const lines: CliLine[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const started = new Promise<CliLine>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as CliLine;
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.msg === 'tlspeek proxy started') resolve(line);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${String(code)}: ${stderr}`)));
  });
  const startLine = await started;
  const port = Number(String(startLine.listener).split(':').pop());
  return { child, lines, port, exited, startLine, stderr: () => stderr };
}
