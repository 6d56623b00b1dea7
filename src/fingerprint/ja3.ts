/**
 * JA3 client fingerprint, as published by Salesforce (github.com/salesforce/ja3):
 *
 *   SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
 *
 * Each field is a list of decimal values joined by `-` (empty when there are none);
 * the fingerprint is the MD5 of that string in lower-case hex. SSLVersion is
 * ClientHello.legacy_version (client_version), not the record version and not
 * supported_versions: a TLS 1.3 hello therefore reports 771. GREASE (RFC 8701) is
 * removed from ciphers, extensions and curves; point formats are one byte and
 * cannot carry GREASE.
 */
import { createHash } from 'node:crypto';

import type { ClientHello } from '../tls/types.js';
import { isGrease } from './grease.js';

/** Decimal values without GREASE, joined by `-`. */
function joinWithoutGrease(values: readonly number[]): string {
  let out = '';
  for (const v of values) {
    if (isGrease(v)) continue;
    out = out === '' ? String(v) : `${out}-${v}`;
  }
  return out;
}

/** The JA3 input string (`771,4865-4866,...,29-23-24,0`) before hashing. */
export function ja3String(hello: ClientHello): string {
  let extensions = '';
  for (const ext of hello.extensions) {
    if (isGrease(ext.type)) continue;
    extensions = extensions === '' ? String(ext.type) : `${extensions}-${ext.type}`;
  }
  return [
    String(hello.legacyVersion),
    joinWithoutGrease(hello.cipherSuites),
    extensions,
    joinWithoutGrease(hello.groups),
    hello.ecPointFormats.join('-'),
  ].join(',');
}

/** The JA3 fingerprint: MD5 of {@link ja3String}, lower-case hex. */
export function ja3(hello: ClientHello): string {
  return createHash('md5').update(ja3String(hello)).digest('hex');
}
