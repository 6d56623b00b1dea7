/**
 * Malformed input never escapes the API as anything but a decision: random
 * truncation, corrupted length fields, random bytes, huge declared lengths.
 */
import fc from 'fast-check';
import t from 'tap';
import { ClientHelloReader, type HelloProgress } from '../../src/tls/client-hello.js';
import { FlightWatcher } from '../../src/tls/flight-watcher.js';
import { clientHellos, serverFlights } from '../helpers/corpus.js';
import { clientHelloMessage, record, sniExtension } from '../helpers/tls-bytes.js';

const hellos = clientHellos();
const flights = serverFlights();
const CAP = 4096;

/** Feeds chunks; the reader must settle without throwing and never hold more than the cap. */
function readHello(chunks: Buffer[], cap = CAP): HelloProgress {
  const reader = new ClientHelloReader(cap);
  let p: HelloProgress = { state: 'need-more' };
  for (const c of chunks) {
    p = reader.push(c);
    if (p.state !== 'need-more') return p;
  }
  return reader.end();
}

/** Offsets of every length field in a ClientHello record stream (record, handshake, vectors, extensions). */
function lengthFieldOffsets(bytes: Buffer): { at: number; size: number }[] {
  const out: { at: number; size: number }[] = [];
  let rec = 0;
  while (rec + 5 <= bytes.length) {
    out.push({ at: rec + 3, size: 2 });
    rec += 5 + bytes.readUInt16BE(rec + 3);
  }
  // Handshake body of a single-record hello: header length, session id, ciphers, compression, extensions.
  const hs = 5;
  out.push({ at: hs + 1, size: 3 });
  let p = hs + 4 + 2 + 32;
  out.push({ at: p, size: 1 });
  p += 1 + bytes[p]!;
  out.push({ at: p, size: 2 });
  p += 2 + bytes.readUInt16BE(p);
  out.push({ at: p, size: 1 });
  p += 1 + bytes[p]!;
  out.push({ at: p, size: 2 });
  const end = p + 2 + bytes.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end && p + 4 <= bytes.length) {
    out.push({ at: p + 2, size: 2 });
    p += 4 + bytes.readUInt16BE(p + 2);
  }
  return out.filter((f) => f.at + f.size <= bytes.length);
}

void t.test('every length field of every single-record corpus hello, corrupted', async (t) => {
  let cases = 0;
  for (const c of hellos.filter((h) => h.bytes.readUInt16BE(3) + 5 === h.bytes.length)) {
    for (const { at, size } of lengthFieldOffsets(c.bytes)) {
      for (const value of [0, 1, 0xff, 0xffff, 0xffffff]) {
        const bad = Buffer.from(c.bytes);
        bad.writeUIntBE(value & (2 ** (8 * size) - 1), at, size);
        const p = readHello([bad], 1 << 16);
        cases++;
        if (p.state === 'need-more') t.fail(`${c.source}: undecided after end`);
      }
    }
  }
  t.ok(cases > 5000, `${cases} corrupted hellos all decided`);
});

void t.test('random truncation gives TRUNCATED, never a hello', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...hellos), fc.nat(), (c, n) => {
      const cut = n % c.bytes.length;
      const p = readHello([c.bytes.subarray(0, cut)], 1 << 16);
      return p.state === 'not-tls' && p.error.code === 'TRUNCATED';
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 truncations');
});

void t.test('random bytes, random chunking: always a decision, never past the cap', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 700 }), { maxLength: 12 }), (arrays) => {
      const reader = new ClientHelloReader(CAP);
      for (const a of arrays) {
        const p = reader.push(Buffer.from(a));
        if (p.state !== 'need-more') return true;
        if (reader.buffered > CAP) return false;
      }
      return reader.end().state === 'not-tls' || reader.end().state === 'complete';
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random streams');
});

void t.test('random bytes after a valid record header', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.integer({ min: 0, max: 0xffff }), (tail, len) => {
      const head = Buffer.from([22, 3, 1, len >> 8, len & 0xff]);
      const p = readHello([head, Buffer.from(tail)]);
      return p.state !== 'need-more';
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 handshake-looking streams');
});

void t.test('huge declared lengths are refused from the header, without waiting for the body', async (t) => {
  const reader = new ClientHelloReader(CAP);
  // Record of 16 KiB announcing a ClientHello of 16 MiB.
  const p = reader.push(Buffer.from([22, 3, 1, 0x40, 0x00, 1, 0xff, 0xff, 0xff]));
  t.equal(p.state, 'not-tls');
  t.match(p, { error: { code: 'TOO_LARGE' } });
});

void t.test('server flight watcher: corrupted and truncated flights never throw', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...flights), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (c, cutAt, flipAt, value) => {
      const bytes = Buffer.from(c.bytes.subarray(0, cutAt % (c.bytes.length + 1)));
      if (bytes.length > 0) bytes[flipAt % bytes.length] = value;
      const w = new FlightWatcher('server', { maxBuffered: 1 << 16 });
      w.push(bytes);
      w.end();
      return true;
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 damaged server flights');
});

void t.test('a malformed extension body: the error points at the offending byte in the stream', async (t) => {
  // supported_versions whose list length (1 byte) claims 9 bytes but 4 follow.
  const badVersions = { type: 43, data: Buffer.from([9, 0x03, 0x04, 0x03, 0x03]) };
  const bytes = record(22, clientHelloMessage({ extensions: [sniExtension('api.example.com'), badVersions] }));
  // Found independently of the decoder: extension type 0x002b, its 2-byte length, then the list length byte.
  const at = bytes.indexOf(Buffer.from([0x00, 0x2b, 0x00, 0x05, 9])) + 4;
  const p = readHello([bytes]);
  t.equal(p.state, 'not-tls');
  if (p.state === 'not-tls') t.match(p.error, { code: 'BAD_LENGTH', offset: at }, `offset ${at}, in the stream`);
  const split = readHello([...bytes].map((b) => Buffer.of(b)));
  t.same(split.state === 'not-tls' ? split.error.offset : null, at, 'the same offset one byte at a time');
});
