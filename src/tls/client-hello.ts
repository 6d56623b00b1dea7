/**
 * ClientHello decoding (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2; SSLv2-compatible
 * CLIENT-HELLO per RFC 5246 Appendix E.2).
 *
 * `ClientHelloReader` accepts the client's first bytes in whatever chunks TCP
 * delivers and reports either "need more", a complete hello, or why the bytes
 * are not a TLS ClientHello. It never buffers more than `maxBytes`.
 */
import { ByteReader } from './byte-reader.js';
import {
  ContentType,
  ExtensionType,
  HANDSHAKE_HEADER_LENGTH,
  HandshakeType,
  MAX_RECORD_PAYLOAD,
  ProtocolVersion,
  RECORD_HEADER_LENGTH,
} from './constants.js';
import { TlsParseError } from './errors.js';
import { RecordAssembler } from './record-assembler.js';
import type { ClientHello, RawExtension } from './types.js';

/** Progress of reading a client's first flight. */
export type HelloProgress =
  | { readonly state: 'need-more' }
  | {
      readonly state: 'complete';
      readonly hello: ClientHello;
      /** Bytes of the stream up to the end of the record that completed the hello. */
      readonly bytes: number;
      /** TLS records the hello spanned (1 for SSLv2). */
      readonly records: number;
    }
  | { readonly state: 'not-tls'; readonly error: TlsParseError };

/** A final answer: a hello, or why there is none. */
export type HelloDecision = Exclude<HelloProgress, { state: 'need-more' }>;

/**
 * One extension of a decoded hello, made only when a caller asks for the
 * extension list (the fingerprints and the record need just the types, from
 * ClientHello.extensionTypes). Its data is sliced when read.
 */
class HelloExtension implements RawExtension {
  private view: Buffer | null = null;

  constructor(
    readonly type: number,
    /** The extensions block the data is in. */
    private readonly block: ByteReader,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get data(): Buffer {
    return (this.view ??= this.block.view(this.start, this.end));
  }

  /** A cursor over the data; its errors carry the byte's offset in the stream. */
  reader(): ByteReader {
    return this.block.range(this.start, this.end);
  }

  /** Serialises as the plain `{ type, data }` it stands for. */
  toJSON(): RawExtension {
    return { type: this.type, data: this.data };
  }
}

/**
 * A TLS ClientHello as decoded. What the connection record reports is read up
 * front; the random, the session id, the ALPN names as bytes and the extension
 * objects are made from the hello only when asked for: the record never asks,
 * and each Buffer view or extension object costs about as much as decoding a
 * whole list.
 */
class TlsClientHello implements ClientHello {
  readonly format = 'tls';
  cipherSuites: readonly number[] = [];
  compressionMethods: readonly number[] = [];
  extensionTypes: readonly number[] = [];
  /** Where each extension's data starts and ends in `extensionBlock`, in pairs. */
  extensionSpans: readonly number[] = [];
  extensionBlock: ByteReader | null = null;
  sni: string | null = null;
  alpnNames: readonly string[] = [];
  supportedVersions: readonly number[] = [];
  groups: readonly number[] = [];
  ecPointFormats: readonly number[] = [];
  signatureAlgorithms: readonly number[] = [];
  keyShareGroups: readonly number[] = [];
  /** Where each ALPN name starts and ends in `source`, in pairs. */
  alpnSpans: number[] = [];
  private randomView: Buffer | null = null;
  private sessionIdView: Buffer | null = null;
  private alpnViews: Buffer[] | null = null;
  private extensionObjects: HelloExtension[] | null = null;

  constructor(
    /** The hello's bytes; positions below are in it. */
    private readonly source: ByteReader,
    readonly recordVersion: number,
    readonly legacyVersion: number,
    private readonly randomAt: number,
    private readonly sessionIdAt: number,
    private readonly sessionIdEnd: number,
  ) {}

  get random(): Buffer {
    return (this.randomView ??= this.source.view(this.randomAt, this.randomAt + RANDOM_LENGTH));
  }

  get sessionId(): Buffer {
    return (this.sessionIdView ??= this.source.view(this.sessionIdAt, this.sessionIdEnd));
  }

  get extensions(): readonly RawExtension[] {
    if (this.extensionObjects === null) {
      const types = this.extensionTypes;
      const spans = this.extensionSpans;
      this.extensionObjects = [];
      for (let i = 0; i < types.length; i++) {
        this.extensionObjects.push(new HelloExtension(types[i]!, this.extensionBlock!, spans[2 * i]!, spans[2 * i + 1]!));
      }
    }
    return this.extensionObjects;
  }

  get alpn(): readonly Buffer[] {
    if (this.alpnViews === null) {
      const spans = this.alpnSpans;
      this.alpnViews = [];
      for (let i = 0; i < spans.length; i += 2) this.alpnViews.push(this.source.view(spans[i]!, spans[i + 1]!));
    }
    return this.alpnViews;
  }

  /** Serialises as the plain object it stands for. */
  toJSON(): ClientHello {
    return {
      format: this.format,
      recordVersion: this.recordVersion,
      legacyVersion: this.legacyVersion,
      random: this.random,
      sessionId: this.sessionId,
      cipherSuites: this.cipherSuites,
      compressionMethods: this.compressionMethods,
      extensions: this.extensions,
      extensionTypes: this.extensionTypes,
      sni: this.sni,
      alpn: this.alpn,
      alpnNames: this.alpnNames,
      supportedVersions: this.supportedVersions,
      groups: this.groups,
      ecPointFormats: this.ecPointFormats,
      signatureAlgorithms: this.signatureAlgorithms,
      keyShareGroups: this.keyShareGroups,
    };
  }
}

const RANDOM_LENGTH = 32;
const MAX_SESSION_ID_LENGTH = 32;

/** Parses the body of a ClientHello handshake message (after its 4-byte header). */
export function decodeClientHelloBody(body: Buffer, recordVersion: number, baseOffset = 0): ClientHello {
  return decodeHello(new ByteReader(body, 0, body.length, baseOffset), recordVersion, baseOffset);
}

/** {@link decodeClientHelloBody} over a reader's range, wherever the body sits in its buffer. */
function decodeHello(r: ByteReader, recordVersion: number, baseOffset: number): ClientHello {
  const legacyVersion = r.u16('legacy_version');
  const randomAt = r.position;
  r.skip(RANDOM_LENGTH, 'random');
  const sessionIdAt = r.skipVec8('legacy_session_id');
  const sessionIdLength = r.position - sessionIdAt;
  if (sessionIdLength > MAX_SESSION_ID_LENGTH) {
    throw new TlsParseError('BAD_LENGTH', `session id of ${sessionIdLength} bytes (max 32)`, baseOffset + 34);
  }
  const hello = new TlsClientHello(r, recordVersion, legacyVersion, randomAt, sessionIdAt, r.position);
  hello.cipherSuites = r.u16Vector(2, 'cipher_suites');
  hello.compressionMethods = r.u8Vector('legacy_compression_methods');
  // RFC 5246 §7.4.1.2: the extensions block may be absent altogether (SSLv3, old TLS 1.0 clients).
  if (!r.done) {
    const block = r.vec16('extensions');
    const types: number[] = [];
    const spans: number[] = [];
    while (!block.done) {
      types.push(block.u16('extension_type'));
      const start = block.skipVec16('extension_data');
      spans.push(start, block.position);
    }
    hello.extensionTypes = types;
    hello.extensionSpans = spans;
    hello.extensionBlock = block;
  }
  r.expectEnd('ClientHello');
  // Extension bodies are read only once the framing of the whole hello has checked out.
  if (hello.extensionBlock !== null) readClientExtensions(hello, hello.extensionBlock);
  return hello;
}

/** Reads the extensions tlspeek reports. A malformed extension body is a parse error, as it is for OpenSSL. */
function readClientExtensions(hello: TlsClientHello, block: ByteReader): void {
  const types = hello.extensionTypes;
  const spans = hello.extensionSpans;
  for (let i = 0; i < types.length; i++) {
    // A cursor over the extension's data is made only for the ones read.
    const start = spans[2 * i]!;
    const end = spans[2 * i + 1]!;
    switch (types[i]) {
      case ExtensionType.ServerName:
        hello.sni = readServerName(block.range(start, end));
        break;
      case ExtensionType.Alpn: {
        const list = block.range(start, end).vec16('protocol_name_list');
        const names: string[] = [];
        const spans: number[] = [];
        while (!list.done) {
          const start = list.skipVec8('protocol_name');
          spans.push(start, list.position);
          names.push(list.latin1(start, list.position));
        }
        hello.alpnNames = names;
        hello.alpnSpans = spans;
        break;
      }
      case ExtensionType.SupportedVersions:
        hello.supportedVersions = block.range(start, end).u16Vector(1, 'supported_versions');
        break;
      case ExtensionType.SupportedGroups:
        hello.groups = block.range(start, end).u16Vector(2, 'supported_groups');
        break;
      case ExtensionType.EcPointFormats:
        hello.ecPointFormats = block.range(start, end).u8Vector('ec_point_formats');
        break;
      case ExtensionType.SignatureAlgorithms:
        hello.signatureAlgorithms = block.range(start, end).u16Vector(2, 'signature_algorithms');
        break;
      case ExtensionType.KeyShare: {
        const shares = block.range(start, end).vec16('client_shares');
        const groups: number[] = [];
        while (!shares.done) {
          groups.push(shares.u16('key_share group'));
          shares.skipVec16('key_exchange');
        }
        hello.keyShareGroups = groups;
        break;
      }
      default:
        break;
    }
  }
}

/** server_name (RFC 6066 §3): the first host_name entry, as sent. */
function readServerName(r: ByteReader): string | null {
  // An empty extension is what a server sends back; a client's is a list.
  if (r.done) return null;
  const list = r.vec16('server_name_list');
  while (!list.done) {
    const nameType = list.u8('name_type');
    const name = list.vec16('host_name');
    if (nameType === 0) return name.restLatin1();
  }
  return null;
}

/**
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2): 2-byte header with the high bit
 * set, msg_type 1, version, then cipher specs of 3 bytes each. Old clients sent
 * it to reach SSLv2 servers; tlspeek reports it but never treats it as TLS.
 */
export function decodeSslv2Hello(bytes: Buffer): { hello: ClientHello; bytes: number } {
  const r = new ByteReader(bytes);
  const header = r.u16('SSLv2 record header');
  const length = header & 0x7fff;
  const msg = r.sub(length, 'SSLv2 message');
  const msgType = msg.u8('msg_type');
  if (msgType !== HandshakeType.ClientHello) {
    throw new TlsParseError('UNEXPECTED_MESSAGE', `SSLv2 message type ${msgType} is not CLIENT-HELLO`, 2);
  }
  const legacyVersion = msg.u16('version');
  const specLength = msg.u16('cipher_spec_length');
  const sessionIdLength = msg.u16('session_id_length');
  const challengeLength = msg.u16('challenge_length');
  if (specLength % 3 !== 0) throw new TlsParseError('BAD_LENGTH', `cipher_spec_length ${specLength} is not a multiple of 3`, 5);
  const specs = msg.sub(specLength, 'cipher_specs');
  const sessionId = msg.bytes(sessionIdLength, 'session_id');
  const challenge = msg.bytes(challengeLength, 'challenge');
  msg.expectEnd('SSLv2 CLIENT-HELLO');
  const cipherSuites: number[] = [];
  while (!specs.done) {
    const hi = specs.u8();
    const code = specs.u16();
    // Specs whose first byte is 0 are TLS suites; the rest are SSLv2-only kinds.
    if (hi === 0) cipherSuites.push(code);
  }
  // The challenge is the right-aligned tail of the 32-byte random (E.2).
  const random = Buffer.alloc(32);
  challenge.copy(random, Math.max(0, 32 - challenge.length), Math.max(0, challenge.length - 32));
  const hello: ClientHello = {
    format: 'sslv2',
    recordVersion: 0x0002,
    legacyVersion,
    random,
    sessionId,
    cipherSuites,
    compressionMethods: [0],
    extensions: [],
    extensionTypes: [],
    sni: null,
    alpn: [],
    alpnNames: [],
    supportedVersions: [],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
  };
  return { hello, bytes: 2 + length };
}

/** SSLv2 record with a 2-byte header whose message type is CLIENT-HELLO. */
function looksLikeSslv2(b0: number, b2: number): boolean {
  return (b0 & 0x80) !== 0 && b2 === HandshakeType.ClientHello;
}

/** The first byte of every SSLv3/TLS record version (0x0300 .. 0x0304). */
const SSL3_TLS_MAJOR_VERSION = ProtocolVersion.SSLv3 >> 8;

/** Streaming reader for a client's first flight. */
export class ClientHelloReader {
  /** Made on first use: a hello that arrives whole in one chunk never needs it. */
  private assemblerInstance: RecordAssembler | null = null;
  private head: Buffer[] = [];
  private headLength = 0;
  private decided: 'tls' | 'sslv2' | null = null;
  private records = 0;
  private recordVersion = 0;
  private result: HelloProgress = { state: 'need-more' };

  constructor(private readonly maxBytes: number) {}

  private get assembler(): RecordAssembler {
    return (this.assemblerInstance ??= new RecordAssembler({ maxBuffered: this.maxBytes }));
  }

  /** Bytes held while waiting for the hello to complete. */
  get buffered(): number {
    return this.decided === 'tls' ? (this.assemblerInstance?.buffered ?? 0) : this.headLength;
  }

  /** Adds bytes; returns the progress so far. Once decided, later pushes are ignored. */
  push(chunk: Buffer): HelloProgress {
    if (this.result.state !== 'need-more') return this.result;
    try {
      this.result = this.decided === null ? this.sniff(chunk) : this.feed(chunk);
    } catch (err: unknown) {
      if (!(err instanceof TlsParseError)) throw err;
      this.result = { state: 'not-tls', error: err };
    }
    return this.result;
  }

  /** End of stream before a decision: the hello is truncated (or never started). */
  end(): HelloDecision {
    if (this.result.state !== 'need-more') return this.result;
    const seen = this.decided === null ? this.headLength : this.assembler.bytesSeen;
    const decision: HelloDecision = {
      state: 'not-tls',
      error: new TlsParseError('TRUNCATED', seen === 0 ? 'no bytes received' : `stream ended after ${seen} bytes, before the ClientHello was complete`, seen),
    };
    this.result = decision;
    return decision;
  }

  /** Looks at the first bytes to tell TLS, SSLv2 and anything else apart. */
  private sniff(chunk: Buffer): HelloProgress {
    if (this.headLength === 0) {
      const whole = this.wholeHello(chunk);
      if (whole !== null) return whole;
    }
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < 3) {
      const b0 = this.head[0]?.[0];
      if (b0 !== undefined && b0 !== ContentType.Handshake && (b0 & 0x80) === 0) return this.notHandshake(b0);
      return { state: 'need-more' };
    }
    const head = this.head.length === 1 ? chunk : Buffer.concat(this.head);
    this.head = [];
    const b0 = head[0]!;
    if (b0 === ContentType.Handshake) {
      this.decided = 'tls';
      return this.feed(head);
    }
    if (looksLikeSslv2(b0, head[2]!)) {
      this.decided = 'sslv2';
      this.head = [head];
      return this.feedSslv2(Buffer.alloc(0));
    }
    return this.notHandshake(b0);
  }

  /**
   * The common case, decoded in place: one chunk holding exactly one handshake
   * record holding exactly one ClientHello, within the caps. Anything else
   * (a split hello, several records, bytes after the record) returns null and
   * goes through the assembler, which would reach the same answer here.
   */
  private wholeHello(chunk: Buffer): HelloProgress | null {
    const headers = RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH;
    if (chunk.length < headers || chunk[0] !== ContentType.Handshake || chunk[1] !== SSL3_TLS_MAJOR_VERSION) return null;
    const length = chunk.readUInt16BE(3);
    if (chunk.length !== RECORD_HEADER_LENGTH + length || length > MAX_RECORD_PAYLOAD || length > this.maxBytes) return null;
    if (chunk[RECORD_HEADER_LENGTH] !== HandshakeType.ClientHello) return null;
    if (chunk.readUIntBE(RECORD_HEADER_LENGTH + 1, 3) !== length - HANDSHAKE_HEADER_LENGTH) return null;
    this.decided = 'tls';
    this.headLength = chunk.length;
    const hello = decodeHello(new ByteReader(chunk, headers, chunk.length, headers), chunk.readUInt16BE(1), headers);
    return { state: 'complete', hello, bytes: chunk.length, records: 1 };
  }

  private notHandshake(b0: number): never {
    const what = b0 >= 0x20 && b0 < 0x7f ? `'${String.fromCharCode(b0)}' (0x${b0.toString(16).padStart(2, '0')})` : `0x${b0.toString(16).padStart(2, '0')}`;
    throw new TlsParseError('NOT_HANDSHAKE', `first byte ${what} is not a TLS handshake record`, 0);
  }

  private feedSslv2(chunk: Buffer): HelloProgress {
    if (chunk.length > 0) {
      this.head.push(chunk);
      this.headLength += chunk.length;
    }
    const first = this.head[0]!;
    const declared = ((first[0]! & 0x7f) << 8) | first[1]!;
    if (2 + declared > this.maxBytes) {
      throw new TlsParseError('TOO_LARGE', `SSLv2 hello declares ${declared} bytes, cap is ${this.maxBytes}`, 0);
    }
    if (this.headLength < 2 + declared) return { state: 'need-more' };
    const { hello, bytes } = decodeSslv2Hello(Buffer.concat(this.head));
    this.head = [];
    return { state: 'complete', hello, bytes, records: 1 };
  }

  private feed(chunk: Buffer): HelloProgress {
    if (this.decided === 'sslv2') return this.feedSslv2(chunk);
    const a = this.assembler;
    a.push(chunk);
    for (let ev = a.next(); ev !== null; ev = a.next()) {
      if (ev.kind === 'record') {
        if (ev.type !== ContentType.Handshake) {
          throw new TlsParseError('NOT_HANDSHAKE', `record of content type ${ev.type} before the ClientHello was complete`, ev.offset);
        }
        if (this.records === 0) this.recordVersion = ev.version;
        this.records++;
        continue;
      }
      if (ev.type !== HandshakeType.ClientHello) {
        throw new TlsParseError('UNEXPECTED_MESSAGE', `handshake message type ${ev.type} where a ClientHello was expected`, ev.offset);
      }
      const hello = decodeClientHelloBody(ev.body, this.recordVersion, ev.offset + 4);
      // A message is returned right after the record that completed it, so
      // the whole records read so far end exactly where the hello's record ends.
      return { state: 'complete', hello, bytes: a.recordBytes, records: this.records };
    }
    if (a.bytesSeen > this.maxBytes) {
      throw new TlsParseError('TOO_LARGE', `no complete ClientHello within ${this.maxBytes} bytes`, this.maxBytes);
    }
    return { state: 'need-more' };
  }

}

/** Decodes a complete first flight held in memory; throws TlsParseError when it is not a ClientHello. */
export function decodeClientHello(bytes: Buffer): { hello: ClientHello; bytes: number; records: number } {
  const reader = new ClientHelloReader(Math.max(bytes.length, RECORD_HEADER_LENGTH));
  const pushed = reader.push(bytes);
  const p = pushed.state === 'need-more' ? reader.end() : pushed;
  if (p.state === 'not-tls') throw p.error;
  return { hello: p.hello, bytes: p.bytes, records: p.records };
}
