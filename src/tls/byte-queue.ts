/**
 * A FIFO of byte chunks. Taking n bytes copies only when they straddle chunks,
 * so a stream fed one byte at a time costs O(n), not O(n²) as repeated
 * Buffer.concat would.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Byte at position i from the front; caller guarantees i < length. */
  peek(i: number): number {
    let idx = this.head + i;
    for (const c of this.chunks) {
      if (idx < c.length) return c[idx]!;
      idx -= c.length;
    }
    throw new RangeError(`peek(${i}) past end of queue (${this.total})`);
  }

  /** Removes and returns the first n bytes; caller guarantees n <= length. */
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined || n === 0) return Buffer.alloc(0);
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      const want = Math.min(avail, n - written);
      c.copy(out, written, this.head, this.head + want);
      written += want;
      this.advance(want);
    }
    return out;
  }

  /** Drops the first n bytes (a header already read with peek); caller guarantees n <= length. */
  skip(n: number): void {
    this.advance(n);
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.total = 0;
  }

  private advance(n: number): void {
    this.total -= n;
    this.head += n;
    while (this.chunks.length > 0 && this.head >= this.chunks[0]!.length) {
      this.head -= this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}
