/**
 * Watches one direction of a handshake after the ClientHello and keeps the
 * facts diagnosis needs: what each side said in clear, when it switched to
 * ciphertext, and which records followed. Pure: it sees bytes, never sockets.
 *
 * The same watcher serves both directions; `side` only changes which
 * handshake messages are decoded (ServerHello/Certificate from the server;
 * client Certificate and a second ClientHello from the client).
 */
import { decodeAlert } from './alert.js';
import { decodeCertificateList } from './certificate-message.js';
import { decodeClientHelloBody } from './client-hello.js';
import { ContentType, HandshakeType, ProtocolVersion } from './constants.js';
import { TlsParseError } from './errors.js';
import { type AssemblerEvent, RecordAssembler } from './record-assembler.js';
import { decodeServerHelloBody, type ServerHello } from './server-hello.js';
import type { AlertRecord, ClientHello } from './types.js';

/** An opaque (encrypted) record: its content type as sent and its length. */
export interface OpaqueRecord {
  readonly type: number;
  readonly length: number;
  /** Index of this record among all records of this direction. */
  readonly index: number;
}

/** Facts about one direction, in wire order. */
export interface FlightFacts {
  /** legacy_record_version of the first record, or null before any record. */
  recordVersion: number | null;
  /** Records seen so far (plaintext and opaque). */
  records: number;
  /** Server: the ServerHello (the final one after a HelloRetryRequest). */
  serverHello: ServerHello | null;
  /** Server: the HelloRetryRequest, when one was sent. */
  helloRetryRequest: ServerHello | null;
  /** Client: a second ClientHello (after HelloRetryRequest). */
  secondClientHello: ClientHello | null;
  /** DER certificates sent in clear (TLS <= 1.2), leaf first; null when no Certificate message was seen. */
  certificates: Buffer[] | null;
  /** Server: a CertificateRequest was sent in clear. */
  certificateRequested: boolean;
  serverHelloDone: boolean;
  /** A ChangeCipherSpec record was sent. */
  changeCipherSpec: boolean;
  /** The first plaintext alert, or null. */
  alert: AlertRecord | null;
  /** Index (among records) of the first plaintext alert. */
  alertRecordIndex: number | null;
  /** The first few records sent after this side began encrypting. */
  opaque: OpaqueRecord[];
  /** Opaque records seen in total (opaque[] keeps only the first few). */
  opaqueCount: number;
  /** Bytes this side sent that could not be read as TLS records. */
  error: TlsParseError | null;
}

export type Side = 'client' | 'server';

/** How many opaque records to remember; diagnosis only needs the first. */
const OPAQUE_KEEP = 4;

/** Record-level events, in wire order, for callers that keep a timeline. */
export type RecordSignal =
  | { readonly kind: 'ccs' }
  | { readonly kind: 'opaque'; readonly length: number; readonly contentType: number }
  | { readonly kind: 'alert'; readonly alert: AlertRecord };

export interface FlightWatcherOptions {
  /** Cap on bytes buffered for one handshake message (certificate chains can be long). */
  readonly maxBuffered: number;
  /** Called for each ChangeCipherSpec, opaque record and plaintext alert, in order. */
  readonly onSignal?: (signal: RecordSignal) => void;
}

export class FlightWatcher {
  readonly facts: FlightFacts = {
    recordVersion: null,
    records: 0,
    serverHello: null,
    helloRetryRequest: null,
    secondClientHello: null,
    certificates: null,
    certificateRequested: false,
    serverHelloDone: false,
    changeCipherSpec: false,
    alert: null,
    alertRecordIndex: null,
    opaque: [],
    opaqueCount: 0,
    error: null,
  };
  private readonly assembler: RecordAssembler;
  /**
   * Whether ChangeCipherSpec starts encryption for this side: true up to TLS
   * 1.2; in TLS 1.3 CCS is only a middlebox-compatibility decoy (RFC 8446 D.4).
   */
  private ccsEncrypts = true;

  private readonly onSignal: ((signal: RecordSignal) => void) | undefined;

  constructor(
    readonly side: Side,
    options: FlightWatcherOptions,
  ) {
    this.assembler = new RecordAssembler({ maxBuffered: options.maxBuffered });
    this.onSignal = options.onSignal;
  }

  /** The server chose TLS 1.3: the client's CCS no longer means "encrypted from here". */
  setTls13(): void {
    this.ccsEncrypts = false;
  }

  /** Feeds bytes. Parse failures are recorded in facts.error, never thrown. */
  push(chunk: Buffer): void {
    if (this.facts.error) return;
    try {
      this.assembler.push(chunk);
      for (let ev = this.assembler.next(); ev !== null; ev = this.assembler.next()) this.onEvent(ev);
    } catch (err: unknown) {
      if (!(err instanceof TlsParseError)) throw err;
      this.facts.error = err;
    }
  }

  /** End of stream: a partial record is recorded as TRUNCATED. */
  end(): void {
    if (this.facts.error) return;
    try {
      this.assembler.end();
    } catch (err: unknown) {
      if (!(err instanceof TlsParseError)) throw err;
      this.facts.error = err;
    }
  }

  /** True once this side's records are ciphertext. */
  get encrypted(): boolean {
    return this.assembler.encrypted;
  }

  private onEvent(ev: AssemblerEvent): void {
    const f = this.facts;
    if (ev.kind === 'handshake') {
      this.onHandshake(ev.type, ev.body, ev.offset + 4);
      return;
    }
    const index = f.records++;
    if (f.recordVersion === null) f.recordVersion = ev.version;
    if (ev.type === ContentType.ChangeCipherSpec) {
      f.changeCipherSpec = true;
      if (this.ccsEncrypts) this.assembler.markEncrypted();
      this.onSignal?.({ kind: 'ccs' });
      return;
    }
    if (ev.encrypted) {
      if (f.opaque.length < OPAQUE_KEEP) f.opaque.push({ type: ev.type, length: ev.fragment.length, index });
      f.opaqueCount++;
      this.onSignal?.({ kind: 'opaque', length: ev.fragment.length, contentType: ev.type });
      return;
    }
    if (ev.type === ContentType.Alert) {
      const alert = decodeAlert(ev.fragment, ev.offset + 5);
      if (f.alert === null) {
        f.alert = alert;
        f.alertRecordIndex = index;
      }
      this.onSignal?.({ kind: 'alert', alert });
    }
  }

  private onHandshake(type: number, body: Buffer, offset: number): void {
    const f = this.facts;
    switch (type) {
      case HandshakeType.ServerHello: {
        if (this.side !== 'server') break;
        const hello = decodeServerHelloBody(body, offset);
        if (hello.helloRetry) {
          f.helloRetryRequest = hello;
          this.ccsEncrypts = false;
          break;
        }
        f.serverHello = hello;
        if (hello.version === ProtocolVersion.TLSv1_3) {
          // Everything after a TLS 1.3 ServerHello is encrypted (RFC 8446 §2).
          this.ccsEncrypts = false;
          this.assembler.markEncrypted();
        }
        break;
      }
      case HandshakeType.ClientHello:
        if (this.side === 'client') f.secondClientHello = decodeClientHelloBody(body, f.recordVersion ?? 0, offset);
        break;
      case HandshakeType.Certificate:
        f.certificates = decodeCertificateList(body, offset);
        break;
      case HandshakeType.CertificateRequest:
        f.certificateRequested = true;
        break;
      case HandshakeType.ServerHelloDone:
        f.serverHelloDone = true;
        break;
      default:
        break;
    }
  }
}
