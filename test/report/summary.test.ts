/** ReportBuilder: totals, SPEC order, per-cause breakdowns, negotiated parameters, timings, filters, bounds. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { CAUSES, OUTCOMES } from '../../src/diagnose/vocabulary.js';
import type { ConnectionRecord } from '../../src/proxy/session.js';
import { type ReportJson, ReportBuilder, type ReportOptions } from '../../src/report/summary.js';
import { hello, JA4_LEGACY_NO_SNI, JA4_MODERN, JA4_TLS10, line, noSniReset, NO_SNI_HINT, notTls, otherLine, record, server, T0 } from './fixtures/records.js';

function report(lines: string[], options: ReportOptions = {}): ReportJson {
  const b = new ReportBuilder('test.log', options);
  for (const l of lines) b.line(l);
  return b.build();
}

const MINUTE = 60_000;

/** A morning at an SNI-only ingress: modern clients fine, one legacy fleet without SNI, a TLS 1.0 client, a scanner. */
function morning(): string[] {
  const lines = [otherLine('tlspeek proxy started', T0)];
  for (let i = 0; i < 12; i++) {
    const tls12 = i % 4 === 0;
    const rec = record({
      client: { address: `10.0.1.${i}`, port: 40000 + i },
      server: tls12 ? server({ version: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', cipherSuiteCode: 49199 }) : server(),
      handshakeMs: 10 + i,
      durationMs: 100 + i,
    });
    lines.push(line(rec, T0 + i * MINUTE));
  }
  lines.push(line(noSniReset('10.1.2.3'), T0 + 20 * MINUTE));
  lines.push(line(noSniReset('10.1.2.3'), T0 + 21 * MINUTE));
  lines.push(line(noSniReset('10.1.2.4'), T0 + 22 * MINUTE));
  lines.push(line(noSniReset('10.1.2.3', { outcome: 'server_closed' }), T0 + 23 * MINUTE));
  const tls10: ConnectionRecord = record({
    client: { address: '10.2.0.9', port: 50000 },
    hello: hello({ legacyVersion: 'TLSv1', supportedVersions: [], ja4: JA4_TLS10 }),
    server: server({ version: null, cipherSuite: null, cipherSuiteCode: null, alert: { level: 'fatal', description: 'protocol_version', code: 70 } }),
    outcome: 'server_alert',
    cause: 'protocol_mismatch',
    hint: 'No TLS version in common: the client offered TLSv1; upgrade the client to TLS 1.2 or later.',
    handshakeMs: null,
    durationMs: 5.6,
  });
  lines.push(line(tls10, T0 + 30 * MINUTE));
  lines.push(line(notTls('192.0.2.77'), T0 + 40 * MINUTE));
  lines.push('GET / HTTP/1.1', '', '{"level":50,"msg":"connec');
  return lines;
}

void t.test('totals and line accounting', async (t) => {
  const r = report(morning());
  t.same(r.lines, { read: 22, blank: 1, connectionRecords: 18, filteredOut: 0, skipped: { total: 3, notJson: 2, otherMessages: 1, malformed: 0 } });
  t.same(r.connections, { total: 18, established: 12, failed: 6 });
  t.same(r.time, { first: '2025-11-22T08:00:00.000Z', last: '2025-11-22T08:40:00.000Z' });
  t.equal(r.reportVersion, 1);
  t.equal(r.source, 'test.log');
});

void t.test('outcomes and causes: every SPEC name in SPEC order, with percentages of all connections', async (t) => {
  const r = report(morning());
  t.same(r.outcomes.map((o) => o.name), OUTCOMES);
  t.same(r.causes.map((c) => c.name), CAUSES);
  const outcome = (n: string) => r.outcomes.find((o) => o.name === n);
  t.same(outcome('established'), { name: 'established', count: 12, percent: 66.7 });
  t.same(outcome('server_reset'), { name: 'server_reset', count: 3, percent: 16.7 });
  t.same(outcome('upstream_timeout'), { name: 'upstream_timeout', count: 0, percent: 0 });
  t.same(r.causes.find((c) => c.name === 'non_sni_client'), { name: 'non_sni_client', count: 4, percent: 22.2 });
});

void t.test('failures: one group per cause in SPEC order, then cause-less outcomes', async (t) => {
  const r = report(morning());
  t.same(
    r.failures.map((g) => [g.by, g.name, g.count]),
    [
      ['cause', 'non_sni_client', 4],
      ['cause', 'protocol_mismatch', 1],
      ['outcome', 'not_tls', 1],
    ],
  );
  const noSni = r.failures[0]!;
  t.same(noSni.outcomes, [
    { name: 'server_reset', count: 3, percent: 75 },
    { name: 'server_closed', count: 1, percent: 25 },
  ]);
  t.same(noSni.sni.top, [{ value: null, count: 4, percent: 100 }], 'null: the hello had no SNI');
  t.same(noSni.clients.top, [
    { value: '10.1.2.3', count: 3, percent: 75 },
    { value: '10.1.2.4', count: 1, percent: 25 },
  ]);
  t.same(noSni.ja4.top, [{ value: JA4_LEGACY_NO_SNI, count: 4, percent: 100 }]);
  t.match(noSni.example, { time: '2025-11-22T08:20:00.000Z', hint: NO_SNI_HINT, detail: null });
  t.equal(noSni.percent, 22.2);

  const scanner = r.failures[2]!;
  t.equal(scanner.sni.total, 0, 'no ClientHello: no SNI row at all, rather than a false "no SNI"');
  t.equal(scanner.ja4.total, 0);
  t.same(scanner.clients.top, [{ value: '192.0.2.77', count: 1, percent: 100 }]);
  t.match(scanner.example, { hint: null, detail: /first byte 'G'/ });
});

void t.test('the example prefers a record that explains itself', async (t) => {
  const r = report([line(noSniReset('10.1.2.3', { hint: null, id: 'aaaaaa' })), line(noSniReset('10.1.2.3', { id: 'bbbbbb' })), line(noSniReset('10.1.2.3', { id: 'cccccc', hint: 'later' }))]);
  t.same(r.failures[0]?.example, { id: 'bbbbbb', time: '2025-11-22T08:00:00.000Z', hint: NO_SNI_HINT, detail: null });
});

void t.test('what established connections negotiated; timings', async (t) => {
  const r = report(morning());
  t.same(r.established.versions.top, [
    { value: 'TLSv1.3', count: 9, percent: 75 },
    { value: 'TLSv1.2', count: 3, percent: 25 },
  ]);
  t.same(r.established.cipherSuites.top.map((c) => c.value), ['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  // handshakeMs 10..21 on the 12 established; durations 100..111, 3.1 x4, 5.6, 0.4.
  t.same(r.timings.handshakeMs, { count: 12, p50: 15, p95: 21, max: 21 });
  t.same(r.timings.durationMs, { count: 18, p50: 102, p95: 111, max: 111 });
});

void t.test('--outcome and --since filters', async (t) => {
  const failed = report(morning(), { outcomes: OUTCOMES.filter((o) => o !== 'established') });
  t.same(failed.connections, { total: 6, established: 0, failed: 6 });
  t.equal(failed.lines.filteredOut, 12);
  t.same(failed.established.versions.total, 0);

  const late = report(morning(), { since: T0 + 21 * MINUTE });
  t.same(late.connections, { total: 5, established: 0, failed: 5 });
  t.equal(late.filters.since, '2025-11-22T08:21:00.000Z');
  t.equal(late.time.first, '2025-11-22T08:21:00.000Z');

  const timeless = report(['{"msg":"connection","outcome":"established"}'], { since: T0 });
  t.equal(timeless.connections.total, 0, 'a record without a time cannot be shown to be recent');
  t.equal(timeless.lines.filteredOut, 1);
});

void t.test('names outside the vocabulary are counted after it, and fail', async (t) => {
  const r = report([line(record({ outcome: 'future_outcome', cause: 'future_cause' })), line(record({ outcome: 'server_alert', cause: null }))]);
  t.same(r.outcomes.slice(OUTCOMES.length), [{ name: 'future_outcome', count: 1, percent: 50 }]);
  t.same(r.causes.slice(CAUSES.length), [{ name: 'future_cause', count: 1, percent: 50 }]);
  t.same(r.connections.failed, 2);
  t.same(
    r.failures.map((g) => [g.by, g.name]),
    [
      ['cause', 'future_cause'],
      ['outcome', 'server_alert'],
    ],
  );
});

void t.test('empty input', async (t) => {
  const r = report([]);
  t.same(r.connections, { total: 0, established: 0, failed: 0 });
  t.same(r.failures, []);
  t.same(r.time, { first: null, last: null });
  t.same(r.timings.durationMs, { count: 0, p50: null, p95: null, max: null });
  t.ok(r.outcomes.every((o) => o.count === 0 && o.percent === 0));
});

void t.test('many distinct clients: tables stay bounded, the fleet that keeps failing stays on top', async (t) => {
  const b = new ReportBuilder('big.log', { maxKeys: 200, top: 3 });
  for (let i = 0; i < 20000; i++) {
    b.line(line(noSniReset(`172.16.${(i >> 8) & 255}.${i & 255}`)));
    if (i % 50 === 0) b.line(line(noSniReset('10.1.2.3')));
  }
  const g = b.build().failures[0]!;
  t.equal(g.count, 20400);
  t.ok(g.clients.approximate);
  t.ok(g.clients.distinct <= 200);
  t.equal(g.clients.top[0]?.value, '10.1.2.3');
  t.equal(g.clients.total, g.clients.top.reduce((s, r) => s + r.count, 0) + g.clients.other);
});

void t.test('records captured from a real proxy run', async (t) => {
  const text = readFileSync(new URL('fixtures/proxy-run.jsonl', import.meta.url), 'utf8');
  const r = report(text.split('\n'));
  t.same(r.connections, { total: 9, established: 2, failed: 7 });
  t.equal(r.lines.skipped.otherMessages, 1);
  t.same(
    r.failures.map((g) => [g.name, g.count]),
    [
      ['non_sni_client', 3],
      ['protocol_mismatch', 1],
      ['cipher_mismatch', 1],
      ['unknown', 1],
      ['not_tls', 1],
    ],
  );
  t.same(r.failures[0]?.ja4.top.map((j) => j.value), ['t13i590900_a33745022dd6_1f22a2ca17c4', 't10i090500_c491f621fb4c_195413a0cc0f']);
  t.same(r.established.versions.top, [{ value: 'TLSv1.3', count: 2, percent: 100 }]);
  t.same(r.timings.handshakeMs, { count: 2, p50: 10.1, p95: 16.1, max: 16.1 });
  t.not(JA4_MODERN, '');
});
