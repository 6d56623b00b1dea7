/**
 * Certificate and CertificateRequest handshake messages as sent in clear up to
 * TLS 1.2 (RFC 5246 §7.4.2, §7.4.4). TLS 1.3 encrypts both.
 */
import { ByteReader } from './byte-reader.js';

/** Certificate (TLS <= 1.2): a 3-byte-length list of DER certificates, leaf first. */
export function decodeCertificateList(body: Buffer, baseOffset = 0): Buffer[] {
  const r = new ByteReader(body, 0, body.length, baseOffset);
  const list = r.vec24('certificate_list');
  r.expectEnd('Certificate');
  const certs: Buffer[] = [];
  while (!list.done) certs.push(list.vec24('ASN.1Cert').rest());
  return certs;
}
