/**
 * IANA names for the numbers on the wire: the "Transport Layer Security (TLS)
 * Parameters" and "TLS Extensions" registries
 * (https://www.iana.org/assignments/tls-parameters/, .../tls-extensiontype-values/).
 *
 * One table per registry, built once at module load. A lookup of a known code
 * returns an interned string, so it allocates nothing; it runs for every value of
 * every ClientHello. Anything a table does not hold comes back as
 * `0xHHHH` (SPEC.md, "The connection record"): unassigned and private-use values, the
 * registries' "Reserved" rows, and GREASE (RFC 8701: 0x0A0A, 0x1A1A ... 0xFAFA), which
 * IANA reserves but never names.
 *
 * Names are the registries' own spelling, including their oddities
 * (`TLS_PSK_DHE_WITH_AES_128_CCM_8`, `connection_id (deprecated)`).
 */

import { AlertLevel } from './constants.js';

/** A wire value written as `0x` and four upper-case hex digits. */
export type HexCode = `0x${string}`;

/** `00` .. `FF`: every GREASE value in every hello is named through {@link hex4}. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/**
 * Formats a 16-bit wire value as `0xHHHH`, e.g. 2570 -> `0x0A0A`, 0x2F -> `0x002F`.
 * Throws a RangeError for anything that is not an integer in 0..0xFFFF: every caller
 * passes a value read from the wire, so another number is a bug to surface.
 */
export function hex4(code: number): HexCode {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new RangeError(`not a 16-bit wire value: ${code}`);
  }
  return `0x${HEX_BYTES[code >> 8]!}${HEX_BYTES[code & 0xff]!}`;
}

function table(rows: readonly (readonly [number, string])[]): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const [code, name] of rows) {
    if (map.has(code)) throw new Error(`iana: duplicate code ${hex4(code)}`);
    map.set(code, name);
  }
  return map;
}

/**
 * TLS Cipher Suites (tls-parameters-4). RFC 5246 App. A.5, RFC 8446 §B.4, and the RFCs
 * named per block. The 0x0047-0x0066 and 0xFEFE-0xFEFF "reserved to avoid conflicts"
 * rows and the 0xFF** private-use range have no name.
 */
export const CIPHER_SUITES: ReadonlyMap<number, string> = table([
  // RFC 5246, RFC 4346 (export), RFC 5469 (DES, IDEA)
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x0001, 'TLS_RSA_WITH_NULL_MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA'],
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x000b, 'TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA'],
  [0x000c, 'TLS_DH_DSS_WITH_DES_CBC_SHA'],
  [0x000d, 'TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x000e, 'TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x000f, 'TLS_DH_RSA_WITH_DES_CBC_SHA'],
  [0x0010, 'TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5'],
  [0x0019, 'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA'],
  [0x001a, 'TLS_DH_anon_WITH_DES_CBC_SHA'],
  [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA'],
  // RFC 2712 (Kerberos)
  [0x001e, 'TLS_KRB5_WITH_DES_CBC_SHA'],
  [0x001f, 'TLS_KRB5_WITH_3DES_EDE_CBC_SHA'],
  [0x0020, 'TLS_KRB5_WITH_RC4_128_SHA'],
  [0x0021, 'TLS_KRB5_WITH_IDEA_CBC_SHA'],
  [0x0022, 'TLS_KRB5_WITH_DES_CBC_MD5'],
  [0x0023, 'TLS_KRB5_WITH_3DES_EDE_CBC_MD5'],
  [0x0024, 'TLS_KRB5_WITH_RC4_128_MD5'],
  [0x0025, 'TLS_KRB5_WITH_IDEA_CBC_MD5'],
  [0x0026, 'TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA'],
  [0x0027, 'TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA'],
  [0x0028, 'TLS_KRB5_EXPORT_WITH_RC4_40_SHA'],
  [0x0029, 'TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5'],
  [0x002a, 'TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x002b, 'TLS_KRB5_EXPORT_WITH_RC4_40_MD5'],
  // RFC 4785 (PSK with NULL encryption)
  [0x002c, 'TLS_PSK_WITH_NULL_SHA'],
  [0x002d, 'TLS_DHE_PSK_WITH_NULL_SHA'],
  [0x002e, 'TLS_RSA_PSK_WITH_NULL_SHA'],
  // RFC 5246 (AES-CBC)
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0030, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA'],
  [0x0031, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x0036, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA'],
  [0x0037, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x003e, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA256'],
  [0x003f, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA256'],
  [0x0040, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256'],
  // RFC 5932 (Camellia)
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0042, 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0043, 'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0044, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0046, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA'],
  // RFC 5246 (AES-CBC-SHA256)
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0x0068, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA256'],
  [0x0069, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA256'],
  [0x006a, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x006c, 'TLS_DH_anon_WITH_AES_128_CBC_SHA256'],
  [0x006d, 'TLS_DH_anon_WITH_AES_256_CBC_SHA256'],
  // RFC 5932 (Camellia)
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0085, 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0086, 'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0087, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0089, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA'],
  // RFC 4279 (PSK)
  [0x008a, 'TLS_PSK_WITH_RC4_128_SHA'],
  [0x008b, 'TLS_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA'],
  [0x008d, 'TLS_PSK_WITH_AES_256_CBC_SHA'],
  [0x008e, 'TLS_DHE_PSK_WITH_RC4_128_SHA'],
  [0x008f, 'TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x0090, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA'],
  [0x0091, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA'],
  [0x0092, 'TLS_RSA_PSK_WITH_RC4_128_SHA'],
  [0x0093, 'TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x0094, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA'],
  [0x0095, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA'],
  // RFC 4162 (SEED)
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA'],
  [0x0097, 'TLS_DH_DSS_WITH_SEED_CBC_SHA'],
  [0x0098, 'TLS_DH_RSA_WITH_SEED_CBC_SHA'],
  [0x0099, 'TLS_DHE_DSS_WITH_SEED_CBC_SHA'],
  [0x009a, 'TLS_DHE_RSA_WITH_SEED_CBC_SHA'],
  [0x009b, 'TLS_DH_anon_WITH_SEED_CBC_SHA'],
  // RFC 5288 (AES-GCM)
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0x00a0, 'TLS_DH_RSA_WITH_AES_128_GCM_SHA256'],
  [0x00a1, 'TLS_DH_RSA_WITH_AES_256_GCM_SHA384'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256'],
  [0x00a3, 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384'],
  [0x00a4, 'TLS_DH_DSS_WITH_AES_128_GCM_SHA256'],
  [0x00a5, 'TLS_DH_DSS_WITH_AES_256_GCM_SHA384'],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256'],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384'],
  // RFC 5487 (PSK with SHA-256/384 and AES-GCM)
  [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00ab, 'TLS_DHE_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00ad, 'TLS_RSA_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00af, 'TLS_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b0, 'TLS_PSK_WITH_NULL_SHA256'],
  [0x00b1, 'TLS_PSK_WITH_NULL_SHA384'],
  [0x00b2, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00b3, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b4, 'TLS_DHE_PSK_WITH_NULL_SHA256'],
  [0x00b5, 'TLS_DHE_PSK_WITH_NULL_SHA384'],
  [0x00b6, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00b7, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b8, 'TLS_RSA_PSK_WITH_NULL_SHA256'],
  [0x00b9, 'TLS_RSA_PSK_WITH_NULL_SHA384'],
  // RFC 5932 (Camellia with SHA-256)
  [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bb, 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bc, 'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bd, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00be, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bf, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00c0, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c1, 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c2, 'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c3, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c4, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c5, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256'],
  // RFC 8998 (ShangMi, TLS 1.3)
  [0x00c6, 'TLS_SM4_GCM_SM3'],
  [0x00c7, 'TLS_SM4_CCM_SM3'],
  // RFC 5746: a signalling value, not a suite
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  // RFC 8446 §B.4 (TLS 1.3); AEGIS from draft-irtf-cfrg-aegis-aead
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0x1306, 'TLS_AEGIS_256_SHA512'],
  [0x1307, 'TLS_AEGIS_128L_SHA256'],
  // RFC 7507: a signalling value, not a suite
  [0x5600, 'TLS_FALLBACK_SCSV'],
  // RFC 8422 (ECC)
  [0xc001, 'TLS_ECDH_ECDSA_WITH_NULL_SHA'],
  [0xc002, 'TLS_ECDH_ECDSA_WITH_RC4_128_SHA'],
  [0xc003, 'TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc005, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc00b, 'TLS_ECDH_RSA_WITH_NULL_SHA'],
  [0xc00c, 'TLS_ECDH_RSA_WITH_RC4_128_SHA'],
  [0xc00d, 'TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA'],
  [0xc00f, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA'],
  [0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc015, 'TLS_ECDH_anon_WITH_NULL_SHA'],
  [0xc016, 'TLS_ECDH_anon_WITH_RC4_128_SHA'],
  [0xc017, 'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA'],
  // RFC 5054 (SRP)
  [0xc01a, 'TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA'],
  [0xc01b, 'TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc01c, 'TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0xc01d, 'TLS_SRP_SHA_WITH_AES_128_CBC_SHA'],
  [0xc01e, 'TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA'],
  [0xc01f, 'TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA'],
  [0xc020, 'TLS_SRP_SHA_WITH_AES_256_CBC_SHA'],
  [0xc021, 'TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA'],
  [0xc022, 'TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA'],
  // RFC 5289 (ECC with SHA-256/384 and AES-GCM)
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc025, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc026, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc029, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc02a, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02d, 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02e, 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc031, 'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc032, 'TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384'],
  // RFC 5489 (ECDHE-PSK)
  [0xc033, 'TLS_ECDHE_PSK_WITH_RC4_128_SHA'],
  [0xc034, 'TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA'],
  [0xc036, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA'],
  [0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256'],
  [0xc038, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384'],
  [0xc039, 'TLS_ECDHE_PSK_WITH_NULL_SHA'],
  [0xc03a, 'TLS_ECDHE_PSK_WITH_NULL_SHA256'],
  [0xc03b, 'TLS_ECDHE_PSK_WITH_NULL_SHA384'],
  // RFC 6209 (ARIA)
  [0xc03c, 'TLS_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc03d, 'TLS_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc03e, 'TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256'],
  [0xc03f, 'TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384'],
  [0xc040, 'TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc041, 'TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc042, 'TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256'],
  [0xc043, 'TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384'],
  [0xc044, 'TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc045, 'TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc046, 'TLS_DH_anon_WITH_ARIA_128_CBC_SHA256'],
  [0xc047, 'TLS_DH_anon_WITH_ARIA_256_CBC_SHA384'],
  [0xc048, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc049, 'TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04a, 'TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04b, 'TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04c, 'TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04d, 'TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04e, 'TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04f, 'TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc050, 'TLS_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc051, 'TLS_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc052, 'TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc053, 'TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc054, 'TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc055, 'TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc056, 'TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256'],
  [0xc057, 'TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384'],
  [0xc058, 'TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256'],
  [0xc059, 'TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384'],
  [0xc05a, 'TLS_DH_anon_WITH_ARIA_128_GCM_SHA256'],
  [0xc05b, 'TLS_DH_anon_WITH_ARIA_256_GCM_SHA384'],
  [0xc05c, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc05d, 'TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc05e, 'TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc05f, 'TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc060, 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc061, 'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc062, 'TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc063, 'TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc064, 'TLS_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc065, 'TLS_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc066, 'TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc067, 'TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc068, 'TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc069, 'TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc06a, 'TLS_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06b, 'TLS_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc06c, 'TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06d, 'TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc06e, 'TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06f, 'TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc070, 'TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc071, 'TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384'],
  // RFC 6367 (Camellia with ECC, GCM, PSK)
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc073, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc074, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc075, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc077, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc078, 'TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc079, 'TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc07a, 'TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07b, 'TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc07c, 'TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07d, 'TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc07e, 'TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07f, 'TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc080, 'TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc081, 'TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc082, 'TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc083, 'TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc084, 'TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc085, 'TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc086, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc087, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc088, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc089, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08a, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08b, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08c, 'TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08d, 'TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08e, 'TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08f, 'TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc090, 'TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc091, 'TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc092, 'TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc093, 'TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc094, 'TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc095, 'TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc096, 'TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc097, 'TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc098, 'TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc099, 'TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc09a, 'TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc09b, 'TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  // RFC 6655 (AES-CCM)
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM'],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM'],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM'],
  [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8'],
  [0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8'],
  [0xc0a2, 'TLS_DHE_RSA_WITH_AES_128_CCM_8'],
  [0xc0a3, 'TLS_DHE_RSA_WITH_AES_256_CCM_8'],
  [0xc0a4, 'TLS_PSK_WITH_AES_128_CCM'],
  [0xc0a5, 'TLS_PSK_WITH_AES_256_CCM'],
  [0xc0a6, 'TLS_DHE_PSK_WITH_AES_128_CCM'],
  [0xc0a7, 'TLS_DHE_PSK_WITH_AES_256_CCM'],
  [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
  [0xc0a9, 'TLS_PSK_WITH_AES_256_CCM_8'],
  [0xc0aa, 'TLS_PSK_DHE_WITH_AES_128_CCM_8'],
  [0xc0ab, 'TLS_PSK_DHE_WITH_AES_256_CCM_8'],
  // RFC 7251 (ECDHE-ECDSA with AES-CCM)
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8'],
  // RFC 8492 (ECCPWD)
  [0xc0b0, 'TLS_ECCPWD_WITH_AES_128_GCM_SHA256'],
  [0xc0b1, 'TLS_ECCPWD_WITH_AES_256_GCM_SHA384'],
  [0xc0b2, 'TLS_ECCPWD_WITH_AES_128_CCM_SHA256'],
  [0xc0b3, 'TLS_ECCPWD_WITH_AES_256_CCM_SHA384'],
  // RFC 9150 (TLS 1.3 integrity-only)
  [0xc0b4, 'TLS_SHA256_SHA256'],
  [0xc0b5, 'TLS_SHA384_SHA384'],
  // RFC 9189 (GOST, TLS 1.2), RFC 9367 (GOST, TLS 1.3)
  [0xc100, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC'],
  [0xc101, 'TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC'],
  [0xc102, 'TLS_GOSTR341112_256_WITH_28147_CNT_IMIT'],
  [0xc103, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L'],
  [0xc104, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_L'],
  [0xc105, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S'],
  [0xc106, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_S'],
  // RFC 7905 (ChaCha20-Poly1305)
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccad, 'TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccae, 'TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  // RFC 8442 (ECDHE-PSK with AES-GCM/CCM)
  [0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256'],
  [0xd002, 'TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384'],
  [0xd003, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256'],
  [0xd005, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256'],
]);

/**
 * TLS Supported Groups (tls-parameters-8), formerly "EC Named Curve". RFC 8422 §5.1.1
 * (and RFC 4492 for the curves it deprecated), RFC 7027, RFC 8734 (brainpool),
 * RFC 9189 (GOST), RFC 8998 (SM2), RFC 7919 (ffdhe), RFC 8446 §4.2.7, and the ML-KEM
 * drafts (draft-ietf-tls-mlkem, draft-ietf-tls-ecdhe-mlkem, draft-yang-tls-hybrid-sm2-mlkem).
 */
export const GROUPS: ReadonlyMap<number, string> = table([
  [1, 'sect163k1'],
  [2, 'sect163r1'],
  [3, 'sect163r2'],
  [4, 'sect193r1'],
  [5, 'sect193r2'],
  [6, 'sect233k1'],
  [7, 'sect233r1'],
  [8, 'sect239k1'],
  [9, 'sect283k1'],
  [10, 'sect283r1'],
  [11, 'sect409k1'],
  [12, 'sect409r1'],
  [13, 'sect571k1'],
  [14, 'sect571r1'],
  [15, 'secp160k1'],
  [16, 'secp160r1'],
  [17, 'secp160r2'],
  [18, 'secp192k1'],
  [19, 'secp192r1'],
  [20, 'secp224k1'],
  [21, 'secp224r1'],
  [22, 'secp256k1'],
  [23, 'secp256r1'],
  [24, 'secp384r1'],
  [25, 'secp521r1'],
  [26, 'brainpoolP256r1'],
  [27, 'brainpoolP384r1'],
  [28, 'brainpoolP512r1'],
  [29, 'x25519'],
  [30, 'x448'],
  [31, 'brainpoolP256r1tls13'],
  [32, 'brainpoolP384r1tls13'],
  [33, 'brainpoolP512r1tls13'],
  [34, 'GC256A'],
  [35, 'GC256B'],
  [36, 'GC256C'],
  [37, 'GC256D'],
  [38, 'GC512A'],
  [39, 'GC512B'],
  [40, 'GC512C'],
  [41, 'curveSM2'],
  [0x0100, 'ffdhe2048'],
  [0x0101, 'ffdhe3072'],
  [0x0102, 'ffdhe4096'],
  [0x0103, 'ffdhe6144'],
  [0x0104, 'ffdhe8192'],
  [0x0200, 'MLKEM512'],
  [0x0201, 'MLKEM768'],
  [0x0202, 'MLKEM1024'],
  [0x11eb, 'SecP256r1MLKEM768'],
  [0x11ec, 'X25519MLKEM768'],
  [0x11ed, 'SecP384r1MLKEM1024'],
  [0x11ee, 'curveSM2MLKEM768'],
  // Pre-standard Kyber hybrids, obsolete in the registry but still sent by older clients.
  [0x6399, 'X25519Kyber768Draft00'],
  [0x639a, 'SecP256r1Kyber768Draft00'],
  [0xff01, 'arbitrary_explicit_prime_curves'],
  [0xff02, 'arbitrary_explicit_char2_curves'],
]);

/**
 * TLS SignatureScheme (tls-signaturescheme). RFC 8446 §4.2.3, RFC 9155 (SHA-1),
 * RFC 8734 (brainpool), RFC 8998 (SM2), RFC 9367 (GOST), draft-davidben-tls13-pkcs1
 * (`_legacy`), draft-wang-tls-raw-public-key-with-ibc, draft-ietf-tls-mldsa.
 * A TLS 1.2 hash/signature pair the registry keeps only as "Reserved for backward
 * compatibility" (0x0202 dsa_sha1, 0x0303 ecdsa/sha224 ...) has no name here.
 */
export const SIGNATURE_SCHEMES: ReadonlyMap<number, string> = table([
  [0x0201, 'rsa_pkcs1_sha1'],
  [0x0203, 'ecdsa_sha1'],
  [0x0401, 'rsa_pkcs1_sha256'],
  [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0420, 'rsa_pkcs1_sha256_legacy'],
  [0x0501, 'rsa_pkcs1_sha384'],
  [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0520, 'rsa_pkcs1_sha384_legacy'],
  [0x0601, 'rsa_pkcs1_sha512'],
  [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0620, 'rsa_pkcs1_sha512_legacy'],
  [0x0704, 'eccsi_sha256'],
  [0x0705, 'iso_ibs1'],
  [0x0706, 'iso_ibs2'],
  [0x0707, 'iso_chinese_ibs'],
  [0x0708, 'sm2sig_sm3'],
  [0x0709, 'gostr34102012_256a'],
  [0x070a, 'gostr34102012_256b'],
  [0x070b, 'gostr34102012_256c'],
  [0x070c, 'gostr34102012_256d'],
  [0x070d, 'gostr34102012_512a'],
  [0x070e, 'gostr34102012_512b'],
  [0x070f, 'gostr34102012_512c'],
  [0x0804, 'rsa_pss_rsae_sha256'],
  [0x0805, 'rsa_pss_rsae_sha384'],
  [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'],
  [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'],
  [0x080a, 'rsa_pss_pss_sha384'],
  [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
  [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
  [0x0904, 'mldsa44'],
  [0x0905, 'mldsa65'],
  [0x0906, 'mldsa87'],
]);

/**
 * TLS ExtensionType Values (tls-extensiontype-values-1). RFC 6066, RFC 8446 §4.2, and
 * the RFCs that define each extension. 40 and 46 are "Reserved" and stay unnamed.
 */
export const EXTENSIONS: ReadonlyMap<number, string> = table([
  [0, 'server_name'],
  [1, 'max_fragment_length'],
  [2, 'client_certificate_url'],
  [3, 'trusted_ca_keys'],
  [4, 'truncated_hmac'],
  [5, 'status_request'],
  [6, 'user_mapping'],
  [7, 'client_authz'],
  [8, 'server_authz'],
  [9, 'cert_type'],
  [10, 'supported_groups'],
  [11, 'ec_point_formats'],
  [12, 'srp'],
  [13, 'signature_algorithms'],
  [14, 'use_srtp'],
  [15, 'heartbeat'],
  [16, 'application_layer_protocol_negotiation'],
  [17, 'status_request_v2'],
  [18, 'signed_certificate_timestamp'],
  [19, 'client_certificate_type'],
  [20, 'server_certificate_type'],
  [21, 'padding'],
  [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'],
  [24, 'token_binding'],
  [25, 'cached_info'],
  [26, 'tls_lts'],
  [27, 'compress_certificate'],
  [28, 'record_size_limit'],
  [29, 'pwd_protect'],
  [30, 'pwd_clear'],
  [31, 'password_salt'],
  [32, 'ticket_pinning'],
  [33, 'tls_cert_with_extern_psk'],
  [34, 'delegated_credential'],
  [35, 'session_ticket'],
  [36, 'TLMSP'],
  [37, 'TLMSP_proxying'],
  [38, 'TLMSP_delegate'],
  [39, 'supported_ekt_ciphers'],
  [41, 'pre_shared_key'],
  [42, 'early_data'],
  [43, 'supported_versions'],
  [44, 'cookie'],
  [45, 'psk_key_exchange_modes'],
  [47, 'certificate_authorities'],
  [48, 'oid_filters'],
  [49, 'post_handshake_auth'],
  [50, 'signature_algorithms_cert'],
  [51, 'key_share'],
  [52, 'transparency_info'],
  [53, 'connection_id (deprecated)'],
  [54, 'connection_id'],
  [55, 'external_id_hash'],
  [56, 'external_session_id'],
  [57, 'quic_transport_parameters'],
  [58, 'ticket_request'],
  [59, 'dnssec_chain'],
  [60, 'sequence_number_encryption_algorithms'],
  [61, 'rrc'],
  [62, 'tls_flags'],
  [0xfd00, 'ech_outer_extensions'],
  [0xfe0d, 'encrypted_client_hello'],
  [0xff01, 'renegotiation_info'],
  // Not in the registry, but sent by browsers often enough to deserve a name:
  // NPN (draft-agl-tls-nextprotoneg) and ALPS (draft-vvv-tls-alps).
  [0x3374, 'next_protocol_negotiation'],
  [0x4469, 'application_settings'],
]);

/**
 * TLS Alerts (tls-parameters-6). RFC 8446 §6, RFC 5246 §7.2 and earlier, RFC 9146
 * (too_many_cids_requested), RFC 9846 (general_error), draft-ietf-tls-esni (ech_required).
 * Values TLS 1.3 keeps only as `_RESERVED` appear under their registry names.
 */
export const ALERTS: ReadonlyMap<number, string> = table([
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [52, 'too_many_cids_requested'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [117, 'general_error'],
  [120, 'no_application_protocol'],
  [121, 'ech_required'],
]);

/**
 * Protocol versions under the names SPEC.md fixes for the connection record;
 * SPEC names nothing else, so an SSLv2 CLIENT-HELLO's 0x0002 shows as `0x0002`
 * (its hello carries `format: "sslv2"` instead).
 */
export const VERSIONS: ReadonlyMap<number, string> = table([
  [0x0300, 'SSLv3'],
  [0x0301, 'TLSv1'],
  [0x0302, 'TLSv1.1'],
  [0x0303, 'TLSv1.2'],
  [0x0304, 'TLSv1.3'],
]);

/**
 * A registry's names in 256-entry pages by high byte, for the lookups every hello
 * makes (a few dozen per hello): two array loads instead of hashing the key for
 * `Map.get`. Only wire values (integers 0..0xFFFF) are looked up here.
 */
type NamePages = readonly (readonly (string | undefined)[] | undefined)[];

function pages(map: ReadonlyMap<number, string>): NamePages {
  const out: (string | undefined)[][] = [];
  const set = (code: number, name: string): void => {
    (out[code >> 8] ??= new Array<string | undefined>(256).fill(undefined))[code & 0xff] = name;
  };
  for (const [code, name] of map) set(code, name);
  // GREASE values (RFC 8701, 0x0A0A ... 0xFAFA) have no name but are in nearly every
  // modern hello: their `0xHHHH` is made once here rather than on every lookup.
  for (let grease = 0x0a0a; grease <= 0xfafa; grease += 0x1010) if (!map.has(grease)) set(grease, hex4(grease));
  return Array.from({ length: 256 }, (_, hi) => out[hi]);
}

/** The name of `code` in `table`, else `0xHHHH` (hex4 rejects anything but a wire value). */
function nameIn(table: NamePages, code: number): string {
  return ((code & 0xffff) === code ? table[code >> 8]?.[code & 0xff] : undefined) ?? hex4(code);
}

/** {@link nameIn} for each code, into an array made at its final length. */
function namesIn(table: NamePages, codes: readonly number[]): string[] {
  const out = new Array<string>(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = nameIn(table, codes[i]!);
  return out;
}

const CIPHER_SUITE_PAGES = pages(CIPHER_SUITES);
const GROUP_PAGES = pages(GROUPS);
const SIGNATURE_SCHEME_PAGES = pages(SIGNATURE_SCHEMES);
const VERSION_PAGES = pages(VERSIONS);

/** IANA name of a cipher suite, e.g. 0xC02F -> `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`; else `0xHHHH`. */
export function cipherSuiteName(code: number): string {
  return nameIn(CIPHER_SUITE_PAGES, code);
}

/** IANA name of a supported group, e.g. 29 -> `x25519`; else `0xHHHH`. */
export function groupName(code: number): string {
  return nameIn(GROUP_PAGES, code);
}

/** {@link cipherSuiteName} of each code. */
export function cipherSuiteNames(codes: readonly number[]): string[] {
  return namesIn(CIPHER_SUITE_PAGES, codes);
}

/** {@link groupName} of each code. */
export function groupNames(codes: readonly number[]): string[] {
  return namesIn(GROUP_PAGES, codes);
}

/** {@link signatureSchemeName} of each code. */
export function signatureSchemeNames(codes: readonly number[]): string[] {
  return namesIn(SIGNATURE_SCHEME_PAGES, codes);
}

/** {@link versionName} of each code. */
export function versionNames(codes: readonly number[]): string[] {
  return namesIn(VERSION_PAGES, codes);
}

/** IANA name of a signature scheme, e.g. 0x0804 -> `rsa_pss_rsae_sha256`; else `0xHHHH`. */
export function signatureSchemeName(code: number): string {
  return nameIn(SIGNATURE_SCHEME_PAGES, code);
}

/** IANA name of an extension type, e.g. 43 -> `supported_versions`; else `0xHHHH`. */
export function extensionName(code: number): string {
  return EXTENSIONS.get(code) ?? hex4(code);
}

/** IANA name of an alert description, e.g. 112 -> `unrecognized_name`; else `0xHHHH` (`0x00HH`). */
export function alertName(code: number): string {
  return ALERTS.get(code) ?? hex4(code);
}

/** SPEC.md name of a protocol version, e.g. 0x0303 -> `TLSv1.2`; else `0xHHHH`. */
export function versionName(code: number): string {
  return nameIn(VERSION_PAGES, code);
}

/** AlertLevel (RFC 5246 §7.2): 1 -> `warning`, 2 -> `fatal`; else `0xHHHH`. */
export function alertLevelName(level: number): 'warning' | 'fatal' | HexCode {
  if (level === AlertLevel.Warning) return 'warning';
  if (level === AlertLevel.Fatal) return 'fatal';
  return hex4(level);
}
