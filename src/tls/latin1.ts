/**
 * Bytes as a latin1 string (one char per byte, as sent). Short names (ALPN's
 * `h2`, `http/1.1`) are built in JS: a native `toString` costs about as much as
 * a dozen concatenations of interned one-char strings. Longer ones go native.
 */

/** Up to this many bytes, JS concatenation beats the native call. */
const SHORT = 10;

/** `CHARS[b]` is the one-char string for byte b. */
const CHARS: readonly string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/** `buf[start..end)` as latin1. */
export function latin1(buf: Buffer, start = 0, end = buf.length): string {
  if (end - start > SHORT) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) s += CHARS[buf[i]!]!;
  return s;
}
