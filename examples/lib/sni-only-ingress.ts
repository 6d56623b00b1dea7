/**
 * The ingress the examples put tlspeek in front of: like an Envoy listener with
 * no default filter chain, it reads the ClientHello and resets clients that
 * send no SNI (Envoy logs `sni_host: null`, `filter_chain_not_found`); every
 * other hello goes, bytes unchanged, to the TLS virtual host at `backendPort`.
 */
import net from 'node:net';
import { ClientHelloReader } from '../../src/tls/client-hello.js';

export async function sniOnlyIngress(backendPort: number): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    const reader = new ClientHelloReader(1 << 16);
    const seen: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      seen.push(chunk);
      const p = reader.push(chunk);
      if (p.state === 'need-more') return;
      client.off('data', onData);
      if (p.state !== 'complete' || p.hello.sni === null) {
        client.resetAndDestroy();
        return;
      }
      const backend = net.connect(backendPort, '127.0.0.1');
      backend.on('error', () => client.destroy());
      backend.write(Buffer.concat(seen));
      client.pipe(backend).pipe(client);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}
