/**
 * The proxy's log sink on real descriptors: a file, a FIFO whose reader stalls
 * (non-blocking, so writes meet EAGAIN), a FIFO whose reader goes away (EPIPE),
 * and child processes that exit with lines still pending.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LineSink, type LineSinkOptions } from '../../src/log/line-sink.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sink = fileURLToPath(new URL('../../src/log/line-sink.ts', import.meta.url));

/** Line i: a JSON line of about `size` characters that says its own number. */
const line = (i: number, size = 200) => `${JSON.stringify({ i, pad: 'x'.repeat(Math.max(0, size - 20)) })}\n`;
/** The lines of `text` parsed; a test reads until its last line is whole. */
const numbers = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { i?: number; dropped?: number; level?: number });

/** A FIFO with its read end open (non-blocking) and its write end open non-blocking. */
function fifo(dir: string) {
  const file = path.join(dir, 'fifo');
  execFileSync('mkfifo', [file]);
  const reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  /** Reads what is there now. */
  const drain = (): string => {
    const out: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    for (;;) {
      try {
        const n = fs.readSync(reader, buf);
        if (n === 0) break;
        out.push(Buffer.from(buf.subarray(0, n)));
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw err;
      }
    }
    return Buffer.concat(out).toString();
  };
  return { reader, writer, drain };
}

const options = (o: Partial<LineSinkOptions> = {}): LineSinkOptions => ({ batchBytes: 4096, maxDelayMs: 50, maxPendingBytes: 1 << 20, ...o });

void t.test('a file gets every line, in order; a lone line goes out after maxDelayMs; end() writes the rest', async (t) => {
  const file = path.join(t.testdir(), 'out.jsonl');
  const fd = fs.openSync(file, 'w');
  t.teardown(() => fs.closeSync(fd));
  const errors: unknown[] = [];
  const s = new LineSink(fd, (e) => errors.push(e), options());
  s.write(line(0));
  t.equal(fs.readFileSync(file, 'utf8'), '', 'one short line waits for company');
  const since = Date.now();
  while (fs.readFileSync(file, 'utf8') === '' && Date.now() - since < 2000) await sleep(10);
  t.same(numbers(fs.readFileSync(file, 'utf8')).map((l) => l.i), [0], `and is written with no more coming (after ${Date.now() - since} ms; maxDelayMs 50)`);
  for (let i = 1; i < 500; i++) s.write(line(i));
  await s.end();
  t.same(numbers(fs.readFileSync(file, 'utf8')).map((l) => l.i), Array.from({ length: 500 }, (_, i) => i), 'all 500, in order');
  t.same(errors, []);
});

void t.test('lines longer than a batch buffer, and non-ASCII lines, arrive whole and in order', async (t) => {
  const file = path.join(t.testdir(), 'out.jsonl');
  const fd = fs.openSync(file, 'w');
  t.teardown(() => fs.closeSync(fd));
  const s = new LineSink(fd, () => undefined, options());
  // A batch buffer holds 4 batches of 4096 bytes: 40,000 characters never fit in one.
  const sent = [line(0), line(1, 40_000), `${JSON.stringify({ i: 2, sni: 'caf\u00e9.example \u{1f600}' })}\n`, line(3, 3000), line(4, 40_000), line(5)];
  for (const l of sent) t.equal(s.write(l), true);
  await s.end();
  t.equal(fs.readFileSync(file, 'utf8'), sent.join(''), 'the file holds exactly the lines written, in order');
});

void t.test('lines given as bytes (writeBytes) and as strings, mixed: the file holds exactly their bytes, in order', async (t) => {
  const file = path.join(t.testdir(), 'out.jsonl');
  const fd = fs.openSync(file, 'w');
  t.teardown(() => fs.closeSync(fd));
  const s = new LineSink(fd, () => undefined, options());
  const wide = (i: number, size: number) => `${JSON.stringify({ i, pad: '\u00e9\u{1f600}'.repeat(size / 3) })}\n`;
  const sent = [line(0), wide(1, 40_000), `${JSON.stringify({ i: 2, sni: 'caf\u00e9.example \u{1f600}' })}\n`, line(3, 3000), line(4, 40_000), wide(5, 300), line(6, 9000), line(7)];
  // Every other line as UTF-8 bytes, some of them views into a larger buffer as the record writer hands them over.
  for (const [i, l] of sent.entries()) {
    if (i % 2 === 0) t.equal(s.write(l), true);
    else t.equal(s.writeBytes(Buffer.concat([Buffer.from('junk'), Buffer.from(l, 'utf8'), Buffer.from('junk')]).subarray(4, 4 + Buffer.byteLength(l))), true);
  }
  // A line as bytes whose buffer is reused at once: the sink must have copied it.
  const reused = Buffer.from(line(8), 'utf8');
  s.writeBytes(reused);
  reused.fill(0x20);
  await s.end();
  t.equal(fs.readFileSync(file, 'utf8'), sent.join('') + line(8), 'the file holds exactly the lines written, in order');
});

void t.test('a stalled reader on a non-blocking FIFO: writes wait (EAGAIN) without blocking the event loop, then every line arrives', async (t) => {
  const f = fifo(t.testdir());
  t.teardown(() => (fs.closeSync(f.reader), fs.closeSync(f.writer)));
  const errors: unknown[] = [];
  const s = new LineSink(f.writer, (e) => errors.push(e), options({ maxPendingBytes: 16 << 20 }));
  // 2 MiB: far more than the pipe's 64 KiB, so the writes must meet a full pipe.
  const count = 2 * 1024;
  let accepted = 0;
  for (let i = 0; i < count; i++) if (s.write(line(i, 1024))) accepted++;
  t.equal(accepted, count, 'every line accepted: 2 MiB is within maxPendingBytes');
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  await sleep(300);
  clearInterval(ticker);
  t.ok(ticks >= 10, `the event loop ran while the pipe was full (${ticks} ticks in 300 ms)`);
  let text = '';
  const ended = s.end();
  for (let i = 0; i < 500 && text.split('\n').length <= count; i++) {
    text += f.drain();
    await sleep(5);
  }
  await ended;
  t.same(numbers(text).map((l) => l.i), Array.from({ length: count }, (_, i) => i), 'every line, in order, none twice');
  t.same(errors, [], 'a full pipe is not an error');
});

void t.test('a reader that does not keep up: lines past maxPendingBytes are dropped, counted, and the count follows the kept ones', async (t) => {
  // Lines as strings (pino's interface) and as bytes (writeBytes, the records' path).
  for (const asBytes of [false, true]) {
    const f = fifo(t.testdir());
    const s = new LineSink(f.writer, () => undefined, options({ maxPendingBytes: 32 * 1024 }));
    const count = 400;
    let refused = 0;
    for (let i = 0; i < count; i++) if (!(asBytes ? s.writeBytes(Buffer.from(line(i, 1024))) : s.write(line(i, 1024)))) refused++;
    const how = asBytes ? 'as bytes' : 'as strings';
    t.ok(refused > 0, `${how}: ${refused} lines refused`);
    let text = '';
    const ended = s.end();
    for (let i = 0; i < 500 && !text.includes('"dropped"'); i++) {
      text += f.drain();
      await sleep(5);
    }
    await ended;
    text += f.drain();
    fs.closeSync(f.reader);
    fs.closeSync(f.writer);
    const got = numbers(text);
    const notice = got.at(-1)!;
    t.match(notice, { level: 40, dropped: refused, msg: /dropped/ }, `${how}: the last line says how many were dropped`);
    const kept = got.slice(0, -1).map((l) => l.i);
    t.same(kept, Array.from({ length: count - refused }, (_, i) => i), `${how}: the kept lines are the first ones, in order`);
  }
});

void t.test('the reader goes away (EPIPE): reported once, later lines are discarded without a throw, end() still resolves', async (t) => {
  const f = fifo(t.testdir());
  t.teardown(() => fs.closeSync(f.writer));
  const errors: NodeJS.ErrnoException[] = [];
  const s = new LineSink(f.writer, (e) => errors.push(e), options());
  fs.closeSync(f.reader);
  for (let i = 0; i < 100; i++) s.write(line(i));
  for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(10);
  t.equal(errors.length, 1, 'one report');
  t.equal(errors[0]?.code, 'EPIPE');
  t.equal(s.write(line(100)), false, 'a later line is refused, not thrown');
  await s.end();
  t.equal(errors.length, 1, 'still one report');
});

/** Runs a script that uses the sink on its stdout; resolves with the exit code, stdout and how long it took. */
function child(script: string): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = Date.now();
  const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { LineSink } from ${JSON.stringify(sink)};\n${script}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => c.on('close', (code) => resolve({ code, stdout, ms: Date.now() - started })));
}

void t.test('process.exit with lines pending: they are written on the way out', async (t) => {
  const r = await child(`const s = new LineSink(1, () => {}); for (let i = 0; i < 3; i++) s.write(JSON.stringify({ i }) + '\\n'); process.exit(3);`);
  t.equal(r.code, 3);
  t.same(numbers(r.stdout).map((l) => l.i), [0, 1, 2]);
});

void t.test('an uncaught error with lines pending: they are written on the way out', async (t) => {
  const r = await child(`const s = new LineSink(1, () => {}); s.write(JSON.stringify({ i: 7 }) + '\\n'); setImmediate(() => { throw new Error('boom'); });`);
  t.equal(r.code, 1);
  t.same(numbers(r.stdout).map((l) => l.i), [7]);
});

void t.test('the sink does not keep a process alive that has nothing else to do', async (t) => {
  const r = await child(`const s = new LineSink(1, () => {}); s.write(JSON.stringify({ i: 1 }) + '\\n');`);
  t.equal(r.code, 0);
  t.ok(r.ms < 5000, `exited by itself after ${r.ms} ms`);
  t.same(numbers(r.stdout).map((l) => l.i), [1], 'with its line written');
});
