/**
 * The handshake judge on event sequences that WIRE-FACTS.md reports from real
 * software (HAProxy, OpenSSL, GnuTLS, JSSE): the first event that ends the
 * handshake decides, and TLS 1.3's hidden Finished is read by shape.
 */
import t from 'tap';
import { type HandshakeEvent, readTimeline } from '../../src/diagnose/timeline.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;
const fatal = (code: number) => ({ level: 2, code });
const ccs = (side: 'client' | 'server'): HandshakeEvent => ({ side, kind: 'ccs' });
const opaque = (side: 'client' | 'server', length: number, contentType = 23): HandshakeEvent => ({ side, kind: 'opaque', length, contentType });
const alert = (side: 'client' | 'server', code: number, level = 2): HandshakeEvent => ({ side, kind: 'alert', alert: { level, code } });
const fin = (side: 'client' | 'server'): HandshakeEvent => ({ side, kind: 'fin' });
const rst = (side: 'client' | 'server'): HandshakeEvent => ({ side, kind: 'rst' });

void t.test('TLS 1.2 full handshake: both CCS + Finished', async (t) => {
  t.same(readTimeline([ccs('client'), opaque('client', 40, 22), ccs('server'), opaque('server', 40, 22)], TLS12), { kind: 'established' });
  t.same(readTimeline([ccs('client'), opaque('client', 40, 22)], TLS12), { kind: 'in-progress' }, 'one Finished is not enough');
});

void t.test('TLS 1.2 resumption: the server finishes first', async (t) => {
  t.same(readTimeline([ccs('server'), opaque('server', 40, 22), ccs('client'), opaque('client', 40, 22)], TLS12), { kind: 'established' });
});

void t.test('HAProxy reject: FIN, then the client alert, then the server RST: the FIN decides', async (t) => {
  t.same(readTimeline([fin('server'), alert('client', 50), rst('server')], null), { kind: 'closed', side: 'server' });
});

void t.test('a warning alert does not end the handshake; a fatal one does', async (t) => {
  t.same(readTimeline([alert('server', 112, 1)], null), { kind: 'in-progress' });
  t.same(readTimeline([alert('server', 112)], null), { kind: 'alert', side: 'server', alert: fatal(112) });
});

void t.test('TLS 1.3 success: the client Finished (not alert-sized), then server data', async (t) => {
  const server = [opaque('server', 6), opaque('server', 800), opaque('server', 80), opaque('server', 53)];
  t.same(readTimeline([...server, ccs('client'), opaque('client', 53), opaque('server', 250)], TLS13), { kind: 'established' });
});

void t.test('TLS 1.3 certificate_required: one 19-byte record after the client Finished, then FIN', async (t) => {
  const ev = [opaque('server', 800), ccs('client'), opaque('client', 53), opaque('server', 19), fin('server')];
  t.same(readTimeline(ev, TLS13), { kind: 'encrypted-alert', side: 'server', afterClientFinished: true });
});

void t.test('TLS 1.3 client refuses the certificate: 19 bytes instead of Finished, then FIN (GnuTLS)', async (t) => {
  const ev = [opaque('server', 800), ccs('client'), opaque('client', 19), fin('client')];
  t.same(readTimeline(ev, TLS13), { kind: 'encrypted-alert', side: 'client', afterClientFinished: false });
});

void t.test('TLS 1.3 0.5-RTT data before the client Finished does not count as after it', async (t) => {
  const halfRtt = Array.from({ length: 500 }, () => opaque('server', 16401));
  const ev = [...halfRtt, opaque('client', 53), opaque('server', 19), fin('server')];
  t.same(readTimeline(ev, TLS13), { kind: 'encrypted-alert', side: 'server', afterClientFinished: true });
});

void t.test('a reset before anything else', async (t) => {
  t.same(readTimeline([rst('server')], null), { kind: 'reset', side: 'server' });
  t.same(readTimeline([rst('client')], null), { kind: 'reset', side: 'client' });
});
