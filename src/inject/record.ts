/**
 * The connection record of an injected connection: SPEC's record with
 * `mode: "inject"`, `hello` = what the legacy client offered, `server` = what
 * the upstream answered tlspeek, and an `inject` object for what only this
 * mode has (tlspeek's own handshake with the client, its verdict on the
 * upstream, the alert it sent).
 */
import type { ChainAssessment } from '../certs/checks.js';
import type { ChainEvidence } from '../diagnose/chain-evidence.js';
import { type AlertJson, alertJson } from '../log/alert-json.js';
import { RECORD_HELLOS } from '../log/remembered-hellos.js';
import { serverJson, type ServerJson } from '../log/server-json.js';
import type { ConnectionRecord, Handover } from '../proxy/session.js';
import type { FlightFacts } from '../tls/flight-watcher.js';
import type { AlertRecord } from '../tls/types.js';
import { diagnoseInject, failedLeg, type InjectEnd, injectOutcome, type Leg } from './diagnosis.js';

/** How tlspeek's verification of the upstream went: passed, failed and refused, failed and ignored (--insecure-upstream). */
export type UpstreamVerification = 'verified' | 'rejected' | 'ignored';

/** The `inject` object (beyond SPEC's fields, which stay as SPEC names them). */
export interface InjectJson {
  /** The SNI tlspeek sent upstream. */
  servername: string;
  /** Version and suite tlspeek negotiated with the legacy client; null if that handshake did not complete. */
  clientVersion: string | null;
  clientCipherSuite: string | null;
  /** null when no upstream handshake completed. */
  upstreamVerification: UpstreamVerification | null;
  /** Node's verification error for the upstream (e.g. ERR_TLS_CERT_ALTNAME_INVALID), also when ignored. */
  upstreamVerifyError: string | null;
  /** The fatal alert tlspeek sent the legacy client, if any. */
  alertSent: AlertJson | null;
  /** Which leg ended a failed connection. */
  failedLeg: Leg | null;
}

export type InjectRecord = ConnectionRecord & { mode: 'inject'; inject: InjectJson };

/** What an injected connection learned, filled in as it runs. */
export interface InjectEvidence {
  client: { address: string | null; port: number | null };
  upstream: { address: string; port: number };
  /** The upstream's bytes as tapped during its handshake; null when it never connected. */
  upstreamFacts: FlightFacts | null;
  upstreamReset: boolean;
  /** The upstream's fatal alert (read in clear, or decrypted). */
  upstreamAlert: AlertRecord | null;
  /** The upstream's certificates, leaf first (as sent in TLS <= 1.2; Node's view in TLS 1.3). */
  upstreamChain: Buffer[];
  chainCheck: ChainAssessment | null;
  /** The ALPN protocol the upstream chose (known to tlspeek even when it traveled encrypted). */
  upstreamAlpn: string | null;
  verification: UpstreamVerification | null;
  verifyError: string | null;
  /** The legacy client's fatal alert during its handshake. */
  clientAlert: AlertRecord | null;
  alertSent: AlertRecord | null;
  clientVersion: string | null;
  clientCipher: string | null;
  handshakeMs: number | null;
  bytesFromClient: number;
  bytesFromServer: number;
  err: { code: string | null; message: string } | null;
}

export function emptyEvidence(client: InjectEvidence['client'], upstream: InjectEvidence['upstream'], bytesFromClient: number): InjectEvidence {
  return {
    client,
    upstream,
    upstreamFacts: null,
    upstreamReset: false,
    upstreamAlert: null,
    upstreamChain: [],
    chainCheck: null,
    upstreamAlpn: null,
    verification: null,
    verifyError: null,
    clientAlert: null,
    alertSent: null,
    clientVersion: null,
    clientCipher: null,
    handshakeMs: null,
    bytesFromClient,
    bytesFromServer: 0,
    err: null,
  };
}

export interface RecordContext {
  readonly servername: string;
  readonly clientMinVersion: string;
  readonly certificateDescription: string;
  /** Describes chains, parsed once per distinct chain (the upstream sends the same one every time). */
  readonly chainEvidence: Pick<ChainEvidence, 'describe'>;
}

export function injectRecord(h: Handover, ctx: RecordContext, end: InjectEnd, ev: InjectEvidence, durationMs: number): InjectRecord {
  const { cause, hint } = diagnoseInject({
    end,
    name: ctx.servername,
    hello: h.hello,
    clientMinVersion: ctx.clientMinVersion,
    upstreamVersion: ev.upstreamFacts?.serverHello?.version ?? null,
    certificateRequested: ev.upstreamFacts?.certificateRequested ?? false,
    chain: ev.chainCheck,
    servingCertificate: ctx.certificateDescription,
  });
  return {
    id: h.id,
    listener: h.listener,
    mode: 'inject',
    client: ev.client,
    upstream: ev.upstream,
    hello: RECORD_HELLOS.get(h.hello, h.helloBytes, h.helloRecords),
    server: serverObject(ev, ctx.chainEvidence),
    clientAlert: ev.clientAlert ? alertJson(ev.clientAlert) : null,
    outcome: injectOutcome(end),
    cause,
    hint,
    durationMs: round(durationMs),
    handshakeMs: ev.handshakeMs === null ? null : round(ev.handshakeMs),
    bytesFromClient: ev.bytesFromClient,
    bytesFromServer: ev.bytesFromServer,
    inject: {
      servername: ctx.servername,
      clientVersion: ev.clientVersion,
      clientCipherSuite: ev.clientCipher,
      upstreamVerification: ev.verification,
      upstreamVerifyError: ev.verifyError,
      alertSent: ev.alertSent ? alertJson(ev.alertSent) : null,
      failedLeg: failedLeg(end),
    },
    ...(ev.err ? { err: ev.err } : {}),
  };
}

/** SPEC's `server`: what the upstream answered tlspeek. */
function serverObject(ev: InjectEvidence, chains: Pick<ChainEvidence, 'describe'>): ServerJson | null {
  const facts = ev.upstreamFacts;
  if (!facts) return null;
  // TLS 1.3 encrypts the certificates and ALPN; tlspeek, as the endpoint, still knows them.
  const sent = facts.certificates ?? [];
  const chain = sent.length > 0 ? sent : ev.upstreamChain;
  const json = serverJson(facts, {
    reset: ev.upstreamReset,
    alert: ev.upstreamAlert ? alertJson(ev.upstreamAlert) : null,
    chainCheck: ev.chainCheck,
    certificates: chain.length > 0 ? chains.describe(chain) : [],
  });
  json.alpn ??= ev.upstreamAlpn;
  return json;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
