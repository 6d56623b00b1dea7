/**
 * The proxy in-process with --inject-sni: like startTestProxy, but the inject
 * handler logs through the same captured logger, so passthrough and injected
 * records arrive in one queue.
 */
import type { Test } from 'tap';
import { SniInjector, type SniInjectorOptions } from '../../src/inject/injector.js';
import type { InjectJson } from '../../src/inject/record.js';
import type { HostPort } from '../../src/proxy/address.js';
import { startProxy } from '../../src/proxy/listener.js';
import type { SessionLimits } from '../../src/proxy/session.js';
import { captureLog, type Rec, stopOnce, TEST_LIMITS, type TestProxy } from './proxy.js';

/** A parsed record of an injected connection. */
export type InjectRec = Rec & { inject: InjectJson };

export type InjectTestOptions = Omit<SniInjectorOptions, 'logger' | 'upstream' | 'limits'>;

export interface InjectTestProxy extends TestProxy {
  records(count: number, timeoutMs?: number): Promise<InjectRec[]>;
}

export async function startInjectProxy(t: Test, upstream: HostPort, options: InjectTestOptions, limits: Partial<SessionLimits> = {}): Promise<InjectTestProxy> {
  const { logger, lines, records } = captureLog<InjectRec>();
  const fullLimits: SessionLimits = { ...TEST_LIMITS, ...limits };
  const inject = new SniInjector({ logger, upstream, limits: fullLimits, ...options });
  const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream, limits: fullLimits, logger, inject });
  return { port: proxy.address.port, proxy, lines, stop: stopOnce(t, proxy), records };
}
