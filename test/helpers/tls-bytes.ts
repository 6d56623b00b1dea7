/** Builders for hand-made TLS bytes in parser tests (lengths computed, never typed by hand). */

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

export const vec8 = (body: Buffer): Buffer => Buffer.concat([Buffer.from([body.length]), body]);
export const vec16 = (body: Buffer): Buffer => Buffer.concat([u16(body.length), body]);
export const vec24 = (body: Buffer): Buffer => Buffer.concat([u24(body.length), body]);

export function record(type: number, fragment: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(fragment.length), fragment]);
}

export function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), vec24(body)]);
}

/** Splits a handshake payload into records of at most `size` bytes. */
export function fragment(type: number, payload: Buffer, size: number, version = 0x0303): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < payload.length; i += size) out.push(record(type, payload.subarray(i, i + size), version));
  return Buffer.concat(out);
}

export interface HelloSpec {
  legacyVersion?: number;
  ciphers?: number[];
  extensions?: { type: number; data: Buffer }[];
  sessionId?: Buffer;
}

/** A ClientHello handshake message (header included). */
export function clientHelloMessage(spec: HelloSpec = {}): Buffer {
  const exts = spec.extensions ?? [];
  const body = Buffer.concat([
    u16(spec.legacyVersion ?? 0x0303),
    Buffer.alloc(32, 7),
    vec8(spec.sessionId ?? Buffer.alloc(0)),
    vec16(Buffer.concat((spec.ciphers ?? [0x1301, 0xc02f]).map(u16))),
    vec8(Buffer.from([0])),
    vec16(Buffer.concat(exts.map((e) => Buffer.concat([u16(e.type), vec16(e.data)])))),
  ]);
  return handshake(1, body);
}

export function sniExtension(name: string): { type: number; data: Buffer } {
  return { type: 0, data: vec16(Buffer.concat([Buffer.from([0]), vec16(Buffer.from(name, 'latin1'))])) };
}
