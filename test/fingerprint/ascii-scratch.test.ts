import t from 'tap';

import { AsciiScratch } from '../../src/fingerprint/ascii-scratch.js';

void t.test('decimal writes every 16-bit value as String() does', (t) => {
  const w = new AsciiScratch();
  let bad = 0;
  for (let v = 0; v <= 0xffff; v++) {
    w.reset();
    w.decimal(v);
    if (w.latin1() !== String(v)) bad++;
  }
  t.equal(bad, 0, '65536 values');
  for (const v of [-1, 65536, 1.5, NaN, -0, 1e21]) {
    w.reset();
    w.decimal(v);
    t.equal(w.latin1(), String(v), `${v} (no wire field holds it) as String()`);
  }
  t.end();
});

void t.test('hex4 writes four lower-case digits', (t) => {
  const w = new AsciiScratch();
  let bad = 0;
  for (let v = 0; v <= 0xffff; v++) {
    w.reset();
    w.hex4(v);
    if (w.latin1() !== v.toString(16).padStart(4, '0')) bad++;
  }
  t.equal(bad, 0, '65536 values');
  w.reset();
  w.hex4(0x12345);
  t.equal(w.latin1(), '12345', 'a wider value, as toString(16)');
  t.end();
});

void t.test('grows past its first buffer without losing what was written', (t) => {
  const w = new AsciiScratch();
  const want: string[] = [];
  w.reset();
  for (let i = 0; i < 20000; i++) {
    if (i > 0) w.char(0x2d);
    w.decimal(i * 3);
    want.push(String(i * 3));
  }
  t.equal(w.latin1(), want.join('-'));
  t.same(w.view(), Buffer.from(want.join('-'), 'latin1'), 'view holds the same bytes');
  w.reset();
  t.equal(w.length, 0, 'reset empties it');
  t.end();
});
