import { createHash } from 'node:crypto';

import t from 'tap';

import { ja4, ja4Raw } from '../../src/fingerprint/ja4.js';
import { decodeClientHello } from '../../src/tls/client-hello.js';
import { clientHellos } from '../helpers/corpus.js';
import { extensionsOf, helloWith } from './hello-with.js';

const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

void t.test('corpus: every ja4 FoxIO published is reproduced', (t) => {
  const cases = clientHellos();
  let checked = 0;
  let pass = 0;
  for (const c of cases) {
    const hello = decodeClientHello(c.bytes).hello;
    const got = ja4(hello);

    // The raw form must be what the hashed form was hashed from.
    const [rawA = '', rawB = '', ...rawC] = ja4Raw(hello).split('_');
    const c1 = rawC.join('_');
    t.equal(got, `${rawA}_${rawB === '' ? '000000000000' : sha12(rawB)}_${c1 === '' ? '000000000000' : sha12(c1)}`, `${c.source} raw/hashed agree`);

    if (c.expected.ja4 === null) continue;
    checked++;
    if (got === c.expected.ja4) pass++;
    else t.equal(got, c.expected.ja4, c.source);
  }
  t.comment(`ja4 corpus: ${pass}/${checked}`);
  t.equal(checked, 95, 'cases with a trusted ja4');
  t.equal(pass, checked, 'all trusted corpus ja4 match');
  t.end();
});

void t.test('corpus: non-alphanumeric first ALPN uses the written hex rule', (t) => {
  const c = clientHellos().find((x) => x.source === 'tls-non-ascii-alpn.pcapng#1');
  if (c === undefined) throw new Error('corpus case missing');
  const hello = decodeClientHello(c.bytes).hello;
  t.same(hello.alpn[0], Buffer.from([0xba, 0xad]), 'first ALPN value is ba ad');
  // 0xba 0xad -> hex "baad" -> first and last digits "bd" (FoxIO's tools print "99").
  t.match(ja4(hello), /^t\d\d[di]\d{4}bd_[0-9a-f]{12}_[0-9a-f]{12}$/);
  t.end();
});

/** The example ClientHello of technical_details/JA4.md (its JA4_ro gives the wire order). */
const specHello = helloWith({
  legacyVersion: 0x0303,
  supportedVersions: [0x5a5a, 0x0304, 0x0303],
  cipherSuites: [
    0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035,
  ],
  extensions: extensionsOf([
    0x8a8a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
    0x000b, 0x000a, 0x0015, 0x9a9a,
  ]),
  sni: 'example.com',
  alpn: [Buffer.from('h2'), Buffer.from('http/1.1')],
  signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
});

void t.test("JA4.md's own example", (t) => {
  t.equal(ja4(specHello), 't13d1516h2_8daaf6152771_e5627efa2ab1');
  t.equal(
    ja4Raw(specHello),
    't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_' +
      '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_' +
      '0403,0804,0401,0503,0805,0501,0806,0601',
  );
  t.end();
});

void t.test("JA4.md: no signature algorithms, no trailing '_'", (t) => {
  const hello = { ...specHello, signatureAlgorithms: [] };
  t.equal(ja4(hello), 't13d1516h2_8daaf6152771_6d807ffa2a79', 'the written example hash');
  t.equal(
    ja4Raw(hello),
    't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_' +
      '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01',
  );
  t.end();
});

void t.test('JA4.md: ALPN first and last characters', (t) => {
  const alpnPart = (...values: number[][]): string =>
    ja4(helloWith({ cipherSuites: [0x1301], alpn: values.map((v) => Buffer.from(v)) })).slice(8, 10);
  t.equal(alpnPart([...Buffer.from('h2')]), 'h2');
  t.equal(alpnPart([...Buffer.from('http/1.1')], [...Buffer.from('h2')]), 'h1', 'first value only');
  t.equal(alpnPart([...Buffer.from('h')]), 'hh', 'a single character is first and last');
  t.equal(alpnPart([...Buffer.from('H2')]), 'H2', 'case kept');
  t.equal(alpnPart([0xab]), 'ab');
  t.equal(alpnPart([0xab, 0xcd]), 'ad');
  t.equal(alpnPart([0x30, 0xab]), '3b');
  t.equal(alpnPart([0x30, 0x31, 0xab, 0xcd]), '3d');
  t.equal(alpnPart([0x30, 0xab, 0xcd, 0x31]), '01', 'only the end bytes are looked at');
  t.equal(alpnPart([0x2f, 0x61]), '21', "'/' is not alphanumeric");
  t.equal(alpnPart([0x61, 0x7b]), '6b', "'{' (just past 'z') is not alphanumeric");
  t.equal(alpnPart(), '00', 'ALPN absent');
  t.equal(alpnPart([]), '00', 'first ALPN value empty');
  t.end();
});

void t.test('no ciphers', (t) => {
  const hello = helloWith({ cipherSuites: [0x0a0a], extensions: extensionsOf([0x000a]) });
  t.equal(ja4(hello), `t12i000100_000000000000_${sha12('000a')}`, 'GREASE-only cipher list counts 00, hashes to zeros');
  t.equal(ja4Raw(hello), 't12i000100__000a');
  t.end();
});

void t.test('no extensions', (t) => {
  const hello = helloWith({ legacyVersion: 0x0301, cipherSuites: [0x0035, 0x002f] });
  t.equal(ja4(hello), `t10i020000_${sha12('002f,0035')}_000000000000`);
  t.equal(ja4Raw(hello), 't10i020000_002f,0035_');
  t.end();
});

void t.test('only SNI and ALPN: counted, but nothing left to hash', (t) => {
  const hello = helloWith({
    cipherSuites: [0x1301],
    extensions: extensionsOf([0x0000, 0x0010]),
    sni: 'a.example',
    alpn: [Buffer.from('h2')],
  });
  t.equal(ja4(hello), `t12d0102h2_${sha12('1301')}_000000000000`);
  t.end();
});

void t.test('more than 99 ciphers: count capped at 99, all hashed', (t) => {
  const codes = Array.from({ length: 150 }, (_, i) => 0xc100 + 149 - i);
  const hello = helloWith({ cipherSuites: codes });
  const sorted = [...codes].sort((x, y) => x - y).map((c) => c.toString(16));
  t.equal(ja4(hello), `t12i990000_${sha12(sorted.join(','))}_000000000000`);
  t.equal(ja4Raw(hello).split('_')[1]?.split(',').length, 150);
  t.end();
});

void t.test('more than 99 extensions: count capped at 99', (t) => {
  const hello = helloWith({ cipherSuites: [0x1301], extensions: extensionsOf(Array.from({ length: 120 }, (_, i) => 0x1000 + i)) });
  t.equal(ja4(hello).slice(0, 10), 't12i019900');
  t.end();
});

void t.test('SSLv3-only hello', (t) => {
  const hello = helloWith({ recordVersion: 0x0300, legacyVersion: 0x0300, cipherSuites: [0x000a, 0x0005] });
  t.equal(ja4(hello), `ts3i020000_${sha12('0005,000a')}_000000000000`);
  t.end();
});

void t.test('version', (t) => {
  const versionOf = (fields: Parameters<typeof helloWith>[0]): string => ja4(helloWith(fields)).slice(1, 3);
  const sv = extensionsOf([0x002b]);
  t.equal(versionOf({ legacyVersion: 0x0303, supportedVersions: [0x0304], extensions: sv }), '13');
  t.equal(
    versionOf({ legacyVersion: 0x0303, supportedVersions: [0x0303, 0x0304, 0x0302], extensions: sv }),
    '13',
    'highest, not first',
  );
  t.equal(versionOf({ legacyVersion: 0x0303, supportedVersions: [0xfafa, 0x0302], extensions: sv }), '11', 'GREASE ignored');
  t.equal(
    versionOf({ legacyVersion: 0x0303, supportedVersions: [0x0a0a, 0x1a1a], extensions: sv }),
    '00',
    'GREASE-only supported_versions: no known version offered',
  );
  t.equal(
    versionOf({ legacyVersion: 0x0303, supportedVersions: [0x7f1c, 0x0304], extensions: sv }),
    '00',
    'highest value is an unknown draft version',
  );
  t.equal(versionOf({ legacyVersion: 0x0303, recordVersion: 0x0301 }), '12', 'no extension: legacy_version');
  t.equal(versionOf({ legacyVersion: 0x0301, recordVersion: 0x0303 }), '10', 'record version ignored');
  t.equal(versionOf({ legacyVersion: 0x0302 }), '11');
  t.equal(versionOf({ legacyVersion: 0x0002 }), 's2');
  t.equal(versionOf({ legacyVersion: 0x0305 }), '00');
  t.end();
});

void t.test('SNI is the extension, GREASE never counted', (t) => {
  const hello = helloWith({
    cipherSuites: [0x0a0a, 0x1301, 0x1a1a],
    extensions: extensionsOf([0x2a2a, 0x0000, 0x000d, 0x3a3a]),
    sni: null,
    signatureAlgorithms: [0x4a4a, 0x0403, 0x0804],
  });
  t.equal(ja4Raw(hello), 't12d010200_1301_000d_0403,0804', 'GREASE signature algorithms dropped too');
  t.equal(ja4(hello), `t12d010200_${sha12('1301')}_${sha12('000d_0403,0804')}`);
  t.end();
});

void t.test('signature algorithms keep wire order; hex is lower-case', (t) => {
  const hello = helloWith({
    cipherSuites: [0xc02b, 0x00ff],
    extensions: extensionsOf([0xff01, 0x000d]),
    signatureAlgorithms: [0x0806, 0x0403, 0x0201],
  });
  t.equal(ja4Raw(hello), 't12i020200_00ff,c02b_000d,ff01_0806,0403,0201');
  t.end();
});

void t.test('any number of codes in any order comes out sorted (both sorts: short and long lists)', (t) => {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xffff;
  const grease = (x: number): boolean => (x & 0x0f0f) === 0x0a0a && x >> 8 === (x & 0xff);
  const hex = (xs: number[]): string =>
    xs
      .filter((x) => !grease(x))
      .sort((x, y) => x - y)
      .map((x) => x.toString(16).padStart(4, '0'))
      .join(',');
  let bad = 0;
  for (let n = 0; n <= 200; n++) {
    const ciphers = Array.from({ length: n }, next);
    const types = Array.from({ length: n }, next).filter((x) => x !== 0x0000 && x !== 0x0010);
    const [, b, c] = ja4Raw(helloWith({ cipherSuites: ciphers, extensions: extensionsOf(types) })).split('_');
    if (b !== hex(ciphers) || c !== hex(types)) bad++;
  }
  t.equal(bad, 0, 'lists of 0..200 codes');
  t.end();
});
