/**
 * The bench's interval for a median. Expected ranks and coverages computed
 * independently from the binomial distribution with Python's math.comb: the
 * largest k with 1 - 2 * sum(comb(n, j) for j < k) / 2**n >= 0.95.
 */
import t from 'tap';
import { medianInterval } from '../../bench/lib/stats.js';

const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

void t.test('ranks and coverage for the round counts the bench uses', async (t) => {
  const cases: Array<[n: number, k: number, coverage: number]> = [
    [6, 1, 0.96875],
    [8, 1, 0.9921875],
    [12, 3, 0.96142578125],
    [20, 6, 0.9586105346679688],
    [24, 7, 0.9773441553115845],
  ];
  for (const [n, k, coverage] of cases) {
    // Values given shuffled: the interval is of the sorted values.
    const shuffled = ranks(n).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    const got = medianInterval(shuffled);
    t.same(got && { low: got.low, high: got.high }, { low: k, high: n - k + 1 }, `n = ${n}`);
    t.ok(got && Math.abs(got.coverage - coverage) < 1e-12, `n = ${n}: coverage ${got?.coverage} = ${coverage}`);
  }
});

void t.test('too few values for 95 % give no interval', async (t) => {
  t.equal(medianInterval([1, 2, 3, 4, 5]), null);
  t.equal(medianInterval([]), null);
  t.not(medianInterval([1, 2, 3, 4, 5], 0.9), null, 'five values suffice at 90 % (93.75 %)');
});
