/**
 * The log as lines, streamed: a file or stdin, gunzipped on the fly when it
 * starts with gzip's magic (rotated logs are usually compressed). Nothing
 * holds more than a chunk and the current line.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** RFC 1952 section 2.3.1: ID1 ID2. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The input could not be opened or read; `code` is the errno or zlib code. */
export class LogInputError extends Error {
  override readonly name = 'LogInputError';
  constructor(
    readonly source: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`cannot read ${source}: ${code}`, options);
  }
}

/** FILE, or stdin when FILE is absent or '-'. Throws LogInputError when FILE cannot be opened. */
export async function openLog(file: string | undefined): Promise<Readable> {
  if (file === undefined || file === '-') return process.stdin;
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream();
  } catch (err: unknown) {
    throw new LogInputError(file, errorCode(err), { cause: err });
  }
}

/** Every line of `input` (gunzipped when compressed), without line endings. Read errors become LogInputError. */
export async function* readLines(input: Readable, source: string): AsyncGenerator<string> {
  try {
    const rl = createInterface({ input: await gunzipIfCompressed(input), crlfDelay: Infinity });
    for await (const line of rl) yield line;
  } catch (err: unknown) {
    throw new LogInputError(source, errorCode(err), { cause: err });
  }
}

/** Reads the first bytes, then replays them ahead of the rest, through gunzip when they are gzip's magic. */
async function gunzipIfCompressed(input: Readable): Promise<Readable> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < GZIP_MAGIC.length) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = asBuffer(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield asBuffer(next.value);
    }
  }
  const body = Readable.from(replay(), { objectMode: false });
  const first = Buffer.concat(head);
  if (first[0] !== GZIP_MAGIC[0] || first[1] !== GZIP_MAGIC[1]) return body;
  const gunzip = createGunzip();
  // An error on either side destroys both; readline's iterator then rejects with it.
  pipeline(body, gunzip, () => undefined);
  return gunzip;
}

const asBuffer = (chunk: Buffer | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : 'error';
}
