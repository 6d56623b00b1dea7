/** `tlspeek proxy --listen HOST:PORT --upstream HOST:PORT [options]`. */
import type { Command } from 'commander';
import type { TrustStore } from '../certs/checks.js';
import { CLIENT_MIN_VERSIONS, type ClientMinVersion, type SniInjector } from '../inject/injector.js';
import { InjectSetupError, type InjectSummary, isServername, readUpstreamCa, setUpInjection } from '../inject/setup.js';
import { createLogger, LOG_LEVELS } from '../log/logger.js';
import type { HostPort } from '../proxy/address.js';
import { formatHostPort } from '../proxy/address.js';
import { ProxyMetrics, serveMetrics } from '../log/metrics.js';
import { startProxy } from '../proxy/listener.js';
import type { ConnectionRecord } from '../proxy/session.js';
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
  injectSni?: string;
  cert?: string;
  key?: string;
  localCa?: string;
  upstreamCa?: string;
  insecureUpstream?: boolean;
  clientMinVersion?: ClientMinVersion;
  metrics?: HostPort;
  probe?: boolean;
}

/** Flags that only mean something with --inject-sni. */
const INJECT_ONLY = [
  ['cert', '--cert'],
  ['key', '--key'],
  ['localCa', '--local-ca'],
  ['insecureUpstream', '--insecure-upstream'],
  ['clientMinVersion', '--client-min-version'],
] as const;

function servername(value: string): string {
  if (!isServername(value)) throw new UsageError(`--inject-sni expects a DNS host name (no IP address, no wildcard), got '${value}'`);
  return value.toLowerCase();
}

/** The inject handler and the --upstream-ca roots, from the flags; a bad flag or file is a UsageError. */
function injectFromFlags(
  flags: ProxyFlags,
  deps: Parameters<typeof setUpInjection>[1],
): { inject: SniInjector | null; summary: InjectSummary | null; roots: TrustStore | null } {
  try {
    if (flags.injectSni === undefined) {
      const given = INJECT_ONLY.filter(([k]) => flags[k] !== undefined).map(([, flag]) => flag);
      if (given.length > 0) throw new UsageError(`${given.join(', ')} only apply with --inject-sni NAME`);
      return { inject: null, summary: null, roots: readUpstreamCa(flags.upstreamCa)?.store ?? null };
    }
    const setup = setUpInjection(
      {
        servername: flags.injectSni,
        ...(flags.cert !== undefined ? { certFile: flags.cert } : {}),
        ...(flags.key !== undefined ? { keyFile: flags.key } : {}),
        ...(flags.localCa !== undefined ? { localCaDir: flags.localCa } : {}),
        ...(flags.upstreamCa !== undefined ? { upstreamCaFile: flags.upstreamCa } : {}),
        ...(flags.clientMinVersion !== undefined ? { clientMinVersion: flags.clientMinVersion } : {}),
        insecureUpstream: flags.insecureUpstream === true,
      },
      deps,
    );
    return { inject: setup.handler, summary: setup.summary, roots: setup.roots };
  } catch (err: unknown) {
    if (err instanceof InjectSetupError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
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
    .option('--probe', 'on a failed handshake, probe the upstream (cached per upstream + SNI) to confirm the cause')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics', hostPort('--metrics'))
    .option('--log-level <level>', `pino level (${LOG_LEVELS.join(', ')})`, oneOf('--log-level', LOG_LEVELS), 'info')
    .option('--inject-sni <name>', 'terminate clients that send no SNI and re-originate their connections upstream with SNI NAME; clients with SNI stay passthrough', servername)
    .option('--cert <file>', 'with --inject-sni: PEM certificate chain shown to terminated clients (default: one for NAME made at start-up)')
    .option('--key <file>', 'with --inject-sni: PEM private key of --cert')
    .option('--local-ca <dir>', 'with --inject-sni: create (or reuse) a local CA in DIR that signs the certificate made at start-up; give clients DIR/ca.pem to trust')
    .option('--upstream-ca <file>', 'CA bundle that verifies the upstream on re-originated connections (default: system roots)')
    .option('--insecure-upstream', 'with --inject-sni: do not verify the upstream on re-originated connections')
    .option('--client-min-version <v>', `with --inject-sni: lowest TLS version accepted from terminated clients (${CLIENT_MIN_VERSIONS.join(', ')}; default TLSv1.2)`, oneOf('--client-min-version', CLIENT_MIN_VERSIONS))
    .action(async (flags: ProxyFlags) => {
      const { logger, end: endLog } = createLogger(flags.logLevel);
      const limits = { helloTimeoutMs: flags.helloTimeout, handshakeTimeoutMs: flags.handshakeTimeout, maxHelloBytes: flags.maxHelloBytes };
      let openSessions = () => 0;
      const metrics = flags.metrics ? new ProxyMetrics(() => openSessions()) : null;
      const onRecord = metrics ? (r: ConnectionRecord) => metrics.observe(r) : undefined;
      const { inject, summary, roots } = injectFromFlags(flags, { logger, upstream: flags.upstream, limits, ...(onRecord ? { onRecord } : {}) });
      let proxy;
      try {
        proxy = await startProxy({ listen: flags.listen, upstream: flags.upstream, limits, logger, ...(inject ? { inject } : {}), ...(roots ? { roots } : {}), ...(onRecord ? { onRecord } : {}), ...(flags.probe ? { probe: {} } : {}) });
        if (metrics && flags.metrics) await serveMetrics(metrics, flags.metrics).then((s) => s.unref());
      } catch (err: unknown) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new UsageError(`cannot listen on ${formatHostPort(flags.metrics && proxy ? flags.metrics : flags.listen)}: ${code}`, { cause: err });
      }
      const running = proxy;
      openSessions = () => running.openSessions;
      logger.info(
        {
          version: VERSION,
          node: process.version,
          listener: formatHostPort(proxy.address),
          upstream: formatHostPort(flags.upstream),
          limits,
          mode: 'passthrough',
          probe: flags.probe === true,
          ...(flags.metrics ? { metrics: `http://${formatHostPort(flags.metrics)}/metrics` } : {}),
          ...(summary ? { inject: summary } : {}),
        },
        'tlspeek proxy started',
      );
      const stop = (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        logger.info({ signal, openConnections: proxy.openSessions, graceMs: flags.shutdownGrace }, 'tlspeek proxy stopping');
        void proxy
          .stop(flags.shutdownGrace)
          .then(() => {
            logger.info({}, 'tlspeek proxy stopped');
            return endLog();
          })
          .then(() => process.exit(0));
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
}
