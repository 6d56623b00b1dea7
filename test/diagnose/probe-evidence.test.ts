/**
 * What a probe may change (SPEC: "a failure that the wire alone explains keeps
 * the wire's cause"; certificate evidence "or a probe" refines 42/46/48), and
 * which failures are worth a probe at all.
 */
import t from 'tap';
import type { DiagnosisFacts } from '../../src/diagnose/facts.js';
import { type ProbeConclusion, refineWithProbe, wantsProbe } from '../../src/diagnose/probe-evidence.js';
import { diagnose } from '../../src/diagnose/rules.js';
import { OUTCOMES, type Outcome } from '../../src/diagnose/vocabulary.js';
import type { ProbeFinding } from '../../src/probe/report.js';
import { extensionsOf, helloWith } from '../fingerprint/hello-with.js';
import { factsWith, fatal } from '../helpers/diagnosis-facts.js';

const hello = helloWith({ sni: 'api.example.com', extensions: extensionsOf([0, 10, 13, 43]), supportedVersions: [0x0304, 0x0303], cipherSuites: [0x1301, 0xc02f] });

/** A handshake the server answered in TLS 1.3, then failed. */
const facts = (over: Partial<DiagnosisFacts>): DiagnosisFacts => factsWith(hello, { outcome: 'client_alert', serverVersion: 0x0304, serverHelloSeen: true, ...over });

/** A probe whose fetched chain shows `problems` (and names its cause first, as quickProbe does). */
function probed(problems: ('hostname_mismatch' | 'incomplete_chain' | 'expired_certificate' | 'untrusted_certificate')[], cause = problems[0] ?? null): ProbeConclusion {
  const chain: ProbeFinding = {
    kind: 'chain',
    source: 'tls-connect',
    version: 'TLSv1.3',
    orderAsSent: false,
    servername: 'api.example.com',
    name: 'api.example.com',
    certificates: [],
    verdict: problems[0] ?? 'ok',
    problems,
    hint: problems.length > 0 ? `The certificate "CN=leaf" has ${problems.join(', ')}.` : null,
    findings: [],
  };
  return { findings: [chain], cause, hint: cause === null ? null : `Probe hint for ${cause}.` };
}

const refine = (f: DiagnosisFacts, p: ProbeConclusion) => refineWithProbe(f, diagnose(f), p);
const encryptedClientAlert = { end: { kind: 'encrypted-alert', side: 'client', afterClientFinished: false } } as const;

void t.test('a TLS 1.3 encrypted client alert: the probe names the cause', async (t) => {
  const f = facts(encryptedClientAlert);
  t.equal(diagnose(f).cause, 'unknown', 'the wire alone cannot tell');
  const d = refine(f, probed(['hostname_mismatch']));
  t.equal(d.cause, 'hostname_mismatch');
  t.match(d.hint, /^The client aborted the TLS 1\.3 handshake with an encrypted alert, and tlspeek's probe .* Probe hint for hostname_mismatch\.$/);
  t.equal(refine(f, probed([])).cause, 'unknown', 'a clean chain explains nothing: still unknown');
});

void t.test('a generic certificate alert is refined by the probed chain, with the rules of a chain seen in clear', async (t) => {
  t.equal(refine(facts({ clientAlert: fatal(42) }), probed(['hostname_mismatch'])).cause, 'hostname_mismatch');
  t.equal(refine(facts({ clientAlert: fatal(48) }), probed(['incomplete_chain'])).cause, 'incomplete_chain');
  t.equal(refine(facts({ clientAlert: fatal(48) }), probed(['hostname_mismatch'])).cause, 'untrusted_certificate', '48 is about the issuer, never the name');
});

void t.test("the wire's own cause stands", async (t) => {
  const cases: [string, Partial<DiagnosisFacts>, string][] = [
    ['protocol_version', { outcome: 'server_alert', serverAlert: fatal(70), serverHelloSeen: false, serverVersion: null }, 'protocol_mismatch'],
    ['certificate_required', { outcome: 'server_alert', serverAlert: fatal(116) }, 'client_certificate_required'],
    ['certificate_expired from the client', { clientAlert: fatal(45) }, 'expired_certificate'],
    ['handshake_failure before ServerHello', { outcome: 'server_alert', serverAlert: fatal(40), serverHelloSeen: false, serverVersion: null }, 'cipher_mismatch'],
  ];
  for (const [name, over, cause] of cases) {
    t.equal(refine(facts(over), probed(['hostname_mismatch'])).cause, cause, name);
  }
});

void t.test('a chain seen in clear beats the probe\'s copy', async (t) => {
  const inClear = { verdict: 'incomplete_chain', problems: ['incomplete_chain'], hint: 'seen in clear', findings: [] } as const;
  t.equal(refine(facts({ clientAlert: fatal(42), chain: inClear }), probed(['hostname_mismatch'])).cause, 'incomplete_chain');
});

void t.test('a reset with SNI that the wire cannot explain takes the probe\'s cause', async (t) => {
  const f = facts({ outcome: 'server_reset', serverHelloSeen: false, serverVersion: null });
  const d = refine(f, { findings: [], cause: 'cipher_mismatch', hint: 'The upstream accepts TLSv1.2 but none of the suites.' });
  t.equal(d.cause, 'cipher_mismatch');
  t.match(d.hint, /^The server reset the connection, and tlspeek's probe/);
});

void t.test('which failures are probed', async (t) => {
  const probedOutcomes = OUTCOMES.filter((o) => wantsProbe(facts({ outcome: o })));
  t.same(probedOutcomes, ['server_alert', 'server_reset', 'server_closed', 'client_alert', 'client_closed'] satisfies Outcome[]);
  t.notOk(wantsProbe(facts({ outcome: 'established' })), 'never a successful handshake');
  t.notOk(wantsProbe(facts({ outcome: 'client_closed', serverHelloSeen: false })), 'not a client that gave up before any answer');
});
