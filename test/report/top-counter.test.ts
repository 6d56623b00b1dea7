/** TopCounter: exact counts under the bound, stable order, bounded memory with recurring values kept. */
import t from 'tap';
import { percent, TopCounter } from '../../src/report/top-counter.js';

void t.test('exact counts, most frequent first, ties by value with null first', async (t) => {
  const c = new TopCounter();
  for (const v of ['b', 'a', null, 'b', 'c', 'a', 'b']) c.add(v);
  t.same(c.table(10), {
    total: 7,
    top: [
      { value: 'b', count: 3, percent: 42.9 },
      { value: 'a', count: 2, percent: 28.6 },
      { value: null, count: 1, percent: 14.3 },
      { value: 'c', count: 1, percent: 14.3 },
    ],
    other: 0,
    distinct: 4,
    approximate: false,
  });
  const two = c.table(2);
  t.same(two.top.map((r) => r.value), ['b', 'a']);
  t.equal(two.other, 2, 'the rows not shown are counted as other');
});

void t.test('empty table', async (t) => {
  t.same(new TopCounter().table(5), { total: 0, top: [], other: 0, distinct: 0, approximate: false });
  t.equal(percent(1, 0), 0);
});

void t.test('past the bound: distinct keys stay bounded, totals stay exact, a recurring value survives', async (t) => {
  const c = new TopCounter(100);
  // A heavy hitter that only starts after the table is full of one-off values.
  for (let i = 0; i < 5000; i++) {
    c.add(`one-off-${i}`);
    if (i >= 1000 && i % 10 === 0) c.add('10.1.2.3');
  }
  const table = c.table(3);
  t.ok(table.approximate);
  t.ok(table.distinct <= 100, `distinct ${table.distinct} within the bound`);
  t.equal(table.total, 5400);
  t.equal(table.top[0]?.value, '10.1.2.3');
  t.ok((table.top[0]?.count ?? 0) >= 390, 'its count is close to the truth (400)');
  t.equal(table.total, table.top.reduce((s, r) => s + r.count, 0) + table.other);
});

void t.test('a bound below 2 is refused', async (t) => {
  t.throws(() => new TopCounter(1), RangeError);
});
