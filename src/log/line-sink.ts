/**
 * Where the proxy's JSON lines go: a file descriptor (stdout), in few large
 * writes made off the event loop, so a slow log reader never holds up traffic.
 *
 * Lines are copied into one of two batch buffers made at start-up, and a batch
 * goes out while the other fills. Why not pino's own destination (SonicBoom): on
 * every write it measures the UTF-8 length of the whole pending batch again, about
 * 20 µs per 5 KB TLS 1.2 record with 32 KiB batches. Why not strings joined per
 * batch (this sink's first design): a new 32 KiB buffer per batch cost ~11 µs of
 * CPU per 5 KB line, most of it in the kernel (fresh pages), against 2-4 µs for a
 * copy into a buffer that is reused.
 */
import * as fs from 'node:fs';

export interface LineSinkOptions {
  /** Lines wait until this many bytes are pending ... */
  readonly batchBytes: number;
  /** ... or at most this long, so a person tailing the log sees a record soon. */
  readonly maxDelayMs: number;
  /**
   * Memory bound: while this many bytes wait (the reader is not keeping up),
   * further lines are dropped and counted, and a line saying how many follows
   * the ones that were kept.
   */
  readonly maxPendingBytes: number;
}

/**
 * Each batch is a round trip through libuv's thread pool. With 32 KiB batches,
 * 5 KB TLS 1.2 records at ~430 connections/s made ~65 of them a second; at
 * 256 KiB the 100 ms timer sends most batches (~10 a second), and the proxy's
 * CPU per new connection read 14-51 µs lower in three paired runs. Batch
 * buffers are made once, so the larger size costs no page faults per batch
 * (it did in the first design, which measured worse with 256 KiB).
 */
export const DEFAULT_LINE_SINK_OPTIONS: LineSinkOptions = {
  batchBytes: 256 * 1024,
  maxDelayMs: 100,
  maxPendingBytes: 64 * 1024 * 1024,
};

/** A batch buffer holds this many batches: room to go on filling while the other is written. */
const BATCHES_PER_BUFFER = 4;
/** How long to wait before writing again to a non-blocking descriptor that was full. */
const FULL_RETRY_MS = 10;
/** At exit, how many times a full non-blocking descriptor is waited for before the rest is given up. */
const EXIT_RETRIES = 100;
/** The most bytes a JS string of n UTF-16 units takes as UTF-8. */
const MAX_UTF8_PER_UNIT = 3;

/** Atomics.wait on this is a plain sleep: nothing ever notifies it. */
const EXIT_SLEEP = new Int32Array(new SharedArrayBuffer(4));

export class LineSink {
  /** The buffer lines are copied into, and how much of it is used. */
  private filling: Buffer;
  private used = 0;
  /** The other batch buffer, when it is not being written. */
  private spare: Buffer | null;
  /**
   * Lines that did not fit into `filling` (a slow reader, or a line longer than a
   * buffer), in order: while any wait here, new lines queue behind them.
   */
  private overflow: string[] = [];
  /** Length of `overflow` in UTF-16 units: its bytes, for the ASCII lines the proxy writes. */
  private overflowChars = 0;
  private dropped = 0;
  private writing = false;
  private failed = false;
  private idle: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  /**
   * @param onError called once when the descriptor fails for good (EPIPE: the
   *   reader is gone); from then on lines are discarded and traffic still flows.
   */
  constructor(
    private readonly fd: number,
    private readonly onError: (err: NodeJS.ErrnoException) => void,
    private readonly options: LineSinkOptions = DEFAULT_LINE_SINK_OPTIONS,
  ) {
    const size = BATCHES_PER_BUFFER * options.batchBytes;
    this.filling = Buffer.allocUnsafe(size);
    this.spare = Buffer.allocUnsafe(size);
    this.timer = setInterval(() => this.writeBatch(), options.maxDelayMs).unref();
    process.on('exit', this.atExit);
  }

  /** pino's destination interface: one line, newline included. */
  write(line: string): boolean {
    if (!this.admit()) return false;
    this.append(line);
    this.sendIfDue();
    return true;
  }

  /**
   * One line already encoded as UTF-8, newline included (the connection
   * records' writer): copied as bytes, with no string made and encoded again.
   */
  writeBytes(line: Uint8Array): boolean {
    if (!this.admit()) return false;
    if (this.overflow.length === 0 && this.used + line.length <= this.filling.length) {
      this.filling.set(line, this.used);
      this.used += line.length;
    } else {
      this.append(Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8'));
    }
    this.sendIfDue();
    return true;
  }

  /** Whether a new line is taken: not once the descriptor failed, nor past the memory bound (counted). */
  private admit(): boolean {
    if (this.failed) return false;
    if (this.used + this.overflowChars < this.options.maxPendingBytes) return true;
    this.dropped++;
    return false;
  }

  private sendIfDue(): void {
    if (this.used >= this.options.batchBytes || this.overflow.length > 0) this.writeBatch();
  }

  /** Writes everything pending and resolves once it is out (or the descriptor has failed). */
  end(): Promise<void> {
    clearInterval(this.timer);
    process.off('exit', this.atExit);
    return new Promise((resolve) => {
      const drain = (): void => {
        if (this.failed || (!this.writing && this.used === 0 && this.overflow.length === 0 && this.dropped === 0)) return resolve();
        this.idle.push(drain);
        this.writeBatch();
      };
      drain();
    });
  }

  /** Copies `line` into the filling buffer, or queues it when it does not fit (or others queue already). */
  private append(line: string): void {
    if (this.overflow.length === 0 && this.copied(line)) return;
    this.overflow.push(line);
    this.overflowChars += line.length;
  }

  /** Moves queued lines into the (new) filling buffer while they fit, in order. */
  private refill(): void {
    let taken = 0;
    for (const line of this.overflow) {
      if (!this.copied(line)) break;
      this.overflowChars -= line.length;
      taken++;
    }
    if (taken > 0) this.overflow = this.overflow.slice(taken);
  }

  /** Copies `line` into the filling buffer when it surely fits; says whether it did. */
  private copied(line: string): boolean {
    if (this.used + MAX_UTF8_PER_UNIT * line.length > this.filling.length) return false;
    this.used += this.filling.write(line, this.used, 'utf8');
    return true;
  }

  private writeBatch(): void {
    if (this.writing || this.failed) return;
    const batch = this.takeBatch();
    if (batch === null) return this.settle();
    this.writing = true;
    this.writeFrom(batch, 0);
  }

  /**
   * The pending lines to write next (null when there are none), the drop notice
   * after the kept lines: the filling buffer's bytes, swapped for the spare one;
   * or, when only lines longer than a buffer wait, those lines encoded afresh.
   */
  private takeBatch(): Batch | null {
    if (this.dropped > 0) {
      // Follows exactly the lines kept before the drops began: nothing was added since.
      this.append(`${JSON.stringify({ level: 40, time: Date.now(), dropped: this.dropped, msg: 'log lines dropped: the output is not keeping up' })}\n`);
      this.dropped = 0;
    }
    if (this.used > 0) {
      const buffer = this.filling;
      const batch = { bytes: buffer.subarray(0, this.used), buffer };
      this.filling = this.spare ?? Buffer.allocUnsafe(buffer.length);
      this.spare = null;
      this.used = 0;
      this.refill();
      return batch;
    }
    if (this.overflow.length === 0) return null;
    const bytes = Buffer.from(this.overflow.join(''), 'utf8');
    this.overflow = [];
    this.overflowChars = 0;
    return { bytes, buffer: null };
  }

  /**
   * The process is exiting (process.exit, an uncaught error) with lines pending:
   * they are written now, synchronously. A batch still in flight may then land
   * after them; out of order beats lost, and each line carries its time.
   */
  private readonly atExit = (): void => {
    for (let batch = this.failed ? null : this.takeBatch(); batch !== null; batch = this.takeBatch()) {
      const bytes = batch.bytes;
      let offset = 0;
      for (let retries = 0; offset < bytes.length; ) {
        try {
          offset += fs.writeSync(this.fd, bytes, offset);
        } catch (err: unknown) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > EXIT_RETRIES) return;
          Atomics.wait(EXIT_SLEEP, 0, 0, FULL_RETRY_MS);
        }
      }
    }
  };

  private writeFrom(batch: Batch, offset: number): void {
    const bytes = batch.bytes;
    fs.write(this.fd, bytes, offset, bytes.length - offset, null, (err, written) => {
      if (err?.code === 'EAGAIN') {
        // A non-blocking pipe that is full: the reader will make room.
        setTimeout(() => this.writeFrom(batch, offset), FULL_RETRY_MS);
        return;
      }
      if (err) return this.fail(err);
      if (offset + written < bytes.length) return this.writeFrom(batch, offset + written);
      this.writing = false;
      if (batch.buffer !== null) this.spare = batch.buffer;
      if (this.used >= this.options.batchBytes || this.overflow.length > 0) this.writeBatch();
      else this.settle();
    });
  }

  private fail(err: NodeJS.ErrnoException): void {
    this.failed = true;
    this.writing = false;
    this.used = 0;
    this.overflow = [];
    this.overflowChars = 0;
    clearInterval(this.timer);
    process.off('exit', this.atExit);
    this.onError(err);
    this.settle();
  }

  /** Wakes whoever waits in {@link end} to look again. */
  private settle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const w of waiting) w();
  }
}

/** Bytes on their way out, and the batch buffer they sit in (returned for reuse once written). */
interface Batch {
  readonly bytes: Buffer;
  readonly buffer: Buffer | null;
}
