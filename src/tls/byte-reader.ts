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

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const v = (this.buf[this.pos]! << 16) | this.buf.readUInt16BE(this.pos + 1);
    this.pos += 3;
    return v;
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

  /** A sub-reader over the next n bytes. */
  sub(n: number, what = 'vector'): ByteReader {
    const at = this.offset;
    if (this.end - this.pos < n) {
      throw new TlsParseError('BAD_LENGTH', `${what}: declared ${n} bytes, only ${this.end - this.pos} remain`, at);
    }
    const r = new ByteReader(this.buf, this.pos, this.pos + n, at);
    this.pos += n;
    return r;
  }

  /** A vector with a 1-byte length prefix. */
  vec8(what = 'vector<1>'): ByteReader {
    return this.sub(this.u8(what), what);
  }

  /** A vector with a 2-byte length prefix. */
  vec16(what = 'vector<2>'): ByteReader {
    return this.sub(this.u16(what), what);
  }

  /** A vector with a 3-byte length prefix. */
  vec24(what = 'vector<3>'): ByteReader {
    return this.sub(this.u24(what), what);
  }

  /** The rest of this reader's range as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  /** Reads a vector of u16 values (e.g. cipher suites); its byte length must be even. */
  u16List(what: string): number[] {
    const at = this.offset;
    if (this.remaining % 2 !== 0) {
      throw new TlsParseError('BAD_LENGTH', `${what}: odd byte length ${this.remaining}`, at);
    }
    const out = new Array<number>(this.remaining / 2);
    for (let i = 0; i < out.length; i++) out[i] = this.u16(what);
    return out;
  }

  /** Reads a vector of u8 values. */
  u8List(what: string): number[] {
    const out = new Array<number>(this.remaining);
    for (let i = 0; i < out.length; i++) out[i] = this.u8(what);
    return out;
  }

  /** Fails unless the whole range has been consumed. */
  expectEnd(what: string): void {
    if (!this.done) {
      throw new TlsParseError('BAD_LENGTH', `${what}: ${this.remaining} unexpected trailing bytes`, this.offset);
    }
  }
}
