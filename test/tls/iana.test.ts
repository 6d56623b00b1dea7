/**
 * IANA name tables, checked against sources that do not come from iana.ts:
 * the cipher suites OpenSSL knows (its `-stdname` column is the IANA name), and
 * value/name lists copied by hand from the RFCs cited beside each list.
 */
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { AlertDescription } from '../../src/tls/constants.js';
import {
  ALERTS,
  CIPHER_SUITES,
  EXTENSIONS,
  GROUPS,
  SIGNATURE_SCHEMES,
  VERSIONS,
  alertLevelName,
  alertName,
  cipherSuiteName,
  extensionName,
  groupName,
  hex4,
  signatureSchemeName,
  versionName,
} from '../../src/tls/iana.js';

const lookups = {
  cipherSuiteName,
  groupName,
  signatureSchemeName,
  extensionName,
  alertName,
  versionName,
  alertLevelName,
} as const;

const tables = {
  CIPHER_SUITES,
  GROUPS,
  SIGNATURE_SCHEMES,
  EXTENSIONS,
  ALERTS,
  VERSIONS,
} as const;

/** RFC 8701 §2: {0x0A,0x0A}, {0x1A,0x1A} ... {0xFA,0xFA}. */
const GREASE = Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x0101);

const TLS13_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
];

interface OpensslListing {
  /** code -> IANA name, for every line whose standard name is not "(NONE)". */
  readonly suites: Map<number, string>;
  /** Lines that did not parse: a change of output format must fail, not check nothing. */
  readonly unparsed: string[];
  /** Codes openssl printed with two different names. */
  readonly conflicts: string[];
}

/** What `openssl ciphers -V -stdname` lists for a cipher string plus every TLS 1.3 suite. */
function opensslSuites(cipherString: string, into: OpensslListing): void {
  const out = execFileSync(
    'openssl',
    ['ciphers', '-V', '-stdname', '-ciphersuites', TLS13_SUITES.join(':'), cipherString],
    { encoding: 'utf8', timeout: 10_000 },
  );
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    // "          0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=..."
    const m = /^\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2}) - (\S+)\s+- \S+/.exec(line);
    const [, hi, lo, stdname] = m ?? [];
    if (hi === undefined || lo === undefined || stdname === undefined) {
      into.unparsed.push(line);
      continue;
    }
    if (stdname === '(NONE)') continue;
    const code = Number.parseInt(hi + lo, 16);
    const seen = into.suites.get(code);
    if (seen !== undefined && seen !== stdname) into.conflicts.push(`${hex4(code)}: ${seen} / ${stdname}`);
    into.suites.set(code, stdname);
  }
}

void t.test('every cipher suite OpenSSL knows has the IANA name OpenSSL prints for it', (t) => {
  const listing: OpensslListing = { suites: new Map(), unparsed: [], conflicts: [] };
  opensslSuites('ALL:COMPLEMENTOFALL:@SECLEVEL=0', listing);
  opensslSuites('eNULL:aNULL:@SECLEVEL=0', listing);
  const { suites } = listing;
  t.same(listing.unparsed, [], 'every openssl line parsed');
  t.same(listing.conflicts, [], 'openssl gives each code one name');
  t.ok(suites.size >= 150, `openssl listed ${suites.size} suites`);
  const names = new Set(suites.values());
  for (const name of TLS13_SUITES) t.ok(names.has(name), `openssl lists ${name}`);
  let mismatches = 0;
  for (const [code, name] of suites) {
    if (cipherSuiteName(code) !== name) {
      mismatches++;
      t.equal(cipherSuiteName(code), name, hex4(code));
    }
  }
  t.equal(mismatches, 0, `all ${suites.size} openssl suites named as openssl names them`);
  const version = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  t.comment(`checked ${suites.size} cipher suites against ${version}`);
  t.end();
});

void t.test('cipher suites openssl does not implement, from their RFCs', (t) => {
  const expected: [number, string][] = [
    [0x0000, 'TLS_NULL_WITH_NULL_NULL'], // RFC 5246 §A.5
    [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'], // RFC 4346 §A.5
    [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5'], // RFC 4346 §A.5
    [0x001e, 'TLS_KRB5_WITH_DES_CBC_SHA'], // RFC 2712 §3
    [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'], // RFC 5746 §3.3
    [0x5600, 'TLS_FALLBACK_SCSV'], // RFC 7507 §6
    [0x00c6, 'TLS_SM4_GCM_SM3'], // RFC 8998 §2
    [0x00c7, 'TLS_SM4_CCM_SM3'], // RFC 8998 §2
    [0xc0b0, 'TLS_ECCPWD_WITH_AES_128_GCM_SHA256'], // RFC 8492 §5
    [0xc0b3, 'TLS_ECCPWD_WITH_AES_256_CCM_SHA384'], // RFC 8492 §5
    [0xc0b4, 'TLS_SHA256_SHA256'], // RFC 9150 §9
    [0xc100, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC'], // RFC 9189 §4
    [0xc102, 'TLS_GOSTR341112_256_WITH_28147_CNT_IMIT'], // RFC 9189 §4
    [0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256'], // RFC 8442 §3
    [0xd005, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256'], // RFC 8442 §3
  ];
  for (const [code, name] of expected) t.equal(cipherSuiteName(code), name, hex4(code));
  t.end();
});

void t.test('groups: RFC 8446 §4.2.7, RFC 4492 §5.1.1, RFC 7027 §2, RFC 8734 §2, ML-KEM drafts', (t) => {
  const expected: [number, string][] = [
    // RFC 8446 §4.2.7 NamedGroup
    [0x0017, 'secp256r1'],
    [0x0018, 'secp384r1'],
    [0x0019, 'secp521r1'],
    [0x001d, 'x25519'],
    [0x001e, 'x448'],
    [0x0100, 'ffdhe2048'],
    [0x0101, 'ffdhe3072'],
    [0x0102, 'ffdhe4096'],
    [0x0103, 'ffdhe6144'],
    [0x0104, 'ffdhe8192'],
    // RFC 4492 §5.1.1 NamedCurve (deprecated by RFC 8422 §5.1.1, still on the wire)
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
    [0xff01, 'arbitrary_explicit_prime_curves'],
    [0xff02, 'arbitrary_explicit_char2_curves'],
    // RFC 7027 §2
    [26, 'brainpoolP256r1'],
    [27, 'brainpoolP384r1'],
    [28, 'brainpoolP512r1'],
    // RFC 8734 §2
    [31, 'brainpoolP256r1tls13'],
    [32, 'brainpoolP384r1tls13'],
    [33, 'brainpoolP512r1tls13'],
    // RFC 8998 §2
    [41, 'curveSM2'],
    // draft-ietf-tls-ecdhe-mlkem §3; draft-tls-westerbaan-xyber768d00 §3
    [0x11eb, 'SecP256r1MLKEM768'],
    [0x11ec, 'X25519MLKEM768'],
    [0x11ed, 'SecP384r1MLKEM1024'],
    [0x6399, 'X25519Kyber768Draft00'],
  ];
  for (const [code, name] of expected) t.equal(groupName(code), name, hex4(code));
  t.end();
});

void t.test('signature schemes: RFC 8446 §4.2.3, RFC 8734 §2, RFC 8998 §2', (t) => {
  const expected: [number, string][] = [
    // RFC 8446 §4.2.3 SignatureScheme
    [0x0401, 'rsa_pkcs1_sha256'],
    [0x0501, 'rsa_pkcs1_sha384'],
    [0x0601, 'rsa_pkcs1_sha512'],
    [0x0403, 'ecdsa_secp256r1_sha256'],
    [0x0503, 'ecdsa_secp384r1_sha384'],
    [0x0603, 'ecdsa_secp521r1_sha512'],
    [0x0804, 'rsa_pss_rsae_sha256'],
    [0x0805, 'rsa_pss_rsae_sha384'],
    [0x0806, 'rsa_pss_rsae_sha512'],
    [0x0807, 'ed25519'],
    [0x0808, 'ed448'],
    [0x0809, 'rsa_pss_pss_sha256'],
    [0x080a, 'rsa_pss_pss_sha384'],
    [0x080b, 'rsa_pss_pss_sha512'],
    [0x0201, 'rsa_pkcs1_sha1'],
    [0x0203, 'ecdsa_sha1'],
    // RFC 8734 §2
    [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
    [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
    [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
    // RFC 8998 §2
    [0x0708, 'sm2sig_sm3'],
  ];
  for (const [code, name] of expected) t.equal(signatureSchemeName(code), name, hex4(code));

  // RFC 8446 §4.2.3: the TLS 1.2 pairs with no TLS 1.3 name are reserved, not named.
  // dsa_sha1 (0x0202), sha224 with rsa/dsa/ecdsa (0x0301-0x0303), dsa_sha256 (0x0402),
  // and the RFC 9189 GOST pairs (0x0840, 0x0841).
  for (const code of [0x0202, 0x0301, 0x0302, 0x0303, 0x0402, 0x0502, 0x0602, 0x0840, 0x0841]) {
    t.equal(signatureSchemeName(code), hex4(code), `${hex4(code)} has no registry name`);
  }
  t.end();
});

void t.test('extensions: RFC 8446 §4.2, RFC 6066, RFC 5746, ECH', (t) => {
  const expected: [number, string][] = [
    // RFC 8446 §4.2 ExtensionType
    [0, 'server_name'],
    [1, 'max_fragment_length'],
    [5, 'status_request'],
    [10, 'supported_groups'],
    [13, 'signature_algorithms'],
    [14, 'use_srtp'],
    [15, 'heartbeat'],
    [16, 'application_layer_protocol_negotiation'],
    [18, 'signed_certificate_timestamp'],
    [19, 'client_certificate_type'],
    [20, 'server_certificate_type'],
    [21, 'padding'],
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
    // RFC 6066 §1.1
    [2, 'client_certificate_url'],
    [3, 'trusted_ca_keys'],
    [4, 'truncated_hmac'],
    // RFC 8422 §5.1
    [11, 'ec_point_formats'],
    // RFC 7627 §5.1, RFC 7366 §2, RFC 5077 §3.2, RFC 8879 §3, RFC 8449 §4, RFC 9000/9001 §8.2
    [23, 'extended_master_secret'],
    [22, 'encrypt_then_mac'],
    [35, 'session_ticket'],
    [27, 'compress_certificate'],
    [28, 'record_size_limit'],
    [57, 'quic_transport_parameters'],
    // RFC 5746 §3.2
    [0xff01, 'renegotiation_info'],
    // ECH (draft-ietf-tls-esni §5, §11.1)
    [0xfe0d, 'encrypted_client_hello'],
    [0xfd00, 'ech_outer_extensions'],
    // not IANA: ALPS as Chrome sends it
    [17513, 'application_settings'],
  ];
  for (const [code, name] of expected) t.equal(extensionName(code), name, String(code));
  t.equal(extensionName(40), '0x0028', '40 is reserved, unnamed');
  t.equal(extensionName(46), '0x002E', '46 is reserved, unnamed');
  t.end();
});

void t.test('alerts: RFC 8446 §6, and every AlertDescription constant has its name', (t) => {
  const expected: [number, string][] = [
    [0, 'close_notify'],
    [10, 'unexpected_message'],
    [20, 'bad_record_mac'],
    [22, 'record_overflow'],
    [40, 'handshake_failure'],
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
    [70, 'protocol_version'],
    [71, 'insufficient_security'],
    [80, 'internal_error'],
    [86, 'inappropriate_fallback'],
    [90, 'user_canceled'],
    [109, 'missing_extension'],
    [110, 'unsupported_extension'],
    [112, 'unrecognized_name'],
    [113, 'bad_certificate_status_response'],
    [115, 'unknown_psk_identity'],
    [116, 'certificate_required'],
    [120, 'no_application_protocol'],
    // RFC 5246 §7.2 (reserved in TLS 1.3, still seen from old peers)
    [21, 'decryption_failed'],
    [30, 'decompression_failure'],
    [60, 'export_restriction'],
    [100, 'no_renegotiation'],
  ];
  for (const [code, name] of expected) t.equal(alertName(code), name, String(code));

  for (const [key, code] of Object.entries(AlertDescription)) {
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    t.equal(alertName(code), snake, `AlertDescription.${key}`);
  }
  t.equal(alertName(255), '0x00FF', 'unknown alert as 0xHHHH');
  t.equal(alertName(1), '0x0001');

  t.equal(alertLevelName(1), 'warning');
  t.equal(alertLevelName(2), 'fatal');
  t.equal(alertLevelName(0), '0x0000');
  t.equal(alertLevelName(3), '0x0003');
  t.end();
});

void t.test('versions are named as SPEC.md fixes them, anything else 0xHHHH', (t) => {
  t.equal(versionName(0x0300), 'SSLv3');
  t.equal(versionName(0x0301), 'TLSv1');
  t.equal(versionName(0x0302), 'TLSv1.1');
  t.equal(versionName(0x0303), 'TLSv1.2');
  t.equal(versionName(0x0304), 'TLSv1.3');
  t.equal(versionName(0x0002), '0x0002', 'SPEC names no SSLv2');
  t.equal(versionName(0x0000), '0x0000');
  t.equal(versionName(0x0305), '0x0305');
  t.equal(versionName(0x7f1c), '0x7F1C', 'a TLS 1.3 draft version');
  t.equal(versionName(0xfefd), '0xFEFD', 'DTLS 1.2 is not a TLS version');
  t.end();
});

void t.test('GREASE and unknown values come back as 0xHHHH from every lookup', (t) => {
  t.equal(GREASE[0], 0x0a0a);
  t.equal(GREASE[15], 0xfafa);
  for (const [fname, fn] of Object.entries(lookups)) {
    t.equal(fn(0x0a0a), '0x0A0A', `${fname}(0x0A0A)`);
    t.equal(fn(0xfafa), '0xFAFA', `${fname}(0xFAFA)`);
    for (const g of GREASE) t.equal(fn(g), hex4(g), `${fname}(${hex4(g)})`);
    t.equal(fn(0xfeff), '0xFEFF', `${fname}(0xFEFF)`);
  }
  t.equal(cipherSuiteName(0xff85), '0xFF85', 'private-use cipher suite');
  t.equal(cipherSuiteName(0x0060), '0x0060', 'reserved, unnamed cipher suite');
  t.equal(groupName(0xfe00), '0xFE00', 'private-use group');
  t.end();
});

void t.test('the SPEC example record names', (t) => {
  t.same([4865, 49199].map(cipherSuiteName), ['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  t.same([29, 23].map(groupName), ['x25519', 'secp256r1']);
  t.same([0x0403, 0x0804].map(signatureSchemeName), ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256']);
  t.same([0x0304, 0x0303].map(versionName), ['TLSv1.3', 'TLSv1.2']);
  t.end();
});

void t.test('hex4', (t) => {
  t.equal(hex4(0), '0x0000');
  t.equal(hex4(0x2f), '0x002F');
  t.equal(hex4(0xabcd), '0xABCD');
  t.equal(hex4(0xffff), '0xFFFF');
  for (const bad of [-1, 0x10000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => hex4(bad), RangeError, String(bad));
  }
  t.end();
});

void t.test('table shape: 16-bit keys, no GREASE, clean unique names', (t) => {
  for (const [tname, table] of Object.entries(tables)) {
    const names = new Set<string>();
    for (const [code, name] of table) {
      if (!Number.isInteger(code) || code < 0 || code > 0xffff) t.fail(`${tname}: key ${code} is not 16-bit`);
      if (GREASE.includes(code)) t.fail(`${tname}: GREASE ${hex4(code)} must stay unnamed`);
      if (name === '' || name.trim() !== name || name.startsWith('0x')) t.fail(`${tname}: bad name ${JSON.stringify(name)}`);
      if (names.has(name)) t.fail(`${tname}: name ${name} used twice`);
      names.add(name);
    }
    t.ok(table.size > 0, `${tname} has ${table.size} entries`);
  }
  for (const name of CIPHER_SUITES.values()) {
    if (!/^TLS_[A-Za-z0-9_]+$/.test(name)) t.fail(`cipher suite name ${name}`);
  }
  t.ok(CIPHER_SUITES.size >= 340, `cipher suite registry is complete (${CIPHER_SUITES.size})`);
  t.end();
});
