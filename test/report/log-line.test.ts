/** classifyLine: connection records, other pino lines, garbage, and records with fields missing. */
import t from 'tap';
import { classifyLine, type ConnectionFacts } from '../../src/report/log-line.js';
import { line, noSniReset, notTls, otherLine, record, T0 } from './fixtures/records.js';

function facts(text: string): ConnectionFacts {
  const l = classifyLine(text);
  if (l.kind !== 'connection') throw new Error(`expected a connection record, got ${l.kind}`);
  return l.facts;
}

void t.test('kinds of line', async (t) => {
  t.equal(classifyLine('').kind, 'blank');
  t.equal(classifyLine('   \t').kind, 'blank');
  t.equal(classifyLine('Error: listen EADDRINUSE').kind, 'not-json');
  t.equal(classifyLine('{"level":30,"msg":"connec').kind, 'not-json', 'a line cut short');
  t.equal(classifyLine('[1,2]').kind, 'not-json');
  t.equal(classifyLine('"connection"').kind, 'not-json');
  t.equal(classifyLine(otherLine('tlspeek proxy started')).kind, 'other');
  t.equal(classifyLine('{"msg":"connection"}').kind, 'malformed');
  t.equal(classifyLine('{"msg":"connection","outcome":7}').kind, 'malformed');
  t.equal(classifyLine(line(record())).kind, 'connection');
});

void t.test('an established record', async (t) => {
  t.same(facts(line(record({ id: 'abc123' }))), {
    time: T0,
    id: 'abc123',
    outcome: 'established',
    cause: null,
    hint: null,
    detail: null,
    clientAddress: '10.0.0.5',
    helloSeen: true,
    sni: 'api.example.com',
    ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
    serverVersion: 'TLSv1.3',
    serverCipherSuite: 'TLS_AES_128_GCM_SHA256',
    handshakeMs: 12.3,
    durationMs: 120.5,
  });
});

void t.test('a failure without SNI; not TLS carries its reason as detail', async (t) => {
  t.match(facts(line(noSniReset('10.1.2.3'))), { outcome: 'server_reset', cause: 'non_sni_client', helloSeen: true, sni: null, clientAddress: '10.1.2.3' });
  t.match(facts(line(notTls('10.7.7.7'))), { outcome: 'not_tls', helloSeen: false, sni: null, ja4: null, detail: /first byte 'G'/ });
  const unreachable = { ...record({ outcome: 'upstream_unreachable', hello: null, server: null }), err: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.9.0.1:443' } };
  t.equal(facts(line(unreachable)).detail, 'connect ECONNREFUSED 10.9.0.1:443');
});

void t.test('missing and mistyped fields are null, not errors', async (t) => {
  t.same(facts('{"msg":"connection","outcome":"server_closed","hello":"x","client":null,"server":[],"durationMs":"12"}'), {
    time: null,
    id: null,
    outcome: 'server_closed',
    cause: null,
    hint: null,
    detail: null,
    clientAddress: null,
    helloSeen: false,
    sni: null,
    ja4: null,
    serverVersion: null,
    serverCipherSuite: null,
    handshakeMs: null,
    durationMs: null,
  });
  t.equal(facts('{"msg":"connection","outcome":"established","time":"2025-11-22T08:00:00.000Z"}').time, T0, 'pino isoTime');
});

void t.test('a prefix before the JSON (kubectl logs --timestamps, syslog) is ignored', async (t) => {
  t.equal(facts(`2025-11-22T08:00:00.123456789Z ${line(record())}`).outcome, 'established');
  t.equal(facts(`Nov 22 08:00:00 gw1 tlspeek[812]: ${line(record())}`).outcome, 'established');
});
