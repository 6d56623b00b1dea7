/** Alert protocol (RFC 5246 §7.2, RFC 8446 §6). */
import { ByteReader } from './byte-reader.js';
import type { AlertRecord } from './types.js';

/** The first alert in a plaintext alert record. */
export function decodeAlert(fragment: Buffer, baseOffset = 0): AlertRecord {
  const r = new ByteReader(fragment, 0, fragment.length, baseOffset);
  return { level: r.u8('alert level'), code: r.u8('alert description') };
}

/**
 * In TLS 1.3 every record after ServerHello is application_data (RFC 8446 §5.2):
 * an alert is 2 bytes of alert, 1 byte of inner content type and a 16-byte AEAD
 * tag, a 19-byte record. Such a record followed by a close is the shape of an
 * alert we cannot read. (TLS 1.2 keeps the alert content type visible.)
 */
export const TLS13_ENCRYPTED_ALERT_LENGTH = 19;

export function hasEncryptedAlertShape(fragmentLength: number): boolean {
  return fragmentLength === TLS13_ENCRYPTED_ALERT_LENGTH;
}
