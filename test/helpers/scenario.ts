/** Runs the same client against an upstream directly and through tlspeek, returning both views and the record. */
import type { Test } from 'tap';
import type { SessionLimits } from '../../src/proxy/session.js';
import { type ProxyExtras, type Rec, startTestProxy } from './proxy.js';
import type { Listening } from './servers.js';

export interface Scenario<V> {
  readonly direct: V;
  readonly proxied: V;
  readonly record: Rec;
}

export async function throughProxy<V>(
  t: Test,
  upstream: Listening,
  client: (port: number) => Promise<V>,
  limits: Partial<SessionLimits> = {},
  extras: ProxyExtras = {},
): Promise<Scenario<V>> {
  const direct = await client(upstream.port);
  const proxy = await startTestProxy(t, upstream.upstream, limits, extras);
  const proxied = await client(proxy.port);
  const [record] = await proxy.records(1);
  return { direct, proxied, record: record! };
}
