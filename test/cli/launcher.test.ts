/**
 * bin/tlspeek, the command npm links: it must find the built CLI through a
 * symlink, start node with its heap flag (and TLSPEEK_NODE_FLAGS) and glibc's
 * trim threshold, and exec,
 * so the process a supervisor signals is node itself. Runs dist/ (built by
 * `npm ci`'s prepare step).
 */
import { spawn } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const launcher = fileURLToPath(new URL('../../bin/tlspeek', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A symlink to the launcher in a fresh folder, as node_modules/.bin/tlspeek is. */
function linked(t: Test): string {
  const dir = t.testdir({});
  const link = path.join(dir, 'tlspeek');
  symlinkSync(launcher, link);
  return link;
}

void t.test('through a symlink: --version prints the package version', async (t) => {
  const link = linked(t);
  const child = spawn(link, ['--version'], { cwd: path.dirname(link) });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.on('close', r));
  t.equal(code, 0);
  t.equal(out.trim(), version);
});

void t.test('proxy: the spawned pid is node with the heap flag and TLSPEEK_NODE_FLAGS; SIGTERM stops it with exit 0', async (t) => {
  const child = spawn(linked(t), ['proxy', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9'], {
    env: { ...process.env, TLSPEEK_NODE_FLAGS: '--stack-trace-limit=7' },
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('tlspeek proxy started')) resolve();
    });
    child.on('close', (code) => reject(new Error(`exited ${String(code)} before its start-up line`)));
  });
  const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  t.match(path.basename(argv[0]!), /^node/, 'the pid we started is node: the launcher exec-ed it');
  t.ok(argv.includes('--initial-old-space-size=64'), 'with the heap flag');
  t.ok(argv.includes('--stack-trace-limit=7'), 'and the flags from TLSPEEK_NODE_FLAGS');
  t.ok(argv.some((a) => a.endsWith(path.join('dist', 'src', 'cli', 'main.js'))), 'running the built CLI');
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('close', r));
  t.equal(code, 0, 'graceful stop: the signal reached node');
  t.match(out, /tlspeek proxy stopped/);
});

void t.test("node gets glibc's 64 MiB trim threshold, with the caller's own GLIBC_TUNABLES after it (so they win)", async (t) => {
  for (const [given, expected] of [
    [undefined, 'glibc.malloc.trim_threshold=67108864'],
    ['glibc.malloc.arena_max=2', 'glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=2'],
  ] as const) {
    // glibc rewrites the variable in /proc/<pid>/environ as it parses it: ask node itself.
    const env: NodeJS.ProcessEnv = { ...process.env, TLSPEEK_NODE_FLAGS: '--import=data:text/javascript,process.stderr.write(`[${process.env.GLIBC_TUNABLES}]`)' };
    delete env.GLIBC_TUNABLES;
    if (given) env.GLIBC_TUNABLES = given;
    const child = spawn(launcher, ['--version'], { env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    t.equal(await new Promise((r) => child.on('close', r)), 0);
    t.equal(err, `[${expected}]`, `GLIBC_TUNABLES ${given ?? 'unset'}: node sees ${expected}`);
  }
});
