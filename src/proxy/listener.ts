/**
 * The proxy's TCP listener: accepts clients, gives each a Session, and stops
 * gracefully (stop accepting, let sessions finish up to a grace period, then
 * end the rest so each still writes its record).
 */
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { TrustStore } from '../certs/checks.js';
import { ChainEvidence } from '../diagnose/chain-evidence.js';
import { formatHostPort, type HostPort } from './address.js';
import { type ConnectionRecord, type InjectHandler, Session, type SessionLimits } from './session.js';
import { UpstreamProber, type UpstreamProberOptions } from './upstream-prober.js';

export interface ProxyOptions {
  readonly listen: HostPort;
  readonly upstream: HostPort;
  readonly limits: SessionLimits;
  readonly logger: Logger;
  /** With --inject-sni: the handler for clients that send no SNI. */
  readonly inject?: InjectHandler;
  /** Trust anchors for checking chains seen in clear (--upstream-ca); default Node's root store. */
  readonly roots?: TrustStore;
  /** Called with every connection record (metrics). */
  readonly onRecord?: (record: ConnectionRecord) => void;
  /** --probe: confirm failed handshakes with probes of the upstream (cache sizes, limits; tests pass their own). */
  readonly probe?: Omit<UpstreamProberOptions, 'upstream' | 'roots'>;
}

export interface RunningProxy {
  /** The address actually bound (port 0 resolved). */
  readonly address: HostPort;
  /** Sessions currently open. */
  readonly openSessions: number;
  /** Stops accepting; resolves when every session has closed (aborting those still open after `graceMs`). */
  stop(graceMs: number): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const sessions = new Set<Session>();
  const idBase = randomInt(0x100000, 0xffffff);
  let counter = 0;
  let listenerName = formatHostPort(options.listen);
  let idle: (() => void) | null = null;
  const chainEvidence = new ChainEvidence(options.roots ? { roots: options.roots } : {});
  const prober = options.probe ? new UpstreamProber({ ...options.probe, upstream: options.upstream, ...(options.roots ? { roots: options.roots } : {}) }) : null;

  const upstreamIsIPv4 = net.isIPv4(options.upstream.host);

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (client) => {
    const id = ((idBase + counter++) & 0xffffff).toString(16).padStart(6, '0');
    const session = new Session(client, {
      id,
      listener: listenerName,
      upstream: options.upstream,
      upstreamIsIPv4,
      limits: options.limits,
      logger: options.logger,
      chainEvidence,
      ...(options.onRecord ? { onRecord: options.onRecord } : {}),
      ...(options.inject ? { inject: options.inject } : {}),
      ...(prober ? { prober } : {}),
      onClosed: (s) => {
        sessions.delete(s);
        if (sessions.size === 0) idle?.();
      },
    });
    sessions.add(session);
  });
  server.on('error', (err) => options.logger.error({ err }, 'listener error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  const address = { host: bound.address, port: bound.port };
  listenerName = formatHostPort(address);

  return {
    address,
    get openSessions() {
      return sessions.size;
    },
    async stop(graceMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Past the grace period: end open sessions, cut probes short; every record is still written.
      const timer = setTimeout(() => {
        for (const s of sessions) s.abort();
        prober?.abort();
      }, graceMs);
      if (sessions.size > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
        });
      }
      await prober?.settled();
      clearTimeout(timer);
      await closed;
    },
  };
}
