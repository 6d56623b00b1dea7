/**
 * TLS record layer reassembly (RFC 8446 §5.1, RFC 5246 §6.2.1).
 *
 * Fed arbitrary TCP chunks, it yields every complete record and every complete
 * plaintext handshake message, in order. Handshake messages may span several
 * records (post-quantum ClientHellos, certificate chains) and one record may
 * hold several messages (ServerHello + Certificate + ServerHelloDone).
 *
 * Pull model: `push()` only buffers; `next()` returns one event at a time, so the
 * caller can tell the assembler that encryption started (TLS 1.2 after
 * ChangeCipherSpec, TLS 1.3 after ServerHello) before the following records are
 * read as plaintext handshake.
 */
import { ByteQueue } from './byte-queue.js';
import {
  ContentType,
  HANDSHAKE_HEADER_LENGTH,
  MAX_RECORD_PAYLOAD,
  RECORD_HEADER_LENGTH,
} from './constants.js';
import { TlsParseError } from './errors.js';

/** One complete TLS record as it came off the wire. */
export interface TlsRecord {
  readonly kind: 'record';
  readonly type: number;
  readonly version: number;
  /** Absolute offset of the record header in the stream. */
  readonly offset: number;
  readonly fragment: Buffer;
  /** True when the record was sent after this side started encrypting. */
  readonly encrypted: boolean;
}

/** One complete plaintext handshake message. */
export interface HandshakeMessage {
  readonly kind: 'handshake';
  readonly type: number;
  /** Absolute stream offset of the first byte of the message header. */
  readonly offset: number;
  readonly body: Buffer;
}

export type AssemblerEvent = TlsRecord | HandshakeMessage;

export interface AssemblerOptions {
  /** Most bytes held while waiting for a record or message to complete. */
  readonly maxBuffered: number;
}

const KNOWN_CONTENT_TYPES = new Set<number>(Object.values(ContentType));

export class RecordAssembler {
  private readonly records = new ByteQueue();
  private readonly handshake = new ByteQueue();
  /** Stream offset of the next unread record byte. */
  private consumed = 0;
  /** Stream offset of the first byte currently in `handshake`, per record fragment. */
  private hsOffsets: { at: number; len: number }[] = [];
  private failure: TlsParseError | null = null;
  /** Once set, handshake records are opaque ciphertext (not reassembled). */
  private encryptedFromHere = false;

  constructor(private readonly options: AssemblerOptions) {}

  /** Bytes buffered and not yet returned as events. */
  get buffered(): number {
    return this.records.length + this.handshake.length;
  }

  /** Bytes of whole records returned so far. */
  get recordBytes(): number {
    return this.consumed;
  }

  /** Total bytes accepted so far. */
  get bytesSeen(): number {
    return this.consumed + this.records.length;
  }

  /** Everything after this point is ciphertext, whatever its content type says. */
  markEncrypted(): void {
    this.encryptedFromHere = true;
    this.handshake.clear();
    this.hsOffsets = [];
  }

  get encrypted(): boolean {
    return this.encryptedFromHere;
  }

  /**
   * Buffers a chunk. Between drains (push, then next() until null) the record
   * queue holds at most one partial record, itself bounded by MAX_RECORD_PAYLOAD;
   * the handshake queue is bounded by `maxBuffered`.
   */
  push(chunk: Buffer): void {
    if (this.failure) return;
    this.records.push(chunk);
  }

  /** The next complete event, or null when more bytes are needed. Throws TlsParseError. */
  next(): AssemblerEvent | null {
    if (this.failure) throw this.failure;
    try {
      return this.handshakeMessage() ?? this.record();
    } catch (err: unknown) {
      if (err instanceof TlsParseError) this.failure = err;
      throw err;
    }
  }

  /** Declares end of stream: throws TRUNCATED if a record or message is incomplete. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.records.length > 0) {
      this.failure = new TlsParseError('TRUNCATED', `stream ended inside a record (${this.records.length} bytes pending)`, this.consumed);
      throw this.failure;
    }
    if (this.handshake.length > 0) {
      this.failure = new TlsParseError('TRUNCATED', `stream ended inside a handshake message (${this.handshake.length} bytes pending)`, this.hsOffsets[0]?.at ?? this.consumed);
      throw this.failure;
    }
  }

  private tooLarge(): never {
    this.failure = new TlsParseError('TOO_LARGE', `more than ${this.options.maxBuffered} bytes buffered`, this.consumed);
    throw this.failure;
  }

  private record(): TlsRecord | null {
    const q = this.records;
    if (q.length < RECORD_HEADER_LENGTH) return null;
    const type = q.peek(0);
    const version = (q.peek(1) << 8) | q.peek(2);
    const length = (q.peek(3) << 8) | q.peek(4);
    const offset = this.consumed;
    if (!KNOWN_CONTENT_TYPES.has(type)) {
      throw new TlsParseError('BAD_RECORD', `unknown record content type ${type}`, offset);
    }
    if (version >> 8 !== 3) {
      throw new TlsParseError('BAD_RECORD', `record version 0x${version.toString(16).padStart(4, '0')} is not SSLv3/TLS`, offset + 1);
    }
    if (length > MAX_RECORD_PAYLOAD) {
      throw new TlsParseError('BAD_LENGTH', `record length ${length} exceeds ${MAX_RECORD_PAYLOAD}`, offset + 3);
    }
    const encrypted = this.encryptedFromHere || type === ContentType.ApplicationData;
    const reassemble = type === ContentType.Handshake && !encrypted;
    // Fail as soon as the header shows the cap will be exceeded, without
    // waiting for (and buffering) the record body.
    if (reassemble && this.handshake.length + length > this.options.maxBuffered) this.tooLarge();
    if (q.length < RECORD_HEADER_LENGTH + length) return null;
    q.skip(RECORD_HEADER_LENGTH);
    const fragment = q.take(length);
    this.consumed += RECORD_HEADER_LENGTH + length;
    if (reassemble) {
      this.handshake.push(fragment);
      this.hsOffsets.push({ at: offset + RECORD_HEADER_LENGTH, len: length });
    }
    return { kind: 'record', type, version, offset, fragment, encrypted };
  }

  private handshakeMessage(): HandshakeMessage | null {
    const q = this.handshake;
    if (q.length < HANDSHAKE_HEADER_LENGTH) return null;
    const length = (q.peek(1) << 16) | (q.peek(2) << 8) | q.peek(3);
    const offset = this.hsOffsets[0]?.at ?? this.consumed;
    if (HANDSHAKE_HEADER_LENGTH + length > this.options.maxBuffered) {
      this.failure = new TlsParseError('TOO_LARGE', `handshake message declares ${length} bytes, cap is ${this.options.maxBuffered}`, offset + 1);
      throw this.failure;
    }
    if (q.length < HANDSHAKE_HEADER_LENGTH + length) return null;
    const type = q.peek(0);
    q.skip(HANDSHAKE_HEADER_LENGTH);
    const body = q.take(length);
    this.advanceHsOffsets(HANDSHAKE_HEADER_LENGTH + length);
    return { kind: 'handshake', type, offset, body };
  }

  /** Keeps the stream offset of the handshake queue's front byte. */
  private advanceHsOffsets(n: number): void {
    while (n > 0) {
      const head = this.hsOffsets[0];
      if (!head) return;
      if (head.len > n) {
        head.at += n;
        head.len -= n;
        return;
      }
      n -= head.len;
      this.hsOffsets.shift();
    }
  }
}
