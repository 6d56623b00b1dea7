/** Runs the proxy in-process with its log captured as parsed objects. */
import pino from 'pino';
import type { Test } from 'tap';
import type { HostPort } from '../../src/proxy/address.js';
import { type ProxyOptions, type RunningProxy, startProxy } from '../../src/proxy/listener.js';
import type { ConnectionRecord, SessionLimits } from '../../src/proxy/session.js';

export type LogLine = Record<string, unknown> & { msg: string };
/** A parsed connection record. */
export type Rec = ConnectionRecord & { msg: 'connection'; level: number; time: number };

export interface TestProxy {
  readonly port: number;
  readonly proxy: RunningProxy;
  /** Log lines other than connection records. */
  readonly lines: LogLine[];
  /** Resolves with the next `count` connection records (waits for them); they are then dropped from memory. */
  records(count: number, timeoutMs?: number): Promise<Rec[]>;
  stop(): Promise<void>;
}

/** Options of startProxy a test may set besides the limits. */
export type ProxyExtras = Partial<Pick<ProxyOptions, 'roots' | 'inject' | 'onRecord' | 'probe'>>;

/** A pino logger writing into memory: connection records queued for `records`, other lines kept in `lines`. */
export function captureLog<R = Rec>(): { logger: pino.Logger; lines: LogLine[]; records: (count: number, timeoutMs?: number) => Promise<R[]> } {
  const lines: LogLine[] = [];
  const queue: R[] = [];
  let waiter: (() => void) | null = null;
  const destination = {
    write(s: string) {
      for (const l of s.split('\n')) {
        if (l.trim() === '') continue;
        const line = JSON.parse(l) as LogLine;
        if (line.msg === 'connection') queue.push(line as unknown as R);
        else lines.push(line);
      }
      waiter?.();
    },
  };
  const logger = pino({ level: 'info', base: undefined }, destination);
  const records = async (count: number, timeoutMs = 10000): Promise<R[]> => {
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
  };
  return { logger, lines, records };
}

/** Stops `proxy` once, at the latest when the test ends. */
export function stopOnce(t: Test, proxy: RunningProxy): () => Promise<void> {
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await proxy.stop(1000);
  };
  t.teardown(stop);
  return stop;
}

export const TEST_LIMITS: SessionLimits = { helloTimeoutMs: 10000, handshakeTimeoutMs: 15000, maxHelloBytes: 65536 };

export async function startTestProxy(t: Test, upstream: HostPort, limits: Partial<SessionLimits> = {}, extras: ProxyExtras = {}): Promise<TestProxy> {
  const { logger, lines, records } = captureLog();
  const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream, limits: { ...TEST_LIMITS, ...limits }, logger, ...extras });
  return { port: proxy.address.port, proxy, lines, stop: stopOnce(t, proxy), records };
}
