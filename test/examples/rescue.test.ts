/**
 * examples/rescue.ts (`npm run demo:rescue`) run from source, as a process,
 * so the example cannot rot: it exits 0, and its lines say the legacy client
 * was reset by the ingress, rescued through tlspeek (an inject record), and
 * the SNI client passed through with the ingress's own certificate.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/rescue.ts', import.meta.url));

function runExample(timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', example], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

void t.test('npm run demo:rescue: reset direct, rescued through tlspeek, SNI passed through', async (t) => {
  const r = await runExample(20_000);
  t.equal(r.code, 0, `exits 0\n${r.stdout}\n${r.stderr}`);
  t.equal(r.stderr, '');
  t.match(r.stdout, /^ {2}tlspeek {2}node src\/cli\/main\.ts proxy .*--inject-sni api\.example\.com --local-ca \S+ --upstream-ca \S+/m, 'runs the real CLI with the rescue flags');
  t.match(r.stdout, /local CA created: \S+\/local-ca\/ca\.pem/);
  t.match(r.stdout, /^ {2}ok {3}\(a\) no SNI -> ingress +connection reset +no record/m);
  t.match(r.stdout, /^ {2}ok {3}\(b\) no SNI -> tlspeek +HTTP\/1\.1 200 OK, cert from "tlspeek local CA [0-9a-f]+" +record \w+ inject, established, cause null$/m);
  t.match(r.stdout, /^ {2}ok {3}\(c\) SNI -> tlspeek +HTTP\/1\.1 200 OK, cert from "demo ingress CA" +record \w+ passthrough, established, cause null$/m);
  t.match(r.stdout, /inject: SNI api\.example\.com sent upstream, upstream verified/);
  t.match(r.stdout, /^ {2}ok {3}tlspeek stopped on SIGTERM \(exit 0\)$/m);
  t.notMatch(r.stdout, /NOT AS EXPECTED|FAIL/);
});
