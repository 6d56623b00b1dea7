/**
 * SNI behaviour against ingresses that treat hellos without SNI (or with an
 * unknown name) the way real ones do (WIRE-FACTS.md): reset like Envoy,
 * unrecognized_name like nginx ssl_reject_handshake. Hellos they accept are
 * relayed to a real TLS backend.
 */
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import { clientOffer, diagnoseUpstream, quickProbe } from '../../src/probe/scan.js';
import { buildClientHello } from '../../src/probe/client-hello-builder.js';
import { decodeClientHello } from '../../src/tls/client-hello.js';
import { makePki } from '../helpers/certs.js';
import { helloReactor, tlsServer } from '../helpers/servers.js';

const pki = makePki({ name: 'tlspeek Probe SNI' });
const roots = loadTrustStore(pki.rootPem);
const SNI = 'api.example.com';
const leaf = pki.issueLeaf({ names: [SNI] });
const backendOptions = { cert: leaf.pem + pki.intermediatePem, key: leaf.keyPem };

void t.test('an SNI-only ingress that resets hellos without SNI: SNI required, non_sni_client', async (t) => {
  const backend = await tlsServer(t, backendOptions);
  const ingress = await helloReactor(t, 'reset', (h) => h.sni === null, backend);
  const report = await diagnoseUpstream(ingress.upstream, { servername: SNI, roots });
  t.equal(report.sni?.required, true);
  t.match(report.sni?.cases, [
    { kind: 'servername', sent: SNI, answer: { outcome: 'server_hello' }, certificate: { subject: `CN=${SNI}` } },
    { kind: 'none', sent: null, answer: { outcome: 'reset' }, certificate: null },
    { kind: 'unknown', sent: 'tlspeek-probe.invalid', answer: { outcome: 'server_hello' } },
  ]);
  t.same(report.causes, ['non_sni_client'], 'the chain is fine: nothing else');
  t.match(report.hint, /without SNI with reset/);

  const blind = await diagnoseUpstream(ingress.upstream, { servername: null, roots });
  t.same(blind.causes, ['non_sni_client'], 'probing without SNI: nothing accepted, and SNI is why');
  t.same(blind.versions.map((v) => v.answer.outcome), ['reset', 'reset', 'reset', 'reset', 'reset']);

  const q = await quickProbe(ingress.upstream, { servername: null, roots });
  t.equal(q.cause, 'non_sni_client');
  t.match(q.findings, [
    { kind: 'sni_check', without: { outcome: 'reset' }, with: { name: 'tlspeek-probe.invalid', answer: { outcome: 'server_hello' } }, required: true },
    { kind: 'chain_unavailable' },
  ]);
});

void t.test('an nginx-style ingress: unrecognized_name (112) for unknown names and for none', async (t) => {
  const backend = await tlsServer(t, backendOptions);
  const ingress = await helloReactor(t, { alert: 112 }, (h) => h.sni !== SNI, backend);
  const report = await diagnoseUpstream(ingress.upstream, { servername: SNI, roots });
  t.match(report.sni, {
    required: true,
    cases: [{ kind: 'servername', answer: { outcome: 'server_hello' } }, { kind: 'none', answer: { outcome: 'alert', alert: { code: 112 } } }, { kind: 'unknown', answer: { outcome: 'alert', alert: { code: 112 } } }],
  });
  t.same(report.causes, ['non_sni_client']);

  const wrongName = await diagnoseUpstream(ingress.upstream, { servername: 'www.example.com', roots });
  t.same(wrongName.causes, ['sni_unrecognized'], 'the name probed is not one it serves');
  t.match(wrongName.hint, /www\.example\.com/);

  const offer = clientOffer(decodeClientHello(buildClientHello({ versions: [0x0304, 0x0303], cipherSuites: [0x1301, 0xc02f], servername: 'www.example.com' })).hello);
  t.same(offer, { servername: 'www.example.com', clientVersions: [0x0304, 0x0303], clientCiphers: [0x1301, 0xc02f] });
  const q = await quickProbe(ingress.upstream, { ...offer, roots });
  t.equal(q.cause, 'sni_unrecognized');
});

void t.test('a server that ignores SNI: not required, no cause', async (t) => {
  const plain = await tlsServer(t, backendOptions);
  const report = await diagnoseUpstream(plain.upstream, { servername: SNI, roots });
  t.equal(report.sni?.required, false);
  t.same(report.causes, []);
});
