#!/usr/bin/env node
/** tlspeek command line: exit 0 success, 1 a problem found, 2 usage error or unreadable input. */
import { Command, CommanderError } from 'commander';
import { registerDecode } from './decode.js';
import { registerProbe } from './probe.js';
import { registerProxy } from './proxy.js';
import { registerReport } from './report.js';
import { UsageError } from './input.js';
import { VERSION } from '../version.js';

const program = new Command()
  .name('tlspeek')
  .description('In-path TLS handshake inspection: see what clients offer, what servers answer, and why handshakes fail')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerDecode(program);
registerProxy(program);
registerProbe(program);
registerReport(program);

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`tlspeek: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
