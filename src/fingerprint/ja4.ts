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
/** How much of each SHA-256 JA4 keeps. */
const HASH_DIGITS = 12;

const HEX_DIGITS = '0123456789abcdef';
const COMMA = 0x2c;
const UNDERSCORE = 0x5f;
const DIGIT_0 = 0x30;
const LETTER_T = 0x74;
const LETTER_D = 0x64;
const LETTER_I = 0x69;

/** Above this many codes, sorting leaves insertion sort (quadratic) for the typed-array sort. */
const INSERTION_SORT_MAX = 64;

/** Reused by every call: decoding is synchronous, so one set of buffers serves all. */
const scratch = new AsciiScratch();
/** Non-GREASE codes to sort and print; grown (never shrunk) for the longest list seen. */
let codeBuffer = new Uint16Array(256);

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

/** A buffer for `n` codes (the module's, grown when a hello has more). */
function codesFor(n: number): Uint16Array {
  if (codeBuffer.length < n) codeBuffer = new Uint16Array(n);
  return codeBuffer;
}

function render(hello: ClientHello, form: 'hashed' | 'raw'): string {
  const suites = hello.cipherSuites;
  const extensions = hello.extensionTypes;
  const signatureAlgorithms = hello.signatureAlgorithms;
  // One buffer, three areas: ciphers, hashed extensions, signature algorithms.
  const codes = codesFor(suites.length + extensions.length + signatureAlgorithms.length);
  let cipherCount = 0;
  for (let i = 0; i < suites.length; i++) {
    const c = suites[i]!;
    if (!isGrease(c)) codes[cipherCount++] = c;
  }

  // Counted extensions include SNI and ALPN; hashed ones leave them out, since
  // ja4_a already shows them and ja4_c should not change with destination or ALPN.
  const extensionsAt = suites.length;
  let extensionCount = 0;
  let hashedCount = 0;
  let sni = false;
  let supportedVersions = false;
  for (let i = 0; i < extensions.length; i++) {
    const type = extensions[i]!;
    if (isGrease(type)) continue;
    extensionCount++;
    if (type === ExtensionType.ServerName) sni = true;
    else if (type !== ExtensionType.Alpn) {
      if (type === ExtensionType.SupportedVersions) supportedVersions = true;
      codes[extensionsAt + hashedCount++] = type;
    }
  }
  const signaturesAt = extensionsAt + extensions.length;
  let signatureCount = 0;
  for (let i = 0; i < signatureAlgorithms.length; i++) {
    const s = signatureAlgorithms[i]!;
    if (!isGrease(s)) codes[signaturesAt + signatureCount++] = s;
  }

  const w = scratch;
  let b = EMPTY_HASH;
  if (form === 'raw' || cipherCount > 0) {
    w.reset();
    sortCodes(codes, 0, cipherCount);
    w.hexList(codes, 0, cipherCount, COMMA);
    b = finish(w, form);
  }
  // JA4 prints the empty hash when no extension is hashed, whatever the signature algorithms.
  let c = EMPTY_HASH;
  if (form === 'raw' || hashedCount > 0) {
    w.reset();
    sortCodes(codes, extensionsAt, extensionsAt + hashedCount);
    w.hexList(codes, extensionsAt, extensionsAt + hashedCount, COMMA);
    w.hexList(codes, signaturesAt, signaturesAt + signatureCount, COMMA, UNDERSCORE);
    c = finish(w, form);
  }
  // ja4_a (and the `_` after it) made in one go: a string per part and their
  // concatenation cost about a fifth of the fingerprint's time outside hashing.
  const version = versionCode(hello, supportedVersions);
  const alpn = alpnChars(hello.alpnNames[0]);
  const ciphers = Math.min(cipherCount, 99);
  const counted = Math.min(extensionCount, 99);
  const a = String.fromCharCode(
    LETTER_T,
    version.charCodeAt(0),
    version.charCodeAt(1),
    sni ? LETTER_D : LETTER_I,
    DIGIT_0 + Math.floor(ciphers / 10),
    DIGIT_0 + (ciphers % 10),
    DIGIT_0 + Math.floor(counted / 10),
    DIGIT_0 + (counted % 10),
    alpn >> 8,
    alpn & 0xff,
    UNDERSCORE,
  );
  return `${a}${b}_${c}`;
}

/** ja4_b and ja4_c: the code list in the scratch buffer, or the first 12 hex digits of its SHA-256. */
function finish(w: AsciiScratch, form: 'hashed' | 'raw'): string {
  return form === 'raw' ? w.latin1() : sha256Hex(w.view()).slice(0, HASH_DIGITS);
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
 * First and last character of the first ALPN protocol name, as two character
 * codes in one number (`h2` -> 0x6832); `00` when there is no
 * ALPN or the first name is empty. When either end byte is not 0-9A-Za-z, the
 * written definition takes the first and last digits of the name's hex form
 * instead (0xAB -> `ab`, 0x30 0xAB -> `3b`), which are the high nibble of the first
 * byte and the low nibble of the last. FoxIO's Python and Rust tools print `99`
 * there instead; we follow the written definition.
 */
function alpnChars(first: string | undefined): number {
  if (first === undefined || first.length === 0) return (DIGIT_0 << 8) | DIGIT_0;
  // Latin1: each char code is the byte.
  const head = first.charCodeAt(0);
  const tail = first.charCodeAt(first.length - 1);
  if (isAlphanumeric(head) && isAlphanumeric(tail)) return (head << 8) | tail;
  return (HEX_DIGITS.charCodeAt(head >> 4) << 8) | HEX_DIGITS.charCodeAt(tail & 0x0f);
}

function isAlphanumeric(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) // a-z
  );
}

/**
 * Sorts codes[from..to) numerically, which is the order of their 4-digit hex
 * forms: insertion sort for the short lists of real hellos, the typed-array sort
 * beyond (insertion sort is quadratic).
 */
function sortCodes(codes: Uint16Array, from: number, to: number): void {
  if (to - from > INSERTION_SORT_MAX) {
    codes.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = codes[i]!;
    let j = i - 1;
    while (j >= from && codes[j]! > v) {
      codes[j + 1] = codes[j]!;
      j--;
    }
    codes[j + 1] = v;
  }
}
