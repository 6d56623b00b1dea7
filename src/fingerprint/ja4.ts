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
import { ExtensionType, ProtocolVersion } from '../tls/constants.js';
import type { ClientHello } from '../tls/types.js';
import { AsciiScratch } from './ascii-scratch.js';
import { sha256Hex } from './digest.js';
import { isGrease } from './grease.js';

/** SSL 2.0's version number as its CLIENT-HELLO carries it (JA4 maps it to `s2`). */
const SSL2_VERSION = 0x0002;

/** What JA4 prints for a hash over an empty list, instead of sha256(""). */
const EMPTY_HASH = '000000000000';

const HEX_DIGITS = '0123456789abcdef';
const COMMA = 0x2c;
const UNDERSCORE = 0x5f;

/** Above this many codes, sorting leaves insertion sort (quadratic) for the typed-array sort. */
const INSERTION_SORT_MAX = 64;

/** Reused by every call: decoding is synchronous, so one set of buffers serves all. */
const scratch = new AsciiScratch();
let cipherCodes = new Uint16Array(64);
let extensionCodes = new Uint16Array(64);

/**
 * JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`) of a ClientHello received over TCP.
 */
export function ja4(hello: ClientHello): string {
  return render(hello, 'hashed');
}

/**
 * JA4_r, the raw form of {@link ja4}: the same ja4_a followed by the unhashed sorted
 * cipher list, the sorted extension list and (when there are any) the signature
 * algorithms, each after an `_`.
 */
export function ja4Raw(hello: ClientHello): string {
  return render(hello, 'raw');
}

/** ja4_b and ja4_c: the code list in the scratch buffer, or the first 12 hex digits of its SHA-256. */
function finish(w: AsciiScratch, form: 'hashed' | 'raw'): string {
  return form === 'raw' ? w.latin1() : sha256Hex(w.view()).slice(0, 12);
}

function render(hello: ClientHello, form: 'hashed' | 'raw'): string {
  if (cipherCodes.length < hello.cipherSuites.length) cipherCodes = new Uint16Array(hello.cipherSuites.length);
  let cipherCount = 0;
  for (const c of hello.cipherSuites) if (!isGrease(c)) cipherCodes[cipherCount++] = c;

  // Counted extensions include SNI and ALPN; hashed ones leave them out, since
  // ja4_a already shows them and ja4_c should not change with destination or ALPN.
  if (extensionCodes.length < hello.extensions.length) extensionCodes = new Uint16Array(hello.extensions.length);
  let extensionCount = 0;
  let hashedCount = 0;
  let sni = false;
  let supportedVersions = false;
  for (const { type } of hello.extensions) {
    if (isGrease(type)) continue;
    extensionCount++;
    if (type === ExtensionType.ServerName) {
      sni = true;
      continue;
    }
    if (type === ExtensionType.Alpn) continue;
    if (type === ExtensionType.SupportedVersions) supportedVersions = true;
    extensionCodes[hashedCount++] = type;
  }

  const a =
    't' +
    versionCode(hello, supportedVersions) +
    (sni ? 'd' : 'i') +
    count2(cipherCount) +
    count2(extensionCount) +
    alpnCode(hello.alpn[0]);

  const w = scratch;
  w.reset();
  writeSortedHexList(w, cipherCodes, cipherCount);
  const b = form === 'hashed' && cipherCount === 0 ? EMPTY_HASH : finish(w, form);

  // JA4 prints the empty hash when no extension is hashed, whatever the signature algorithms.
  let c = EMPTY_HASH;
  if (form === 'raw' || hashedCount > 0) {
    w.reset();
    writeSortedHexList(w, extensionCodes, hashedCount);
    let first = true;
    for (const s of hello.signatureAlgorithms) {
      if (isGrease(s)) continue;
      w.char(first ? UNDERSCORE : COMMA);
      first = false;
      w.hex4(s);
    }
    c = finish(w, form);
  }
  return `${a}_${b}_${c}`;
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

/**
 * The first n codes sorted numerically (the same order as sorting their 4-digit
 * hex), as 4-digit hex joined by `,`.
 */
function writeSortedHexList(w: AsciiScratch, codes: Uint16Array, n: number): void {
  if (n > INSERTION_SORT_MAX) codes.subarray(0, n).sort();
  else {
    for (let i = 1; i < n; i++) {
      const v = codes[i]!;
      let j = i - 1;
      while (j >= 0 && codes[j]! > v) {
        codes[j + 1] = codes[j]!;
        j--;
      }
      codes[j + 1] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    if (i > 0) w.char(COMMA);
    w.hex4(codes[i]!);
  }
}
