/**
 * `npm run demo:rescue`: the --inject-sni legacy rescue, end to end on
 * loopback, with nothing to set up but `openssl` on the PATH.
 *
 * An SNI-only ingress (like an Envoy listener with no default filter chain:
 * it resets clients that send no SNI, and routes api.example.com to its
 * virtual host) and, in front of it, the real tlspeek CLI as a child process:
 *
 *   tlspeek proxy --upstream <ingress> --inject-sni api.example.com --local-ca <tmp>/local-ca --upstream-ca <tmp>/ingress-ca.pem
 *
 * Then three `openssl s_client` runs: (a) a legacy client without SNI straight
 * to the ingress, reset; (b) the same command through tlspeek, answered by the
 * virtual host, verifying tlspeek's certificate against the local CA; (c) a
 * client with SNI through tlspeek, passed through untouched, seeing the
 * ingress's own certificate. Prints each connection record readably and a
 * one-line summary per connection; exits 0 when all three behaved, 1 if not.
 *
 * Built, it runs `dist/src/cli/main.js` next to it; run from source
 * (`node --import tsx examples/rescue.ts`) it runs `src/cli/main.ts` the same way.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueServerCertificate } from '../src/certs/issue.js';
import type { InjectJson } from '../src/inject/record.js';
import type { ConnectionRecord } from '../src/proxy/session.js';
import { sniOnlyIngress } from './lib/sni-only-ingress.js';

const NAME = 'api.example.com';
const BODY = `hello from the ${NAME} virtual host\n`;
const REQUEST = `GET / HTTP/1.1\r\nHost: ${NAME}\r\nConnection: close\r\n\r\n`;
const CLIENT_TIMEOUT_MS = 10_000;
/** The whole run, should something hang. */
const DEADLINE_MS = 45_000;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

// --- the CLI, exactly as a user runs it ----------------------------------------

const fromSource = import.meta.url.endsWith('.ts');
/** The package root: examples/.. from source, dist/examples/../.. when built. */
const root = fileURLToPath(new URL(fromSource ? '../' : '../../', import.meta.url));
const cliMain = fileURLToPath(new URL(fromSource ? '../src/cli/main.ts' : '../src/cli/main.js', import.meta.url));
const nodeArgs = fromSource ? ['--import', 'tsx', cliMain] : [cliMain];

type Line = Record<string, unknown> & { msg?: string; level?: number };
type ConnRecord = ConnectionRecord & { inject?: InjectJson };

interface Tlspeek {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly port: number;
  readonly startLine: Line;
  readonly lines: Line[];
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `tlspeek proxy ...` and resolves once its start-up line names the bound port. */
function startTlspeek(args: string[]): Promise<Tlspeek> {
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          continue;
        }
        lines.push(line);
        if (line.msg === 'tlspeek proxy started') {
          const port = Number(String(line.listener).split(':').pop());
          resolve({ child, port, startLine: line, lines, exited, stderr: () => stderr });
        }
      }
    });
    void exited.then((code) => reject(new Error(`tlspeek exited with ${String(code)} before starting: ${stderr.trim()}`)));
  });
}

/** The next connection record after the first `seen`, waiting up to `ms`. */
async function nextRecord(p: Tlspeek, seen: number, ms = 3000): Promise<ConnRecord | null> {
  for (let waited = 0; waited <= ms; waited += 25) {
    const recs = p.lines.filter((l) => l.msg === 'connection');
    if (recs.length > seen) return recs[seen] as unknown as ConnRecord;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

// --- the ingress -------------------------------------------------------------------

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** The virtual host behind the ingress: answers one HTTP request and closes. */
async function virtualHost(cert: string, key: string): Promise<{ server: net.Server; port: number }> {
  const server = tls.createServer({ cert, key, minVersion: 'TLSv1.2' }, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${BODY.length}\r\nconnection: close\r\n\r\n${BODY}`));
  });
  server.on('tlsClientError', () => undefined);
  return { server, port: await listen(server) };
}

// --- openssl s_client -------------------------------------------------------------

interface OpensslRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function opensslClient(port: number, args: string[]): Promise<OpensslRun> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ exitCode: code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(REQUEST);
  });
}

/** What the client saw, in a few words. */
interface Seen {
  readonly reset: boolean;
  readonly response: string | null;
  readonly verify: string | null;
  /** The server certificate's SHA-256 (lower-case hex) and issuer CN, when one was received. */
  readonly certSha256: string | null;
  readonly issuer: string | null;
  readonly protocol: string | null;
  /** openssl's first error line, when it printed one. */
  readonly error: string | null;
}

function seen(run: OpensslRun): Seen {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(run.stdout)?.[0];
  const cert = pem ? new X509Certificate(pem) : null;
  return {
    reset: /errno=104|connection reset/i.test(run.stderr + run.stdout),
    response: /^HTTP\/1\.1 .*$/m.exec(run.stdout)?.[0] ?? null,
    verify: /Verify return code: (.*)/.exec(run.stdout)?.[1] ?? null,
    certSha256: cert ? cert.fingerprint256.replace(/:/g, '').toLowerCase() : null,
    issuer: cert ? (/CN=(.*)/.exec(cert.issuer)?.[1] ?? cert.issuer) : null,
    protocol: /Protocol *: *(\S+)/.exec(run.stdout)?.[1] ?? /New, (TLSv[\d.]+),/.exec(run.stdout)?.[1] ?? null,
    error: run.stderr.split('\n').find((l) => /error|errno|unable|verify/i.test(l))?.trim() ?? null,
  };
}

function describeSeen(s: Seen, exitCode: number | null): string {
  if (s.reset && !s.response) return `connection reset, before any server answer (openssl exit ${String(exitCode)})`;
  const parts = [s.response ?? 'no HTTP response'];
  if (!s.response && s.error) parts.push(s.error);
  if (s.protocol) parts.push(s.protocol);
  if (s.issuer) parts.push(`certificate issued by "${s.issuer}"`);
  if (s.verify) parts.push(`verify: ${s.verify}`);
  parts.push(`openssl exit ${String(exitCode)}`);
  return parts.join(', ');
}

// --- printing -----------------------------------------------------------------------

function printRecord(rec: ConnRecord): void {
  const h = rec.hello;
  const offered = h ? `client offered SNI ${h.sni ?? 'none'}, ${(h.supportedVersions.length ? h.supportedVersions : [h.legacyVersion]).join('/')}, ${h.cipherSuiteCodes.length} suites` : 'no ClientHello';
  const answered = rec.server?.version ? `upstream answered ${rec.server.version} ${rec.server.cipherSuite ?? ''}` : rec.server?.reset ? 'upstream reset' : 'no upstream answer';
  console.log(`   record  mode ${bold(rec.mode)}   outcome ${bold(rec.outcome)}   cause ${bold(String(rec.cause))}`);
  console.log(`           ${offered}  ->  ${answered}`);
  if (rec.inject) {
    const i = rec.inject;
    console.log(`           inject: SNI ${i.servername} sent upstream, upstream ${String(i.upstreamVerification)}, client leg ${String(i.clientVersion)} ${String(i.clientCipherSuite)}, failed leg ${String(i.failedLeg)}`);
  }
  if (rec.hint) console.log(`           hint: ${rec.hint}`);
  console.log(dim(`           ${JSON.stringify({ id: rec.id, mode: rec.mode, hello: { sni: h?.sni ?? null, ja4: h?.ja4 ?? null }, outcome: rec.outcome, cause: rec.cause, ...(rec.inject ? { inject: rec.inject } : {}), durationMs: rec.durationMs })}`));
}

const display = (p: string) => (tmp && p.startsWith(tmp) ? p : relative(process.cwd(), p) || p);

// --- the run ------------------------------------------------------------------------

interface Step {
  readonly key: string;
  readonly label: string;
  /** For the summary line. */
  readonly short: string;
  readonly seen: Seen;
  readonly viaTlspeek: boolean;
  readonly record: ConnRecord | null;
  readonly problems: string[];
}

const children = new Set<{ kill(signal?: NodeJS.Signals): boolean }>();
const servers: net.Server[] = [];
/** The temporary directory: the ingress CA file and tlspeek's --local-ca. */
let tmp = '';

function cleanUp(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const s of servers) s.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

async function main(): Promise<boolean> {
  tmp = mkdtempSync(join(tmpdir(), 'tlspeek-rescue-'));
  // The ingress's own PKI: a test CA and the virtual host's certificate.
  const ingressCa = createCertificateAuthority({ commonName: 'demo ingress CA' });
  const vhostCert = issueServerCertificate({ name: NAME, issuer: ingressCa });
  const ingressCaFile = join(tmp, 'ingress-ca.pem');
  writeFileSync(ingressCaFile, ingressCa.certPem);
  const localCaDir = join(tmp, 'local-ca');
  const localCaFile = join(localCaDir, 'ca.pem');

  const vhost = await virtualHost(vhostCert.certPem, vhostCert.keyPem);
  const ingress = await sniOnlyIngress(vhost.port);
  servers.push(vhost.server, ingress.server);

  const args = ['proxy', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${ingress.port}`, '--inject-sni', NAME, '--local-ca', localCaDir, '--upstream-ca', ingressCaFile, '--shutdown-grace', '2000'];
  console.log(bold('tlspeek legacy client rescue (--inject-sni)'));
  console.log(`  ingress  127.0.0.1:${ingress.port}  SNI-only: resets clients without SNI; ${NAME} -> virtual host (certificate issued by "demo ingress CA")`);
  console.log(`  tlspeek  node ${display(cliMain)} ${args.join(' ')}`);
  const p = await startTlspeek(args);
  children.add(p.child);
  const inject = p.startLine.inject as { certificate?: { sha256?: string }; localCa?: { certificate?: string; created?: boolean } } | undefined;
  console.log(`           listening on 127.0.0.1:${p.port}`);
  if (inject?.localCa?.certificate) console.log(`           local CA ${inject.localCa.created ? 'created' : 'reused'}: ${inject.localCa.certificate} (the file to give legacy clients)`);
  for (const w of p.lines.filter((l) => (l.level ?? 0) >= 40)) console.log(`           warning: ${String(w.msg)}`);
  console.log('');

  const legacyArgs = ['-noservername', '-CAfile', localCaFile, '-verify_return_error', '-verify_hostname', NAME];
  const sniArgs = ['-servername', NAME, '-CAfile', ingressCaFile, '-verify_return_error', '-verify_hostname', NAME];
  const steps: Step[] = [];
  let recordsSeen = 0;

  const step = async (key: string, label: string, short: string, port: number, clientArgs: string[], viaTlspeek: boolean, check: (s: Seen, run: OpensslRun, rec: ConnRecord | null) => string[]) => {
    console.log(bold(`(${key}) ${label}`));
    console.log(dim(`   $ openssl s_client -connect 127.0.0.1:${port} ${clientArgs.map(display).join(' ')}`));
    const run = await opensslClient(port, clientArgs);
    const s = seen(run);
    console.log(`   client saw: ${describeSeen(s, run.exitCode)}`);
    if (s.response) console.log(`   body: ${BODY.trim()}${run.stdout.includes(BODY) ? '' : ' (missing!)'}`);
    let rec: ConnRecord | null = null;
    if (viaTlspeek) {
      rec = await nextRecord(p, recordsSeen);
      if (rec) {
        recordsSeen++;
        printRecord(rec);
      } else {
        console.log('   record  none written within 3 s');
      }
    } else {
      console.log('   record  none: tlspeek is not in this path');
    }
    const problems = check(s, run, rec);
    for (const problem of problems) console.log(`   ${bold('NOT AS EXPECTED')}: ${problem}`);
    console.log('');
    steps.push({ key, label, short, seen: s, viaTlspeek, record: rec, problems });
  };

  await step('a', 'legacy client without SNI, straight to the ingress', 'no SNI -> ingress', ingress.port, legacyArgs, false, (s, run) => {
    const out: string[] = [];
    if (!s.reset) out.push('expected a connection reset');
    if (s.response) out.push('expected no HTTP response');
    if (run.exitCode === 0) out.push('expected openssl to fail');
    return out;
  });

  await step('b', 'the same client through tlspeek', 'no SNI -> tlspeek', p.port, legacyArgs, true, (s, run, rec) => {
    const out: string[] = [];
    if (run.exitCode !== 0) out.push(`openssl exited ${String(run.exitCode)}`);
    if (!s.response?.includes('200') || !run.stdout.includes(BODY)) out.push("expected the virtual host's response");
    if (s.verify !== '0 (ok)') out.push(`expected tlspeek's certificate to verify against ${display(localCaFile)}`);
    if (s.certSha256 !== inject?.certificate?.sha256) out.push("expected tlspeek's own certificate");
    if (rec?.mode !== 'inject' || rec.outcome !== 'established' || rec.hello?.sni !== null) out.push('expected a record with mode inject, outcome established, hello.sni null');
    if (rec?.inject?.servername !== NAME || rec.inject.upstreamVerification !== 'verified') out.push(`expected inject.servername ${NAME} and the upstream verified`);
    return out;
  });

  await step('c', 'a client with SNI through the same tlspeek', 'SNI -> tlspeek', p.port, sniArgs, true, (s, run, rec) => {
    const out: string[] = [];
    if (run.exitCode !== 0) out.push(`openssl exited ${String(run.exitCode)}`);
    if (!s.response?.includes('200') || !run.stdout.includes(BODY)) out.push("expected the virtual host's response");
    if (s.certSha256 !== vhostCert.sha256) out.push("expected the ingress's own certificate (passthrough)");
    if (s.verify !== '0 (ok)') out.push(`expected the ingress certificate to verify against ${display(ingressCaFile)}`);
    if (rec?.mode !== 'passthrough' || rec.outcome !== 'established' || rec.hello?.sni !== NAME || rec.inject !== undefined) out.push(`expected a record with mode passthrough, outcome established, hello.sni ${NAME}, no inject object`);
    return out;
  });

  // A graceful stop, as on SIGTERM in production: tlspeek logs its stop and exits 0.
  p.child.kill('SIGTERM');
  const code = await Promise.race([p.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref())]);
  children.delete(p.child);
  const stopped = code === 0;

  console.log(bold('summary'));
  for (const s of steps) {
    const saw = s.seen.reset && !s.seen.response ? 'connection reset' : s.seen.response ? `${s.seen.response}, cert from "${s.seen.issuer ?? '?'}"` : 'no response';
    const rec = s.record ? `record ${s.record.id} ${s.record.mode}, ${s.record.outcome}, cause ${String(s.record.cause)}` : s.viaTlspeek ? 'no record' : 'no record (tlspeek not in the path)';
    console.log(`  ${s.problems.length ? 'FAIL' : 'ok  '} (${s.key}) ${s.short.padEnd(18)} ${saw.padEnd(56)} ${rec}`);
  }
  console.log(`  ${stopped ? 'ok  ' : 'FAIL'} tlspeek stopped on SIGTERM (exit ${String(code)})${stopped ? '' : `: ${p.stderr().trim()}`}`);
  const ok = stopped && steps.every((s) => s.problems.length === 0);
  console.log(ok ? `\nrescued: the legacy client got ${NAME} through tlspeek; the SNI client was passed through untouched` : '\nsomething did not behave as expected (see NOT AS EXPECTED above)');
  console.log(dim(`In production: tlspeek proxy --listen 0.0.0.0:8443 --upstream ingress:443 --inject-sni ${NAME} --local-ca /var/lib/tlspeek/ca  (see examples/kubernetes/)`));
  return ok;
}

if (spawnSync('openssl', ['version']).error) {
  console.error('This example drives `openssl s_client` as the legacy client, and openssl is not on the PATH.');
  console.error('Install it (Debian/Ubuntu: apt-get install openssl; macOS: brew install openssl) and run it again.');
  process.exit(1);
}

const deadline = setTimeout(() => {
  console.error(`rescue demo: still running after ${DEADLINE_MS / 1000} s; giving up`);
  cleanUp();
  process.exit(1);
}, DEADLINE_MS).unref();

let ok = false;
try {
  ok = await main();
} catch (err: unknown) {
  console.error(`rescue demo failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  clearTimeout(deadline);
  cleanUp();
}
process.exitCode = ok ? 0 : 1;
