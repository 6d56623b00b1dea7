/**
 * A `stream.Duplex` over a raw TCP socket, for a `tls.TLSSocket` to run on.
 *
 * Why not hand the `net.Socket` itself to `tls.TLSSocket`: TLS then attaches to
 * the socket's native handle and reads from the kernel directly. The bytes the
 * session already read (the ClientHello, and anything after it) are no longer
 * in the kernel; they reach OpenSSL only if they sit in the socket's JS buffer
 * (`unshift`) when Node's TLS code happens to drain it once at start-up, an
 * internal detail, not a contract. And on the native path tlspeek could not see
 * the bytes of either leg, which the connection record needs (the client's and
 * the upstream's alerts in clear, the certificates the upstream sent, byte
 * counts).
 *
 * So the TLS sockets of the inject path run on this Duplex (Node wraps it in a
 * JS stream handle): reading yields `preface` first, then the socket's data;
 * every chunk read or written passes through the taps; backpressure holds both
 * ways (a full read buffer pauses the socket, a write completes when the socket
 * has taken it). Measured on loopback, bulk throughput is the same as on the
 * native handle.
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
