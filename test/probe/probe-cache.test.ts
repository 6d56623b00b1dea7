/** The --probe cache: one probe per key in flight, results reused, bounded concurrency and backlog. */
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import type { ProbeTarget } from '../../src/probe/handshake-probe.js';
import { ProbeCache } from '../../src/probe/probe-cache.js';
import type { QuickProbeOptions, QuickProbeResult } from '../../src/probe/quick.js';
import { makePki } from '../helpers/certs.js';
import { tlsServer } from '../helpers/servers.js';

const result = (cause: QuickProbeResult['cause'], incomplete = false): QuickProbeResult => ({ findings: [], cause, hint: null, connections: 1, durationMs: 1, incomplete });
const up: ProbeTarget = { host: '127.0.0.1', port: 9443 };

/** A fake probe that resolves when told to, counting calls and concurrency. */
function fakeProbe() {
  const state = { calls: 0, running: 0, peak: 0, release: [] as (() => void)[] };
  const probe = async (_u: ProbeTarget, o: QuickProbeOptions): Promise<QuickProbeResult> => {
    state.calls++;
    state.running++;
    state.peak = Math.max(state.peak, state.running);
    await new Promise<void>((resolve) => state.release.push(resolve));
    state.running--;
    return result(o.servername === 'partial' ? 'unknown' : 'hostname_mismatch', o.servername === 'partial');
  };
  const releaseAll = async () => {
    while (state.release.length > 0 || state.running > 0) {
      state.release.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { state, probe, releaseAll };
}

void t.test('one probe in flight per key; the result is cached; the offer is part of the key', async (t) => {
  const f = fakeProbe();
  const cache = new ProbeCache({ probe: f.probe });
  const a = cache.probe(up, { servername: 'api.example.com' });
  const b = cache.probe(up, { servername: 'api.example.com' });
  const c = cache.probe(up, { servername: 'api.example.com', clientVersions: [0x0303] });
  await f.releaseAll();
  t.match(await a, { cached: false, result: { cause: 'hostname_mismatch' } });
  t.match(await b, { cached: true }, 'joined the probe in flight');
  t.match(await c, { cached: false }, 'another offer is another key');
  t.equal(f.state.calls, 2);
  t.match(await cache.probe(up, { servername: 'api.example.com' }), { cached: true, result: { cause: 'hostname_mismatch' } });
  t.equal(f.state.calls, 2, 'served from the cache');
  t.equal(cache.size, 2);
});

void t.test('bounded: concurrency, backlog, and incomplete results are not kept', async (t) => {
  const f = fakeProbe();
  const cache = new ProbeCache({ probe: f.probe, concurrency: 2, maxPending: 3 });
  const runs = ['a', 'b', 'c'].map((s) => cache.probe(up, { servername: s }));
  t.equal(await cache.probe(up, { servername: 'd' }), null, 'a fourth key waits for nobody: declined');
  await f.releaseAll();
  await Promise.all(runs);
  t.equal(f.state.peak, 2, 'two probes at once');

  const partial = cache.probe(up, { servername: 'partial' });
  await f.releaseAll();
  t.match(await partial, { cached: false, result: { incomplete: true } });
  const again = cache.probe(up, { servername: 'partial' });
  await f.releaseAll();
  t.match(await again, { cached: false }, 'an incomplete result is probed again');
});

void t.test('with the real quickProbe against a server', async (t) => {
  const pki = makePki({ name: 'tlspeek Probe Cache' });
  const server = await tlsServer(t, { cert: pki.chainPem, key: pki.leafKeyPem });
  const cache = new ProbeCache();
  const options = { servername: 'wrong.example.com', roots: loadTrustStore(pki.rootPem) };
  const first = await cache.probe(server.upstream, options);
  t.match(first, { cached: false, result: { cause: 'hostname_mismatch' } });
  t.match(await cache.probe(server.upstream, options), { cached: true, result: { cause: 'hostname_mismatch' } });
});
