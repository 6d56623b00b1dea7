/** Why a byte stream could not be read as TLS. */
export type TlsParseErrorCode =
  /** The input ended inside a record or message. */
  | 'TRUNCATED'
  /** A length field disagrees with its container or exceeds a protocol limit. */
  | 'BAD_LENGTH'
  /** The first record is not a handshake record (e.g. plain HTTP, garbage). */
  | 'NOT_HANDSHAKE'
  /** A record header that no TLS version writes (bad content type or version). */
  | 'BAD_RECORD'
  /** A handshake message of the wrong type where a specific one is required. */
  | 'UNEXPECTED_MESSAGE'
  /** A field holds a value the protocol forbids (e.g. odd-length cipher list). */
  | 'BAD_VALUE'
  /** More bytes were buffered than the caller's cap allows. */
  | 'TOO_LARGE';

/** A typed parse error carrying the byte offset at which reading failed. */
export class TlsParseError extends Error {
  override readonly name = 'TlsParseError';
  constructor(
    readonly code: TlsParseErrorCode,
    message: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at byte ${offset})`, options);
  }
}

export function isTlsParseError(err: unknown): err is TlsParseError {
  return err instanceof TlsParseError;
}
