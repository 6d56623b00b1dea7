/**
 * Crafted ClientHellos decode back, field for field, with tlspeek's own
 * decoder (split at every byte offset too), and a real TLS server (Node's
 * OpenSSL) answers them with a ServerHello.
 */
import fc from 'fast-check';
import t from 'tap';
import { buildClientHello, clientHelloFields, encodeClientHello, Group, ProbeExtensionType } from '../../src/probe/client-hello-builder.js';
import { probeHello } from '../../src/probe/handshake-probe.js';
import { TLS12_SUITES, TLS13_SUITES } from '../../src/probe/suites.js';
import { ClientHelloReader, decodeClientHello } from '../../src/tls/client-hello.js';
import { ProtocolVersion as V } from '../../src/tls/constants.js';
import { makePki } from '../helpers/certs.js';
import { tlsServer } from '../helpers/servers.js';

const ext = (hello: ReturnType<typeof decodeClientHello>['hello'], type: number) => hello.extensions.find((e) => e.type === type);

void t.test('a classic TLS 1.2 hello: legacy_version 1.2, no supported_versions, every length right', async (t) => {
  const bytes = buildClientHello({ versions: [V.TLSv1_2], cipherSuites: [0xc02f, 0x009c], servername: 'api.example.com', alpn: ['h2', 'http/1.1'] });
  t.equal(bytes[0], 22, 'handshake record');
  t.equal(bytes.readUInt16BE(1), V.TLSv1, 'record version TLS 1.0, as OpenSSL writes it');
  t.equal(bytes.readUInt16BE(3), bytes.length - 5, 'record length');
  t.equal(bytes.readUIntBE(6, 3), bytes.length - 9, 'handshake length');
  const { hello, records } = decodeClientHello(bytes);
  t.equal(records, 1);
  t.match(hello, {
    recordVersion: V.TLSv1,
    legacyVersion: V.TLSv1_2,
    cipherSuites: [0xc02f, 0x009c],
    sni: 'api.example.com',
    supportedVersions: [],
    groups: [Group.x25519, Group.secp256r1, Group.secp384r1, Group.secp521r1, Group.x448, Group.ffdhe2048, Group.ffdhe3072],
    ecPointFormats: [0],
    keyShareGroups: [],
  });
  t.same(hello.alpn.map((b) => b.toString()), ['h2', 'http/1.1']);
  t.ok(hello.signatureAlgorithms.includes(0x0804), 'rsa_pss_rsae_sha256 offered');
  t.same(hello.sessionId, Buffer.alloc(0), 'no session id: nothing to resume');
  t.same(ext(hello, ProbeExtensionType.RenegotiationInfo)?.data, Buffer.of(0), 'renegotiation_info, empty');
  t.same(ext(hello, ProbeExtensionType.ExtendedMasterSecret)?.data, Buffer.alloc(0), 'extended_master_secret');
});

void t.test('a TLS 1.3 hello: legacy 1.2, supported_versions, a real x25519 key share, 32-byte session id', async (t) => {
  const a = decodeClientHello(buildClientHello({ versions: [V.TLSv1_3], cipherSuites: TLS13_SUITES, servername: null })).hello;
  const b = decodeClientHello(buildClientHello({ versions: [V.TLSv1_3], cipherSuites: TLS13_SUITES, servername: null })).hello;
  t.match(a, { legacyVersion: V.TLSv1_2, supportedVersions: [V.TLSv1_3], keyShareGroups: [Group.x25519], sni: null });
  t.equal(a.sessionId.length, 32);
  const share = ext(a, ProbeExtensionType.KeyShare)!.data;
  t.equal(share.readUInt16BE(0), share.length - 2, 'client_shares length');
  t.equal(share.readUInt16BE(4), 32, 'x25519 key_exchange is 32 bytes');
  t.notSame(share, ext(b, ProbeExtensionType.KeyShare)!.data, 'a fresh key each time');
  t.ok(ext(a, ProbeExtensionType.PskKeyExchangeModes), 'psk_key_exchange_modes');

  const none = decodeClientHello(buildClientHello({ versions: [V.TLSv1_3], cipherSuites: TLS13_SUITES, servername: null, keyShare: 'none' })).hello;
  t.same(none.keyShareGroups, [], "keyShare 'none' leaves the extension out");
  const several = decodeClientHello(buildClientHello({ versions: [V.TLSv1, V.TLSv1_3, V.TLSv1_2], cipherSuites: [0x1301, 0xc02f], servername: 'x' })).hello;
  t.same(several.supportedVersions, [V.TLSv1_3, V.TLSv1_2, V.TLSv1], 'highest first');
});

void t.test('SSLv3 and TLS 1.0 hellos: no extensions for SSLv3, no signature_algorithms before 1.2', async (t) => {
  const ssl3 = buildClientHello({ versions: [V.SSLv3], cipherSuites: [0x000a, 0x002f], servername: 'ignored.example' });
  t.equal(ssl3.readUInt16BE(1), V.SSLv3, 'record version SSLv3');
  const h3 = decodeClientHello(ssl3).hello;
  t.match(h3, { legacyVersion: V.SSLv3, extensions: [], sni: null, cipherSuites: [0x000a, 0x002f] });
  t.equal(ssl3.length, 5 + 4 + 2 + 32 + 1 + 2 + 4 + 2, 'no extensions block at all');

  const h10 = decodeClientHello(buildClientHello({ versions: [V.TLSv1], cipherSuites: [0x002f], servername: 'a.example' })).hello;
  t.match(h10, { legacyVersion: V.TLSv1, sni: 'a.example', signatureAlgorithms: [] });
});

void t.test('a hello longer than one record spans two, and decodes the same', async (t) => {
  const alpn = Array.from({ length: 200 }, (_, i) => `proto-${i}-${'x'.repeat(90)}`);
  const bytes = buildClientHello({ versions: [V.TLSv1_2], cipherSuites: TLS12_SUITES, servername: 'big.example', alpn });
  const { hello, records } = decodeClientHello(bytes);
  t.equal(records, 2);
  t.equal(hello.alpn.length, 200);
  t.equal(hello.cipherSuites.length, TLS12_SUITES.length);
});

void t.test('every split of a crafted hello decodes to the same hello', async (t) => {
  const bytes = buildClientHello({ versions: [V.TLSv1_3, V.TLSv1_2], cipherSuites: [...TLS13_SUITES, 0xc02f], servername: 'split.example', alpn: ['h2'] });
  const whole = decodeClientHello(bytes).hello;
  for (let at = 1; at < bytes.length; at++) {
    const r = new ClientHelloReader(1 << 16);
    const first = r.push(bytes.subarray(0, at));
    const p = first.state === 'complete' ? first : r.push(bytes.subarray(at));
    if (p.state !== 'complete') {
      t.fail(`split at ${at}: ${p.state}`);
      return;
    }
    if (!p.hello.random.equals(whole.random) || p.hello.sni !== 'split.example') t.fail(`split at ${at} differs`);
  }
  t.pass('all splits decode');
});

void t.test('property: any options decode back to what was asked', async (t) => {
  const version = fc.constantFrom(V.TLSv1, V.TLSv1_1, V.TLSv1_2, V.TLSv1_3);
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
  fc.assert(
    fc.property(
      fc.uniqueArray(version, { minLength: 1, maxLength: 4 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 300 }),
      fc.option(fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'))),
      fc.array(fc.stringMatching(/^[a-z0-9/.]{1,20}$/), { maxLength: 5 }),
      (versions, cipherSuites, servername, alpn) => {
        const { hello } = decodeClientHello(buildClientHello({ versions, cipherSuites, servername, alpn }));
        const max = Math.max(...versions);
        const tls13 = versions.includes(V.TLSv1_3);
        return (
          hello.legacyVersion === (tls13 ? V.TLSv1_2 : max) &&
          hello.sni === servername &&
          hello.cipherSuites.join() === cipherSuites.join() &&
          hello.alpn.map((b) => b.toString()).join() === alpn.join() &&
          hello.supportedVersions.join() === (tls13 ? [...versions].sort((a, b) => b - a).join() : '') &&
          hello.keyShareGroups.join() === (tls13 ? String(Group.x25519) : '')
        );
      },
    ),
    { numRuns: 150 },
  );
  t.pass('150 random hellos round-trip');
});

void t.test('fields that cannot be encoded are refused, not truncated', async (t) => {
  t.throws(() => encodeClientHello({ ...clientHelloFields({ versions: [V.TLSv1_2], cipherSuites: [0x2f], servername: null }), sessionId: Buffer.alloc(33) }), RangeError);
  t.throws(() => buildClientHello({ versions: [V.TLSv1_2], cipherSuites: [], servername: null }), RangeError);
  t.throws(() => buildClientHello({ versions: [], cipherSuites: [0x2f], servername: null }), RangeError);
  t.throws(() => buildClientHello({ versions: [V.TLSv1_2], cipherSuites: [0x2f], servername: 'x'.repeat(70000) }), RangeError);
});

void t.test("Node's TLS server (OpenSSL) answers crafted TLS 1.2 and 1.3 hellos with a ServerHello", async (t) => {
  const pki = makePki({ name: 'tlspeek Builder' });
  const up = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem });
  const tls12 = await probeHello(up.upstream, { versions: [V.TLSv1_2], cipherSuites: [0xc02f], servername: 'localhost' }, { timeoutMs: 3000 });
  t.match(tls12, { outcome: 'server_hello', serverHello: { version: V.TLSv1_2, cipherSuite: 0xc02f } });
  t.equal(tls12.certificates?.length, 2, 'the chain, in clear');
  const tls13 = await probeHello(up.upstream, { versions: [V.TLSv1_3], cipherSuites: [0x1302], servername: 'localhost' }, { timeoutMs: 3000 });
  t.match(tls13, { outcome: 'server_hello', helloRetry: false, serverHello: { version: V.TLSv1_3, cipherSuite: 0x1302 } });
  t.notOk(tls13.certificates, 'TLS 1.3 encrypts the chain');
  const random = await probeHello(up.upstream, { versions: [V.TLSv1_3], cipherSuites: [0x1301], servername: null, keyShare: 'random' }, { timeoutMs: 3000 });
  t.equal(random.outcome, 'server_hello', 'a random 32-byte x25519 share is accepted as well');
});
