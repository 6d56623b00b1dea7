/**
 * A deliberately small, test-only ClientHello extractor, so the fingerprint tests
 * do not depend on the real decoder (src/tls/client-hello.ts). It reads TLS
 * handshake records back to back, joins their payloads, and fills ClientHello
 * from the first handshake message (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2). It
 * trusts well-formed input and throws on anything else; no SSLv2 hellos.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { ClientHello, RawExtension } from '../../src/tls/types.js';

class Cursor {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error(`short read of ${n} at ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    return this.bytes(1).readUInt8(0);
  }

  u16(): number {
    return this.bytes(2).readUInt16BE(0);
  }

  u24(): number {
    return this.bytes(3).readUIntBE(0, 3);
  }

  vec8(): Cursor {
    return new Cursor(this.bytes(this.u8()));
  }

  vec16(): Cursor {
    return new Cursor(this.bytes(this.u16()));
  }

  rest(): Buffer {
    return this.bytes(this.buf.length - this.pos);
  }
}

function u16List(c: Cursor): number[] {
  const out: number[] = [];
  while (!c.done) out.push(c.u16());
  return out;
}

function u8List(c: Cursor): number[] {
  const out: number[] = [];
  while (!c.done) out.push(c.u8());
  return out;
}

/** Decodes the client's first flight (records with headers, as on the wire). */
export function minimalHello(wire: Buffer): ClientHello {
  const records = new Cursor(wire);
  let recordVersion = -1;
  const payload: Buffer[] = [];
  while (!records.done) {
    const type = records.u8();
    const version = records.u16();
    const fragment = records.bytes(records.u16());
    if (type !== 22) throw new Error(`record type ${type} is not handshake`);
    if (recordVersion === -1) recordVersion = version;
    payload.push(fragment);
  }

  const hs = new Cursor(Buffer.concat(payload));
  if (hs.u8() !== 1) throw new Error('not a ClientHello');
  const body = new Cursor(hs.bytes(hs.u24()));

  const legacyVersion = body.u16();
  const random = body.bytes(32);
  const sessionId = body.vec8().rest();
  const cipherSuites = u16List(body.vec16());
  const compressionMethods = u8List(body.vec8());
  const extensions: RawExtension[] = [];
  if (!body.done) {
    const exts = body.vec16();
    while (!exts.done) {
      const type = exts.u16();
      extensions.push({ type, data: exts.vec16().rest() });
    }
  }

  let sni: string | null = null;
  let alpn: Buffer[] = [];
  let supportedVersions: number[] = [];
  let groups: number[] = [];
  let ecPointFormats: number[] = [];
  let signatureAlgorithms: number[] = [];
  let keyShareGroups: number[] = [];
  for (const { type, data } of extensions) {
    const d = new Cursor(data);
    switch (type) {
      case 0: {
        const names = d.vec16();
        while (!names.done) {
          const nameType = names.u8();
          const name = names.vec16().rest();
          if (nameType === 0 && sni === null) sni = name.toString('latin1');
        }
        break;
      }
      case 10:
        groups = u16List(d.vec16());
        break;
      case 11:
        ecPointFormats = u8List(d.vec8());
        break;
      case 13:
        signatureAlgorithms = u16List(d.vec16());
        break;
      case 16: {
        const list = d.vec16();
        alpn = [];
        while (!list.done) alpn.push(list.vec8().rest());
        break;
      }
      case 43:
        supportedVersions = u16List(d.vec8());
        break;
      case 51: {
        const shares = d.vec16();
        keyShareGroups = [];
        while (!shares.done) {
          keyShareGroups.push(shares.u16());
          shares.vec16();
        }
        break;
      }
      default:
        break;
    }
  }

  return {
    format: 'tls',
    recordVersion,
    legacyVersion,
    random,
    sessionId,
    cipherSuites,
    compressionMethods,
    extensions,
    sni,
    alpn,
    supportedVersions,
    groups,
    ecPointFormats,
    signatureAlgorithms,
    keyShareGroups,
  };
}

/** A hand-made ClientHello for edge cases: sensible defaults, any field overridable. */
export function helloWith(fields: Partial<ClientHello> = {}): ClientHello {
  return {
    format: 'tls',
    recordVersion: 0x0301,
    legacyVersion: 0x0303,
    random: Buffer.alloc(32),
    sessionId: Buffer.alloc(0),
    cipherSuites: [],
    compressionMethods: [0],
    extensions: [],
    sni: null,
    alpn: [],
    supportedVersions: [],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    ...fields,
  };
}

/** Extensions of the given types with empty data (fingerprints read only the types). */
export const extensionsOf = (types: readonly number[]): RawExtension[] =>
  types.map((type) => ({ type, data: Buffer.alloc(0) }));

export interface CorpusHello {
  readonly source: string;
  readonly hex: string;
  readonly expected: { readonly ja3: string; readonly ja4: string | null };
}

/** The 96 client first flights of /work/shared/corpus (expectations from tshark and FoxIO). */
export function corpusHellos(): CorpusHello[] {
  const file = fileURLToPath(new URL('../../../shared/corpus/clienthellos.jsonl', import.meta.url));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusHello);
}
