/**
 * A `stream.Duplex` over a raw TCP socket, for a `tls.TLSSocket` to run on.
 *
 * Why not hand the `net.Socket` itself to `tls.TLSSocket` (after `unshift`ing
 * the bytes already read, which Node's TLS code feeds to OpenSSL first: its
 * `initRead`): on the native handle OpenSSL reads from and writes to the kernel
 * directly, and tlspeek sees neither leg's bytes. Node's APIs give back only
 * part of what the record takes from them (alerts OpenSSL received, the chain
 * as Node rebuilds it, the negotiated version and suite, byte counts through
 * `bytesRead`); they do not give:
 * - the alert tlspeek's own OpenSSL sends a client it refuses (70, 40 ...):
 *   `inject.alertSent`, and with it the outcome and cause of such connections;
 *   nor whether tlspeek's first flight had gone out when a client gave up;
 * - what the upstream said in a handshake that failed (its ServerHello: the
 *   version it chose, a HelloRetryRequest), a TLS 1.2 CertificateRequest, the
 *   chain exactly as sent, the encrypted records that followed, bytes that
 *   were not TLS at all.
 * So both TLS sockets of the inject path run on this Duplex (Node wraps it in
 * a JS stream handle), and the taps see every byte.
 *
 * It costs, measured with bench/proxy.ts (2 cores, TLS 1.3 both legs): about
 * 6 s of proxy CPU per GiB relayed, against about 3.6 s with both TLS sockets
 * on their native handles (about 4.2 s with only the client's), and 10-20% more
 * CPU per new connection. The JS stream handle completes each write on
 * the next turn of the event loop; there is no cheaper public way to put TLS
 * on bytes tlspeek must see.
 *
 * Reading yields `preface` first, then the socket's data; every chunk read or
 * written passes through the taps; backpressure holds both ways (a full read
 * buffer pauses the socket, a write completes when the socket has taken it).
 *
 * The socket stays the caller's: errors on it are not re-emitted here (the
 * caller listens to the socket itself and sees resets first hand). Ending the
 * Duplex's writable side ends the socket (FIN after pending writes); destroying
 * the Duplex ends the socket gracefully, so an alert OpenSSL wrote just before
 * giving up still goes out.
 */
import { Duplex } from 'node:stream';
import type net from 'node:net';

export interface WireTaps {
  /** Every chunk read from the socket (not the preface), before TLS sees it. */
  readonly onRead?: (chunk: Buffer) => void;
  /** Every chunk TLS writes to the socket. */
  readonly onWrite?: (chunk: Buffer) => void;
}

export class WireDuplex extends Duplex {
  private preface: Buffer[] | null;
  private started = false;

  constructor(
    private readonly socket: net.Socket,
    preface: readonly Buffer[],
    private readonly taps: WireTaps = {},
  ) {
    super({ allowHalfOpen: true });
    this.preface = [...preface];
    socket.pause();
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    // A reset or a close without FIN ends the readable side too, so TLS sees EOF.
    socket.on('close', this.onEnd);
  }

  override _read(): void {
    if (!this.started) {
      this.started = true;
      for (const chunk of this.preface ?? []) this.push(chunk);
      this.preface = null;
    }
    if (!this.socket.destroyed) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.taps.onWrite?.(chunk);
    if (this.socket.destroyed || this.socket.writableEnded) return callback();
    if (this.socket.write(chunk)) return callback();
    const done = () => {
      this.socket.off('drain', done);
      this.socket.off('close', done);
      callback();
    };
    this.socket.on('drain', done);
    this.socket.on('close', done);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    if (!this.socket.destroyed) this.socket.destroySoon();
    callback(error);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.taps.onRead?.(chunk);
    if (!this.push(chunk)) this.socket.pause();
  };

  private readonly onEnd = (): void => {
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    // Bytes still owed from the preface go first.
    if (!this.started) {
      this.started = true;
      for (const chunk of this.preface ?? []) this.push(chunk);
      this.preface = null;
    }
    this.push(null);
  };
}
