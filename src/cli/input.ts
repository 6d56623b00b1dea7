/** Reading user-supplied input for CLI commands; failures become UsageError (exit 2). */
import { readFile } from 'node:fs/promises';

/** A problem with how the command was called or what it was given: exit 2, one line, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads FILE, or stdin when FILE is absent or '-'. */
export async function readInput(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read ${file}: ${code}`, { cause: err });
  }
}

/** Hex text to bytes; whitespace (and an optional 0x prefix per token) ignored. */
export function parseHex(text: string): Buffer {
  const clean = text.replace(/0x/gi, '').replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new UsageError(`hex input has an odd number of digits (${clean.length})`);
  const bad = /[^0-9a-f]/i.exec(clean);
  if (bad) throw new UsageError(`hex input has a non-hex character '${bad[0]}' at digit ${bad.index}`);
  return Buffer.from(clean, 'hex');
}
