/**
 * Protocol numbers used in logic. Names follow the IANA TLS registries
 * (RFC 8446 §4, RFC 5246 §6.2.1/§7.2, RFC 6066, RFC 7301, RFC 8422).
 */

/** TLSPlaintext.type (RFC 8446 §5.1). */
export const ContentType = {
  ChangeCipherSpec: 20,
  Alert: 21,
  Handshake: 22,
  ApplicationData: 23,
  Heartbeat: 24,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** Handshake.msg_type (RFC 8446 §4, RFC 5246 §7.4). */
export const HandshakeType = {
  HelloRequest: 0,
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EndOfEarlyData: 5,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  ClientKeyExchange: 16,
  Finished: 20,
  CertificateStatus: 22,
  KeyUpdate: 24,
  MessageHash: 254,
} as const;

/** ExtensionType values tlspeek reads (IANA "TLS ExtensionType Values"). */
export const ExtensionType = {
  ServerName: 0,
  StatusRequest: 5,
  SupportedGroups: 10,
  EcPointFormats: 11,
  SignatureAlgorithms: 13,
  Alpn: 16,
  SupportedVersions: 43,
  KeyShare: 51,
} as const;

/** AlertLevel (RFC 5246 §7.2). */
export const AlertLevel = { Warning: 1, Fatal: 2 } as const;

/** AlertDescription values used in diagnosis (full name table in iana.ts). */
export const AlertDescription = {
  CloseNotify: 0,
  UnexpectedMessage: 10,
  BadRecordMac: 20,
  HandshakeFailure: 40,
  BadCertificate: 42,
  UnsupportedCertificate: 43,
  CertificateRevoked: 44,
  CertificateExpired: 45,
  CertificateUnknown: 46,
  IllegalParameter: 47,
  UnknownCa: 48,
  DecodeError: 50,
  DecryptError: 51,
  ProtocolVersion: 70,
  InsufficientSecurity: 71,
  InternalError: 80,
  InappropriateFallback: 86,
  UserCanceled: 90,
  MissingExtension: 109,
  UnsupportedExtension: 110,
  UnrecognizedName: 112,
  CertificateRequired: 116,
  NoApplicationProtocol: 120,
} as const;

/** ProtocolVersion wire values. */
export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

/** Largest TLSCiphertext fragment a peer may send (RFC 5246 §6.2.3: 2^14 + 2048). */
export const MAX_RECORD_PAYLOAD = 16384 + 2048;

/** Record header: type(1) version(2) length(2). */
export const RECORD_HEADER_LENGTH = 5;

/** Handshake header: msg_type(1) length(3). */
export const HANDSHAKE_HEADER_LENGTH = 4;

/**
 * ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest")
 * (RFC 8446 §4.1.3). TLS 1.3 reuses the ServerHello message for HRR and marks it
 * only by this fixed random.
 */
export const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);
