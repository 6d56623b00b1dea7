import { TlsParseError } from './errors.js';
import { latin1 } from './latin1.js';

/**
 * A bounds-checked cursor over a byte range. Vectors return a sub-reader limited
 * to their declared length, so a lying inner length can never read past its
 * parent: it fails with BAD_LENGTH at the offset of the length field.
 *
 * `base` is the absolute offset of `buf[start]` in the caller's stream, so
 * errors point at the byte a person would find in a hex dump.
 */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    private readonly start = 0,
    private readonly end = buf.length,
    private readonly base = 0,
  ) {
    this.pos = start;
  }

  /** Absolute offset of the next byte, for error messages. */
  get offset(): number {
    return this.base + (this.pos - this.start);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new TlsParseError('TRUNCATED', `${what}: need ${n} bytes, have ${this.end - this.pos}`, this.offset);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  // Bytes are indexed directly once need() has checked the range: Buffer's
  // readUInt16BE would check it a second time, and this runs for every field.
  u16(what = 'u16'): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  /** The next n bytes as a view (no copy). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A sub-reader over the next n bytes; a shortfall is reported at `lengthAt` (the length field, for vectors). */
  sub(n: number, what = 'vector', lengthAt = this.offset): ByteReader {
    this.fits(n, what, lengthAt);
    const r = new ByteReader(this.buf, this.pos, this.pos + n, this.offset);
    this.pos += n;
    return r;
  }

  private fits(n: number, what: string, lengthAt: number): void {
    if (this.end - this.pos < n) {
      throw new TlsParseError('BAD_LENGTH', `${what}: declared ${n} bytes, only ${this.end - this.pos} remain`, lengthAt);
    }
  }

  /**
   * Where the next byte sits in the buffer: with {@link skipVec16} and {@link range},
   * a vector can be stepped over now and read later without a sub-reader in between.
   */
  get position(): number {
    return this.pos;
  }

  /** Steps over a vector with a 2-byte length prefix, checked as {@link vec16} checks it; returns the position of its first byte. */
  skipVec16(what = 'vector<2>'): number {
    const lengthAt = this.offset;
    const n = this.u16(what);
    this.fits(n, what, lengthAt);
    const start = this.pos;
    this.pos += n;
    return start;
  }

  /** Steps over a vector with a 1-byte length prefix, checked as {@link vec8} checks it; returns the position of its first byte. */
  skipVec8(what = 'vector<1>'): number {
    const lengthAt = this.offset;
    const n = this.u8(what);
    this.fits(n, what, lengthAt);
    const start = this.pos;
    this.pos += n;
    return start;
  }

  /** A reader over [start, end) of this reader's range (positions from {@link position}), offsets counted as here. */
  range(start: number, end: number): ByteReader {
    return new ByteReader(this.buf, start, end, this.base + (start - this.start));
  }

  /** [start, end) of this reader's range as a view (positions from {@link position}). */
  view(start: number, end: number): Buffer {
    return this.buf.subarray(start, end);
  }

  /** [start, end) of this reader's range as a latin1 string (positions from {@link position}). */
  latin1(start: number, end: number): string {
    return latin1(this.buf, start, end);
  }

  /** A vector with a 1-byte length prefix. */
  vec8(what = 'vector<1>'): ByteReader {
    const lengthAt = this.offset;
    return this.sub(this.u8(what), what, lengthAt);
  }

  /** A vector with a 2-byte length prefix. */
  vec16(what = 'vector<2>'): ByteReader {
    const lengthAt = this.offset;
    return this.sub(this.u16(what), what, lengthAt);
  }

  /** A vector with a 3-byte length prefix. */
  vec24(what = 'vector<3>'): ByteReader {
    const lengthAt = this.offset;
    return this.sub(this.u24(what), what, lengthAt);
  }

  /** The rest of this reader's range as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  /** The rest of this reader's range decoded as latin1, without a view in between. */
  restLatin1(): string {
    const v = this.buf.toString('latin1', this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  /**
   * A vector of u16 values (cipher suites, groups ...) behind a 1- or 2-byte length
   * prefix; its byte length must be even. Read in place: no sub-reader, and one
   * bounds check for the whole list.
   */
  u16Vector(lengthBytes: 1 | 2, what: string): number[] {
    const lengthAt = this.offset;
    const n = lengthBytes === 1 ? this.u8(what) : this.u16(what);
    this.fits(n, what, lengthAt);
    if (n % 2 !== 0) throw new TlsParseError('BAD_LENGTH', `${what}: odd byte length ${n}`, this.offset);
    const b = this.buf;
    // Made at its final length: faster than growing it by push.
    const out = new Array<number>(n >> 1);
    for (let i = 0, p = this.pos; i < out.length; i++, p += 2) out[i] = (b[p]! << 8) | b[p + 1]!;
    this.pos += n;
    return out;
  }

  /** A vector of u8 values behind a 1-byte length prefix, read in place. */
  u8Vector(what: string): number[] {
    const lengthAt = this.offset;
    const n = this.u8(what);
    this.fits(n, what, lengthAt);
    const b = this.buf;
    const out: number[] = [];
    for (let p = this.pos; p < this.pos + n; p++) out.push(b[p]!);
    this.pos += n;
    return out;
  }

  /** Fails unless the whole range has been consumed. */
  expectEnd(what: string): void {
    if (!this.done) {
      throw new TlsParseError('BAD_LENGTH', `${what}: ${this.remaining} unexpected trailing bytes`, this.offset);
    }
  }
}
