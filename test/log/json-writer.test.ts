/** The record's JSON writer against V8's own JSON.stringify, value for value. */
import fc from 'fast-check';
import t from 'tap';
import { JsonWriter, serializeOnce } from '../../src/log/json-writer.js';

const writer = new JsonWriter();
const written = (value: unknown): string => {
  writer.reset();
  writer.value(value);
  return writer.text();
};

/** Strings of every kind JSON escapes or passes through: controls, quotes, Latin-1, astral, lone surrogates. */
const awkwardString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\n\r\t\b\f', '\u0000\u001f\u007f', 'é ß', '\u2028\u2029', '😀', '\ud800', 'a\udfffb', '\udbff\udc00', '</script>'),
);
const number = fc.oneof(fc.integer(), fc.nat(), fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 1e21, 1e-7, 0.1));
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    awkwardString,
    number,
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 6 }),
  object: fc.dictionary(awkwardString, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 6 }),
}));

void t.test('writes what JSON.stringify writes, for any JSON-like value', async (t) => {
  fc.assert(
    fc.property(jsonish.value, (v) => written(v) === JSON.stringify(v)),
    { numRuns: 3000 },
  );
  t.pass('3000 generated values matched');
});

void t.test('edge cases by hand', async (t) => {
  const cases: unknown[] = [
    { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
    [undefined, () => 1, Symbol('s')],
    { date: new Date(0), nested: { toJSON: (key: string) => `key:${key}` } },
    [new Date(86_400_000)],
    { '0': 'integer keys first', z: 1, '1': 2 },
    Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }),
    { long: 'x'.repeat(40_000), wide: 'é'.repeat(20_000) },
    -0,
    [1.5, -2, 4294967296, 2147483647, 2147483648],
    // More distinct keys than the writer keeps encoded.
    Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}\u00e9`, i])),
  ];
  for (const c of cases) t.equal(written(c), JSON.stringify(c));
});

void t.test('a value nested past 64 levels (or a cycle) is refused, not a stack overflow', async (t) => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(() => written(cyclic), RangeError);
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  t.throws(() => written(deep), RangeError);
  t.equal(written({ after: 'ok' }), '{"after":"ok"}', 'the writer is usable after a refusal');
});

void t.test('serializeOnce: written once, copied after, frozen all the way down', async (t) => {
  const certs = serializeOnce([{ subject: 'CN=é.example', san: ['a.example', 'ü.example'], n: 1 }]);
  const record = { before: 'x', certs, after: 'ümlaut' };
  const expected = JSON.stringify(record);
  t.equal(written(record), expected, 'first write (serialises the stable part)');
  t.equal(written(record), expected, 'second write (copies it)');
  t.equal(written({ plain: 'ascii', certs }), JSON.stringify({ plain: 'ascii', certs }), 'a copied non-ASCII part makes the whole text UTF-8');
  t.throws(() => (certs as { subject: string }[]).push({ subject: 'x' }), TypeError, 'the array is frozen');
  t.throws(() => {
    certs[0]!.san[0] = 'changed';
  }, TypeError, 'and so are its members');
});
