/**
 * Servers configured with one certificate fault each (TLS 1.2, so the chain
 * travels in clear). The client's alert alone is generic (42/48); the chain
 * tlspeek saw names the fault. The proxy trusts the test root, as an operator
 * would with --upstream-ca.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import { opensslClient } from '../helpers/clients.js';
import { expiredValidity, makePki, makeSelfSigned, notYetValidValidity } from '../helpers/certs.js';
import { throughProxy } from '../helpers/scenario.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Faults' });
const roots = loadTrustStore(pki.rootPem);

/** openssl s_client over TLS 1.2 that trusts only the test root and checks the name. */
function strictClient(t: Parameters<typeof tlsServer>[0], sni: string) {
  const dir = t.testdir();
  writeFileSync(join(dir, 'root.pem'), pki.rootPem);
  return (port: number) =>
    opensslClient(port, ['-tls1_2', '-servername', sni, '-verify_hostname', sni, '-CAfile', join(dir, 'root.pem'), '-verify_return_error']);
}

const cases: { name: string; cert: string; key: string; sni: string; cause: string; alert: number[]; subject: RegExp }[] = [
  { name: 'wrong host', ...leaf(['other.example.com']), sni: 'api.example.com', cause: 'hostname_mismatch', alert: [42], subject: /other\.example\.com/ },
  { name: 'leaf without its intermediate', cert: pki.issueLeaf({ names: ['api.example.com'] }).pem, key: pki.leafKeyPem, sni: 'api.example.com', cause: 'incomplete_chain', alert: [48, 20], subject: /Intermediate CA/ },
  { name: 'expired leaf', ...leaf(['api.example.com'], expiredValidity()), sni: 'api.example.com', cause: 'expired_certificate', alert: [45], subject: /expired/ },
  { name: 'not-yet-valid leaf', ...leaf(['api.example.com'], notYetValidValidity()), sni: 'api.example.com', cause: 'expired_certificate', alert: [42, 45], subject: /not valid before/ },
  { name: 'self-signed leaf', cert: makeSelfSigned({ names: ['api.example.com'] }).pem, key: makeSelfSigned({ names: ['api.example.com'] }).keyPem, sni: 'api.example.com', cause: 'untrusted_certificate', alert: [48, 20], subject: /self-signed/ },
  { name: 'wildcard mismatch (two labels deep)', ...leaf(['*.example.com']), sni: 'a.b.example.com', cause: 'hostname_mismatch', alert: [42], subject: /\*\.example\.com/ },
];

function leaf(names: string[], validity?: { notBefore: Date; notAfter: Date }) {
  const issued = pki.issueLeaf(validity ? { names, validity } : { names });
  return { cert: issued.pem + pki.intermediatePem, key: issued.keyPem };
}

for (const c of cases) {
  void t.test(`TLS 1.2, ${c.name}: ${c.cause}`, async (t) => {
    const up = await tlsServer(t, { cert: c.cert, key: c.key, maxVersion: 'TLSv1.2' });
    const s = await throughProxy(t, up, strictClient(t, c.sni), {}, { roots });
    t.not(s.direct.exitCode, 0, 'the client refuses');
    t.equal(s.proxied.exitCode, s.direct.exitCode, 'same exit status as direct');
    t.equal(s.record.outcome, 'client_alert');
    t.ok(c.alert.includes(s.record.clientAlert?.code ?? -1), `client alert ${String(s.record.clientAlert?.code)}`);
    t.equal(s.record.cause, c.cause);
    t.match(s.record.hint, c.subject, 'the hint names the certificate at fault');
    t.equal(s.record.server?.chainCheck?.verdict, c.cause, 'the chain check agrees');
  });
}

void t.test('TLS 1.2, wildcard match: established and the chain check is clean', async (t) => {
  const l = leaf(['*.example.com']);
  const up = await tlsServer(t, { ...l, maxVersion: 'TLSv1.2' });
  const s = await throughProxy(t, up, strictClient(t, 'a.example.com'), {}, { roots });
  t.equal(s.proxied.exitCode, 0);
  t.match(s.record, { outcome: 'established', cause: null, server: { chainCheck: { verdict: 'ok', problems: [] } } });
});
