/**
 * ServerHello decoding (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
 *
 * TLS 1.3 freezes legacy_version at 0x0303 and names the real version in the
 * supported_versions extension; a HelloRetryRequest is a ServerHello whose
 * random is a fixed value, so both are decoded here.
 */
import { ByteReader } from './byte-reader.js';
import { ExtensionType, HELLO_RETRY_REQUEST_RANDOM } from './constants.js';
import type { RawExtension } from './types.js';

export interface ServerHello {
  readonly legacyVersion: number;
  /** supported_versions selection when present, else legacy_version. */
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: readonly RawExtension[];
  /** True for a HelloRetryRequest (RFC 8446 §4.1.4). */
  readonly helloRetry: boolean;
  /** The ALPN protocol the server selected, as sent (latin1), or null. */
  readonly alpn: string | null;
}

export function decodeServerHelloBody(body: Buffer, baseOffset = 0): ServerHello {
  const r = new ByteReader(body, 0, body.length, baseOffset);
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec8('legacy_session_id_echo').rest();
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('legacy_compression_method');
  const extensions: RawExtension[] = [];
  if (!r.done) {
    const ext = r.vec16('extensions');
    while (!ext.done) {
      const type = ext.u16('extension_type');
      extensions.push({ type, data: ext.vec16('extension_data').rest() });
    }
  }
  r.expectEnd('ServerHello');
  let version = legacyVersion;
  let alpn: string | null = null;
  for (const { type, data } of extensions) {
    const e = new ByteReader(data, 0, data.length, baseOffset);
    if (type === ExtensionType.SupportedVersions) {
      version = e.u16('selected_version');
    } else if (type === ExtensionType.Alpn) {
      const list = e.vec16('protocol_name_list');
      if (!list.done) alpn = list.vec8('protocol_name').rest().toString('latin1');
    }
  }
  return {
    legacyVersion,
    version,
    random,
    sessionId,
    cipherSuite,
    compressionMethod,
    extensions,
    helloRetry: random.equals(HELLO_RETRY_REQUEST_RANDOM),
    alpn,
  };
}
