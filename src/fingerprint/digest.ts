/**
 * MD5 (JA3) and SHA-256 (JA4) in lower-case hex. `crypto.hash` (Node >= 20.12)
 * digests in one native call, without the Hash object `createHash` builds and
 * its update/digest round trips: about half the cost for inputs this short.
 * Earlier Node 20 releases lack it and get `createHash`.
 */
import * as crypto from 'node:crypto';

type HexDigest = (algorithm: 'md5' | 'sha256', data: string | Uint8Array) => string;

const digestHex: HexDigest =
  typeof crypto.hash === 'function'
    ? (algorithm, data) => crypto.hash(algorithm, data)
    : (algorithm, data) => crypto.createHash(algorithm).update(data).digest('hex');

export function md5Hex(data: string | Uint8Array): string {
  return digestHex('md5', data);
}

export function sha256Hex(data: string | Uint8Array): string {
  return digestHex('sha256', data);
}
