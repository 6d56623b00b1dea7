/** SPEC's alert object. */
import { alertLevelName, alertName } from '../tls/iana.js';
import type { AlertRecord } from '../tls/types.js';

export interface AlertJson {
  level: string;
  description: string;
  /** null when the alert was encrypted (TLS 1.3) and only its shape was seen. */
  code: number | null;
  /** Present and true for an alert recognised by its shape, not read. */
  encrypted?: true;
}

export function alertJson(alert: AlertRecord): AlertJson {
  return { level: alertLevelName(alert.level), description: alertName(alert.code), code: alert.code };
}

/**
 * A TLS 1.3 alert seen only as a 19-byte encrypted record followed by a close.
 * Its level and description are unknowable; a close right after it makes it
 * fatal in effect.
 */
export function encryptedAlertJson(): AlertJson {
  return { level: 'fatal', description: 'encrypted_alert', code: null, encrypted: true };
}
