/**
 * Whole `hello` objects for the proxy's records, made once per distinct hello.
 *
 * A client stack sends the same ClientHello on every connection except for
 * bytes the record does not show: the random, the session id, the key share
 * values, PSK identities. So the `hello` object (names, JA3, JA4) repeats
 * exactly. Building and writing it was ~30 µs of the ~50 µs a record cost each
 * connection under the TLS 1.2 handshake bench (the same work takes ~4.5 µs
 * in a quiet process). Each distinct one is kept frozen and marked
 * {@link serializeOnce}: the next record shares the object and the writer
 * copies its JSON. At most ~3 MB in all.
 *
 * A hello is kept from its second sighting: Chrome shuffles its extensions on
 * every connection, so its hellos never repeat, and keeping each would only
 * churn the cache. The lists inside still come from {@link RECORD_LISTS}.
 */
import { LRUCache } from 'lru-cache';
import type { ClientHello } from '../tls/types.js';
import { helloJson, type HelloJson } from './hello-json.js';
import { serializeOnce } from './json-writer.js';
import { type HelloLists, RECORD_LISTS } from './remembered-lists.js';

/** Distinct hellos kept: a few client stacks, times their SNIs and GREASE values. */
const MAX_KEPT_HELLOS = 512;
/** Hellos seen once, waiting for a second sighting. */
const MAX_SEEN_ONCE = 1024;
/** Hellos with more values than this (all lists together) are built afresh. */
const MAX_KEY_UNITS = 2048;

export class RememberedHellos {
  private readonly kept = new LRUCache<string, HelloJson>({ max: MAX_KEPT_HELLOS });
  private readonly seenOnce = new LRUCache<string, true>({ max: MAX_SEEN_ONCE });

  constructor(private readonly lists: HelloLists = RECORD_LISTS) {}

  /** {@link helloJson} of `hello`, shared with earlier records when the same hello was seen before. */
  get(hello: ClientHello, bytes: number, records: number): HelloJson {
    const key = hello.format === 'tls' ? helloKey(hello, bytes, records) : null;
    if (key === null) return helloJson(hello, bytes, records, this.lists);
    const kept = this.kept.get(key);
    if (kept !== undefined) return kept;
    const json = helloJson(hello, bytes, records, this.lists);
    if (this.seenOnce.get(key) === undefined) {
      this.seenOnce.set(key, true);
      return json;
    }
    this.seenOnce.delete(key);
    this.kept.set(key, serializeOnce(json));
    return json;
  }
}

/** The `hello` objects every record of this process shares. */
export const RECORD_HELLOS = new RememberedHellos();

/** Reused between calls (decoding is synchronous): the key's UTF-16 code units. */
const units: number[] = [];

/**
 * Everything {@link helloJson} reads, as a string of 16-bit code units. Each
 * list and string is preceded by its length, so no two hellos share a key;
 * wire codes are 16-bit and fit one unit each. Null when the hello is too
 * large to be worth a key.
 */
function helloKey(h: ClientHello, bytes: number, records: number): string | null {
  units.length = 0;
  units.push(h.recordVersion, h.legacyVersion, bytes & 0xffff, bytes >>> 16, records & 0xffff, records >>> 16);
  pushText(h.sni);
  pushList(h.supportedVersions);
  pushList(h.cipherSuites);
  pushList(h.extensionTypes);
  pushList(h.groups);
  pushList(h.ecPointFormats);
  pushList(h.signatureAlgorithms);
  pushList(h.keyShareGroups);
  units.push(h.alpnNames.length);
  for (const name of h.alpnNames) pushText(name);
  if (units.length > MAX_KEY_UNITS) return null;
  return String.fromCharCode.apply(null, units);
}

function pushList(codes: readonly number[]): void {
  units.push(codes.length);
  for (const c of codes) units.push(c);
}

/** A string unit by unit, after its length; null as a length no string has (65535 units is past MAX_KEY_UNITS). */
function pushText(s: string | null): void {
  if (s === null) {
    units.push(0xffff);
    return;
  }
  units.push(s.length);
  for (let i = 0; i < s.length; i++) units.push(s.charCodeAt(i));
}
