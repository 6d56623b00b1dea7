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
import type { ClientHello } from '../tls/types.js';
import { AsciiScratch } from './ascii-scratch.js';
import { md5Hex } from './digest.js';
import { isGrease } from './grease.js';

const COMMA = 0x2c;
const DASH = 0x2d;

const scratch = new AsciiScratch();

/** Decimal values joined by `-`, GREASE dropped when `dropGrease`. */
function writeList(w: AsciiScratch, values: readonly number[], dropGrease: boolean): void {
  let first = true;
  for (const v of values) {
    if (dropGrease && isGrease(v)) continue;
    if (!first) w.char(DASH);
    first = false;
    w.decimal(v);
  }
}

/** Writes the JA3 string into the scratch buffer. */
function writeJa3(w: AsciiScratch, hello: ClientHello): void {
  w.reset();
  w.decimal(hello.legacyVersion);
  w.char(COMMA);
  writeList(w, hello.cipherSuites, true);
  w.char(COMMA);
  writeList(w, hello.extensionTypes, true);
  w.char(COMMA);
  writeList(w, hello.groups, true);
  w.char(COMMA);
  writeList(w, hello.ecPointFormats, false);
}

/** The JA3 input string (`771,4865-4866,...,29-23-24,0`) before hashing. */
export function ja3String(hello: ClientHello): string {
  writeJa3(scratch, hello);
  return scratch.latin1();
}

/** The JA3 fingerprint: MD5 of {@link ja3String}, lower-case hex. */
export function ja3(hello: ClientHello): string {
  writeJa3(scratch, hello);
  return md5Hex(scratch.view());
}

/** {@link ja3} and {@link ja3String} together, building the string once. */
export function ja3WithString(hello: ClientHello): { ja3: string; ja3String: string } {
  writeJa3(scratch, hello);
  // Hashed from the bytes: hashing the string would copy it back into bytes first.
  return { ja3: md5Hex(scratch.view()), ja3String: scratch.latin1() };
}
