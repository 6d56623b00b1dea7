/**
 * Every ClientHello in ../shared/corpus decodes to what tshark (fields, JA3) and
 * FoxIO (JA4) say, whole, split at every byte offset, and one byte at a time.
 */
import t from 'tap';
import { decodeClientFlight } from '../../src/cli/decode.js';
import { type HelloJson, helloJson } from '../../src/log/hello-json.js';
import { ClientHelloReader, type HelloProgress } from '../../src/tls/client-hello.js';
import { clientHellos } from '../helpers/corpus.js';
import { clientHelloMessage, fragment, sniExtension, u16, vec16 } from '../helpers/tls-bytes.js';

const cases = clientHellos();

function decodeChunks(chunks: Buffer[]): HelloJson | string {
  const reader = new ClientHelloReader(1 << 16);
  let p: HelloProgress = { state: 'need-more' };
  for (const c of chunks) {
    p = reader.push(c);
    if (p.state !== 'need-more') break;
  }
  if (p.state === 'need-more') p = reader.end();
  return p.state === 'complete' ? helloJson(p.hello, p.bytes, p.records) : p.error.message;
}

void t.test('corpus hellos decode to the expected fields', async (t) => {
  let ja3 = 0;
  let ja4 = 0;
  let fields = 0;
  for (const c of cases) {
    const r = decodeClientFlight(c.bytes);
    t.equal(r.problem, null, `${c.source} decodes`);
    const h = r.json as HelloJson;
    const e = c.expected;
    const same =
      h.sni === e.sni &&
      JSON.stringify(h.cipherSuiteCodes) === JSON.stringify(e.cipherSuiteCodes) &&
      JSON.stringify(h.extensions) === JSON.stringify(e.extensions) &&
      (e.alpn === null || JSON.stringify(h.alpn) === JSON.stringify(e.alpn)) &&
      JSON.stringify(h.supportedVersions.map((v) => v.toLowerCase())) === JSON.stringify(e.supportedVersions.map((v) => v.toLowerCase())) &&
      h.bytes === c.bytes.length;
    if (same) fields++;
    else t.fail(`${c.source}: fields differ`, { found: h, wanted: e });
    if (h.ja3 === e.ja3) ja3++;
    else t.fail(`${c.source}: ja3 ${String(h.ja3)} != ${e.ja3}`);
    if (e.ja4 !== null) {
      if (h.ja4 === e.ja4) ja4++;
      else t.fail(`${c.source}: ja4 ${String(h.ja4)} != ${e.ja4}`);
    }
  }
  const withJa4 = cases.filter((c) => c.expected.ja4 !== null).length;
  t.equal(fields, cases.length, `fields ${fields}/${cases.length}`);
  t.equal(ja3, cases.length, `ja3 ${ja3}/${cases.length}`);
  t.equal(ja4, withJa4, `ja4 ${ja4}/${withJa4}`);
});

void t.test('split at every byte offset, and one byte at a time: same answer', async (t) => {
  let splits = 0;
  for (const c of cases) {
    const whole = JSON.stringify(decodeChunks([c.bytes]));
    for (let i = 1; i < c.bytes.length; i++) {
      splits++;
      if (JSON.stringify(decodeChunks([c.bytes.subarray(0, i), c.bytes.subarray(i)])) !== whole) t.fail(`${c.source} split at ${i}`);
    }
    const bytewise = [...c.bytes].map((b) => Buffer.from([b]));
    t.equal(JSON.stringify(decodeChunks(bytewise)), whole, `${c.source} one byte at a time`);
  }
  t.ok(splits > 40000, `${splits} split points checked`);
});

void t.test('a ~1.8 KB post-quantum hello in two records, split everywhere', async (t) => {
  // X25519MLKEM768 (0x11EC) key share: 1184-byte ML-KEM-768 key + 32-byte X25519 key
  // (draft-ietf-tls-ecdhe-mlkem), plus a plain x25519 share, as Chrome sends.
  const keyShare = vec16(Buffer.concat([u16(0x11ec), vec16(Buffer.alloc(1216, 0x5a)), u16(29), vec16(Buffer.alloc(32, 0x33))]));
  const msg = clientHelloMessage({
    ciphers: [0x1301, 0x1302, 0xc02f],
    extensions: [sniExtension('pq.example.com'), { type: 43, data: Buffer.from([2, 3, 4]) }, { type: 10, data: vec16(Buffer.concat([u16(0x11ec), u16(29)])) }, { type: 51, data: keyShare }],
  });
  const wire = fragment(22, msg, 1024, 0x0301);
  t.ok(wire.length > 1300, `${wire.length} bytes`);
  const whole = decodeChunks([wire]);
  t.match(whole, { sni: 'pq.example.com', keyShareGroups: ['X25519MLKEM768', 'x25519'], groups: ['X25519MLKEM768', 'x25519'], records: 2, bytes: wire.length, supportedVersions: ['TLSv1.3'] });
  for (let i = 1; i < wire.length; i++) {
    if (JSON.stringify(decodeChunks([wire.subarray(0, i), wire.subarray(i)])) !== JSON.stringify(whole)) t.fail(`split at ${i}`);
  }
  t.same(decodeChunks([...wire].map((b) => Buffer.from([b]))), whole, 'one byte at a time');
});
