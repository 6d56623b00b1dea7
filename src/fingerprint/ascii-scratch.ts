/**
 * Fingerprint strings (the JA3 string, JA4's code lists) written byte by byte
 * into one reused buffer: no string per number, no concatenation, and the bytes
 * go to the hash as they are. Decoding is synchronous, so one module-level
 * buffer serves every call; a view from {@link AsciiScratch.view} is valid only
 * until the next {@link AsciiScratch.reset}. The buffer grows to the longest
 * string written (a few times the largest hello decoded) and stays that size.
 */

const DIGIT_0 = 0x30;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** `00` `01` ... `99`, two bytes each. */
const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''), 'latin1');

export class AsciiScratch {
  private buf = Buffer.allocUnsafe(2048);
  private end = 0;
  /** `views[n]` is the first n bytes of `buf`. */
  private views: (Buffer | undefined)[] = [];

  /** Bytes written since the last reset. */
  get length(): number {
    return this.end;
  }

  reset(): void {
    this.end = 0;
  }

  /** One ASCII character, by code. */
  char(code: number): void {
    if (this.end === this.buf.length) this.grow(1);
    this.buf[this.end++] = code;
  }

  /** A wire value (0..65535) in decimal, as `String(v)` writes it. */
  decimal(v: number): void {
    if ((v & 0xffff) !== v) return this.text(String(v));
    if (this.end + 5 > this.buf.length) this.grow(5);
    const b = this.buf;
    let p = (this.end += v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5);
    // Two digits at a time, from the right.
    while (v >= 100) {
      const q = (v / 100) | 0;
      const pair = 2 * (v - 100 * q);
      b[--p] = DIGIT_PAIRS[pair + 1]!;
      b[--p] = DIGIT_PAIRS[pair]!;
      v = q;
    }
    if (v >= 10) {
      b[--p] = DIGIT_PAIRS[2 * v + 1]!;
      b[--p] = DIGIT_PAIRS[2 * v]!;
    } else {
      b[--p] = DIGIT_0 + v;
    }
  }

  /** A 16-bit value as four lower-case hex digits (`002f`). */
  hex4(v: number): void {
    if ((v & 0xffff) !== v) return this.text(v.toString(16).padStart(4, '0'));
    if (this.end + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    const p = this.end;
    b[p] = HEX_DIGITS[(v >> 12) & 0xf]!;
    b[p + 1] = HEX_DIGITS[(v >> 8) & 0xf]!;
    b[p + 2] = HEX_DIGITS[(v >> 4) & 0xf]!;
    b[p + 3] = HEX_DIGITS[v & 0xf]!;
    this.end = p + 4;
  }

  /**
   * codes[from..to) as 4-digit lower-case hex, each after `first` (the first) or
   * `separator` (the rest), e.g. `_0403,0804`; `first` 0 writes nothing before the
   * first code. Room for the whole list is made once, so the loop is plain stores.
   */
  hexList(codes: Uint16Array, from: number, to: number, separator: number, first = 0): void {
    if (to <= from) return;
    if (this.end + 5 * (to - from) > this.buf.length) this.grow(5 * (to - from));
    const b = this.buf;
    let p = this.end;
    for (let i = from; i < to; i++) {
      const sep = i === from ? first : separator;
      if (sep !== 0) b[p++] = sep;
      const v = codes[i]!;
      b[p] = HEX_DIGITS[v >> 12]!;
      b[p + 1] = HEX_DIGITS[(v >> 8) & 0xf]!;
      b[p + 2] = HEX_DIGITS[(v >> 4) & 0xf]!;
      b[p + 3] = HEX_DIGITS[v & 0xf]!;
      p += 4;
    }
    this.end = p;
  }

  /** The bytes written so far, as a string. */
  latin1(): string {
    return this.buf.toString('latin1', 0, this.end);
  }

  /**
   * The bytes written so far, without copying; valid until the next reset. The
   * view for each length is made once and kept (making a Buffer view costs
   * about a sixth of hashing one): at most one per byte of the buffer.
   */
  view(): Buffer {
    return (this.views[this.end] ??= this.buf.subarray(0, this.end));
  }

  /** Rare path (values no wire field holds): an arbitrary ASCII string. */
  private text(s: string): void {
    if (this.end + s.length > this.buf.length) this.grow(s.length);
    this.end += this.buf.write(s, this.end, 'latin1');
  }

  /** Room for n more bytes (a hello with thousands of cipher suites, say). */
  private grow(n: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.end + n));
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
    this.views = [];
  }
}
