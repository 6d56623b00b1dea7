/**
 * Start-up for `--inject-sni`: reads and checks the flags' files, makes the
 * certificate (and local CA), warns about risky settings, and returns the
 * handler for `startProxy` with a summary for the start-up log line.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadTrustStore, type TrustStore } from '../certs/checks.js';
import type { HostPort } from '../proxy/address.js';
import type { ConnectionRecord, SessionLimits } from '../proxy/session.js';
import { type ClientMinVersion, DEFAULT_CLIENT_MIN_VERSION, SniInjector } from './injector.js';
import { LocalCaError } from './local-ca.js';
import { loadServingCertificate, type ServingCertificate, ServingCertificateError } from './serving-certificate.js';

/** A flag combination or file tlspeek cannot use; the message is for the command line. */
export class InjectSetupError extends Error {
  override readonly name = 'InjectSetupError';
}

export interface InjectFlags {
  readonly servername: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly localCaDir?: string;
  readonly upstreamCaFile?: string;
  readonly insecureUpstream?: boolean;
  readonly clientMinVersion?: ClientMinVersion;
}

export interface InjectDeps {
  readonly logger: Logger;
  readonly upstream: HostPort;
  readonly limits: SessionLimits;
  readonly onRecord?: (record: ConnectionRecord) => void;
}

/** For the start-up line: what terminated clients are shown and how the upstream is checked. */
export interface InjectSummary {
  servername: string;
  clientMinVersion: ClientMinVersion;
  certificate: { source: ServingCertificate['source']; sha256: string; subject: string; notAfter: string; coversName: boolean };
  localCa?: { certificate: string; sha256: string; notAfter: string; created: boolean; pem?: string };
  upstreamVerification: string;
}

export interface InjectSetup {
  readonly handler: SniInjector;
  readonly summary: InjectSummary;
  /** The --upstream-ca roots, for the passthrough chain checks too. */
  readonly roots: TrustStore | null;
}

/** Reads the CA bundle of --upstream-ca; null when the flag is absent. */
export function readUpstreamCa(file: string | undefined): { pem: string; store: TrustStore } | null {
  if (file === undefined) return null;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new InjectSetupError(`cannot read --upstream-ca ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const store = loadTrustStore(pem);
  if (store.roots.length === 0) throw new InjectSetupError(`--upstream-ca ${file} holds no readable PEM certificate`);
  return { pem, store };
}

export function setUpInjection(flags: InjectFlags, deps: InjectDeps): InjectSetup {
  const { logger } = deps;
  if ((flags.certFile === undefined) !== (flags.keyFile === undefined)) throw new InjectSetupError('--cert and --key go together');
  if (flags.localCaDir !== undefined && flags.certFile !== undefined) {
    throw new InjectSetupError('--local-ca signs the certificate tlspeek generates; it cannot be combined with --cert/--key');
  }
  if (flags.insecureUpstream === true && flags.upstreamCaFile !== undefined) {
    throw new InjectSetupError('--insecure-upstream turns off the verification --upstream-ca is for; give one of them');
  }
  const upstreamCa = readUpstreamCa(flags.upstreamCaFile);

  let cert: ServingCertificate;
  try {
    cert = loadServingCertificate({
      name: flags.servername,
      ...(flags.certFile !== undefined ? { certFile: flags.certFile } : {}),
      ...(flags.keyFile !== undefined ? { keyFile: flags.keyFile } : {}),
      ...(flags.localCaDir !== undefined ? { localCaDir: flags.localCaDir } : {}),
    });
  } catch (err: unknown) {
    if (err instanceof ServingCertificateError || err instanceof LocalCaError) throw new InjectSetupError(err.message, { cause: err });
    throw err;
  }

  if (cert.keyExposed) logger.warn({ file: flags.keyFile }, 'the --key file is readable by group or others: chmod 600 it');
  if (cert.localCa?.keyExposed) logger.warn({ file: cert.localCa.keyPath }, 'the local CA key is readable by group or others: chmod 600 it');
  if (!cert.coversName) logger.warn({ servername: flags.servername, subject: cert.subject }, '--cert does not cover the --inject-sni name: clients that check host names will reject it');
  if (cert.source === 'self-signed') {
    logger.warn({ sha256: cert.sha256 }, 'terminated clients get a self-signed certificate made at start-up: clients that verify will reject it; use --local-ca DIR or --cert/--key');
  }
  if (flags.insecureUpstream === true) {
    logger.warn({}, '--insecure-upstream: the upstream is not verified on re-originated connections; anyone on the path to it can read and change that traffic');
  }

  const clientMinVersion = flags.clientMinVersion ?? DEFAULT_CLIENT_MIN_VERSION;
  const ca = cert.localCa;
  const description =
    cert.source === 'local-ca' && ca
      ? `tlspeek's certificate for ${flags.servername} (issued by the local CA in ${ca.certPath})`
      : cert.source === 'self-signed'
        ? `tlspeek's self-signed certificate for ${flags.servername} (sha256 ${cert.sha256.slice(0, 16)}…, generated at start-up)`
        : `tlspeek's certificate ${cert.subject} (--cert ${flags.certFile ?? ''})`;
  const handler = new SniInjector({
    logger,
    upstream: deps.upstream,
    limits: deps.limits,
    servername: flags.servername,
    certificate: { certPem: cert.certPem, keyPem: cert.keyPem, description },
    clientMinVersion,
    ...(upstreamCa ? { upstreamCa: upstreamCa.pem } : {}),
    insecureUpstream: flags.insecureUpstream === true,
    ...(deps.onRecord ? { onRecord: deps.onRecord } : {}),
  });

  const summary: InjectSummary = {
    servername: flags.servername,
    clientMinVersion,
    certificate: { source: cert.source, sha256: cert.sha256, subject: cert.subject, notAfter: cert.notAfter.toISOString(), coversName: cert.coversName },
    upstreamVerification: flags.insecureUpstream === true ? 'off' : flags.upstreamCaFile !== undefined ? `--upstream-ca ${flags.upstreamCaFile}` : 'system roots',
  };
  if (ca) {
    // On creation the CA certificate is printed too: it is what clients must be given.
    summary.localCa = { certificate: ca.certPath, sha256: ca.sha256, notAfter: ca.notAfter.toISOString(), created: ca.created, ...(ca.created ? { pem: ca.certPem } : {}) };
  }
  return { handler, summary, roots: upstreamCa?.store ?? null };
}

/**
 * A host name usable as SNI (RFC 6066 §3): DNS labels of letters, digits and
 * hyphens; not an IP literal (SNI never carries one); no wildcard.
 */
export function isServername(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  if (/^[\d.]+$/.test(name) || name.includes(':')) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}
