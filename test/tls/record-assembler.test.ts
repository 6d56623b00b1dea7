import t from 'tap';
import { ContentType, HandshakeType } from '../../src/tls/constants.js';
import { TlsParseError } from '../../src/tls/errors.js';
import { type AssemblerEvent, RecordAssembler } from '../../src/tls/record-assembler.js';
import { fragment, handshake, record } from '../helpers/tls-bytes.js';

function drain(a: RecordAssembler): AssemblerEvent[] {
  const out: AssemblerEvent[] = [];
  for (let ev = a.next(); ev !== null; ev = a.next()) out.push(ev);
  return out;
}

function feed(chunks: Buffer[], maxBuffered = 1 << 20): AssemblerEvent[] {
  const a = new RecordAssembler({ maxBuffered });
  const out: AssemblerEvent[] = [];
  for (const c of chunks) {
    a.push(c);
    out.push(...drain(a));
  }
  a.end();
  return out;
}

const summary = (evs: AssemblerEvent[]) =>
  evs.map((e) => (e.kind === 'record' ? `r${e.type}:${e.fragment.length}@${e.offset}` : `h${e.type}:${e.body.toString('hex')}@${e.offset}`));

void t.test('several handshake messages in one record (ServerHello + Certificate + ServerHelloDone)', async (t) => {
  const msgs = Buffer.concat([
    handshake(HandshakeType.ServerHello, Buffer.from('aa', 'hex')),
    handshake(HandshakeType.Certificate, Buffer.from('bbbb', 'hex')),
    handshake(HandshakeType.ServerHelloDone, Buffer.alloc(0)),
  ]);
  const evs = feed([record(ContentType.Handshake, msgs)]);
  t.same(summary(evs), ['r22:15@0', 'h2:aa@5', 'h11:bbbb@10', 'h14:@16']);
});

void t.test('one handshake message spanning several records, fed at every split point', async (t) => {
  const body = Buffer.alloc(1800, 0x42);
  const wire = fragment(ContentType.Handshake, handshake(HandshakeType.ClientHello, body), 500);
  const whole = summary(feed([wire]));
  t.equal(whole.filter((s) => s.startsWith('r')).length, 4, 'four records');
  t.equal(whole.at(-1), `h1:${body.toString('hex')}@5`, 'message reassembled, offset points at its header');
  for (let i = 1; i < wire.length; i++) {
    const split = summary(feed([wire.subarray(0, i), wire.subarray(i)]));
    if (JSON.stringify(split) !== JSON.stringify(whole)) t.fail(`split at ${i} differs`);
  }
  const bytewise = summary(feed([...wire].map((b) => Buffer.from([b]))));
  t.same(bytewise, whole, 'one byte at a time gives the same events');
});

void t.test('many records in one chunk, including alert and application data', async (t) => {
  const wire = Buffer.concat([
    record(ContentType.ChangeCipherSpec, Buffer.from([1])),
    record(ContentType.Alert, Buffer.from([2, 40])),
    record(ContentType.ApplicationData, Buffer.alloc(19)),
  ]);
  const evs = feed([wire]);
  t.same(summary(evs), ['r20:1@0', 'r21:2@6', 'r23:19@13']);
  t.equal((evs[2] as { encrypted: boolean }).encrypted, true, 'application data is opaque');
});

void t.test('after markEncrypted, handshake records are opaque', async (t) => {
  const a = new RecordAssembler({ maxBuffered: 4096 });
  a.push(Buffer.concat([record(ContentType.ChangeCipherSpec, Buffer.from([1])), record(ContentType.Handshake, Buffer.alloc(40, 9))]));
  const first = a.next();
  t.equal(first?.kind === 'record' && first.type, ContentType.ChangeCipherSpec);
  a.markEncrypted();
  const second = a.next();
  t.ok(second?.kind === 'record' && second.encrypted, 'Finished after CCS is ciphertext');
  t.equal(a.next(), null, 'no handshake message parsed out of ciphertext');
});

void t.test('typed errors with offsets', async (t) => {
  const bad = (bytes: Buffer, code: string, offset: number, cap = 1 << 20) => {
    const a = new RecordAssembler({ maxBuffered: cap });
    a.push(bytes);
    let caught: unknown;
    try {
      drain(a);
    } catch (err: unknown) {
      caught = err;
    }
    t.ok(caught instanceof TlsParseError, 'a TlsParseError');
    t.match(caught, { code, offset }, `${code} at ${offset}`);
    t.throws(() => a.next(), { code }, 'the failure is sticky');
  };
  const ok = record(ContentType.Handshake, handshake(1, Buffer.alloc(3)));
  bad(Buffer.concat([ok, Buffer.from('474554202f20', 'hex')]), 'BAD_RECORD', ok.length);
  bad(Buffer.concat([ok, Buffer.from([22, 2, 0, 0, 1])]), 'BAD_RECORD', ok.length + 1);
  bad(Buffer.from([22, 3, 3, 0xff, 0xff]), 'BAD_LENGTH', 3);
  bad(record(ContentType.Handshake, Buffer.alloc(300)), 'TOO_LARGE', 0, 100);
  bad(record(ContentType.Handshake, Buffer.from([1, 0xff, 0xff, 0xff])), 'TOO_LARGE', 6, 4096);
});

void t.test('end of stream inside a record or message is TRUNCATED', async (t) => {
  const msg = handshake(1, Buffer.alloc(100));
  const a = new RecordAssembler({ maxBuffered: 4096 });
  a.push(record(ContentType.Handshake, msg).subarray(0, 50));
  t.equal(a.next(), null);
  t.throws(() => a.end(), { code: 'TRUNCATED' });
  const b = new RecordAssembler({ maxBuffered: 4096 });
  b.push(record(ContentType.Handshake, msg.subarray(0, 60)));
  drain(b);
  t.throws(() => b.end(), { code: 'TRUNCATED', offset: 5 });
});
