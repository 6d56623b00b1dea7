/**
 * `tlspeek probe HOST:PORT [--servername NAME | --no-servername] [--ca FILE] [--json] [--timeout MS]`:
 * exit 0 when the probe finds no cause, 1 when it finds one or cannot probe
 * the server at all (unreachable, silent, not TLS: the command ran and that
 * is the problem it found, with a null cause as SPEC gives upstream_unreachable),
 * 2 on a usage error.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { Command } from 'commander';
import { loadTrustStore, type TrustStore } from '../certs/checks.js';
import { renderText } from '../probe/render-text.js';
import { diagnoseUpstream, PROBE_DEFAULTS } from '../probe/scan.js';
import type { HostPort } from '../proxy/address.js';
import { UsageError } from './input.js';
import { hostPort, positiveInt } from './options.js';

interface ProbeFlags {
  /** A name, false for --no-servername, undefined for neither. */
  servername?: string | false;
  ca?: string;
  json?: boolean;
  timeout: number;
}

/** The SNI to send: the flag's, none with --no-servername, else HOST when it is a DNS name (curl and openssl s_client send none for an IP literal). */
export function defaultServername(host: string, flag: string | false | undefined): string | null {
  if (flag === false) return null;
  if (flag !== undefined) return flag;
  return net.isIP(host) === 0 ? host : null;
}

function checkServername(name: string): string {
  if (name === '' || name.length > 255 || /[\s\x00-\x1f\x7f]/.test(name)) {
    throw new UsageError(`--servername expects a host name, got '${name}'`);
  }
  return name;
}

async function readRoots(file: string): Promise<TrustStore> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err: unknown) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  const roots = loadTrustStore(pem, true);
  if (roots.roots.length === 0) throw new UsageError(`--ca ${file}: no PEM certificate in it`);
  return roots;
}

export function registerProbe(program: Command): void {
  const seen = new Set<string>();
  const command = program
    .command('probe')
    .description(
      'actively probe a TLS server: versions and cipher suites it accepts, its preference, SNI behaviour, ALPN, and its certificate chain with every check; exit 1 when it finds a cause',
    )
    .argument('<host:port>', 'server to probe (IPv6 in brackets: [::1]:443)', hostPort('probe'))
    .option('--servername <name>', 'SNI to send (default: HOST when it is a DNS name; none when HOST is an IP literal, as curl and openssl s_client do)', checkServername)
    .option('--no-servername', 'send no SNI (the certificate is then checked against HOST)')
    .option('--ca <file>', "PEM bundle of trusted roots for the chain check (default: Node's bundled Mozilla roots)")
    .option('--json', 'print one JSON document instead of the text report')
    .option('--timeout <ms>', 'deadline per connection', positiveInt('--timeout'), PROBE_DEFAULTS.timeoutMs)
    .addHelpText(
      'after',
      `\nAt most ${PROBE_DEFAULTS.concurrency} connections at once; the whole run stops after ${PROBE_DEFAULTS.budgetMs / 1000} s.\nExit status: 0 no cause found, 1 a cause found or the server could not be probed (unreachable, silent, not TLS), 2 usage error.`,
    )
    .action(async (target: HostPort, flags: ProbeFlags) => {
      if (seen.has('servername') && seen.has('no-servername')) throw new UsageError('--servername and --no-servername exclude each other');
      const roots = flags.ca !== undefined ? await readRoots(flags.ca) : undefined;
      const servername = defaultServername(target.host, flags.servername);
      const report = await diagnoseUpstream(target, { servername, timeoutMs: flags.timeout, ...(roots ? { roots } : {}) });
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
      if (report.cause !== null || report.error !== null) process.exitCode = 1;
    });
  command.on('option:servername', () => seen.add('servername'));
  command.on('option:no-servername', () => seen.add('no-servername'));
}
