/**
 * Decoded wire structures. These hold numbers exactly as on the wire; the
 * JSON shapes of SPEC.md (names instead of codes) are built from them in
 * `describe.ts`.
 */

/** One extension as sent: type and raw extension_data. */
export interface RawExtension {
  readonly type: number;
  readonly data: Buffer;
}

/** A ClientHello as sent on the wire (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2). */
export interface ClientHello {
  /** 'tls' for a normal handshake record; 'sslv2' for an SSLv2-compatible CLIENT-HELLO. */
  readonly format: 'tls' | 'sslv2';
  /** TLSPlaintext.legacy_record_version of the first record. */
  readonly recordVersion: number;
  /** ClientHello.legacy_version (client_version before TLS 1.3). */
  readonly legacyVersion: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  /** Every cipher suite code in wire order, GREASE kept. SSLv2 3-byte specs are kept only when their first byte is 0 (TLS suites). */
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: readonly number[];
  /** Every extension in wire order, GREASE kept. */
  readonly extensions: readonly RawExtension[];
  /** The types of {@link extensions}, in the same order. */
  readonly extensionTypes: readonly number[];
  /** server_name host_name, as sent (may be an IP literal); null when absent. */
  readonly sni: string | null;
  /** ALPN protocol names as raw bytes; empty when absent. */
  readonly alpn: readonly Buffer[];
  /** The same names as latin1 strings (one char per byte, so JA4 still sees the bytes); empty when absent. */
  readonly alpnNames: readonly string[];
  /** supported_versions entries in wire order; empty when absent. */
  readonly supportedVersions: readonly number[];
  /** supported_groups in wire order; empty when absent. */
  readonly groups: readonly number[];
  /** ec_point_formats in wire order; empty when absent. */
  readonly ecPointFormats: readonly number[];
  /** signature_algorithms in wire order; empty when absent. */
  readonly signatureAlgorithms: readonly number[];
  /** Groups of the key_share entries in wire order; empty when absent. */
  readonly keyShareGroups: readonly number[];
}

/** A parsed X.509 certificate as SPEC's connection record shows it. */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly san: readonly string[];
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  /** SHA-256 of the DER, lower-case hex. */
  readonly sha256: string;
}

/** A TLS alert: level and description code (RFC 5246 §7.2). */
export interface AlertRecord {
  readonly level: number;
  readonly code: number;
}
