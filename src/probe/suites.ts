/**
 * The versions and cipher suite lists a probe offers. Suites are wire codes;
 * names come from the IANA table in src/tls/iana.ts.
 */
import { ProtocolVersion } from '../tls/constants.js';
import { CIPHER_SUITES } from '../tls/iana.js';

/** The versions `tlspeek probe` tests, oldest first, under their SPEC names. */
export const PROBE_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type ProbeVersionName = (typeof PROBE_VERSIONS)[number];

const VERSION_CODES: Readonly<Record<ProbeVersionName, number>> = {
  SSLv3: ProtocolVersion.SSLv3,
  TLSv1: ProtocolVersion.TLSv1,
  'TLSv1.1': ProtocolVersion.TLSv1_1,
  'TLSv1.2': ProtocolVersion.TLSv1_2,
  'TLSv1.3': ProtocolVersion.TLSv1_3,
};

export function versionCode(name: ProbeVersionName): number {
  return VERSION_CODES[name];
}

/** The SPEC name of a probed version code, or null for anything else. */
export function probeVersionName(code: number): ProbeVersionName | null {
  return PROBE_VERSIONS.find((v) => VERSION_CODES[v] === code) ?? null;
}

/** TLS 1.3 suites live in 0x13XX (RFC 8446 §B.4); they mean nothing to an older handshake. */
export const isTls13Suite = (code: number): boolean => code >> 8 === 0x13;

/** Values in the suite registry that are signals to the server, not suites it could select. */
export const SignallingSuite = {
  /** RFC 5746 §3.3: "I support secure renegotiation", for hellos without extensions. */
  EmptyRenegotiationInfo: 0x00ff,
  /** RFC 7507: "this is a fallback retry". */
  Fallback: 0x5600,
} as const;

/** TLS_NULL_WITH_NULL_NULL (RFC 5246 §A.5): the initial state, never negotiable. */
const NULL_WITH_NULL_NULL = 0x0000;

/**
 * Whether a server could select this suite. TLS_FALLBACK_SCSV in particular
 * must never be offered by a version probe: a TLS 1.2 server would refuse an
 * older hello with inappropriate_fallback (86) instead of telling whether it
 * accepts that version.
 */
export function isNegotiable(code: number): boolean {
  return code !== NULL_WITH_NULL_NULL && code !== SignallingSuite.EmptyRenegotiationInfo && code !== SignallingSuite.Fallback;
}

/** Every named suite usable up to TLS 1.2, in registry order: what a version probe offers. */
export const TLS12_SUITES: readonly number[] = [...CIPHER_SUITES.keys()].filter((c) => !isTls13Suite(c) && isNegotiable(c));

/** The TLS 1.3 suites of the registry (0x1301-0x1305 and the AEGIS drafts' 0x1306-0x1307). */
export const TLS13_SUITES: readonly number[] = [...CIPHER_SUITES.keys()].filter(isTls13Suite);

/** The suites to enumerate for a version. */
export function suitesFor(version: number): readonly number[] {
  return version === ProtocolVersion.TLSv1_3 ? TLS13_SUITES : TLS12_SUITES;
}

/**
 * What a current default client offers, for the probe's "would a modern
 * client get in" checks: TLS 1.2 and 1.3, and the suites of OpenSSL 3.0's
 * DEFAULT list (`openssl ciphers -V DEFAULT`) less its PSK and SRP suites,
 * which need pre-shared keys. curl, python and Node clients built on OpenSSL
 * offer these or a subset; browsers and Java 17 overlap them on the ECDHE
 * AES-GCM and CHACHA20 suites.
 */
export const MODERN_CLIENT_VERSIONS: readonly number[] = [ProtocolVersion.TLSv1_2, ProtocolVersion.TLSv1_3];
export const MODERN_CLIENT_SUITES: readonly number[] = [
  0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
  0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
];

/** TLS 1.0 to 1.3 with every suite: a hello any TLS server answers if it answers anything. */
export function broadHello(): { versions: number[]; cipherSuites: number[] } {
  return {
    versions: [ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2, ProtocolVersion.TLSv1_1, ProtocolVersion.TLSv1],
    cipherSuites: [...TLS13_SUITES, ...TLS12_SUITES],
  };
}
