/**
 * `tlspeek proxy --inject-sni` as a process: the README's rescue in a few
 * lines (local CA, a legacy client trusting it), the start-up line and
 * warnings, and usage errors (exit 2, one line).
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { runCli, startProxyCli } from '../helpers/cli.js';
import { opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { helloReactor, tlsServer } from '../helpers/servers.js';

const NAME = 'api.example.com';
const pki = makePki('cli inject root');
const dir = mkdtempSync(join(tmpdir(), 'tlspeek-cli-inject-'));
const upstreamCaFile = join(dir, 'upstream-ca.pem');
writeFileSync(upstreamCaFile, pki.ca.cert);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const startCli = startProxyCli;

void t.test('rescue: --inject-sni with --local-ca; a legacy client trusting DIR/ca.pem gets the SNI virtual host', async (t) => {
  const vhost = await tlsServer(t, pki.leaf([NAME]), NAME);
  const ingress = await helloReactor(t, 'reset', (h) => h.sni === null, vhost);
  const caDir = join(dir, 'local-ca');
  const { child, lines, port, exited, startLine } = await startCli(t, [
    '--upstream', `127.0.0.1:${ingress.port}`,
    '--inject-sni', NAME,
    '--local-ca', caDir,
    '--upstream-ca', upstreamCaFile,
    '--client-min-version', 'TLSv1',
  ]);
  t.match(startLine, {
    inject: {
      servername: NAME,
      clientMinVersion: 'TLSv1',
      certificate: { source: 'local-ca', sha256: /^[0-9a-f]{64}$/, coversName: true },
      localCa: { certificate: join(caDir, 'ca.pem'), created: true, pem: /BEGIN CERTIFICATE/ },
      upstreamVerification: `--upstream-ca ${upstreamCaFile}`,
    },
  });
  t.equal(statSync(join(caDir, 'ca-key.pem')).mode & 0o777, 0o600);

  const r = await opensslClient(port, ['-noservername', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-CAfile', join(caDir, 'ca.pem'), '-verify_return_error', '-verify_hostname', NAME]);
  t.match(r.stdout, /hello from api\.example\.com/);
  t.equal(r.exitCode, 0);
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  t.match(lines.find((l) => l.msg === 'connection'), { mode: 'inject', outcome: 'established', inject: { clientVersion: 'TLSv1' } });
  t.equal(lines.filter((l) => l.level === 40).length, 0, 'no warnings');
});

void t.test('a generated self-signed certificate and --insecure-upstream both warn at start-up', async (t) => {
  const { child, lines, startLine } = await startCli(t, ['--upstream', '127.0.0.1:9', '--inject-sni', NAME, '--insecure-upstream']);
  t.match(startLine, { inject: { certificate: { source: 'self-signed' }, upstreamVerification: 'off' } });
  const warnings = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
  t.ok(warnings.some((m) => m.includes('--insecure-upstream')));
  t.ok(warnings.some((m) => m.includes('self-signed')));
  child.kill('SIGKILL');
});

void t.test('--key readable by others warns; --cert not covering NAME warns', async (t) => {
  const ca = createCertificateAuthority();
  const c = issueServerCertificate({ name: 'legacy.example.com', issuer: ca });
  const certFile = join(dir, 'warn-cert.pem');
  const keyFile = join(dir, 'warn-key.pem');
  writeFileSync(certFile, c.certPem);
  writeFileSync(keyFile, c.keyPem);
  chmodSync(keyFile, 0o644);
  const { child, lines, startLine } = await startCli(t, ['--upstream', '127.0.0.1:9', '--inject-sni', NAME, '--cert', certFile, '--key', keyFile]);
  t.match(startLine, { inject: { certificate: { source: 'file', sha256: c.sha256, coversName: false } } });
  const warnings = lines.filter((l) => l.level === 40);
  t.ok(warnings.some((l) => /readable by group or others/.test(String(l.msg)) && l.file === keyFile));
  t.ok(warnings.some((l) => /does not cover/.test(String(l.msg))));
  child.kill('SIGKILL');
});

const usage: [string, string[], RegExp][] = [
  ['--cert without --key', ['--inject-sni', NAME, '--cert', upstreamCaFile], /--cert and --key go together/],
  ['an IP address as --inject-sni', ['--inject-sni', '10.0.0.1'], /--inject-sni expects a DNS host name/],
  ['an unknown --client-min-version', ['--inject-sni', NAME, '--client-min-version', 'SSLv3'], /--client-min-version expects one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3/],
  ['inject flags without --inject-sni', ['--client-min-version', 'TLSv1', '--insecure-upstream'], /--insecure-upstream, --client-min-version only apply with --inject-sni/],
  ['--local-ca with --cert', ['--inject-sni', NAME, '--cert', upstreamCaFile, '--key', upstreamCaFile, '--local-ca', dir], /--local-ca .* cannot be combined with --cert/],
  ['--insecure-upstream with --upstream-ca', ['--inject-sni', NAME, '--insecure-upstream', '--upstream-ca', upstreamCaFile], /--insecure-upstream/],
  ['an unreadable --upstream-ca', ['--inject-sni', NAME, '--upstream-ca', join(dir, 'missing.pem')], /cannot read --upstream-ca .*ENOENT/],
  ['a --key that is not the --cert key', ['--inject-sni', NAME, '--cert', upstreamCaFile, '--key', upstreamCaFile], /--key .* no readable PEM private key/],
];

for (const [label, args, message] of usage) {
  void t.test(`usage error: ${label}`, async (t) => {
    const r = await runCli(['proxy', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', ...args]);
    t.equal(r.code, 2);
    t.match(r.stderr, message);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack');
  });
}
