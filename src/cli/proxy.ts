/** `tlspeek proxy --listen HOST:PORT --upstream HOST:PORT [options]`. */
import type { Command } from 'commander';
import { createLogger, LOG_LEVELS } from '../log/logger.js';
import type { HostPort } from '../proxy/address.js';
import { formatHostPort } from '../proxy/address.js';
import { startProxy } from '../proxy/listener.js';
import { VERSION } from '../version.js';
import { UsageError } from './input.js';
import { hostPort, oneOf, positiveInt } from './options.js';

interface ProxyFlags {
  listen: HostPort;
  upstream: HostPort;
  helloTimeout: number;
  handshakeTimeout: number;
  maxHelloBytes: number;
  shutdownGrace: number;
  logLevel: string;
}

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('relay TLS connections unchanged and log one JSON line per connection saying how the handshake ended and why')
    .requiredOption('--listen <host:port>', 'address to accept clients on', hostPort('--listen'))
    .requiredOption('--upstream <host:port>', 'TLS server to forward to', hostPort('--upstream'))
    .option('--hello-timeout <ms>', 'wait this long for a complete ClientHello', positiveInt('--hello-timeout'), 10000)
    .option('--handshake-timeout <ms>', 'wait this long for the handshake to finish', positiveInt('--handshake-timeout'), 15000)
    .option('--max-hello-bytes <n>', 'largest ClientHello accepted before the connection is treated as not TLS', positiveInt('--max-hello-bytes', 1 << 24), 65536)
    .option('--shutdown-grace <ms>', 'on SIGTERM/SIGINT, let open connections finish this long', positiveInt('--shutdown-grace'), 10000)
    .option('--log-level <level>', `pino level (${LOG_LEVELS.join(', ')})`, oneOf('--log-level', LOG_LEVELS), 'info')
    .action(async (flags: ProxyFlags) => {
      const { logger, flush } = createLogger(flags.logLevel);
      const limits = { helloTimeoutMs: flags.helloTimeout, handshakeTimeoutMs: flags.handshakeTimeout, maxHelloBytes: flags.maxHelloBytes };
      let proxy;
      try {
        proxy = await startProxy({ listen: flags.listen, upstream: flags.upstream, limits, logger });
      } catch (err: unknown) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new UsageError(`cannot listen on ${formatHostPort(flags.listen)}: ${code}`, { cause: err });
      }
      logger.info(
        { version: VERSION, node: process.version, listener: formatHostPort(proxy.address), upstream: formatHostPort(flags.upstream), limits, mode: 'passthrough' },
        'tlspeek proxy started',
      );
      const stop = (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        logger.info({ signal, openConnections: proxy.openSessions, graceMs: flags.shutdownGrace }, 'tlspeek proxy stopping');
        void proxy.stop(flags.shutdownGrace).then(() => {
          logger.info({}, 'tlspeek proxy stopped');
          flush();
          process.exit(0);
        });
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
}
