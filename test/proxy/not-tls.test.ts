/** Bytes that are not a TLS handshake are still forwarded unchanged, and logged not_tls. */
import t from 'tap';
import { rawClient, type RawView } from '../helpers/raw-client.js';
import { throughProxy } from '../helpers/scenario.js';
import { rawServer } from '../helpers/servers.js';

/** Replies like a TLS server that got HTTP: a fixed body, then FIN. */
const httpOnTlsPort = (t: Parameters<typeof rawServer>[0]) =>
  rawServer(t, (sock) => {
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.includes('\r\n\r\n')) sock.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${got.length}\r\n\r\n${got.toString('latin1')}`);
    });
  });

void t.test('plain HTTP to a TLS port: forwarded byte for byte, logged not_tls', async (t) => {
  const up = await httpOnTlsPort(t);
  const request = Buffer.from('GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n');
  const s = await throughProxy(t, up, (port) => rawClient(port, request));
  t.same(s.proxied.received, s.direct.received, 'the client receives exactly what it would direct');
  t.equal(s.proxied.ended, s.direct.ended);
  t.match(s.record, { outcome: 'not_tls', cause: null, hint: null, hello: null, notTls: { code: 'NOT_HANDSHAKE', firstBytes: request.subarray(0, 16).toString('hex') } });
  t.equal(s.record.bytesFromClient, request.length);
  t.equal(s.record.bytesFromServer, s.direct.received.length);
});

void t.test('an SSLv2-compatible CLIENT-HELLO is recognised and logged not_tls', async (t) => {
  const up = await rawServer(t, (sock) => sock.on('data', () => sock.end()));
  // SSLv2 CLIENT-HELLO (RFC 5246 E.2): version 3.1, one TLS suite (0x00,0x00,0x2F), 16-byte challenge.
  const body = Buffer.concat([Buffer.from([1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f]), Buffer.alloc(16, 0xab)]);
  const hello = Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
  const s = await throughProxy(t, up, (port) => rawClient(port, hello));
  t.equal(s.proxied.ended, s.direct.ended);
  t.match(s.record, { outcome: 'not_tls', cause: null, hello: { format: 'sslv2', legacyVersion: 'TLSv1', cipherSuiteCodes: [0x2f], ja3: null } });
});

void t.test('a ClientHello over --max-hello-bytes is not_tls and still forwarded', async (t) => {
  let upstreamGot = 0;
  const up = await rawServer(t, (sock) => {
    sock.on('data', (d: Buffer) => (upstreamGot += d.length));
    sock.on('end', () => sock.end());
  });
  // A handshake record announcing a 3000-byte ClientHello; the cap is 1000.
  const huge = Buffer.concat([Buffer.from([22, 3, 1, 0x0b, 0xb8, 1, 0, 0x0b, 0xb4]), Buffer.alloc(3000 - 4, 0)]);
  const s = await throughProxy(t, up, (port) => rawClient(port, huge, { endAfterSend: true }), { maxHelloBytes: 1000 });
  t.match(s.record, { outcome: 'not_tls', notTls: { code: 'TOO_LARGE' } });
  t.equal(upstreamGot, huge.length * 2, 'the upstream received every byte, direct and through tlspeek');
});

void t.test('garbage bytes: not_tls, forwarded', async (t) => {
  const up = await rawServer(t, (sock) => sock.on('data', (d: Buffer) => sock.end(d)));
  const junk = Buffer.from('0001020304ff', 'hex');
  const s = await throughProxy(t, up, (port) => rawClient(port, junk));
  t.same(s.proxied.received, junk, 'echoed back through tlspeek');
  t.match(s.record, { outcome: 'not_tls', notTls: { code: 'NOT_HANDSHAKE' } });
});

void t.test('a server that speaks first (SMTP-style greeting): heard before the client sends a byte', async (t) => {
  // tlspeek dials the upstream at accept, as the client's own connect would, so the greeting
  // reaches a client that waits for it; the client's answer is then not TLS.
  const up = await rawServer(t, (sock) => {
    sock.write('220 mail.example.com ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      if (d.toString('latin1').startsWith('QUIT')) sock.end('221 Bye\r\n');
    });
  });
  const s = await throughProxy(t, up, (port) => rawClient(port, Buffer.from('QUIT\r\n'), { sendAfterGreeting: true }));
  const view = (v: RawView) => ({ received: v.received.toString('latin1'), ended: v.ended });
  t.same(view(s.direct), { received: '220 mail.example.com ESMTP\r\n221 Bye\r\n', ended: 'fin' }, 'direct');
  t.same(view(s.proxied), view(s.direct), 'through tlspeek: the same greeting, answer and FIN');
  t.match(s.record, { outcome: 'not_tls', notTls: { code: 'NOT_HANDSHAKE', firstBytes: Buffer.from('QUIT\r\n').toString('hex') } });
  t.equal(s.record.bytesFromServer, '220 mail.example.com ESMTP\r\n221 Bye\r\n'.length);
});
