/**
 * ClientHellos tlspeek writes itself (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2,
 * RFC 6101 §5.6.1.2 for SSLv3), so a probe can offer SSLv3, TLS 1.0 and 1.1
 * whatever the local OpenSSL is built or configured to allow, and can offer
 * cipher suites one by one the way sslyze and testssl.sh enumerate them.
 *
 * These hellos never complete a handshake: the probe reads the server's first
 * flight and hangs up. So a key_share only has to be well-formed (a real
 * x25519 public key, so a strict server does not reject it), and the random
 * and session id are fresh random bytes.
 *
 * Every length is computed by the vector writers below, never typed by hand.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ContentType, ExtensionType, HandshakeType, ProtocolVersion } from '../tls/constants.js';

/** Extension types the builder writes that `ExtensionType` in src/tls does not name (IANA registry). */
export const ProbeExtensionType = {
  ...ExtensionType,
  /** RFC 7627. */
  ExtendedMasterSecret: 23,
  /** RFC 8446 §4.2.9. */
  PskKeyExchangeModes: 45,
  /** RFC 5746. */
  RenegotiationInfo: 0xff01,
} as const;

/** SupportedGroups values the builder uses (IANA "TLS Supported Groups"). */
export const Group = {
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  x25519: 29,
  x448: 30,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
} as const;

/** One extension as it goes on the wire: type and extension_data. */
export interface HelloExtension {
  readonly type: number;
  readonly data: Buffer;
}

/** The raw fields of a ClientHello; `encodeClientHello` writes exactly these. */
export interface ClientHelloFields {
  /** TLSPlaintext.legacy_record_version of every record. */
  readonly recordVersion: number;
  /** ClientHello.legacy_version (client_version before TLS 1.3). */
  readonly legacyVersion: number;
  /** 32 bytes; default fresh random. */
  readonly random?: Buffer;
  /** 0..32 bytes; default empty. */
  readonly sessionId?: Buffer;
  readonly cipherSuites: readonly number[];
  /** Default [0] (null compression only). */
  readonly compressionMethods?: readonly number[];
  /** null: no extensions block at all, as SSLv3 clients sent it. */
  readonly extensions: readonly HelloExtension[] | null;
}

/** Largest TLSPlaintext fragment (RFC 8446 §5.1); longer hellos span several records. */
const MAX_FRAGMENT = 16384;

// --- vector writers ---------------------------------------------------------

function u8(n: number): Buffer {
  return Buffer.of(n & 0xff);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function checkLength(what: string, length: number, max: number): void {
  if (length > max) throw new RangeError(`${what}: ${length} bytes, the field holds at most ${max}`);
}

function vec8(what: string, body: Buffer): Buffer {
  checkLength(what, body.length, 0xff);
  return Buffer.concat([u8(body.length), body]);
}

function vec16(what: string, body: Buffer): Buffer {
  checkLength(what, body.length, 0xffff);
  return Buffer.concat([u16(body.length), body]);
}

function vec24(what: string, body: Buffer): Buffer {
  checkLength(what, body.length, 0xffffff);
  return Buffer.concat([Buffer.of((body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff), body]);
}

const u16s = (values: readonly number[]): Buffer => Buffer.concat(values.map(u16));

// --- extensions ---------------------------------------------------------------

/** Extension builders; each returns the extension with its data encoded. */
export const extension = {
  /** server_name (RFC 6066 §3): one host_name entry. */
  serverName(name: string): HelloExtension {
    const entry = Buffer.concat([u8(0), vec16('host_name', Buffer.from(name, 'ascii'))]);
    return { type: ProbeExtensionType.ServerName, data: vec16('server_name_list', entry) };
  },
  /** supported_versions (RFC 8446 §4.2.1), in preference order. */
  supportedVersions(versions: readonly number[]): HelloExtension {
    return { type: ProbeExtensionType.SupportedVersions, data: vec8('supported_versions', u16s(versions)) };
  },
  /** supported_groups (RFC 8422 §5.1.1, RFC 8446 §4.2.7). */
  supportedGroups(groups: readonly number[]): HelloExtension {
    return { type: ProbeExtensionType.SupportedGroups, data: vec16('named_group_list', u16s(groups)) };
  },
  /** ec_point_formats (RFC 8422 §5.1.2); [0] = uncompressed. */
  ecPointFormats(formats: readonly number[] = [0]): HelloExtension {
    return { type: ProbeExtensionType.EcPointFormats, data: vec8('ec_point_format_list', Buffer.from(formats)) };
  },
  /** signature_algorithms (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1). */
  signatureAlgorithms(schemes: readonly number[]): HelloExtension {
    return { type: ProbeExtensionType.SignatureAlgorithms, data: vec16('supported_signature_algorithms', u16s(schemes)) };
  },
  /** application_layer_protocol_negotiation (RFC 7301 §3.1). */
  alpn(protocols: readonly string[]): HelloExtension {
    const list = Buffer.concat(protocols.map((p) => vec8('protocol_name', Buffer.from(p, 'latin1'))));
    return { type: ProbeExtensionType.Alpn, data: vec16('protocol_name_list', list) };
  },
  /** key_share (RFC 8446 §4.2.8): one KeyShareEntry per group. */
  keyShare(entries: readonly { readonly group: number; readonly keyExchange: Buffer }[]): HelloExtension {
    const shares = Buffer.concat(entries.map((e) => Buffer.concat([u16(e.group), vec16('key_exchange', e.keyExchange)])));
    return { type: ProbeExtensionType.KeyShare, data: vec16('client_shares', shares) };
  },
  /** psk_key_exchange_modes (RFC 8446 §4.2.9); [1] = psk_dhe_ke. */
  pskKeyExchangeModes(modes: readonly number[] = [1]): HelloExtension {
    return { type: ProbeExtensionType.PskKeyExchangeModes, data: vec8('ke_modes', Buffer.from(modes)) };
  },
  /** renegotiation_info (RFC 5746 §3.4): empty renegotiated_connection on an initial handshake. */
  renegotiationInfo(): HelloExtension {
    return { type: ProbeExtensionType.RenegotiationInfo, data: vec8('renegotiated_connection', Buffer.alloc(0)) };
  },
  /** extended_master_secret (RFC 7627 §5.1): empty. */
  extendedMasterSecret(): HelloExtension {
    return { type: ProbeExtensionType.ExtendedMasterSecret, data: Buffer.alloc(0) };
  },
} as const;

// --- encoding -------------------------------------------------------------------

/** The ClientHello handshake message (4-byte header included). */
export function encodeClientHelloMessage(fields: ClientHelloFields): Buffer {
  const random = fields.random ?? randomBytes(32);
  if (random.length !== 32) throw new RangeError(`random: ${random.length} bytes, must be 32`);
  const sessionId = fields.sessionId ?? Buffer.alloc(0);
  checkLength('legacy_session_id', sessionId.length, 32);
  if (fields.cipherSuites.length === 0) throw new RangeError('cipher_suites: at least one suite is required');
  const parts = [
    u16(fields.legacyVersion),
    random,
    vec8('legacy_session_id', sessionId),
    vec16('cipher_suites', u16s(fields.cipherSuites)),
    vec8('legacy_compression_methods', Buffer.from(fields.compressionMethods ?? [0])),
  ];
  if (fields.extensions !== null) {
    const body = Buffer.concat(fields.extensions.map((e) => Buffer.concat([u16(e.type), vec16('extension_data', e.data)])));
    parts.push(vec16('extensions', body));
  }
  return Buffer.concat([u8(HandshakeType.ClientHello), vec24('ClientHello', Buffer.concat(parts))]);
}

/** The hello as TLS records, ready to write to a socket (split at 2^14-byte fragments). */
export function encodeClientHello(fields: ClientHelloFields): Buffer {
  const message = encodeClientHelloMessage(fields);
  const records: Buffer[] = [];
  for (let at = 0; at < message.length; at += MAX_FRAGMENT) {
    const fragment = message.subarray(at, at + MAX_FRAGMENT);
    records.push(Buffer.concat([u8(ContentType.Handshake), u16(fields.recordVersion), vec16('fragment', fragment)]));
  }
  return Buffer.concat(records);
}

// --- the hellos a probe sends -------------------------------------------------------

/** Groups offered by default: the common curves first, then finite-field groups for DHE. */
export const DEFAULT_GROUPS: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.secp384r1,
  Group.secp521r1,
  Group.x448,
  Group.ffdhe2048,
  Group.ffdhe3072,
];

/**
 * Signature schemes offered by default: everything a server certificate may
 * need, SHA-1 last, so the probe is never refused for want of a scheme.
 */
export const DEFAULT_SIGNATURE_ALGORITHMS: readonly number[] = [
  0x0403, // ecdsa_secp256r1_sha256
  0x0503, // ecdsa_secp384r1_sha384
  0x0603, // ecdsa_secp521r1_sha512
  0x0807, // ed25519
  0x0808, // ed448
  0x0804, // rsa_pss_rsae_sha256
  0x0805, // rsa_pss_rsae_sha384
  0x0806, // rsa_pss_rsae_sha512
  0x0809, // rsa_pss_pss_sha256
  0x080a, // rsa_pss_pss_sha384
  0x080b, // rsa_pss_pss_sha512
  0x0401, // rsa_pkcs1_sha256
  0x0501, // rsa_pkcs1_sha384
  0x0601, // rsa_pkcs1_sha512
  0x0203, // ecdsa_sha1
  0x0201, // rsa_pkcs1_sha1
];

/** How the key_share of a TLS 1.3 hello is filled. */
export type KeyShareMode =
  /** A fresh x25519 public key from node:crypto (the default). */
  | 'x25519'
  /** 32 random bytes under the x25519 group: well-formed, cheaper, not a real point for every peer's taste. */
  | 'random'
  /** No key_share extension at all (the server answers with a HelloRetryRequest or an alert). */
  | 'none';

/** What a probe wants to offer; `buildClientHello` turns it into wire fields. */
export interface HelloOptions {
  /**
   * Versions offered, as wire codes. A single version up to TLS 1.2 makes a
   * classic hello: legacy_version is that version and there is no
   * supported_versions extension. Any list holding TLS 1.3 (or
   * `forceSupportedVersions`) makes a TLS 1.3-style hello: legacy_version
   * 0x0303 (at most the highest listed) and supported_versions listing
   * them, highest first. Several versions up to TLS 1.2 without TLS 1.3 make
   * a classic hello at the highest one.
   */
  readonly versions: readonly number[];
  readonly cipherSuites: readonly number[];
  /** SNI host_name to send; null sends no server_name extension. */
  readonly servername: string | null;
  /** ALPN protocols; absent or empty sends no ALPN extension. */
  readonly alpn?: readonly string[];
  readonly groups?: readonly number[];
  readonly signatureAlgorithms?: readonly number[];
  /** TLS 1.3 hellos only; default 'x25519'. */
  readonly keyShare?: KeyShareMode;
  /** Send supported_versions even when TLS 1.3 is not offered. */
  readonly forceSupportedVersions?: boolean;
  /** Default: the lower of legacy_version and TLS 1.0, as OpenSSL writes it (0x0300 for an SSLv3 hello). */
  readonly recordVersion?: number;
  /** Default true (RFC 5746); SSLv3 hellos never carry extensions. */
  readonly renegotiationInfo?: boolean;
  /** Default true (RFC 7627). */
  readonly extendedMasterSecret?: boolean;
}

/** A real x25519 public key (the `x` of its JWK): servers that check the point accept it. */
export function x25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('x25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('x25519 key export without x');
  return Buffer.from(jwk.x, 'base64url');
}

/** The fields of a hello offering `options`; see `HelloOptions` for the shape per version. */
export function clientHelloFields(options: HelloOptions): ClientHelloFields {
  if (options.versions.length === 0) throw new RangeError('versions: offer at least one');
  const max = Math.max(...options.versions);
  const tls13Style = options.versions.includes(ProtocolVersion.TLSv1_3) || options.forceSupportedVersions === true;
  const legacyVersion = tls13Style ? Math.min(max, ProtocolVersion.TLSv1_2) : max;
  const recordVersion = options.recordVersion ?? Math.min(legacyVersion, ProtocolVersion.TLSv1);

  // SSLv3 predates extensions (RFC 6101); an SSLv3 server may refuse a hello that has them.
  if (max <= ProtocolVersion.SSLv3) {
    return { recordVersion, legacyVersion, cipherSuites: options.cipherSuites, extensions: null };
  }

  const exts: HelloExtension[] = [];
  if (options.servername !== null) exts.push(extension.serverName(options.servername));
  exts.push(extension.ecPointFormats(), extension.supportedGroups(options.groups ?? DEFAULT_GROUPS));
  // signature_algorithms exists from TLS 1.2 on (RFC 5246 §7.4.1.4.1: not to be sent for older versions).
  if (max >= ProtocolVersion.TLSv1_2) {
    exts.push(extension.signatureAlgorithms(options.signatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS));
  }
  if (options.alpn !== undefined && options.alpn.length > 0) exts.push(extension.alpn(options.alpn));
  if (options.extendedMasterSecret !== false) exts.push(extension.extendedMasterSecret());
  if (options.renegotiationInfo !== false) exts.push(extension.renegotiationInfo());
  if (tls13Style) {
    exts.push(extension.supportedVersions([...options.versions].sort((a, b) => b - a)));
    if (options.versions.includes(ProtocolVersion.TLSv1_3)) {
      exts.push(extension.pskKeyExchangeModes());
      const mode = options.keyShare ?? 'x25519';
      if (mode !== 'none') {
        const keyExchange = mode === 'x25519' ? x25519PublicKey() : randomBytes(32);
        exts.push(extension.keyShare([{ group: Group.x25519, keyExchange }]));
      }
    }
  }
  return {
    recordVersion,
    legacyVersion,
    // A TLS 1.3 client sends a 32-byte session id for middlebox compatibility
    // (RFC 8446 §D.4); before 1.3 a non-empty one would ask for resumption.
    sessionId: tls13Style ? randomBytes(32) : Buffer.alloc(0),
    cipherSuites: options.cipherSuites,
    extensions: exts,
  };
}

/** The hello for `options` as TLS records. */
export function buildClientHello(options: HelloOptions): Buffer {
  return encodeClientHello(clientHelloFields(options));
}
