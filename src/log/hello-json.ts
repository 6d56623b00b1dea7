/**
 * SPEC's `hello` object: what the client offered, with IANA names, in wire
 * order, GREASE kept (shown as 0xHHHH), plus JA3/JA4.
 */
import { ja3WithString } from '../fingerprint/ja3.js';
import { ja4 } from '../fingerprint/ja4.js';
import { groupNames, versionName, versionNames } from '../tls/iana.js';
import type { ClientHello } from '../tls/types.js';
import { FRESH_LISTS, type HelloLists } from './remembered-lists.js';

export interface HelloJson {
  /** 'sslv2' only for an SSLv2-compatible CLIENT-HELLO; absent for TLS. */
  format?: 'sslv2';
  sni: string | null;
  recordVersion: string;
  legacyVersion: string;
  supportedVersions: string[];
  cipherSuites: readonly string[];
  cipherSuiteCodes: readonly number[];
  extensions: readonly number[];
  alpn: readonly string[];
  groups: readonly string[];
  keyShareGroups: string[];
  signatureAlgorithms: readonly string[];
  ja3: string | null;
  ja3String: string | null;
  ja4: string | null;
  bytes: number;
  records: number;
}

/**
 * Builds the `hello` object; `bytes`/`records` say how much of the stream the hello
 * took. The proxy's records get theirs through RECORD_HELLOS (remembered-hellos.ts),
 * which passes its remembered lists (RECORD_LISTS) and shares whole repeated hellos.
 */
export function helloJson(hello: ClientHello, bytes: number, records: number, lists: HelloLists = FRESH_LISTS): HelloJson {
  const tls = hello.format === 'tls';
  const suites = lists.cipherSuites(hello.cipherSuites);
  // JA3 and JA4 are defined over TLS ClientHellos only.
  const j3 = tls ? ja3WithString(hello) : null;
  const json: HelloJson = {
    sni: hello.sni,
    recordVersion: versionName(hello.recordVersion),
    legacyVersion: versionName(hello.legacyVersion),
    supportedVersions: versionNames(hello.supportedVersions),
    cipherSuites: suites.names,
    cipherSuiteCodes: suites.codes,
    // The decoded hello's own list: it is made for this record and never changes.
    extensions: hello.extensionTypes,
    alpn: hello.alpnNames,
    groups: lists.groups(hello.groups).names,
    keyShareGroups: groupNames(hello.keyShareGroups),
    signatureAlgorithms: lists.signatureAlgorithms(hello.signatureAlgorithms).names,
    ja3: j3 === null ? null : j3.ja3,
    ja3String: j3 === null ? null : j3.ja3String,
    ja4: tls ? ja4(hello) : null,
    bytes,
    records,
  };
  // `format` leads the object when present; SSLv2 hellos are rare enough to pay for the copy.
  return tls ? json : { format: 'sslv2', ...json };
}
