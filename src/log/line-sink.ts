/**
 * Where the proxy's JSON lines go: a file descriptor (stdout), in few large
 * writes made off the event loop, so a slow log reader never holds up traffic.
 *
 * Why not pino's own destination (SonicBoom): on every write it measures the
 * UTF-8 length of the whole pending batch again, which flattens it. With 5 KB
 * TLS 1.2 connection records and 32 KiB batches that cost about 20 µs per
 * record on the test VM, as much as serialising the record. Here a batch is an
 * array of lines joined once, when it is written.
 */
import * as fs from 'node:fs';

export interface LineSinkOptions {
  /** Lines wait until this many characters are pending ... */
  readonly batchChars: number;
  /** ... or at most this long, so a person tailing the log sees a record soon. */
  readonly maxDelayMs: number;
  /**
   * Memory bound: while this many characters wait (the reader is not keeping
   * up), further lines are dropped and counted, and a line saying how many
   * follows the ones that were kept.
   */
  readonly maxPendingChars: number;
}

export const DEFAULT_LINE_SINK_OPTIONS: LineSinkOptions = {
  batchChars: 32 * 1024,
  maxDelayMs: 100,
  maxPendingChars: 64 * 1024 * 1024,
};

/** How long to wait before writing again to a non-blocking descriptor that was full. */
const FULL_RETRY_MS = 10;
/** At exit, how many times a full non-blocking descriptor is waited for before the rest is given up. */
const EXIT_RETRIES = 100;

/** Atomics.wait on this is a plain sleep: nothing ever notifies it. */
const EXIT_SLEEP = new Int32Array(new SharedArrayBuffer(4));

export class LineSink {
  private lines: string[] = [];
  private chars = 0;
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
    this.timer = setInterval(() => this.writeBatch(), options.maxDelayMs).unref();
    process.on('exit', this.atExit);
  }

  /** pino's destination interface: one line, newline included. */
  write(line: string): boolean {
    if (this.failed) return false;
    if (this.chars >= this.options.maxPendingChars) {
      this.dropped++;
      return false;
    }
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.options.batchChars) this.writeBatch();
    return true;
  }

  /** Writes everything pending and resolves once it is out (or the descriptor has failed). */
  end(): Promise<void> {
    clearInterval(this.timer);
    process.off('exit', this.atExit);
    return new Promise((resolve) => {
      const drain = (): void => {
        if (this.failed || (!this.writing && this.lines.length === 0 && this.dropped === 0)) return resolve();
        this.idle.push(drain);
        this.writeBatch();
      };
      drain();
    });
  }

  private writeBatch(): void {
    if (this.writing || this.failed) return;
    const batch = this.takeBatch();
    if (batch === null) return this.settle();
    this.writing = true;
    this.writeFrom(batch, 0);
  }

  /** Everything pending as one buffer (null when nothing is), the drop notice last. */
  private takeBatch(): Buffer | null {
    if (this.dropped > 0) {
      // Follows exactly the lines kept before the drops began: nothing was added since.
      this.lines.push(`${JSON.stringify({ level: 40, time: Date.now(), dropped: this.dropped, msg: 'log lines dropped: the output is not keeping up' })}\n`);
      this.dropped = 0;
    }
    if (this.lines.length === 0) return null;
    const batch = Buffer.from(this.lines.join(''), 'utf8');
    this.lines = [];
    this.chars = 0;
    return batch;
  }

  /**
   * The process is exiting (process.exit, an uncaught error) with lines pending:
   * they are written now, synchronously. A batch still in flight may then land
   * after them; out of order beats lost, and each line carries its time.
   */
  private readonly atExit = (): void => {
    const batch = this.failed ? null : this.takeBatch();
    if (batch === null) return;
    let offset = 0;
    for (let retries = 0; offset < batch.length && retries < EXIT_RETRIES; ) {
      try {
        offset += fs.writeSync(this.fd, batch, offset);
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        retries++;
        Atomics.wait(EXIT_SLEEP, 0, 0, FULL_RETRY_MS);
      }
    }
  };

  private writeFrom(batch: Buffer, offset: number): void {
    fs.write(this.fd, batch, offset, batch.length - offset, null, (err, written) => {
      if (err?.code === 'EAGAIN') {
        // A non-blocking pipe that is full: the reader will make room.
        setTimeout(() => this.writeFrom(batch, offset), FULL_RETRY_MS);
        return;
      }
      if (err) return this.fail(err);
      if (offset + written < batch.length) return this.writeFrom(batch, offset + written);
      this.writing = false;
      if (this.chars >= this.options.batchChars) this.writeBatch();
      else this.settle();
    });
  }

  private fail(err: NodeJS.ErrnoException): void {
    this.failed = true;
    this.writing = false;
    this.lines = [];
    this.chars = 0;
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
