/**
 * The proxy in-process with --inject-sni: like test/helpers/proxy.ts's
 * startTestProxy, but the inject handler is built with the same captured
 * logger, so passthrough and injected records arrive in one queue.
 */
import pino from 'pino';
import type { Test } from 'tap';
import { SniInjector, type SniInjectorOptions } from '../../src/inject/injector.js';
import type { HostPort } from '../../src/proxy/address.js';
import { startProxy } from '../../src/proxy/listener.js';
import type { SessionLimits } from '../../src/proxy/session.js';
import type { LogLine, Rec, TestProxy } from '../helpers/proxy.js';
import type { InjectJson } from '../../src/inject/record.js';

/** A parsed record of an injected connection. */
export type InjectRec = Rec & { inject: InjectJson };

export type InjectTestOptions = Omit<SniInjectorOptions, 'logger' | 'upstream' | 'limits'>;

export interface InjectTestProxy extends TestProxy {
  records(count: number, timeoutMs?: number): Promise<InjectRec[]>;
}

export async function startInjectProxy(t: Test, upstream: HostPort, options: InjectTestOptions, limits: Partial<SessionLimits> = {}): Promise<InjectTestProxy> {
  const lines: LogLine[] = [];
  const queue: InjectRec[] = [];
  let waiter: (() => void) | null = null;
  const destination = {
    write(s: string) {
      for (const l of s.split('\n')) {
        if (l.trim() === '') continue;
        const line = JSON.parse(l) as LogLine;
        if (line.msg === 'connection') queue.push(line as unknown as InjectRec);
        else lines.push(line);
      }
      waiter?.();
    },
  };
  const logger = pino({ level: 'info', base: undefined }, destination);
  const fullLimits: SessionLimits = { helloTimeoutMs: 10000, handshakeTimeoutMs: 15000, maxHelloBytes: 65536, ...limits };
  const inject = new SniInjector({ logger, upstream, limits: fullLimits, ...options });
  const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream, limits: fullLimits, logger, inject });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await proxy.stop(1000);
  };
  t.teardown(stop);
  return {
    port: proxy.address.port,
    proxy,
    lines,
    stop,
    records: async (count: number, timeoutMs = 10000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (queue.length >= count) return queue.splice(0, count);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} connection record(s); have ${queue.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}
