/**
 * ClientHellos produced live by the openssl CLI and Node's tls decode to what
 * those clients were told to offer. Codes are the IANA values from the RFCs:
 * RFC 8446 B.4 (TLS 1.3 suites), RFC 5289 (ECDHE GCM suites), RFC 8446 §4.2.7
 * (groups), RFC 5746 (0x00FF SCSV), RFC 7301 (ALPN).
 */
import { spawn } from 'node:child_process';
import tls from 'node:tls';
import t from 'tap';
import type { HelloDecision } from '../../src/tls/client-hello.js';
import type { ClientHello } from '../../src/tls/types.js';
import { listenForHello } from '../helpers/capture-hello.js';

const TLS_AES_128_GCM_SHA256 = 0x1301;
const TLS_AES_256_GCM_SHA384 = 0x1302;
const ECDHE_RSA_AES128_GCM_SHA256 = 0xc02f;
const ECDHE_ECDSA_AES256_GCM_SHA384 = 0xc02c;
const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
const SECP256R1 = 23;
const X25519 = 29;
const SECP384R1 = 24;

const alpnOf = (h: ClientHello) => h.alpn.map((b) => b.toString('latin1'));

async function opensslHello(args: string[]): Promise<ClientHello> {
  const cap = await listenForHello();
  try {
    const seen = cap.next();
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${cap.port}`, ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
    const decision = await seen;
    child.kill();
    return helloOf(decision);
  } finally {
    await cap.close();
  }
}

async function nodeHello(options: tls.ConnectionOptions): Promise<ClientHello> {
  const cap = await listenForHello();
  try {
    const seen = cap.next();
    const sock = tls.connect({ host: '127.0.0.1', port: cap.port, ...options });
    sock.on('error', () => undefined);
    const decision = await seen;
    sock.destroy();
    return helloOf(decision);
  } finally {
    await cap.close();
  }
}

function helloOf(d: HelloDecision): ClientHello {
  if (d.state !== 'complete') throw new Error(`no hello: ${d.error.message}`);
  return d.hello;
}

void t.test('openssl s_client -tls1_2 -cipher -alpn -groups -servername', async (t) => {
  const h = await opensslHello(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-alpn', 'h2,http/1.1', '-groups', 'P-256:X25519', '-servername', 'api.example.com']);
  t.equal(h.sni, 'api.example.com');
  t.same(h.cipherSuites, [ECDHE_RSA_AES128_GCM_SHA256, EMPTY_RENEGOTIATION_INFO_SCSV]);
  t.same(alpnOf(h), ['h2', 'http/1.1']);
  t.same(h.groups, [SECP256R1, X25519]);
  t.equal(h.legacyVersion, 0x0303);
  t.same(h.supportedVersions, [], 'a TLS 1.2-only OpenSSL client sends no supported_versions');
});

void t.test('openssl s_client -tls1_3 -ciphersuites -noservername', async (t) => {
  const h = await opensslHello(['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-groups', 'X25519', '-noservername']);
  t.equal(h.sni, null, '-noservername sends no server_name');
  t.notOk(h.extensions.some((e) => e.type === 0), 'no extension 0 at all');
  t.same(h.supportedVersions, [0x0304]);
  t.ok(h.cipherSuites.includes(TLS_AES_256_GCM_SHA384));
  t.notOk(h.cipherSuites.includes(TLS_AES_128_GCM_SHA256));
  t.same(h.keyShareGroups, [X25519]);
});

void t.test('openssl s_client to an IP address sends no SNI', async (t) => {
  const h = await opensslHello(['-tls1_2']);
  t.equal(h.sni, null);
});

void t.test('Node tls.connect with servername, ALPN, ciphers, curves, version range', async (t) => {
  const h = await nodeHello({
    servername: 'legacy.example.net',
    ALPNProtocols: ['http/1.1'],
    ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
    ecdhCurve: 'P-384:P-256',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    rejectUnauthorized: false,
  });
  t.equal(h.sni, 'legacy.example.net');
  t.same(alpnOf(h), ['http/1.1']);
  t.same(h.groups, [SECP384R1, SECP256R1]);
  t.same(h.supportedVersions, [0x0304, 0x0303]);
  const tls12 = h.cipherSuites.filter((c) => c >> 8 === 0xc0);
  t.same(tls12, [ECDHE_ECDSA_AES256_GCM_SHA384, ECDHE_RSA_AES128_GCM_SHA256]);
});

void t.test('Node client forced to TLS 1.0', async (t) => {
  const h = await nodeHello({ minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });
  t.equal(h.legacyVersion, 0x0301);
  t.same(h.supportedVersions, []);
  t.equal(h.sni, null, 'Node sends no SNI without servername for an IP host');
});
