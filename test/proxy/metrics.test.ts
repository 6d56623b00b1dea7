/** --metrics: Prometheus text at /metrics, counting records by outcome and cause. */
import http from 'node:http';
import t from 'tap';
import { ProxyMetrics, serveMetrics } from '../../src/log/metrics.js';
import { nodeClient } from '../helpers/clients.js';
import { makePki } from '../helpers/pki.js';
import { startTestProxy } from '../helpers/proxy.js';
import { helloReactor, tlsServer } from '../helpers/servers.js';

function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

void t.test('counts established and failed connections', async (t) => {
  const pki = makePki();
  const backend = await tlsServer(t, pki.leaf(['api.example.com']));
  const up = await helloReactor(t, 'reset', (h) => h.sni === null, backend);
  let open = () => 0;
  const metrics = new ProxyMetrics(() => open());
  const proxy = await startTestProxy(t, up.upstream, {}, { onRecord: (r) => metrics.observe(r) });
  open = () => proxy.proxy.openSessions;
  const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;

  await nodeClient(proxy.port, { servername: 'api.example.com' });
  await nodeClient(proxy.port, { servername: 'api.example.com' });
  await nodeClient(proxy.port, {});
  await proxy.records(3);

  const res = await get(port, '/metrics');
  t.equal(res.status, 200);
  t.match(res.type, /text\/plain; version=0\.0\.4/);
  t.match(res.body, /^tlspeek_connections_total\{mode="passthrough",outcome="established",cause=""\} 2$/m);
  t.match(res.body, /^tlspeek_connections_total\{mode="passthrough",outcome="server_reset",cause="non_sni_client"\} 1$/m);
  t.match(res.body, /^tlspeek_established_total\{version="TLSv1\.3"\} 2$/m);
  t.match(res.body, /^tlspeek_handshake_seconds_count 2$/m);
  t.match(res.body, /^tlspeek_open_connections 0$/m);
  // Every sample line is "name{labels} value" or "name value" (exposition format).
  for (const line of res.body.trim().split('\n')) {
    if (!line.startsWith('#')) t.match(line, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/, line);
  }
  t.equal((await get(port, '/')).status, 404);
});
