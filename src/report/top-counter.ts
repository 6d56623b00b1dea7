/**
 * Counts of values (SNI, client address, JA4 ...) with a bound on distinct
 * keys, so a log with millions of distinct clients cannot exhaust memory.
 *
 * While fewer than `maxKeys` distinct values have been seen, every count is
 * exact. When the table is full and a new value arrives, the less frequent
 * half of the table is folded into one "other" count (lossy counting): values
 * that keep recurring survive, one-off values go. After a fold a surviving
 * value's count may be low by what it had before an earlier fold, and the
 * table says so (`approximate`).
 */

/** One row of a top table; `value` null means the field was absent or null in the record (e.g. no SNI). */
export interface TopRow {
  value: string | null;
  count: number;
  /** Of the table's total, one decimal. */
  percent: number;
}

export interface TopTable {
  /** Records counted in this table. */
  total: number;
  /** Most frequent first; ties by value. */
  top: TopRow[];
  /** Records whose value is not among `top`. */
  other: number;
  /** Distinct values tracked (a lower bound when `approximate`). */
  distinct: number;
  /** The table overflowed its bound and folded rare values into `other`. */
  approximate: boolean;
}

export const DEFAULT_MAX_KEYS = 10_000;

export class TopCounter {
  private readonly counts = new Map<string | null, number>();
  private total = 0;
  private folded = false;

  constructor(private readonly maxKeys = DEFAULT_MAX_KEYS) {
    if (maxKeys < 2) throw new RangeError(`maxKeys must be at least 2, got ${maxKeys}`);
  }

  add(value: string | null): void {
    this.total++;
    const c = this.counts.get(value);
    if (c !== undefined) {
      this.counts.set(value, c + 1);
      return;
    }
    if (this.counts.size >= this.maxKeys) this.fold();
    this.counts.set(value, 1);
  }

  /** The `n` most frequent values. */
  table(n: number): TopTable {
    const rows = this.sorted().slice(0, n);
    const shown = rows.reduce((sum, [, count]) => sum + count, 0);
    return {
      total: this.total,
      top: rows.map(([value, count]) => ({ value, count, percent: percent(count, this.total) })),
      other: this.total - shown,
      distinct: this.counts.size,
      approximate: this.folded,
    };
  }

  private sorted(): [string | null, number][] {
    return [...this.counts].sort(([va, ca], [vb, cb]) => cb - ca || compareValues(va, vb));
  }

  /** Keeps the more frequent half; the rest only count towards `total`. */
  private fold(): void {
    for (const [value] of this.sorted().slice(Math.floor(this.maxKeys / 2))) this.counts.delete(value);
    this.folded = true;
  }
}

/** Null (absent) first, then by code unit: a stable order for ties. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** `part` of `whole` in percent, one decimal; 0 when `whole` is 0. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}
