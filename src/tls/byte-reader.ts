import { TlsParseError } from './errors.js';

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
    if (this.end - this.pos < n) {
      throw new TlsParseError('BAD_LENGTH', `${what}: declared ${n} bytes, only ${this.end - this.pos} remain`, lengthAt);
    }
    const r = new ByteReader(this.buf, this.pos, this.pos + n, this.offset);
    this.pos += n;
    return r;
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

  /** The rest of this reader's range as a view, leaving the cursor where it is. */
  peekRest(): Buffer {
    return this.buf.subarray(this.pos, this.end);
  }

  /** A second cursor over the rest of this reader's range, counting offsets from `base`. */
  fork(base: number): ByteReader {
    return new ByteReader(this.buf, this.pos, this.end, base);
  }

  /** Reads a vector of u16 values (e.g. cipher suites); its byte length must be even. */
  u16List(what: string): number[] {
    if (this.remaining % 2 !== 0) {
      throw new TlsParseError('BAD_LENGTH', `${what}: odd byte length ${this.remaining}`, this.offset);
    }
    // One bounds check for the whole list: every value is inside [pos, end).
    const b = this.buf;
    const out: number[] = [];
    for (let p = this.pos; p < this.end; p += 2) out.push((b[p]! << 8) | b[p + 1]!);
    this.pos = this.end;
    return out;
  }

  /** Reads a vector of u8 values (cannot fail: any length is whole bytes). */
  u8List(): number[] {
    const b = this.buf;
    const out: number[] = [];
    for (let p = this.pos; p < this.end; p++) out.push(b[p]!);
    this.pos = this.end;
    return out;
  }

  /** Fails unless the whole range has been consumed. */
  expectEnd(what: string): void {
    if (!this.done) {
      throw new TlsParseError('BAD_LENGTH', `${what}: ${this.remaining} unexpected trailing bytes`, this.offset);
    }
  }
}
