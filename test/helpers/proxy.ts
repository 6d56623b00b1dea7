/** Runs the proxy in-process with its log captured as parsed objects. */
import pino from 'pino';
import type { Test } from 'tap';
import type { HostPort } from '../../src/proxy/address.js';
import { type RunningProxy, startProxy } from '../../src/proxy/listener.js';
import type { SessionLimits } from '../../src/proxy/session.js';

export type LogLine = Record<string, unknown> & { msg: string };
/** A parsed connection record; tests read fields with t.match / t.equal. */
export type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface TestProxy {
  readonly port: number;
  readonly proxy: RunningProxy;
  readonly lines: LogLine[];
  /** Resolves with the next `count` connection records (waits for them). */
  records(count: number, timeoutMs?: number): Promise<Rec[]>;
  stop(): Promise<void>;
}

export async function startTestProxy(t: Test, upstream: HostPort, limits: Partial<SessionLimits> = {}): Promise<TestProxy> {
  const lines: LogLine[] = [];
  let waiter: (() => void) | null = null;
  const destination = {
    write(s: string) {
      for (const l of s.split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as LogLine);
      waiter?.();
    },
  };
  const logger = pino({ level: 'info', base: undefined }, destination);
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    upstream,
    limits: { helloTimeoutMs: 10000, handshakeTimeoutMs: 15000, maxHelloBytes: 65536, ...limits },
    logger,
  });
  let taken = 0;
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
        const recs = lines.filter((l) => l.msg === 'connection');
        if (recs.length >= taken + count) {
          const out = recs.slice(taken, taken + count);
          taken += count;
          return out;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} connection record(s); have ${recs.length - taken}`);
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
