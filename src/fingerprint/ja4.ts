/**
 * JA4 client fingerprint for TLS over TCP, as written in FoxIO's definition
 * (github.com/FoxIO-LLC/ja4, technical_details/JA4.md):
 *
 *   ja4_a  t<version><d|i><ciphers:2><extensions:2><alpn:2>
 *   ja4_b  sha256(sorted cipher codes)[0..12]
 *   ja4_c  sha256(sorted extension codes without SNI and ALPN
 *                 [ "_" signature algorithms in wire order ])[0..12]
 *
 * Codes are 4-digit lower-case hex joined by `,`. GREASE (RFC 8701) is ignored
 * everywhere: in ciphers, extensions, supported_versions and signature
 * algorithms. The last is the written rule and FoxIO's Python; their Rust,
 * Zeek and Wireshark code hashed GREASE signature algorithms until
 * FoxIO-LLC/ja4#305, which matters only for clients that put GREASE there.
 */
import { createHash } from 'node:crypto';

import { ExtensionType, ProtocolVersion } from '../tls/constants.js';
import type { ClientHello } from '../tls/types.js';
import { isGrease } from './grease.js';

/** SSL 2.0's version number as its CLIENT-HELLO carries it (JA4 maps it to `s2`). */
const SSL2_VERSION = 0x0002;

/** What JA4 prints for a hash over an empty list, instead of sha256(""). */
const EMPTY_HASH = '000000000000';

const HEX_DIGITS = '0123456789abcdef';

/** The four pieces both renderings are built from. */
interface Ja4Parts {
  /** ja4_a, e.g. `t13d1516h2`. */
  readonly a: string;
  /** Sorted cipher codes, `002f,0035,...`; empty when none. */
  readonly ciphers: string;
  /** Sorted extension codes without SNI and ALPN; empty when none. */
  readonly extensions: string;
  /** Signature algorithms in wire order; empty when none. */
  readonly signatureAlgorithms: string;
}

/**
 * JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`) of a ClientHello received over TCP.
 */
export function ja4(hello: ClientHello): string {
  const p = ja4Parts(hello);
  const b = p.ciphers === '' ? EMPTY_HASH : hash12(p.ciphers);
  const c =
    p.extensions === ''
      ? EMPTY_HASH
      : hash12(p.signatureAlgorithms === '' ? p.extensions : `${p.extensions}_${p.signatureAlgorithms}`);
  return `${p.a}_${b}_${c}`;
}

/**
 * JA4_r, the raw form of {@link ja4}: the same ja4_a followed by the unhashed sorted
 * cipher list, the sorted extension list and (when there are any) the signature
 * algorithms, each after an `_`.
 */
export function ja4Raw(hello: ClientHello): string {
  const p = ja4Parts(hello);
  const sigs = p.signatureAlgorithms === '' ? '' : `_${p.signatureAlgorithms}`;
  return `${p.a}_${p.ciphers}_${p.extensions}${sigs}`;
}

function ja4Parts(hello: ClientHello): Ja4Parts {
  const ciphers: number[] = [];
  for (const c of hello.cipherSuites) if (!isGrease(c)) ciphers.push(c);

  // Counted extensions include SNI and ALPN; hashed ones leave them out, since
  // ja4_a already shows them and ja4_c should not change with destination or ALPN.
  let extensionCount = 0;
  let sni = false;
  let supportedVersions = false;
  const hashed: number[] = [];
  for (const { type } of hello.extensions) {
    if (isGrease(type)) continue;
    extensionCount++;
    if (type === ExtensionType.ServerName) {
      sni = true;
      continue;
    }
    if (type === ExtensionType.Alpn) continue;
    if (type === ExtensionType.SupportedVersions) supportedVersions = true;
    hashed.push(type);
  }

  let signatureAlgorithms = '';
  for (const s of hello.signatureAlgorithms) {
    if (isGrease(s)) continue;
    signatureAlgorithms = signatureAlgorithms === '' ? hex4(s) : `${signatureAlgorithms},${hex4(s)}`;
  }

  const a =
    't' +
    versionCode(hello, supportedVersions) +
    (sni ? 'd' : 'i') +
    count2(ciphers.length) +
    count2(extensionCount) +
    alpnCode(hello.alpn[0]);

  return {
    a,
    ciphers: sortedHexList(ciphers),
    extensions: sortedHexList(hashed),
    signatureAlgorithms,
  };
}

/**
 * The highest non-GREASE supported_versions entry when that extension is present
 * (TLS 1.3 hellos keep legacy_version at 0x0303), else legacy_version. The record
 * version is never used. A supported_versions holding only GREASE offers no known
 * version: `00`, rather than falling back to legacy_version, which a TLS 1.3 server
 * must ignore when the extension is present (RFC 8446 §4.2.1). FoxIO's tools fail
 * on such a hello and print nothing.
 */
function versionCode(hello: ClientHello, supportedVersionsPresent: boolean): string {
  let version = hello.legacyVersion;
  if (supportedVersionsPresent) {
    version = -1;
    for (const v of hello.supportedVersions) if (!isGrease(v) && v > version) version = v;
  }
  switch (version) {
    case ProtocolVersion.TLSv1_3:
      return '13';
    case ProtocolVersion.TLSv1_2:
      return '12';
    case ProtocolVersion.TLSv1_1:
      return '11';
    case ProtocolVersion.TLSv1:
      return '10';
    case ProtocolVersion.SSLv3:
      return 's3';
    case SSL2_VERSION:
      return 's2';
    default:
      return '00';
  }
}

/**
 * First and last character of the first ALPN protocol name; `00` when there is no
 * ALPN or the first name is empty. When either end byte is not 0-9A-Za-z, the
 * written definition takes the first and last digits of the name's hex form
 * instead (0xAB -> `ab`, 0x30 0xAB -> `3b`), which are the high nibble of the first
 * byte and the low nibble of the last. FoxIO's Python and Rust tools print `99`
 * there instead; we follow the written definition.
 */
function alpnCode(first: Buffer | undefined): string {
  if (first === undefined || first.length === 0) return '00';
  const head = first.readUInt8(0);
  const tail = first.readUInt8(first.length - 1);
  if (isAlphanumeric(head) && isAlphanumeric(tail)) return String.fromCharCode(head, tail);
  return HEX_DIGITS.charAt(head >> 4) + HEX_DIGITS.charAt(tail & 0x0f);
}

function isAlphanumeric(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) // a-z
  );
}

/** Two decimal digits, capped at 99. */
function count2(n: number): string {
  return n > 99 ? '99' : n < 10 ? `0${n}` : String(n);
}

/** Values sorted numerically (the same order as sorting their 4-digit hex) and joined by `,`. */
function sortedHexList(values: readonly number[]): string {
  let out = '';
  for (const v of Uint16Array.from(values).sort()) out = out === '' ? hex4(v) : `${out},${hex4(v)}`;
  return out;
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function hash12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}
