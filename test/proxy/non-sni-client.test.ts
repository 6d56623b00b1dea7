/**
 * A client without SNI against servers that reject it the ways WIRE-FACTS lists:
 * RST (Envoy-style SNI-only ingress), fatal unrecognized_name in clear
 * (nginx ssl_reject_handshake, HAProxy strict-sni), FIN (HAProxy reject).
 * Clients that do send SNI get a real TLS server behind the same port.
 */
import t from 'tap';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { throughProxy } from '../helpers/scenario.js';
import { type HelloReaction, helloReactor, type Listening, tlsServer } from '../helpers/servers.js';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);
let sniServer: Listening;
t.before(async () => {
  sniServer = await tlsServer(t, leaf, 'api.example.com');
});

const cases: { reaction: HelloReaction; outcome: string; alert: number | null; nodeError: string }[] = [
  { reaction: 'reset', outcome: 'server_reset', alert: null, nodeError: 'ECONNRESET' },
  { reaction: { alert: 112 }, outcome: 'server_alert', alert: 112, nodeError: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME' },
  { reaction: 'close', outcome: 'server_closed', alert: null, nodeError: 'ECONNRESET' },
];

for (const c of cases) {
  const label = typeof c.reaction === 'string' ? c.reaction : `alert ${c.reaction.alert}`;
  void t.test(`no SNI, server answers with ${label}`, async (t) => {
    const up = await helloReactor(t, c.reaction, (h) => h.sni === null, sniServer);
    const s = await throughProxy(t, up, (port) => nodeClient(port, {}));
    t.equal(s.proxied.error, s.direct.error, `client error through tlspeek equals direct (${String(s.direct.error)})`);
    t.match(s.record, { outcome: c.outcome, cause: 'non_sni_client', hello: { sni: null } });
    t.equal(s.record.server?.alert?.code ?? null, c.alert);
    t.equal(s.record.server?.reset, c.reaction === 'reset');
    t.match(s.record.hint, /SNI/);
    t.match(s.record.hint, /--inject-sni/);
    t.match(s.record.hint, /wildcard|default certificate/);
  });
}

void t.test('openssl -noservername against an SNI-only ingress that resets; -servername works', async (t) => {
  const up = await helloReactor(t, 'reset', (h) => h.sni === null, sniServer);
  const bad = await throughProxy(t, up, (port) => opensslClient(port, ['-noservername']));
  t.not(bad.proxied.exitCode, 0, 'openssl fails');
  t.equal(bad.proxied.exitCode, bad.direct.exitCode, 'with the same status as direct');
  t.match(bad.record, { outcome: 'server_reset', cause: 'non_sni_client', server: { reset: true } });
  const good = await throughProxy(t, up, (port) => opensslClient(port, ['-servername', 'api.example.com']));
  t.match(good.proxied.stdout, /hello from api\.example\.com/);
  t.match(good.record, { outcome: 'established', cause: null, hello: { sni: 'api.example.com' } });
});

void t.test('SNI present and the server answers unrecognized_name: sni_unrecognized', async (t) => {
  const up = await helloReactor(t, { alert: 112 }, (h) => h.sni !== 'api.example.com', sniServer);
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'other.example.com' }));
  t.equal(s.proxied.error, s.direct.error);
  t.match(s.record, { outcome: 'server_alert', cause: 'sni_unrecognized', hello: { sni: 'other.example.com' }, server: { alert: { level: 'fatal', description: 'unrecognized_name', code: 112 } } });
  t.match(s.record.hint, /other\.example\.com/);
});
