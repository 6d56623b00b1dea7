import { randomBytes } from 'node:crypto';

import t from 'tap';

import { latin1 } from '../../src/tls/latin1.js';

void t.test('latin1 is Buffer#toString("latin1"), short and long, every byte value', (t) => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  t.equal(latin1(all), all.toString('latin1'), 'all 256 byte values');
  for (let i = 0; i < 256; i++) t.equal(latin1(all, i, i + 1), String.fromCharCode(i));
  let bad = 0;
  for (let n = 0; n <= 40; n++) {
    for (let k = 0; k < 20; k++) {
      const b = randomBytes(n + 6);
      if (latin1(b, 3, 3 + n) !== b.toString('latin1', 3, 3 + n)) bad++;
    }
  }
  t.equal(bad, 0, 'random ranges of 0..40 bytes');
  t.equal(latin1(Buffer.from('h2')), 'h2');
  t.equal(latin1(Buffer.alloc(0)), '');
  t.end();
});
