/**
 * After both handshakes: cleartext relayed intact both ways, half-close
 * carried over as close_notify, resets carried over as resets, and a reader
 * that stops makes the other side wait instead of tlspeek buffering.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { createCertificateAuthority, issueServerCertificate } from '../../src/certs/issue.js';
import { makePki } from '../helpers/pki.js';
import { rawServer } from '../helpers/servers.js';
import { startInjectProxy } from '../helpers/inject-proxy.js';

const NAME = 'api.example.com';
const upstreamPki = makePki('relay root');
const vhostCert = upstreamPki.leaf([NAME]);
const tlspeekCa = createCertificateAuthority();
const served = issueServerCertificate({ name: NAME, issuer: tlspeekCa });
const options = { servername: NAME, certificate: { certPem: served.certPem, keyPem: served.keyPem }, upstreamCa: upstreamPki.ca.cert };

/** An upstream whose raw TCP socket the test controls: `onTls` gets the TLS socket and the raw one. */
async function upstream(t: Test, onTls: (sock: tls.TLSSocket, raw: net.Socket) => void) {
  return rawServer(t, (raw) => {
    const sock = new tls.TLSSocket(raw, { isServer: true, cert: vhostCert.cert, key: vhostCert.key });
    sock.on('error', () => undefined);
    onTls(sock, raw);
  });
}

function connect(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca: tlspeekCa.certPem, checkServerIdentity: (_h, c) => tls.checkServerIdentity(NAME, c), ...options });
    sock.once('secureConnect', () => resolve(sock));
    sock.once('error', reject);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

void t.test('16 MiB echoed back intact', async (t) => {
  const up = await upstream(t, (sock) => sock.pipe(sock));
  const p = await startInjectProxy(t, up.upstream, options);
  const payload = randomBytes(16 * 1024 * 1024);
  const sock = await connect(p.port);
  const chunks: Buffer[] = [];
  let got = 0;
  const back = new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= payload.length) resolve();
    });
  });
  sock.write(payload);
  await back;
  t.equal(sha(Buffer.concat(chunks)), sha(payload));
  sock.end();
  const [rec] = await p.records(1);
  t.match(rec, { mode: 'inject', outcome: 'established' });
  t.ok(rec!.bytesFromClient > payload.length);
  t.ok(rec!.bytesFromServer > payload.length);
});

void t.test('half-close: the client ends its side and still gets the answer', async (t) => {
  const up = await upstream(t, (sock) => {
    let n = 0;
    sock.on('data', (d: Buffer) => (n += d.length));
    sock.on('end', () => sock.end(`got ${n}\n`));
  });
  const p = await startInjectProxy(t, up.upstream, options);
  const sock = await connect(p.port);
  let reply = '';
  sock.on('data', (d: Buffer) => (reply += d.toString()));
  const ended = new Promise((resolve) => sock.once('end', resolve));
  sock.end('x'.repeat(1000));
  await ended;
  t.equal(reply, 'got 1000\n', 'the upstream saw the end of the request, and its answer came back');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'established' });
});

void t.test('the upstream resets mid-stream: the client is reset, not closed cleanly', async (t) => {
  const up = await upstream(t, (sock, raw) => sock.once('data', () => raw.resetAndDestroy()));
  const p = await startInjectProxy(t, up.upstream, options);
  const sock = await connect(p.port);
  const err = await new Promise<string | null>((resolve) => {
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    sock.once('end', () => resolve(null));
    sock.write('ping\n');
  });
  t.equal(err, 'ECONNRESET');
  const [rec] = await p.records(1);
  t.match(rec, { outcome: 'established', server: { reset: true } });
});

void t.test('the client resets mid-stream: the upstream is reset', async (t) => {
  let upstreamSaw: Promise<string> = Promise.resolve('none');
  const up = await upstream(t, (sock) => {
    upstreamSaw = new Promise((resolve) => {
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      sock.on('end', () => resolve('fin'));
    });
    sock.on('data', () => undefined);
  });
  const p = await startInjectProxy(t, up.upstream, options);
  const raw = net.connect(p.port, '127.0.0.1');
  await new Promise((r) => raw.once('connect', r));
  const sock = await connect(p.port, { socket: raw });
  sock.on('error', () => undefined);
  sock.write('ping\n');
  await new Promise((r) => setTimeout(r, 50));
  raw.resetAndDestroy();
  t.equal(await upstreamSaw, 'ECONNRESET');
  await p.records(1);
});

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const BOUND = 48 * 1024 * 1024;

void t.test('a client that stops reading holds the upstream back', async (t) => {
  let handedOff = 0;
  const flooded = new Promise<void>((resolve) => {
    void upstream(t, (sock) => {
      sock.once('data', () => {
        const until = Date.now() + 1500;
        const pump = () => {
          while (Date.now() < until && sock.write(CHUNK));
          if (Date.now() < until) sock.once('drain', pump);
        };
        pump();
        setTimeout(() => {
          handedOff = sock.bytesWritten - sock.writableLength;
          sock.destroy();
          resolve();
        }, 1500);
      });
    }).then(async (up) => {
      const p = await startInjectProxy(t, up.upstream, options);
      const sock = await connect(p.port);
      sock.on('error', () => undefined);
      sock.pause();
      sock.write('go\n');
      t.teardown(() => sock.destroy());
    });
  });
  await flooded;
  t.ok(handedOff > 0, `upstream handed off ${(handedOff / 1048576).toFixed(1)} MiB`);
  t.ok(handedOff < BOUND, 'bounded: tlspeek did not swallow the flood');
});

void t.test('a relay error while the client reads nothing still ends the connection, within the linger bound', async (t) => {
  const up = await upstream(t, (sock) => {
    sock.once('data', () => {
      const pump = () => {
        while (!sock.destroyed && sock.write(CHUNK));
        if (!sock.destroyed) sock.once('drain', pump);
      };
      pump();
    });
  });
  const p = await startInjectProxy(t, up.upstream, options);
  const raw = net.connect(p.port, '127.0.0.1');
  raw.on('error', () => undefined);
  await new Promise((r) => raw.once('connect', r));
  const sock = await connect(p.port, { socket: raw });
  sock.on('error', () => undefined);
  sock.write('go\n');
  sock.pause();
  await new Promise((r) => setTimeout(r, 300)); // buffers fill on both sides
  // A corrupt application-data record: tlspeek's TLS fails to decrypt it.
  raw.write(Buffer.concat([Buffer.from([23, 3, 3, 0, 32]), Buffer.alloc(32, 0xee)]));
  const started = Date.now();
  const [rec] = await p.records(1, 5000);
  t.ok(Date.now() - started < 3000, `record after ${Date.now() - started} ms`);
  t.match(rec, { mode: 'inject', outcome: 'established' });
  raw.destroy();
});
