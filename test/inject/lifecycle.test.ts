/**
 * Injected connections end cleanly at scale and at shutdown: every one writes
 * exactly one record and leaves no session behind.
 */
import tls from 'node:tls';
import t from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { nodeClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { helloReactor, tlsServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('lifecycle root');
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const options = { servername: NAME, certificate: { certPem: served.certPem, keyPem: served.keyPem }, upstreamCa: upstreamPki.ca.cert };

void t.test('60 concurrent clients without SNI, mixed with SNI clients: each gets its answer and one record', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf([NAME]), NAME);
  const ingress = await helloReactor(t, 'reset', (h) => h.sni === null, vhost);
  const p = await startInjectProxy(t, ingress.upstream, options);
  const views = await Promise.all(Array.from({ length: 60 }, (_, i) => nodeClient(p.port, i % 3 === 0 ? { servername: NAME } : {})));
  t.same(new Set(views.map((v) => v.received)), new Set([`hello from ${NAME}\n`]));
  const recs = await p.records(60);
  t.equal(recs.filter((r) => r.mode === 'inject').length, 40);
  t.equal(recs.filter((r) => r.mode === 'passthrough').length, 20);
  t.ok(recs.every((r) => r.outcome === 'established'));
  t.equal(new Set(recs.map((r) => r.id)).size, 60, 'one record per connection');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(p.proxy.openSessions, 0, 'no session left open');
});

void t.test('shutdown aborts an injected connection still open after the grace period; its record is written', async (t) => {
  const vhost = await tlsServer(t, upstreamPki.leaf([NAME]), NAME);
  const p = await startInjectProxy(t, vhost.upstream, options);
  const sock = tls.connect({ host: '127.0.0.1', port: p.port, rejectUnauthorized: false });
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('secureConnect', r));
  t.equal(p.proxy.openSessions, 1);
  await p.stop(); // grace 1000 ms, then abort
  const [rec] = await p.records(1);
  t.match(rec, { mode: 'inject', outcome: 'established' });
  t.equal(p.proxy.openSessions, 0);
  sock.destroy();
});
