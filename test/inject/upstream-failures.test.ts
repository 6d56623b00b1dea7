/**
 * The upstream fails tlspeek's re-originated handshake the ways real servers
 * do; the legacy client is failed the same way (reset, close, the upstream's
 * alert) and the record says why.
 */
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { nodeClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { closedPort, helloReactor, tlsServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('upstream failures root');
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const options = { servername: NAME, certificate: { certPem: served.certPem, keyPem: served.keyPem }, upstreamCa: upstreamPki.ca.cert };

void t.test('upstream refuses the TCP connection: upstream_unreachable, the client is reset', async (t) => {
  const port = await closedPort();
  const p = await startInjectProxy(t, { host: '127.0.0.1', port }, options);
  const view = await nodeClient(p.port);
  t.equal(view.error, 'ECONNRESET');
  const [rec] = await p.records(1);
  t.match(rec, { mode: 'inject', outcome: 'upstream_unreachable', cause: null, hint: null, server: null, err: { code: 'ECONNREFUSED' }, inject: { failedLeg: 'upstream' } });
});

void t.test('upstream answers unrecognized_name: relayed to the client, sni_unrecognized names the --inject-sni value', async (t) => {
  const up = await helloReactor(t, { alert: 112 });
  const p = await startInjectProxy(t, up.upstream, options);
  const view = await nodeClient(p.port);
  t.equal(view.error, 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME');
  const [rec] = await p.records(1);
  t.match(rec, {
    outcome: 'server_alert',
    cause: 'sni_unrecognized',
    server: { alert: { level: 'fatal', description: 'unrecognized_name', code: 112 } },
    inject: { alertSent: { code: 112 }, failedLeg: 'upstream' },
  });
  t.match(rec!.hint, /--inject-sni/);
  t.match(rec!.hint, /api\.example\.com/);
});

void t.test('upstream resets after the hello with SNI: server_reset, the client is reset', async (t) => {
  const up = await helloReactor(t, 'reset');
  const p = await startInjectProxy(t, up.upstream, options);
  const view = await nodeClient(p.port);
  t.equal(view.error, 'ECONNRESET');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_reset', cause: 'unknown', server: { reset: true }, inject: { failedLeg: 'upstream', alertSent: null } });
  t.match(rec!.hint, /api\.example\.com/);
});

void t.test('upstream closes after the hello: server_closed', async (t) => {
  const up = await helloReactor(t, 'close');
  const p = await startInjectProxy(t, up.upstream, options);
  await nodeClient(p.port);
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_closed', cause: 'unknown', server: { reset: false }, inject: { failedLeg: 'upstream' } });
});

void t.test('upstream stays silent: upstream_timeout within --handshake-timeout', async (t) => {
  const up = await helloReactor(t, 'silent');
  const p = await startInjectProxy(t, up.upstream, options, { handshakeTimeoutMs: 400 });
  const started = Date.now();
  await nodeClient(p.port);
  const [rec] = await p.records(1);
  t.ok(Date.now() - started < 3000);
  t.match(rec, { outcome: 'upstream_timeout', cause: null, inject: { failedLeg: 'upstream' } });
  t.ok(rec!.durationMs >= 390);
});

void t.test('upstream requires a client certificate (TLS 1.3, alert after tlspeek\'s Finished): client_certificate_required', async (t) => {
  const vhost = await tlsServer(t, { ...upstreamPki.leaf([NAME]), requestCert: true, rejectUnauthorized: true, ca: upstreamPki.ca.cert }, NAME);
  const p = await startInjectProxy(t, vhost.upstream, options);
  const view = await nodeClient(p.port);
  t.not(view.error, null, 'the client does not get a working connection');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_alert', cause: 'client_certificate_required', server: { version: 'TLSv1.3', alert: { code: 116 } }, handshakeMs: null });
  t.match(rec!.hint, /client certificate/);
});

void t.test('upstream requires a client certificate (TLS 1.2, CertificateRequest in clear)', async (t) => {
  const vhost = await tlsServer(t, { ...upstreamPki.leaf([NAME]), requestCert: true, rejectUnauthorized: true, ca: upstreamPki.ca.cert, maxVersion: 'TLSv1.2' }, NAME);
  const p = await startInjectProxy(t, vhost.upstream, options);
  const view = await nodeClient(p.port);
  t.not(view.error, null);
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'server_alert', cause: 'client_certificate_required', server: { version: 'TLSv1.2', certificateRequested: true } });
});
