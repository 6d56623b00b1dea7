/**
 * `npm run demo`: tlspeek in front of an SNI-only ingress, on loopback, with a
 * handful of real clients. The ingress behaves like an Envoy listener with no
 * default filter chain: it peeks at the ClientHello and resets clients that
 * send no SNI; hellos for api.example.com go to its TLS virtual host (TLS 1.2+,
 * ECDHE AES-GCM suites only). Prints each connection record readably, then a
 * one-line summary per connection, and exits.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import pino from 'pino';
import { issueSelfSignedCertificate } from '../src/certs/issue.js';
import { startProxy } from '../src/proxy/listener.js';
import type { ConnectionRecord } from '../src/proxy/session.js';
import { sniOnlyIngress } from './lib/sni-only-ingress.js';

const HOST = 'api.example.com';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

/** The virtual host behind the ingress. */
async function virtualHost(cert: string, key: string): Promise<net.Server> {
  const server = tls.createServer({ cert, key, minVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' }, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n'));
  });
  server.on('tlsClientError', () => undefined);
  await listen(server);
  return server;
}

async function listen(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}

const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

interface Client {
  readonly label: string;
  readonly options: tls.ConnectionOptions;
}

const CLIENTS: Client[] = [
  { label: 'modern client with SNI', options: { servername: HOST } },
  { label: 'legacy client without SNI (jsse.enableSNIExtension=false)', options: {} },
  { label: 'client limited to TLS 1.0', options: { servername: HOST, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } },
  { label: 'client with no cipher in common (RSA key exchange only)', options: { servername: HOST, maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA' } },
  { label: 'plain HTTP sent to the TLS port', options: {} },
];

/** Runs one client; resolves with what it saw. */
function run(client: Client, proxyPort: number): Promise<string> {
  if (client.label.startsWith('plain HTTP')) {
    return new Promise((resolve) => {
      const s = net.connect(proxyPort, '127.0.0.1', () => s.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on('close', () => resolve('connection closed'));
    });
  }
  return new Promise((resolve) => {
    let body = '';
    const s = tls.connect({ host: '127.0.0.1', port: proxyPort, rejectUnauthorized: false, ...client.options });
    s.on('secureConnect', () => s.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
    s.on('data', (d: Buffer) => (body += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.on('close', () => resolve(body.split('\r\n')[0] ?? 'closed'));
  });
}

function describe(rec: ConnectionRecord): string {
  const h = rec.hello;
  const offered = h ? `SNI ${h.sni ?? 'none'}, offers ${(h.supportedVersions.length ? h.supportedVersions : [h.legacyVersion]).join('/')}, ${h.cipherSuiteCodes.length} suites` : 'no ClientHello';
  const answered = rec.server?.version ? `${rec.server.version} ${rec.server.cipherSuite ?? ''}` : rec.server?.alert ? `alert ${rec.server.alert.description} (${String(rec.server.alert.code)})` : rec.server?.reset ? 'TCP reset' : '-';
  return `${offered}  ->  ${answered}`;
}

async function main(): Promise<void> {
  const { cert, key, sha256 } = issueSelfSignedCertificate(HOST);
  const vhost = await virtualHost(cert, key);
  const ingress = await sniOnlyIngress(port(vhost));
  const records: ConnectionRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const obj = JSON.parse(line) as ConnectionRecord & { msg: string };
        if (obj.msg === 'connection') records.push(obj);
      }
      done();
    },
  });
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { host: '127.0.0.1', port: ingress.port },
    limits: { helloTimeoutMs: 2000, handshakeTimeoutMs: 3000, maxHelloBytes: 65536 },
    logger: pino({ base: undefined }, sink),
  });

  console.log(bold('tlspeek demo'));
  console.log(`  ingress  127.0.0.1:${ingress.port}  (SNI-only: resets clients without SNI; ${HOST} certificate sha256 ${sha256.slice(0, 16)}…)`);
  console.log(`  tlspeek  127.0.0.1:${proxy.address.port}  ->  ingress\n`);

  const seen: string[] = [];
  for (const c of CLIENTS) seen.push(await run(c, proxy.address.port));
  for (let i = 0; i < 50 && records.length < CLIENTS.length; i++) await new Promise((r) => setTimeout(r, 20));

  records.forEach((rec, i) => {
    console.log(bold(`#${i + 1} ${CLIENTS[i]?.label ?? ''}`));
    console.log(`   client saw: ${seen[i] ?? '?'}`);
    console.log(`   ${describe(rec)}`);
    console.log(`   outcome ${bold(rec.outcome)}   cause ${bold(String(rec.cause))}`);
    if (rec.hint) console.log(`   hint: ${rec.hint}`);
    console.log(dim(`   ${JSON.stringify({ id: rec.id, hello: { sni: rec.hello?.sni ?? null, ja3: rec.hello?.ja3 ?? null, ja4: rec.hello?.ja4 ?? null }, server: rec.server ? { version: rec.server.version, alert: rec.server.alert, reset: rec.server.reset } : null, outcome: rec.outcome, cause: rec.cause, durationMs: rec.durationMs })}`));
    console.log('');
  });
  console.log(bold('summary'));
  for (const rec of records) console.log(`  ${rec.id}  ${rec.outcome.padEnd(13)} ${String(rec.cause).padEnd(17)} sni=${rec.hello?.sni ?? '-'}`);
  console.log(dim('\nIn production: tlspeek proxy --listen 0.0.0.0:8443 --upstream ingress:443 | tee tlspeek.log  (one JSON line per connection)'));

  await proxy.stop(500);
  ingress.server.close();
  vhost.close();
}

await main();
