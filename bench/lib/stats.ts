/** Small numeric helpers for benchmark figures. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Spread of the runs around the median, as +-% of it: (max - min) / 2 / median. */
export function spreadPct(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return m === 0 ? 0 : ((Math.max(...values) - Math.min(...values)) / 2 / m) * 100;
}

/** Thousands separators, `digits` decimals. */
export function fmt(n: number | null, digits = 0): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A distribution-free confidence interval for the median of `values`: the
 * k-th lowest and k-th highest value, with k the largest for which
 * P(k <= #values below the median <= n - k) >= `level` under Binomial(n, 1/2)
 * (the order-statistic interval; e.g. n = 12: 3rd and 10th, 96.1 %; n = 20:
 * 6th and 15th, 95.9 %). Null when n is too small for that level.
 */
export function medianInterval(values: readonly number[], level = 0.95): { low: number; high: number; coverage: number } | null {
  const n = values.length;
  const s = [...values].sort((a, b) => a - b);
  // X ~ Binomial(n, 1/2), the count of values below the median; at step k, cdf = P(X <= k - 1).
  let pmf = 0.5 ** n;
  let cdf = pmf;
  let best: { k: number; coverage: number } | null = null;
  for (let k = 1; 2 * k <= n; k++) {
    // The interval [x(k), x(n-k+1)] misses the median when fewer than k values lie below it, or fewer than k above.
    const coverage = 1 - 2 * cdf;
    if (coverage < level) break;
    best = { k, coverage };
    pmf = (pmf * (n - k + 1)) / k;
    cdf += pmf;
  }
  if (best === null) return null;
  return { low: s[best.k - 1]!, high: s[n - best.k]!, coverage: best.coverage };
}
