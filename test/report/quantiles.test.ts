/** QuantileSketch: nearest-rank percentiles, exact on small inputs, within ALPHA on any input. */
import fc from 'fast-check';
import t from 'tap';
import { ALPHA, QuantileSketch } from '../../src/report/quantiles.js';

function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length - 1e-9)) - 1]!;
}

void t.test('small inputs are exact', async (t) => {
  const s = new QuantileSketch();
  for (const v of [16.1, 10.1]) s.add(v);
  t.same(s.summary(), { count: 2, p50: 10.1, p95: 16.1, max: 16.1 });
  const z = new QuantileSketch();
  for (const v of [0, 0, 0, 5]) z.add(v);
  t.same(z.summary(), { count: 4, p50: 0, p95: 5, max: 5 });
});

void t.test('empty, and values that are not durations are ignored', async (t) => {
  const s = new QuantileSketch();
  for (const v of [null, undefined, '12', -1, NaN, Infinity]) s.add(v);
  t.same(s.summary(), { count: 0, p50: null, p95: null, max: null });
});

void t.test('1..10000 ms', async (t) => {
  const s = new QuantileSketch();
  for (let i = 1; i <= 10000; i++) s.add(i);
  const { p50, p95, max } = s.summary();
  t.ok(Math.abs(p50! - 5000) <= 5000 * ALPHA, `p50 ${p50}`);
  t.ok(Math.abs(p95! - 9500) <= 9500 * ALPHA, `p95 ${p95}`);
  t.equal(max, 10000);
});

void t.test('any input: within ALPHA of the exact nearest-rank value', async () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 400 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (values, q) => {
      const s = new QuantileSketch();
      for (const v of values) s.add(v);
      const want = exact(values, q);
      const got = s.quantile(q)!;
      return want <= 1e-9 ? got <= 1e-9 : Math.abs(got - want) <= want * ALPHA * 1.0001;
    }),
  );
});
