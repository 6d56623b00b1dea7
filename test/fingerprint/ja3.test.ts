import { createHash } from 'node:crypto';

import t from 'tap';

import { ja3, ja3String } from '../../src/fingerprint/ja3.js';
import { decodeClientHello } from '../../src/tls/client-hello.js';
import { clientHellos } from '../helpers/corpus.js';
import { extensionsOf, helloWith } from './hello-with.js';

void t.test('corpus: every ja3 equals tshark / salesforce ja3', (t) => {
  const cases = clientHellos();
  t.equal(cases.length, 96, 'corpus size');
  let pass = 0;
  for (const c of cases) {
    const got = ja3(decodeClientHello(c.bytes).hello);
    if (got === c.expected.ja3) pass++;
    else t.equal(got, c.expected.ja3, c.source);
  }
  t.comment(`ja3 corpus: ${pass}/${cases.length}`);
  t.equal(pass, cases.length, 'all corpus ja3 match');
  t.end();
});

void t.test("salesforce README's own examples", (t) => {
  const hello = helloWith({
    legacyVersion: 0x0301,
    cipherSuites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
    extensions: extensionsOf([0, 10, 11]),
    groups: [23, 24, 25],
    ecPointFormats: [0],
  });
  t.equal(ja3String(hello), '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0');
  t.equal(ja3(hello), 'ada70206e40642a3e4461f35503241d5');

  const noExtensions = helloWith({
    legacyVersion: 0x0301,
    cipherSuites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99],
  });
  t.equal(ja3String(noExtensions), '769,4-5-10-9-100-98-3-6-19-18-99,,,', 'empty fields stay empty');
  t.equal(ja3(noExtensions), 'de350869b8c85de67a350c8d186f11e6');
  t.end();
});

void t.test('GREASE is removed from ciphers, extensions and curves, order kept', (t) => {
  const hello = helloWith({
    legacyVersion: 0x0303,
    supportedVersions: [0x3a3a, 0x0304, 0x0303],
    cipherSuites: [0x0a0a, 4865, 0xfafa, 49195],
    extensions: extensionsOf([0x1a1a, 0, 10, 43, 11, 0xdada]),
    groups: [0x2a2a, 29, 23],
    ecPointFormats: [0, 1],
  });
  t.equal(ja3String(hello), '771,4865-49195,0-10-43-11,29-23,0-1', 'SSLVersion is legacy_version, not supported_versions');
  t.end();
});

void t.test('edge cases', (t) => {
  t.equal(ja3String(helloWith({ legacyVersion: 0x0300, cipherSuites: [] })), '768,,,,', 'no ciphers, SSLv3');
  t.equal(ja3String(helloWith({ cipherSuites: [0x0a0a], extensions: extensionsOf([0x0a0a]) })), '771,,,,', 'GREASE only');
  t.equal(ja3String(helloWith({ cipherSuites: [0], extensions: extensionsOf([0]) })), '771,0,0,,', 'zero codes are values');
  t.match(ja3(helloWith()), /^[0-9a-f]{32}$/, 'lower-case md5 hex');
  t.end();
});

void t.test('long lists (past the scratch buffer) and values no wire holds, as String() joins them', (t) => {
  const ciphers = Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xffff);
  const hello = helloWith({ legacyVersion: 0x0303, cipherSuites: ciphers, extensions: extensionsOf([0x0a0a, 0, 65281]), groups: [29, 0x1a1a, 23], ecPointFormats: [0, 300] });
  const noGrease = (xs: number[]) => xs.filter((x) => !((x & 0x0f0f) === 0x0a0a && x >> 8 === (x & 0xff)));
  const want = `771,${noGrease(ciphers).join('-')},0-65281,29-23,0-300`;
  t.equal(ja3String(hello), want);
  t.equal(ja3(hello), createHash('md5').update(want).digest('hex'));
  t.end();
});
