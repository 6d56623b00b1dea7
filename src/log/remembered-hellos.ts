/**
 * Whole `hello` objects for the proxy's records, made once per distinct hello.
 *
 * A client stack sends the same ClientHello on every connection except for
 * bytes the record does not show: the random, the session id, the key share
 * values, PSK identities. So the `hello` object (names, JA3, JA4) repeats
 * exactly. Building and writing it was ~30 µs of the ~50 µs a record cost each
 * connection under the TLS 1.2 handshake bench. Each distinct one is kept
 * frozen and marked {@link serializeOnce}: the next record shares the object
 * and the writer copies its JSON. In a quiet process that is 1.4 µs a record
 * against 5.4 µs; ~1.5 MB at most (512 hellos, ~3 KB of JSON each).
 *
 * A hello is kept from its second sighting: Chrome shuffles its extensions on
 * every connection, so its hellos never repeat, and keeping each would only
 * churn the cache. Such a hello pays for its key and a set entry: 2.1 µs more
 * than building it afresh. The lists inside still come from {@link RECORD_LISTS}.
 */
import { LRUCache } from 'lru-cache';
import type { ClientHello } from '../tls/types.js';
import { helloJson, type HelloJson } from './hello-json.js';
import { serializeOnce } from './json-writer.js';
import { RECORD_LISTS } from './remembered-lists.js';

/** Distinct hellos kept: a few client stacks, times their SNIs and GREASE values. */
const MAX_KEPT_HELLOS = 512;
/** Hellos seen once, waiting for a second sighting. */
const MAX_SEEN_ONCE = 1024;
/** Hellos with more values than this (all lists together) are built afresh. */
const MAX_KEY_UNITS = 2048;
/** The length unit of an absent SNI: longer than any key, so no string's. */
const NO_TEXT = 0xffff;

export class RememberedHellos {
  private readonly kept = new LRUCache<string, HelloJson>({ max: MAX_KEPT_HELLOS });
  /** Keys seen once; emptied when full (cheaper than an LRU for keys that mostly never return). */
  private readonly seenOnce = new Set<string>();

  /** {@link helloJson} of `hello`, shared with earlier records when the same hello was seen before. */
  get(hello: ClientHello, bytes: number, records: number): HelloJson {
    const key = hello.format === 'tls' ? helloKey(hello, bytes, records) : null;
    if (key === null) return helloJson(hello, bytes, records, RECORD_LISTS);
    const kept = this.kept.get(key);
    if (kept !== undefined) return kept;
    const json = helloJson(hello, bytes, records, RECORD_LISTS);
    if (!this.seenOnce.has(key)) {
      if (this.seenOnce.size >= MAX_SEEN_ONCE) this.seenOnce.clear();
      this.seenOnce.add(key);
      return json;
    }
    this.seenOnce.delete(key);
    this.kept.set(key, serializeOnce(json));
    return json;
  }
}

/** The `hello` objects every record of this process shares. */
export const RECORD_HELLOS = new RememberedHellos();

/** Reused between calls (decoding is synchronous): the key's 16-bit units. */
const units = new Uint16Array(MAX_KEY_UNITS);

/**
 * Everything {@link helloJson} reads, as 16-bit units (two latin1 characters
 * each). Each list and string is preceded by its length, so no two hellos
 * share a key; wire codes are 16-bit and fit one unit each. Null when the
 * hello is too large to be worth a key.
 */
function helloKey(h: ClientHello, bytes: number, records: number): string | null {
  const lists = [h.supportedVersions, h.cipherSuites, h.extensionTypes, h.groups, h.ecPointFormats, h.signatureAlgorithms, h.keyShareGroups];
  let need = 7 + lists.length + (h.sni?.length ?? 0) + 1;
  for (const list of lists) need += list.length;
  for (const name of h.alpnNames) need += 1 + name.length;
  if (need > MAX_KEY_UNITS) return null;
  let n = 0;
  units[n++] = h.recordVersion;
  units[n++] = h.legacyVersion;
  units[n++] = bytes;
  units[n++] = bytes / 0x10000;
  units[n++] = records;
  units[n++] = records / 0x10000;
  n = putText(h.sni, n);
  for (const list of lists) {
    units[n++] = list.length;
    for (let i = 0; i < list.length; i++) units[n++] = list[i]!;
  }
  units[n++] = h.alpnNames.length;
  for (const name of h.alpnNames) n = putText(name, n);
  return Buffer.from(units.buffer, 0, 2 * n).toString('latin1');
}

/** A string unit by unit after its length, from units[n]; null as a length no kept string has. Returns the next n. */
function putText(s: string | null, n: number): number {
  if (s === null) {
    units[n++] = NO_TEXT;
    return n;
  }
  units[n++] = s.length;
  for (let i = 0; i < s.length; i++) units[n++] = s.charCodeAt(i);
  return n;
}
