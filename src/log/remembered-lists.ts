/**
 * The hello's long lists, made once per distinct list for the proxy's records.
 *
 * A client stack offers the same cipher suites, groups and signature schemes on
 * every connection (Chrome varies only its GREASE values, sixteen ways each), and
 * their IANA names are most of a record's `hello`. Each distinct list's codes and
 * names are kept frozen and marked {@link serializeOnce}, so the record writer
 * serialises them once and copies the bytes after. Extension lists are not kept:
 * Chrome shuffles its extensions on every connection.
 */
import { LRUCache } from 'lru-cache';
import { cipherSuiteNames, groupNames, signatureSchemeNames } from '../tls/iana.js';
import { serializeOnce } from './json-writer.js';

/** A list of wire codes and their names, index for index. */
export interface NamedCodes {
  readonly codes: readonly number[];
  readonly names: readonly string[];
}

/** How the `hello` object gets its named lists. */
export interface HelloLists {
  cipherSuites(codes: readonly number[]): NamedCodes;
  groups(codes: readonly number[]): NamedCodes;
  signatureAlgorithms(codes: readonly number[]): NamedCodes;
}

/** New arrays on every call: `tlspeek decode`, and anything that keeps no state. */
export const FRESH_LISTS: HelloLists = {
  cipherSuites: (codes) => ({ codes, names: cipherSuiteNames(codes) }),
  groups: (codes) => ({ codes, names: groupNames(codes) }),
  signatureAlgorithms: (codes) => ({ codes, names: signatureSchemeNames(codes) }),
};

/** Longer lists are named afresh: real hellos offer up to ~100 codes. */
const MAX_KEPT_CODES = 256;
/** Distinct lists kept per kind: a few client stacks, times sixteen GREASE values. */
const MAX_KEPT_LISTS = 256;

class KeptLists {
  private readonly kept = new LRUCache<string, NamedCodes>({ max: MAX_KEPT_LISTS });

  constructor(private readonly name: (codes: readonly number[]) => string[]) {}

  get(codes: readonly number[]): NamedCodes {
    if (codes.length > MAX_KEPT_CODES) return { codes, names: this.name(codes) };
    // One UTF-16 code unit per 16-bit code: a key as long as the list.
    const key = String.fromCharCode.apply(null, codes as number[]);
    let list = this.kept.get(key);
    if (list === undefined) {
      list = { codes: serializeOnce([...codes]), names: serializeOnce(this.name(codes)) };
      this.kept.set(key, list);
    }
    return list;
  }
}

/** Kept lists, bounded: the proxy's records. */
export class RememberedLists implements HelloLists {
  private readonly suites = new KeptLists(cipherSuiteNames);
  private readonly groupLists = new KeptLists(groupNames);
  private readonly schemes = new KeptLists(signatureSchemeNames);

  cipherSuites(codes: readonly number[]): NamedCodes {
    return this.suites.get(codes);
  }

  groups(codes: readonly number[]): NamedCodes {
    return this.groupLists.get(codes);
  }

  signatureAlgorithms(codes: readonly number[]): NamedCodes {
    return this.schemes.get(codes);
  }
}

/** The lists every record of this process shares. */
export const RECORD_LISTS = new RememberedLists();
