/**
 * JSON text written byte by byte into one reused buffer: what `JSON.stringify`
 * writes for the same value, faster for the connection record (a TLS 1.2 record is
 * ~5 KB, most of it the server's certificates and the client's suite names).
 *
 * - A subtree marked with {@link serializeOnce} (the cached certificate
 *   descriptions and chain checks every connection to the same upstream shares,
 *   and the hello objects and lists a client repeats) is serialised once and copied
 *   from then on.
 * - A string of printable ASCII without `"` or `\` (nearly every string in a
 *   record) is copied a char per byte; anything else is written by
 *   `JSON.stringify` itself, so escapes and lone surrogates come out exactly as
 *   it writes them.
 *
 * Writing is synchronous, so one writer serves a whole process (record-line.ts
 * keeps it); its buffer grows to the largest value written and stays that size.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const DIGIT_0 = 0x30;
const BACKSLASH = 0x5c;
const FIRST_PRINTABLE = 0x20;
const LAST_ASCII = 0x7e;

/** Distinct keys kept encoded; past this (keys that are data, not names), each is written afresh. */
const MAX_KEPT_KEYS = 1024;
const COLON_BYTES = Buffer.from(':', 'latin1');

/** Nesting deeper than any record has: a cycle, which `JSON.stringify` would reject too. */
const MAX_DEPTH = 64;

/** Serialised JSON of a frozen subtree, and whether it holds any non-ASCII byte. */
interface Encoded {
  readonly bytes: Buffer;
  readonly wide: boolean;
}

/** Subtrees marked stable; their JSON once written. */
const stable = new WeakSet<object>();
const encodedOnce = new WeakMap<object, Encoded>();

/**
 * Marks `value` (an object or array never changed again: a cache's entry) for
 * serialising once, and freezes it all the way down so a change would throw
 * rather than leave a stale copy in the records.
 */
export function serializeOnce<T extends object>(value: T): T {
  deepFreeze(value, 0);
  stable.add(value);
  return value;
}

function deepFreeze(value: object, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError('serializeOnce: value nested too deeply (a cycle?)');
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null) deepFreeze(v, depth + 1);
  }
  Object.freeze(value);
}

export class JsonWriter {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private end = 0;
  /** Some string was written as UTF-8 with multi-byte characters. */
  private wide = false;
  /** Keys seen so far, as `"key":` bytes. */
  private readonly keys = new Map<string, Buffer>();

  reset(): void {
    this.end = 0;
    this.wide = false;
  }

  /** What was written, as a string. */
  text(): string {
    return this.buf.toString(this.wide ? 'utf8' : 'latin1', 0, this.end);
  }

  /** What was written, as UTF-8 bytes: a view of the writer's buffer, valid until the next reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.end);
  }

  /** Pre-encoded bytes (a constant fragment of the line). */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    const n = b.length;
    const out = this.buf;
    const at = this.end;
    // Short copies are cheaper as a loop than as a native call.
    if (n < 32) for (let i = 0; i < n; i++) out[at + i] = b[i]!;
    else out.set(b, at);
    this.end = at + n;
  }

  /** `"key":`, the bytes made once per distinct key (records have a few dozen). */
  key(k: string): void {
    let b = this.keys.get(k);
    if (b === undefined) {
      if (this.keys.size >= MAX_KEPT_KEYS) {
        this.string(k);
        this.bytes(COLON_BYTES);
        return;
      }
      b = Buffer.from(`${JSON.stringify(k)}:`, 'utf8');
      this.keys.set(k, b);
    }
    if (b.length !== k.length + 3) this.wide = true;
    this.bytes(b);
  }

  /** Any JSON-serialisable value, as `JSON.stringify(value)` writes it. */
  value(v: unknown, holderKey = '', depth = 0): void {
    if (depth > MAX_DEPTH) throw new RangeError('JsonWriter: value nested too deeply (a cycle?)');
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (key: string) => unknown }).toJSON(holderKey);
    }
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        return this.ascii(v ? 'true' : 'false');
      case 'object':
        if (v === null) return this.ascii('null');
        if (stable.has(v)) return this.once(v, depth);
        if (Array.isArray(v)) return this.array(v, depth);
        return this.object(v as Record<string, unknown>, depth);
      default:
        // bigint throws in JSON.stringify; undefined, functions and symbols have no
        // JSON of their own (the containers below skip or null them).
        throw new TypeError(`JsonWriter: cannot serialise a ${typeof v}`);
    }
  }

  /** A string, quoted and escaped as JSON.stringify does. */
  string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const out = this.buf;
    let p = this.end;
    out[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < FIRST_PRINTABLE || c > LAST_ASCII || c === QUOTE || c === BACKSLASH) return this.escaped(s);
      out[p++] = c;
    }
    out[p++] = QUOTE;
    this.end = p;
  }

  number(v: number): void {
    if ((v | 0) === v && v >= 0) {
      // Wire codes, counts and byte totals: digits written from the last one back.
      let length = 1;
      for (let rest = v; rest >= 10; rest = (rest / 10) | 0) length++;
      this.room(length);
      const out = this.buf;
      let p = this.end + length;
      this.end = p;
      let rest = v;
      do {
        const next = (rest / 10) | 0;
        out[--p] = DIGIT_0 + rest - 10 * next;
        rest = next;
      } while (rest > 0);
      return;
    }
    // Floats, negatives, -0, NaN and the infinities, exactly as JSON.stringify writes them.
    this.ascii(JSON.stringify(v));
  }

  private array(a: readonly unknown[], depth: number): void {
    this.room(1);
    this.buf[this.end++] = OPEN_BRACKET;
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.comma();
      const item = a[i];
      // JSON.stringify writes null for what has no JSON in an array.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.ascii('null');
      else this.value(item, String(i), depth + 1);
    }
    this.room(1);
    this.buf[this.end++] = CLOSE_BRACKET;
  }

  /**
   * An object's members as `"key":value`, comma-separated; with `afterOthers`, a
   * comma before the first one too (members added to an object already begun).
   */
  members(o: object, depth = 0, afterOthers = false): void {
    const fields = o as Record<string, unknown>;
    let comma = afterOthers;
    for (const k in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, k)) continue;
      const item = fields[k];
      // ... and leaves such members out of an object.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      if (comma) this.comma();
      comma = true;
      this.key(k);
      this.value(item, k, depth + 1);
    }
  }

  private object(o: Record<string, unknown>, depth: number): void {
    this.room(1);
    this.buf[this.end++] = OPEN_BRACE;
    this.members(o, depth);
    this.room(1);
    this.buf[this.end++] = CLOSE_BRACE;
  }

  /** A stable subtree: written once, copied after. */
  private once(v: object, depth: number): void {
    let e = encodedOnce.get(v);
    if (e === undefined) {
      const start = this.end;
      const wideBefore = this.wide;
      this.wide = false;
      if (Array.isArray(v)) this.array(v, depth);
      else this.object(v as Record<string, unknown>, depth);
      e = { bytes: Buffer.from(this.buf.subarray(start, this.end)), wide: this.wide };
      this.wide ||= wideBefore;
      encodedOnce.set(v, e);
      return;
    }
    if (e.wide) this.wide = true;
    this.bytes(e.bytes);
  }

  /** The slow path for a string that needs escapes or is not ASCII: JSON.stringify's own text. */
  private escaped(s: string): void {
    const json = JSON.stringify(s);
    this.room(3 * json.length);
    const written = this.buf.write(json, this.end, 'utf8');
    if (written !== json.length) this.wide = true;
    this.end += written;
  }

  private ascii(text: string): void {
    this.room(text.length);
    this.end += this.buf.write(text, this.end, 'latin1');
  }

  private comma(): void {
    this.room(1);
    this.buf[this.end++] = COMMA;
  }

  /** Room for n more bytes. */
  private room(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.end + n));
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
  }
}
