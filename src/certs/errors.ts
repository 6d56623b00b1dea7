/** Why some bytes could not be read as an X.509 certificate. */
export type CertParseErrorCode =
  /** The DER ended inside an element, or a length points past its container. */
  | 'TRUNCATED'
  /** A length encoding DER forbids (indefinite, non-minimal, over 4 bytes). */
  | 'BAD_LENGTH'
  /** An element of the wrong type where X.509 requires a specific one. */
  | 'UNEXPECTED_TAG'
  /** An element holds a value the format forbids (bad OID, bad time, bad IP length). */
  | 'BAD_VALUE'
  /** Bytes follow the end of the certificate. */
  | 'TRAILING_BYTES'
  /** The structure reads as X.509 but OpenSSL (through node:crypto) refuses it. */
  | 'REJECTED';

/** A typed parse error carrying the byte offset (in the certificate's DER) at which reading failed. */
export class CertParseError extends Error {
  override readonly name = 'CertParseError';
  constructor(
    readonly code: CertParseErrorCode,
    message: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at byte ${offset})`, options);
  }
}

export function isCertParseError(err: unknown): err is CertParseError {
  return err instanceof CertParseError;
}
