/**
 * 1,000 concurrent TLS connections through one proxy: every one gets its
 * record; afterwards sessions, sockets and timers are back to baseline and the
 * heap does not grow from one round to the next.
 */
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import t from 'tap';
import { makePki } from '../helpers/pki.js';
import { startTestProxy } from '../helpers/proxy.js';
import { tlsServer } from '../helpers/servers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const pki = makePki();
const leaf = pki.leaf(['api.example.com']);
const COUNT = 1000;

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Opens `n` connections at once, each does one request/response, then all close. */
async function round(port: number, n: number): Promise<number> {
  const results = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<boolean>((resolve) => {
          const s = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.com', ca: pki.ca.cert });
          s.on('secureConnect', () => s.write('ping\n'));
          s.on('data', () => s.end());
          s.on('close', () => resolve(true));
          s.on('error', () => resolve(false));
        }),
    ),
  );
  return results.filter(Boolean).length;
}

void t.test(`${COUNT} concurrent connections, then back to baseline`, async (t) => {
  const up = await tlsServer(t, { ...leaf, minVersion: 'TLSv1.3' });
  const proxy = await startTestProxy(t, up.upstream);
  const before = handles();

  t.equal(await round(proxy.port, COUNT), COUNT, 'every client completed');
  const recs = await proxy.records(COUNT, 60000);
  t.equal(recs.filter((r) => r.outcome === 'established').length, COUNT, 'every record says established');
  t.equal(new Set(recs.map((r) => r.id)).size, COUNT, 'ids are unique');
  gc();
  const heapAfterFirst = process.memoryUsage().heapUsed;

  t.equal(await round(proxy.port, COUNT), COUNT);
  await proxy.records(COUNT, 60000);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(proxy.proxy.openSessions, 0, 'no session left open');
  const after = handles();
  t.equal(after.TCPSocketWrap ?? 0, before.TCPSocketWrap ?? 0, 'no socket left open');
  t.equal(after.Timeout ?? 0, before.Timeout ?? 0, 'no timer left armed');
  gc();
  const growth = process.memoryUsage().heapUsed - heapAfterFirst;
  t.ok(growth < 2 * 1024 * 1024, `heap grew ${(growth / 1024).toFixed(0)} KiB over a second round of ${COUNT}`);
});
