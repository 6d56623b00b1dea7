/**
 * Getting the server's certificate chain. Up to TLS 1.2 it travels in clear
 * (RFC 5246 §7.4.2) and a crafted hello reads it as sent. In TLS 1.3 it is
 * encrypted (RFC 8446 §4.4.2), so for a TLS 1.3-only server tlspeek lets
 * Node's TLS client complete a handshake without verifying, and reads the
 * chain from it. Either way the chain is then checked with `assessChain`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { assessChain, type TrustStore } from '../certs/checks.js';
import { describeCertificate } from '../certs/parse.js';
import type { ProbeTarget } from './handshake-probe.js';
import type { ChainReport } from './report.js';

export interface TlsConnectResult {
  /** DER, leaf first, rebuilt by Node (see `fetchWithTlsConnect`); empty when the handshake failed. */
  readonly certificates: Buffer[];
  /** Negotiated version (`TLSv1.3` ...), or null. */
  readonly version: string | null;
  readonly alpn: string | null;
  /** The error code when the handshake failed. */
  readonly error: string | null;
}

export interface TlsConnectOptions {
  /** SNI; null sends none. The target host must be an address for "none" to hold: Node would send a host name as SNI. */
  readonly servername: string | null;
  readonly timeoutMs: number;
  readonly alpn?: readonly string[];
}

/**
 * One full handshake by Node's client, certificate checks off, to read what a
 * TLS 1.3 server keeps encrypted. The chain comes from
 * `getPeerCertificate(true)`, walking `issuerCertificate`: Node rebuilds it
 * issuer by issuer from what was sent (dropping certificates not on the path)
 * and may append a root from its own store, so the order as sent is lost here.
 */
export function fetchWithTlsConnect(target: ProbeTarget, options: TlsConnectOptions): Promise<TlsConnectResult> {
  return new Promise((resolve) => {
    let done = false;
    const sock = tls.connect({
      host: target.host,
      port: target.port,
      rejectUnauthorized: false,
      // Node sends `host` as SNI unless it is an IP literal; an explicit servername overrides it.
      ...(options.servername !== null ? { servername: options.servername } : {}),
      ...(options.alpn ? { ALPNProtocols: [...options.alpn] } : {}),
    });
    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const certificates = error === null ? peerChain(sock) : [];
      const version = error === null ? (sock.getProtocol() ?? null) : null;
      const alpn = error === null && typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null;
      sock.off('secureConnect', onSecure);
      sock.off('error', onError);
      sock.off('close', onClose);
      sock.on('error', () => undefined);
      sock.destroy();
      resolve({ certificates, version, alpn, error });
    };
    const onSecure = (): void => finish(null);
    const onError = (err: NodeJS.ErrnoException): void => finish(err.code ?? err.message);
    const onClose = (): void => finish('closed');
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    sock.on('secureConnect', onSecure);
    sock.on('error', onError);
    sock.on('close', onClose);
  });
}

function peerChain(sock: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = sock.getPeerCertificate(true);
  // An empty object when the server sent no certificate; issuerCertificate points at itself at a self-signed top.
  while (cert !== undefined && cert.raw !== undefined && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert.raw);
    // Typed as always present; Node leaves it out when it cannot find the issuer.
    const issuer: tls.DetailedPeerCertificate | undefined = cert.issuerCertificate;
    cert = issuer;
  }
  return out;
}

/** Checks a fetched chain against `name` and wraps it as a report. */
export function chainReport(
  certificates: readonly Buffer[],
  meta: { source: ChainReport['source']; version: string | null; servername: string | null; name: string | null; roots: TrustStore },
): ChainReport {
  const assessment = assessChain({ chain: certificates, name: meta.name, roots: meta.roots });
  return {
    source: meta.source,
    version: meta.version,
    orderAsSent: meta.source === 'handshake',
    servername: meta.servername,
    name: meta.name,
    certificates: certificates.map((der) => describeCertificate(der)),
    verdict: assessment.verdict,
    problems: [...assessment.problems],
    hint: assessment.hint,
    findings: [...assessment.findings],
  };
}

/** The name a certificate is checked against: the SNI sent, else the host the client dialled (an IP literal included). */
export function checkName(servername: string | null, host: string): string {
  return servername ?? host;
}

/** True for a DNS name (not an IPv4/IPv6 literal): what a client would send as SNI by default. */
export function isDnsName(host: string): boolean {
  return net.isIP(host) === 0;
}
