/** A healthy handshake through tlspeek: TLS 1.2 and 1.3, Node and openssl clients; record and client view. */
import tls from 'node:tls';
import t from 'tap';
import { nodeClient, opensslClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { startTestProxy } from '../helpers/proxy.js';
import { throughProxy } from '../helpers/scenario.js';
import { tlsServer } from '../helpers/servers.js';

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  void t.test(`Node client with SNI over ${version}`, async (t) => {
    const up = await tlsServer(t, { ...leaf, minVersion: version, maxVersion: version });
    const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com', ca: pki.ca.cert, rejectUnauthorized: true }));
    t.same(s.proxied, s.direct, 'the client sees what it sees direct');
    t.equal(s.proxied.received, 'hello from upstream\n');
    t.match(s.record, {
      msg: 'connection',
      mode: 'passthrough',
      outcome: 'established',
      cause: null,
      hint: null,
      clientAlert: null,
      hello: { sni: 'api.example.com', recordVersion: 'TLSv1' },
      server: { version, alert: null, reset: false },
      client: { address: '127.0.0.1' },
      upstream: { address: '127.0.0.1', port: up.port },
    });
    t.equal(s.record.bytesFromServer > 0 && s.record.bytesFromClient > 0, true, 'bytes counted both ways');
    if (version === 'TLSv1.2') {
      t.equal(s.record.server?.certificates.length, 1, 'the chain travels in clear in TLS 1.2');
      t.equal(s.record.server?.certificates[0]?.subject, 'CN=api.example.com');
    } else {
      t.same(s.record.server?.certificates, [], 'TLS 1.3 certificates are encrypted');
    }
  });
}

void t.test('openssl s_client with -servername over TLS 1.3 and TLS 1.2', async (t) => {
  const up = await tlsServer(t, leaf);
  for (const v of ['-tls1_3', '-tls1_2']) {
    const s = await throughProxy(t, up, (port) => opensslClient(port, [v, '-servername', 'api.example.com']));
    t.equal(s.proxied.exitCode, s.direct.exitCode, `${v}: same exit status as direct`);
    t.match(s.proxied.stdout, /hello from upstream/);
    t.match(s.record, { outcome: 'established', hello: { sni: 'api.example.com' }, server: { version: v === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2' } });
  }
});

void t.test('TLS 1.3 with a HelloRetryRequest (server wants P-256, client shares x25519)', async (t) => {
  const up = await tlsServer(t, { ...leaf, minVersion: 'TLSv1.3', ecdhCurve: 'P-256' });
  const s = await throughProxy(t, up, (port) => nodeClient(port, { servername: 'api.example.com', ecdhCurve: 'X25519:P-256' }));
  t.equal(s.proxied.received, 'hello from upstream\n');
  t.match(s.record, { outcome: 'established', hello: { keyShareGroups: ['x25519'] }, server: { version: 'TLSv1.3', helloRetry: true } });
});

void t.test('TLS 1.2 session resumption (abbreviated handshake: server Finished first)', async (t) => {
  const up = await tlsServer(t, { ...leaf, maxVersion: 'TLSv1.2' });
  const proxy = await startTestProxy(t, up.upstream);
  const connect = (session?: Buffer) =>
    new Promise<{ reused: boolean; session: Buffer | undefined }>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: proxy.port, servername: 'api.example.com', ca: pki.ca.cert, maxVersion: 'TLSv1.2', ...(session ? { session } : {}) });
      let saved: Buffer | undefined;
      let reused = false;
      s.on('session', (sess: Buffer) => (saved = sess));
      s.on('secureConnect', () => {
        reused = s.isSessionReused(); // null once the socket is closed
        s.write('ping\n');
      });
      s.on('data', () => s.end());
      s.on('close', () => resolve({ reused, session: saved }));
    });
  const first = await connect();
  t.ok(first.session, 'got a session');
  const second = await connect(first.session);
  t.ok(second.reused, 'the second connection resumed');
  const [a, b] = await proxy.records(2);
  t.equal(a?.outcome, 'established');
  t.equal(b?.outcome, 'established', 'the abbreviated handshake is recognised');
  t.same(b?.server?.certificates, [], 'no certificate in a resumed handshake');
});
