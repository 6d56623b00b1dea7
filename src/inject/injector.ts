/**
 * `--inject-sni NAME`: the session hands over every client whose ClientHello
 * has no SNI; tlspeek terminates its TLS and re-originates upstream with SNI
 * NAME (see connection.ts). Clients that send SNI never get here.
 *
 * The two legs are configured apart on purpose:
 * - client side: tlspeek's certificate, and versions down to
 *   --client-min-version. OpenSSL 3 refuses TLS 1.0/1.1 (and the SHA-1
 *   handshakes and old suites that go with them) at its default security
 *   level 1, so below TLS 1.2 this side alone runs at level 0.
 * - upstream side: TLS 1.2 or later, the best the upstream offers, at the
 *   default security level, verified against NAME (--upstream-ca, else Node's
 *   roots); --insecure-upstream only records what verification found.
 */
import { createHash, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { loadTrustStore } from '../certs/checks.js';
import { ChainEvidence } from '../diagnose/chain-evidence.js';
import type { HostPort } from '../proxy/address.js';
import type { ConnectionRecord, Handover, InjectHandler, SessionLimits } from '../proxy/session.js';
import { InjectedConnection, type InjectShared } from './connection.js';

export const CLIENT_MIN_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type ClientMinVersion = (typeof CLIENT_MIN_VERSIONS)[number];
export const DEFAULT_CLIENT_MIN_VERSION: ClientMinVersion = 'TLSv1.2';

/** The upstream leg never goes below this. */
export const UPSTREAM_MIN_VERSION = 'TLSv1.2';

export interface SniInjectorOptions {
  readonly logger: Logger;
  readonly upstream: HostPort;
  readonly limits: SessionLimits;
  /** --inject-sni: the SNI sent upstream, and the name the upstream's certificate must cover. */
  readonly servername: string;
  /** PEM chain (leaf first) and key shown to terminated clients. */
  readonly certificate: {
    readonly certPem: string;
    readonly keyPem: string;
    /** How hints name it, e.g. "tlspeek's certificate for NAME, issued by the local CA in DIR/ca.pem". */
    readonly description?: string;
  };
  readonly clientMinVersion?: ClientMinVersion;
  /** PEM bundle the upstream's chain must lead to (--upstream-ca); default Node's root store. */
  readonly upstreamCa?: string;
  /** --insecure-upstream: connect even when the upstream's certificate does not verify. */
  readonly insecureUpstream?: boolean;
  /** Called with every record after it is logged (metrics). */
  readonly onRecord?: (record: ConnectionRecord) => void;
}

export class SniInjector implements InjectHandler {
  private readonly shared: InjectShared;

  constructor(o: SniInjectorOptions) {
    const clientMinVersion = o.clientMinVersion ?? DEFAULT_CLIENT_MIN_VERSION;
    this.shared = {
      logger: o.logger,
      upstream: o.upstream,
      limits: o.limits,
      servername: o.servername,
      clientContext: clientSecureContext(o.certificate.certPem, o.certificate.keyPem, clientMinVersion),
      clientMinVersion,
      upstreamTls: {
        // Verification is done by hand in connection.ts (Node's `authorized` and
        // checkServerIdentity against NAME, as rejectUnauthorized would), so that a
        // refusal still leaves the chain to check and the client to answer.
        rejectUnauthorized: false,
        secureContext: upstreamSecureContext(o.upstreamCa),
      },
      verifyUpstream: o.insecureUpstream !== true,
      chainEvidence: new ChainEvidence(o.upstreamCa !== undefined ? { roots: loadTrustStore(o.upstreamCa) } : {}),
      certificateDescription: o.certificate.description ?? describe(o.certificate.certPem),
      ...(o.onRecord ? { onRecord: o.onRecord } : {}),
    };
  }

  take(handover: Handover): { abort(): void } {
    const connection = new InjectedConnection(handover, this.shared);
    return { abort: () => connection.abort() };
  }
}

/** tlspeek's TLS server settings for legacy clients. */
export function clientSecureContext(certPem: string, keyPem: string, minVersion: ClientMinVersion): tls.SecureContext {
  const legacy = minVersion === 'TLSv1' || minVersion === 'TLSv1.1';
  return tls.createSecureContext({
    cert: certPem,
    key: keyPem,
    minVersion,
    // Level 0 on this context only: TLS 1.0/1.1 and their suites, for clients that have nothing newer.
    ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  });
}

/**
 * tlspeek's TLS client settings for the upstream, built once: given `ca` and
 * no context, tls.connect builds a new context (and trust store) for every
 * connection; sharing one took about a fifth off the proxy CPU of a new
 * injected connection (bench/proxy.ts). The versions go in the context:
 * tls.connect ignores minVersion when given one.
 */
export function upstreamSecureContext(caPem: string | undefined): tls.SecureContext {
  return tls.createSecureContext({ minVersion: UPSTREAM_MIN_VERSION, ...(caPem !== undefined ? { ca: caPem } : {}) });
}

function describe(certPem: string): string {
  const sha256 = createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
  return `tlspeek's certificate (sha256 ${sha256.slice(0, 16)}…)`;
}
