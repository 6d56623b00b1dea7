/**
 * A hello that arrives whole (one chunk, one record, one message) is decoded in
 * place; everything else goes through the record assembler. Both must give the
 * same answer, for good hellos and for every corruption of one.
 */
import t from 'tap';
import { ClientHelloReader, type HelloProgress } from '../../src/tls/client-hello.js';
import { clientHellos } from '../helpers/corpus.js';

function read(chunks: Buffer[], cap = 1 << 16): HelloProgress {
  const reader = new ClientHelloReader(cap);
  let p: HelloProgress = { state: 'need-more' };
  for (const c of chunks) {
    p = reader.push(c);
    if (p.state !== 'need-more') return p;
  }
  return reader.end();
}

/** Everything a caller can see of an answer, extension bytes and error offsets included. */
function describe(p: HelloProgress): string {
  if (p.state === 'need-more') return 'need-more';
  if (p.state === 'not-tls') return JSON.stringify({ code: p.error.code, message: p.error.message, offset: p.error.offset });
  return JSON.stringify({ hello: p.hello, bytes: p.bytes, records: p.records });
}

const single = clientHellos().filter((c) => c.bytes.readUInt16BE(3) + 5 === c.bytes.length);

void t.test('whole and split give the same hello', async (t) => {
  t.ok(single.length > 50, `${single.length} single-record corpus hellos`);
  for (const c of single) {
    const whole = describe(read([c.bytes]));
    t.equal(describe(read([c.bytes.subarray(0, 1), c.bytes.subarray(1)])), whole, c.source);
  }
});

void t.test('every byte of every single-record hello corrupted: whole and split give the same answer', async (t) => {
  let cases = 0;
  let differ = 0;
  for (const c of single.slice(0, 12)) {
    for (let i = 0; i < c.bytes.length; i++) {
      for (const v of [0x00, 0xff, c.bytes[i]! ^ 0x01]) {
        const bad = Buffer.from(c.bytes);
        bad[i] = v;
        cases++;
        if (describe(read([bad])) !== describe(read([bad.subarray(0, 1), bad.subarray(1)]))) differ++;
      }
    }
  }
  t.equal(differ, 0, `${cases} corrupted hellos`);
});

void t.test('caps hold on the whole-hello path', async (t) => {
  const c = single[0]!;
  for (const cap of [c.bytes.length - 6, c.bytes.length - 5, c.bytes.length - 4, 100]) {
    t.equal(describe(read([c.bytes], cap)), describe(read([c.bytes.subarray(0, 1), c.bytes.subarray(1)], cap)), `cap ${cap}`);
  }
});

void t.test('extension data is the bytes on the wire, and serialises as before', async (t) => {
  const c = single[0]!;
  const p = read([c.bytes]);
  if (p.state !== 'complete') throw new Error('corpus hello did not decode');
  const first = p.hello.extensions[0]!;
  t.same(JSON.parse(JSON.stringify(first)), { type: first.type, data: { type: 'Buffer', data: [...first.data] } });
  t.equal(first.data, first.data, 'the same view each time');
});
