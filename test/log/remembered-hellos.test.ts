/**
 * The proxy's remembered `hello` objects: one shared object per distinct hello
 * from its second sighting, equal to a fresh one, never shared between hellos
 * the record would show differently, bounded.
 */
import t from 'tap';
import { helloJson } from '../../src/log/hello-json.js';
import { JsonWriter } from '../../src/log/json-writer.js';
import { RememberedHellos } from '../../src/log/remembered-hellos.js';
import { type ClientHelloFields, encodeClientHello, extension } from '../../src/probe/client-hello-builder.js';
import { decodeClientHello } from '../../src/tls/client-hello.js';
import type { ClientHello } from '../../src/tls/types.js';
import { clientHellos } from '../helpers/corpus.js';

const writer = new JsonWriter();
/** The JSON the record writer makes of `v` (a kept object's is copied from its first writing). */
function written(v: unknown): string {
  writer.reset();
  writer.value(v);
  return writer.text();
}

interface Shape {
  sni?: string | null;
  alpn?: string[];
  suites?: number[];
  groups?: number[];
  pointFormats?: number[];
  schemes?: number[];
  versions?: number[];
  shareGroup?: number;
  legacyVersion?: number;
  recordVersion?: number;
  /** Reverses the extension order. */
  reversed?: boolean;
  /** Fill byte of the random, session id and key share: bytes the record never shows. */
  fill?: number;
}

/** A TLS 1.3 ClientHello with the given shape, decoded. */
function hello(shape: Shape = {}): { hello: ClientHello; bytes: number; records: number } {
  const fill = shape.fill ?? 1;
  const sni = shape.sni === undefined ? 'api.example.test' : shape.sni;
  const extensions = [
    ...(sni === null ? [] : [extension.serverName(sni)]),
    extension.supportedVersions(shape.versions ?? [0x0304, 0x0303]),
    extension.supportedGroups(shape.groups ?? [0x001d, 0x0017]),
    extension.ecPointFormats(shape.pointFormats ?? [0]),
    extension.signatureAlgorithms(shape.schemes ?? [0x0403, 0x0804, 0x0401]),
    extension.alpn(shape.alpn ?? ['h2', 'http/1.1']),
    extension.keyShare([{ group: shape.shareGroup ?? 0x001d, keyExchange: Buffer.alloc(32, fill) }]),
  ];
  const fields: ClientHelloFields = {
    recordVersion: shape.recordVersion ?? 0x0301,
    legacyVersion: shape.legacyVersion ?? 0x0303,
    random: Buffer.alloc(32, fill),
    sessionId: Buffer.alloc(32, fill),
    cipherSuites: shape.suites ?? [0x1301, 0x1302, 0xc02f],
    extensions: shape.reversed ? extensions.reverse() : extensions,
  };
  const d = decodeClientHello(encodeClientHello(fields));
  return { hello: d.hello, bytes: d.bytes, records: d.records };
}

void t.test('a hello is kept from its second sighting; the kept object equals a fresh one', async (t) => {
  const hellos = new RememberedHellos();
  const h = hello();
  const fresh = helloJson(h.hello, h.bytes, h.records);
  const first = hellos.get(h.hello, h.bytes, h.records);
  t.same(first, fresh);
  t.notOk(Object.isFrozen(first), 'first sighting: not kept');
  const second = hellos.get(h.hello, h.bytes, h.records);
  t.ok(Object.isFrozen(second), 'second sighting: kept');
  t.equal(hellos.get(h.hello, h.bytes, h.records), second, 'third: the kept object');
  t.same(second, fresh);
  t.equal(written(second), JSON.stringify(fresh), 'its JSON, first writing');
  t.equal(written(second), JSON.stringify(fresh), 'its JSON, copied');
});

void t.test('hellos that differ only in bytes the record never shows share one object', async (t) => {
  const hellos = new RememberedHellos();
  const a = hello({ fill: 1 });
  const b = hello({ fill: 2 });
  t.not(a.hello.random.toString('hex'), b.hello.random.toString('hex'), 'the randoms differ');
  hellos.get(a.hello, a.bytes, a.records);
  const kept = hellos.get(b.hello, b.bytes, b.records);
  t.ok(Object.isFrozen(kept));
  t.equal(hellos.get(a.hello, a.bytes, a.records), kept);
});

void t.test('a hello the record shows differently never gets another one\'s object', async (t) => {
  // All but two the same length as the base, so only the fields themselves tell them apart.
  const variants: Record<string, Shape> = {
    base: {},
    'another SNI': { sni: 'api.example.tesx' },
    'no SNI': { sni: null },
    'ALPN split differently': { alpn: ['h2h', 'ttp/1.1'] },
    'one ALPN name': { alpn: ['h2'] },
    'another cipher order': { suites: [0x1302, 0x1301, 0xc02f] },
    'another group': { groups: [0x001d, 0x0018] },
    'another point format': { pointFormats: [2] },
    'another signature scheme': { schemes: [0x0403, 0x0804, 0x0501] },
    'another version list': { versions: [0x0304, 0x0302] },
    'another key share group': { shareGroup: 0x0017 },
    'another legacy version': { legacyVersion: 0x0301 },
    'another record version': { recordVersion: 0x0303 },
    'extensions reversed': { reversed: true },
  };
  const otherLengths = new Set(['no SNI', 'one ALPN name']);
  const baseBytes = hello().bytes;
  const hellos = new RememberedHellos();
  const kept = new Map<string, object>();
  for (const [name, shape] of Object.entries(variants)) {
    const h = hello(shape);
    if (!otherLengths.has(name)) t.equal(h.bytes, baseBytes, `${name}: as long as the base`);
    hellos.get(h.hello, h.bytes, h.records);
    const json = hellos.get(h.hello, h.bytes, h.records);
    t.same(json, helloJson(h.hello, h.bytes, h.records), `${name}: equal to a fresh object`);
    for (const [other, o] of kept) t.not(json, o, `${name} is not ${other}`);
    kept.set(name, json);
  }
  // The same hello, said to have taken more bytes or records of the stream.
  const h = hello();
  t.equal(hellos.get(h.hello, h.bytes, h.records), kept.get('base'));
  for (const [bytes, records] of [
    [h.bytes + 1, h.records],
    [h.bytes + 0x10000, h.records],
    [h.bytes, h.records + 1],
  ] as const) {
    hellos.get(h.hello, bytes, records);
    const json = hellos.get(h.hello, bytes, records);
    t.not(json, kept.get('base'), `${bytes} bytes in ${records} record(s): its own object`);
    t.match(json, { bytes, records });
  }
});

void t.test('every corpus hello: the kept object writes the fresh JSON', async (t) => {
  const lines = clientHellos();
  const hellos = new RememberedHellos();
  let kept = 0;
  for (const line of lines) {
    const d = decodeClientHello(line.bytes);
    const fresh = JSON.stringify(helloJson(d.hello, d.bytes, d.records));
    hellos.get(d.hello, d.bytes, d.records);
    const json = hellos.get(d.hello, d.bytes, d.records);
    if (Object.isFrozen(json)) kept++;
    t.equal(written(json), fresh, line.source);
    t.equal(written(hellos.get(d.hello, d.bytes, d.records)), fresh, `${line.source}, copied`);
  }
  const sslv2 = lines.filter((l) => decodeClientHello(l.bytes).hello.format === 'sslv2').length;
  t.equal(kept, lines.length - sslv2, 'every TLS hello kept; SSLv2-compatible ones made afresh');
});

void t.test('the store is bounded: the oldest hellos go', async (t) => {
  const hellos = new RememberedHellos();
  const first = hello({ sni: 'h0.example.test' });
  hellos.get(first.hello, first.bytes, first.records);
  const firstKept = hellos.get(first.hello, first.bytes, first.records);
  for (let i = 1; i <= 600; i++) {
    const h = hello({ sni: `h${i}.example.test` });
    hellos.get(h.hello, h.bytes, h.records);
    hellos.get(h.hello, h.bytes, h.records);
  }
  t.not(hellos.get(first.hello, first.bytes, first.records), firstKept, 'the first hello was evicted');
  const last = hello({ sni: 'h600.example.test' });
  t.ok(Object.isFrozen(hellos.get(last.hello, last.bytes, last.records)), 'the last is kept');
});
