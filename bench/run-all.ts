/**
 * Every benchmark, one after the other, with the machine they ran on.
 *
 *   npm run bench                       (builds, then runs this)
 *   node dist/bench/run-all.js [--quick] [--json FILE]
 *
 * --json FILE writes the machine facts and every figure as JSON.
 * Exit code 0 whether or not goals are met: the tables say PASS/FAIL.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_DECODE_OPTIONS, formatDecode, runDecodeBench } from './decode.js';
import { machineFacts, machineLines } from './lib/machine.js';
import { DEFAULT_PROXY_OPTIONS, formatProxy, QUICK_PROXY_OPTIONS, runProxyBench } from './proxy.js';

const { values } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean' } } });
const started = Date.now();
const machine = machineFacts();
console.log(`tlspeek benchmarks, ${new Date(started).toISOString()}`);
console.log(machineLines(machine).join('\n') + '\n');

const decodeOptions = values.quick ? { ...DEFAULT_DECODE_OPTIONS, runMs: 300, warmupMs: 300 } : DEFAULT_DECODE_OPTIONS;
const decode = runDecodeBench(decodeOptions);
console.log(formatDecode(decode) + '\n');

const proxy = await runProxyBench(values.quick ? QUICK_PROXY_OPTIONS : DEFAULT_PROXY_OPTIONS, (line) => console.error(`  ${line}`));
console.log(formatProxy(proxy));

const seconds = (Date.now() - started) / 1000;
console.log(`\ntotal ${seconds.toFixed(0)} s`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ date: new Date(started).toISOString(), seconds, machine, decode, proxy }, null, 2) + '\n');
  console.log(`results written to ${values.json}`);
}
