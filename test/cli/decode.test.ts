/** `tlspeek decode` as a process: stdin and files, raw and hex, exit codes 0/1/2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { HelloJson } from '../../src/log/hello-json.js';
import type { ServerJson } from '../../src/log/server-json.js';
import { runCli } from '../helpers/cli.js';
import { clientHellos, serverFlights } from '../helpers/corpus.js';

const hello = clientHellos().find((c) => c.source.startsWith('tls12.pcap'))!;
const flight = serverFlights().find((c) => c.expected.certificateSha256.length > 0)!;

void t.test('raw bytes from a file', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'hello.bin'), hello.bytes);
  const r = await runCli(['decode', join(dir, 'hello.bin')]);
  t.equal(r.code, 0);
  t.match(JSON.parse(r.stdout), { sni: hello.expected.sni, ja3: hello.expected.ja3, cipherSuiteCodes: hello.expected.cipherSuiteCodes });
});

void t.test('hex on stdin, whitespace ignored', async (t) => {
  const spaced = hello.hex.replace(/(.{32})/g, '$1\n').replace(/(..)/g, '$1 ');
  const r = await runCli(['decode', '--hex'], spaced);
  t.equal(r.code, 0);
  t.equal((JSON.parse(r.stdout) as HelloJson).ja3, hello.expected.ja3);
});

void t.test('--server decodes a server flight', async (t) => {
  const r = await runCli(['decode', '--hex', '--server', '-'], flight.hex);
  t.equal(r.code, 0);
  const s = JSON.parse(r.stdout) as ServerJson;
  t.equal(s.version, flight.expected.version);
  t.same(s.certificates.map((c) => c.sha256), flight.expected.certificateSha256);
});

void t.test('bytes that are not a ClientHello: exit 1 with the reason', async (t) => {
  const r = await runCli(['decode'], 'GET / HTTP/1.1\r\n\r\n');
  t.equal(r.code, 1);
  t.match(r.stderr, /not a ClientHello: first byte 'G'/);
  const trunc = await runCli(['decode', '--hex'], hello.hex.slice(0, 100));
  t.equal(trunc.code, 1);
  t.match(trunc.stderr, /TRUNCATED|ended/i);
  const serverAsClient = await runCli(['decode', '--hex'], flight.hex);
  t.equal(serverAsClient.code, 1, 'a server flight is not a ClientHello');
});

void t.test('unreadable input: exit 2, one line, no stack', async (t) => {
  for (const [args, input] of [
    [['decode', '/nonexistent/file.bin'], ''],
    [['decode', '--hex'], 'zz11'],
    [['decode', '--hex'], 'abc'],
    [['decode', '--bogus'], ''],
  ] as const) {
    const r = await runCli([...args], input);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1);
    t.notMatch(r.stderr, /\n\s+at /);
  }
});
