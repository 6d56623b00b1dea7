/**
 * The buffers the server's bytes are read into (one per passthrough
 * connection, see Session's onUpstreamRead), kept for the next connection
 * when one ends.
 *
 * Why: a fresh 64 KiB buffer per connection cost 16-26 µs of proxy CPU per new
 * TLS 1.2 connection under the handshake bench (three paired runs, 16-24
 * rounds): fresh pages to fault in, and memory outside V8's heap that V8 counts
 * and answers with extra collections. A few dozen kept buffers cover the
 * connections that open while others close.
 */

export class ReadBufferPool {
  private readonly spare: Buffer[] = [];

  /**
   * @param size bytes per buffer
   * @param keep the most buffers kept while unused (the memory held: keep × size)
   */
  constructor(
    readonly size: number,
    readonly keep: number,
  ) {}

  /** A buffer of `size` bytes, kept from an ended connection when there is one. Its bytes are stale. */
  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /**
   * Gives back a buffer nothing will read into or write from any more; the
   * caller keeps no reference. Kept for reuse while fewer than `keep` are.
   */
  give(buffer: Buffer): void {
    if (this.spare.length < this.keep && buffer.length === this.size) this.spare.push(buffer);
  }

  /** Buffers kept for reuse now. */
  get kept(): number {
    return this.spare.length;
  }
}

/** One read from the server at most: Node's own read size. */
const READ_BUFFER_BYTES = 64 * 1024;

/** Up to 4 MiB kept: the process's passthrough connections share it. */
export const SERVER_READ_BUFFERS = new ReadBufferPool(READ_BUFFER_BYTES, 64);
