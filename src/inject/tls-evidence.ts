/**
 * What tlspeek learns as a TLS endpoint, beyond the bytes it taps: alerts its
 * own OpenSSL decrypted, the peer's chain as Node rebuilt it, and the one
 * record tlspeek writes itself (a fatal alert to a client it cannot serve).
 */
import type tls from 'node:tls';
import { AlertLevel, ContentType, ProtocolVersion } from '../tls/constants.js';
import type { AlertRecord } from '../tls/types.js';

/**
 * The fatal alert a TLS socket's error reports as received from the peer.
 * OpenSSL appends "SSL alert number N" to the error it raises on reading a
 * fatal alert (ssl3_read_bytes), and only then. Here tlspeek is the endpoint,
 * so this is the alert as decrypted, not a guess: it covers TLS 1.3 alerts
 * that the wire taps only see as opaque records.
 */
export function receivedAlert(err: unknown): AlertRecord | null {
  if (!(err instanceof Error)) return null;
  const m = /SSL alert number (\d{1,3})\b/.exec(err.message);
  if (!m) return null;
  return { level: AlertLevel.Fatal, code: Number(m[1]) };
}

/**
 * The peer's certificates, leaf first, from `getPeerCertificate(true)`. Node
 * orders them by issuer (not as sent), drops strays and may end with the
 * trust anchor from its own store; used only when the Certificate message was
 * encrypted (TLS 1.3). Not getPeerX509Certificate(): on a Node 20 client
 * socket it takes the leaf out of OpenSSL's peer chain, after which
 * getPeerCertificate(true) returns an empty object.
 */
export function peerChain(socket: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    out.push(cert.raw);
    seen.add(cert.fingerprint256);
    cert = cert.issuerCertificate;
  }
  return out;
}

/**
 * A fatal alert record in clear, as a server sends it before any ServerHello
 * (RFC 5246 §7.2). The record version follows the client's hello, capped at
 * TLS 1.2 (TLS 1.3 records say 0x0303).
 */
export function plaintextAlert(code: number, clientRecordVersion: number): Buffer {
  const version = Math.min(Math.max(clientRecordVersion, ProtocolVersion.TLSv1), ProtocolVersion.TLSv1_2);
  return Buffer.from([ContentType.Alert, version >> 8, version & 0xff, 0, 2, AlertLevel.Fatal, code]);
}
