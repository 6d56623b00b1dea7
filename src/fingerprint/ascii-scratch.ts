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
/** Byte b as two lower-case hex digits, the first in the high byte: one load per byte written out. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => (HEX_DIGITS[b >> 4]! << 8) | HEX_DIGITS[b & 0xf]!);
/** 0..99 as two decimal digits, the first in the high byte. */
const DIGIT_PAIRS = Uint16Array.from({ length: 100 }, (_, n) => ((DIGIT_0 + ((n / 10) | 0)) << 8) | (DIGIT_0 + (n % 10)));

/** 0..99 as two digits at b[p], b[p + 1]. */
function writePair(b: Buffer, p: number, n: number): void {
  const pair = DIGIT_PAIRS[n]!;
  b[p] = pair >> 8;
  b[p + 1] = pair & 0xff;
}

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
    const p = this.end;
    // By digit count, a pair of digits per table load.
    if (v < 10) {
      b[p] = DIGIT_0 + v;
      this.end = p + 1;
    } else if (v < 100) {
      writePair(b, p, v);
      this.end = p + 2;
    } else if (v < 1000) {
      const h = (v / 100) | 0;
      b[p] = DIGIT_0 + h;
      writePair(b, p + 1, v - 100 * h);
      this.end = p + 3;
    } else if (v < 10000) {
      const h = (v / 100) | 0;
      writePair(b, p, h);
      writePair(b, p + 2, v - 100 * h);
      this.end = p + 4;
    } else {
      const t = (v / 10000) | 0;
      const w = v - 10000 * t;
      const h = (w / 100) | 0;
      b[p] = DIGIT_0 + t;
      writePair(b, p + 1, h);
      writePair(b, p + 3, w - 100 * h);
      this.end = p + 5;
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
      const high = HEX_PAIRS[v >> 8]!;
      const low = HEX_PAIRS[v & 0xff]!;
      b[p] = high >> 8;
      b[p + 1] = high & 0xff;
      b[p + 2] = low >> 8;
      b[p + 3] = low & 0xff;
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
