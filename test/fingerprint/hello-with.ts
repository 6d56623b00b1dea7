/** Hand-made ClientHellos for fingerprint edge cases. */
import type { ClientHello, RawExtension } from '../../src/tls/types.js';

/** A hand-made ClientHello for edge cases: sensible defaults, any field overridable. */
export function helloWith(fields: Partial<ClientHello> = {}): ClientHello {
  const alpn = fields.alpn ?? [];
  const extensions = fields.extensions ?? [];
  return {
    format: 'tls',
    recordVersion: 0x0301,
    legacyVersion: 0x0303,
    random: Buffer.alloc(32),
    sessionId: Buffer.alloc(0),
    cipherSuites: [],
    compressionMethods: [0],
    extensions: [],
    sni: null,
    alpn: [],
    supportedVersions: [],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    ...fields,
    // The decoder gives both forms of the ALPN names and the extension types; a test gives one.
    alpnNames: fields.alpnNames ?? alpn.map((p) => p.toString('latin1')),
    extensionTypes: fields.extensionTypes ?? extensions.map((e) => e.type),
  };
}

/** Extensions of the given types with empty data (fingerprints read only the types). */
export const extensionsOf = (types: readonly number[]): RawExtension[] =>
  types.map((type) => ({ type, data: Buffer.alloc(0) }));
