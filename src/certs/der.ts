/**
 * A bounds-checked cursor over DER (ITU-T X.690 §8 and §10), just enough of it
 * for X.509 (RFC 5280 §4.1): low tag numbers, definite minimal lengths. Like
 * the TLS `ByteReader`, a constructed element yields a sub-reader limited to
 * its contents, so a lying inner length fails with an offset instead of
 * reading into the next field.
 */
import { CertParseError } from './errors.js';

/** Tag classes (X.690 §8.1.2.2), the top two bits of the identifier octet. */
export const TagClass = {
  Universal: 0,
  Application: 1,
  Context: 2,
  Private: 3,
} as const;
export type TagClass = (typeof TagClass)[keyof typeof TagClass];

/** Universal tag numbers used by X.509 (X.680 §8.4). */
export const Tag = {
  Boolean: 1,
  Integer: 2,
  BitString: 3,
  OctetString: 4,
  Null: 5,
  Oid: 6,
  Utf8String: 12,
  Sequence: 16,
  Set: 17,
  NumericString: 18,
  PrintableString: 19,
  TeletexString: 20,
  Ia5String: 22,
  UtcTime: 23,
  GeneralizedTime: 24,
  VisibleString: 26,
  UniversalString: 28,
  BmpString: 30,
} as const;

/** One TLV element. */
export interface DerElement {
  readonly cls: TagClass;
  readonly constructed: boolean;
  /** The tag number (low-tag-number form only; X.509 needs no other). */
  readonly tag: number;
  /** The contents octets (a view, no copy). */
  readonly body: Buffer;
  /** The whole element, header included (a view). */
  readonly raw: Buffer;
  /** Offset of the identifier octet within the outermost buffer. */
  readonly offset: number;
  /** Offset of the first contents octet within the outermost buffer. */
  readonly bodyOffset: number;
}

export class DerReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    private readonly base = 0,
  ) {
    this.pos = 0;
  }

  /** Offset of the next byte within the outermost buffer. */
  get offset(): number {
    return this.base + this.pos;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Reads the next element. */
  next(what: string): DerElement {
    const start = this.pos;
    const at = this.base + start;
    const id = this.byte(what);
    if ((id & 0x1f) === 0x1f) {
      throw new CertParseError('UNEXPECTED_TAG', `${what}: high tag numbers do not occur in X.509`, at);
    }
    const lenAt = this.base + this.pos;
    const first = this.byte(what);
    let len: number;
    if (first < 0x80) {
      len = first;
    } else {
      const n = first & 0x7f;
      if (n === 0) throw new CertParseError('BAD_LENGTH', `${what}: indefinite length is not DER`, lenAt);
      if (n > 4) throw new CertParseError('BAD_LENGTH', `${what}: ${n}-byte length field`, lenAt);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.byte(what);
      if (len < 0x80 || len < 2 ** (8 * (n - 1))) {
        throw new CertParseError('BAD_LENGTH', `${what}: non-minimal length encoding`, lenAt);
      }
    }
    const bodyStart = this.pos;
    if (this.buf.length - bodyStart < len) {
      throw new CertParseError(
        'TRUNCATED',
        `${what}: declared ${len} bytes, only ${this.buf.length - bodyStart} remain`,
        lenAt,
      );
    }
    this.pos = bodyStart + len;
    return {
      cls: (id >> 6) as TagClass,
      constructed: (id & 0x20) !== 0,
      tag: id & 0x1f,
      body: this.buf.subarray(bodyStart, bodyStart + len),
      raw: this.buf.subarray(start, bodyStart + len),
      offset: at,
      bodyOffset: this.base + bodyStart,
    };
  }

  /** Reads the next element and fails unless it has the given class and tag. */
  expect(cls: TagClass, tag: number, what: string): DerElement {
    const el = this.next(what);
    if (el.cls !== cls || el.tag !== tag) {
      throw new CertParseError('UNEXPECTED_TAG', `${what}: expected ${describeTag(cls, tag)}, got ${describeTag(el.cls, el.tag)}`, el.offset);
    }
    return el;
  }

  /** Reads a universal SEQUENCE (or SET) and returns a reader over its contents. */
  sequence(what: string, tag: number = Tag.Sequence): DerReader {
    const el = this.expect(TagClass.Universal, tag, what);
    if (!el.constructed) throw new CertParseError('UNEXPECTED_TAG', `${what}: primitive ${describeTag(el.cls, el.tag)}`, el.offset);
    return DerReader.inside(el);
  }

  /** True when the next element has this class and tag (false at the end). */
  peekIs(cls: TagClass, tag: number): boolean {
    const id = this.buf[this.pos];
    return id !== undefined && id >> 6 === cls && (id & 0x1f) === tag;
  }

  /** Fails unless every byte has been read. */
  expectEnd(what: string): void {
    if (!this.done) {
      throw new CertParseError('TRAILING_BYTES', `${what}: ${this.buf.length - this.pos} unexpected trailing bytes`, this.offset);
    }
  }

  /** A reader over a constructed element's contents. */
  static inside(el: DerElement): DerReader {
    return new DerReader(el.body, el.bodyOffset);
  }

  private byte(what: string): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new CertParseError('TRUNCATED', `${what}: unexpected end of data`, this.offset);
    this.pos++;
    return b;
  }
}

function describeTag(cls: TagClass, tag: number): string {
  return cls === TagClass.Universal ? `universal ${tag}` : cls === TagClass.Context ? `[${tag}]` : `class ${cls} tag ${tag}`;
}

/** Decodes an OBJECT IDENTIFIER's contents to dotted form (X.690 §8.19). */
export function decodeOid(el: DerElement): string {
  const b = el.body;
  if (b.length === 0) throw new CertParseError('BAD_VALUE', 'empty OBJECT IDENTIFIER', el.offset);
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < b.length; i++) {
    const byte = b[i]!;
    if (value === 0 && byte === 0x80) throw new CertParseError('BAD_VALUE', 'non-minimal OID arc', el.bodyOffset + i);
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new CertParseError('BAD_VALUE', 'OID arc too large', el.bodyOffset + i);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if ((b[b.length - 1]! & 0x80) !== 0) throw new CertParseError('TRUNCATED', 'OID ends inside an arc', el.bodyOffset + b.length);
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Decodes the string types X.509 names use to a JS string; null for any other type. */
export function decodeString(el: DerElement): string | null {
  if (el.cls !== TagClass.Universal || el.constructed) return null;
  switch (el.tag) {
    case Tag.Utf8String:
      return el.body.toString('utf8');
    case Tag.PrintableString:
    case Tag.Ia5String:
    case Tag.VisibleString:
    case Tag.NumericString:
    // T61 is in theory a code-switching set; in practice it carries Latin-1.
    case Tag.TeletexString:
      return el.body.toString('latin1');
    case Tag.BmpString:
      return decodeUtf16Be(el.body);
    case Tag.UniversalString:
      return decodeUtf32Be(el.body);
    default:
      return null;
  }
}

function decodeUtf16Be(b: Buffer): string {
  const swapped = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  swapped.swap16();
  return swapped.toString('utf16le');
}

function decodeUtf32Be(b: Buffer): string {
  let s = '';
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const cp = b.readUInt32BE(i);
    s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return s;
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})?$/;

/**
 * Decodes UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5). UTCTime years 50-99
 * are 19xx. RFC 5280 demands seconds and 'Z'; older forms are accepted because
 * OpenSSL accepts them too.
 */
export function decodeTime(el: DerElement): Date {
  const text = el.body.toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (el.cls === TagClass.Universal && el.tag === Tag.UtcTime && (m = UTC_TIME.exec(text))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (el.cls === TagClass.Universal && el.tag === Tag.GeneralizedTime && (m = GENERALIZED_TIME.exec(text))) {
    year = Number(m[1]);
  } else {
    throw new CertParseError('BAD_VALUE', `not a UTCTime or GeneralizedTime: ${JSON.stringify(text.slice(0, 32))}`, el.offset);
  }
  const [month, day, hour, minute] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const zone = m[7];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new CertParseError('BAD_VALUE', `impossible date ${JSON.stringify(text)}`, el.offset);
  }
  return date;
}
