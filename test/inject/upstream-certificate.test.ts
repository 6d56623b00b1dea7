/**
 * tlspeek verifies the upstream against the --inject-sni name before it
 * answers the legacy client. A certificate that fails is refused: the client
 * gets handshake_failure, and the record names the upstream's problem.
 */
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { helloReactor, tlsServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('upstream cert test root');
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const certificate = { certPem: served.certPem, keyPem: served.keyPem };

void t.test('upstream certificate not covering NAME: refused, hostname_mismatch', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf(['other.example.com']), 'other');
  const ingress = await helloReactor(t, 'reset', (h) => h.sni === null, vhost);
  const p = await startInjectProxy(t, ingress.upstream, { servername: NAME, certificate, upstreamCa: upstreamPki.ca.cert });
  const r = await opensslClient(p.port, ['-noservername']);
  t.not(r.exitCode, 0);
  t.match(r.stdout + r.stderr, /alert handshake failure|alert number 40/, 'the client is refused with handshake_failure');
  t.notMatch(r.stdout, /hello from/, 'nothing from an unverified upstream reaches the client');
  const [rec] = await p.records(1);
  t.match(rec, {
    mode: 'inject',
    outcome: 'server_alert',
    cause: 'hostname_mismatch',
    hello: { sni: null },
    server: { version: 'TLSv1.3', alert: null, chainCheck: { verdict: 'hostname_mismatch' } },
    clientAlert: null,
    inject: {
      upstreamVerification: 'rejected',
      upstreamVerifyError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      alertSent: { level: 'fatal', description: 'handshake_failure', code: 40 },
      failedLeg: 'upstream',
      clientVersion: null,
    },
    err: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  });
  t.match(rec!.hint, /api\.example\.com/);
  t.match(rec!.hint, /other\.example\.com/, 'the hint says which names the certificate covers');
  t.match(rec!.server?.certificates[0]?.san, ['DNS:other.example.com']);
});

void t.test('upstream from a private CA tlspeek was not given: untrusted_certificate', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf([NAME]), NAME);
  const p = await startInjectProxy(t, vhost.upstream, { servername: NAME, certificate });
  const view = await nodeClient(p.port);
  t.equal(view.error, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_alert', cause: 'untrusted_certificate', inject: { upstreamVerification: 'rejected', upstreamVerifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
  t.match(rec!.hint, /--upstream-ca/);
});

void t.test('expired upstream certificate: expired_certificate', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf([NAME], { daysFrom: -30, daysTo: -2 }), NAME);
  const p = await startInjectProxy(t, vhost.upstream, { servername: NAME, certificate, upstreamCa: upstreamPki.ca.cert });
  const view = await nodeClient(p.port);
  t.equal(view.error, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_alert', cause: 'expired_certificate', inject: { upstreamVerifyError: 'CERT_HAS_EXPIRED' } });
  t.match(rec!.hint, /expired/);
});

void t.test('--insecure-upstream: a mismatched upstream is used, and the record still says what verification found', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf(['other.example.com']), 'other');
  const p = await startInjectProxy(t, vhost.upstream, { servername: NAME, certificate, insecureUpstream: true });
  const view = await nodeClient(p.port);
  t.equal(view.received, 'hello from other\n');
  const [rec] = await p.records(1);
  t.match(rec, {
    outcome: 'established',
    cause: null,
    server: { chainCheck: { verdict: 'hostname_mismatch' } },
    inject: { upstreamVerification: 'ignored', upstreamVerifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', failedLeg: null },
  });
});

void t.test('TLS 1.2 upstream: certificates as sent in clear, chain checked', async (t) => {
  const vhost = await tlsServer(t, { ...upstreamPki.leaf([NAME]), maxVersion: 'TLSv1.2' }, NAME);
  const p = await startInjectProxy(t, vhost.upstream, { servername: NAME, certificate, upstreamCa: upstreamPki.ca.cert });
  const view = await nodeClient(p.port);
  t.equal(view.received, `hello from ${NAME}\n`);
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'established', server: { version: 'TLSv1.2', chainCheck: { verdict: 'ok' } }, inject: { upstreamVerification: 'verified', clientVersion: 'TLSv1.3' } });
  t.equal(rec!.server?.certificates.length, 1, 'only the leaf was sent');
});
