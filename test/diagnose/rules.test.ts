/**
 * The rule table against SPEC's precedence: an alert that names the problem
 * (70, 116, 45, or 112 with SNI) beats the absence of SNI; the absence of SNI
 * beats a bare handshake_failure, reset or close; certificate evidence refines
 * generic certificate alerts.
 */
import t from 'tap';
import type { ChainAssessment } from '../../src/certs/checks.js';
import type { DiagnosisFacts } from '../../src/diagnose/facts.js';
import { diagnose } from '../../src/diagnose/rules.js';
import { OUTCOMES } from '../../src/diagnose/vocabulary.js';
import { extensionsOf, helloWith } from '../fingerprint/hello-with.js';
import { factsWith, fatal } from '../helpers/diagnosis-facts.js';

const withSni = helloWith({ sni: 'api.example.com', extensions: extensionsOf([0, 10, 13, 43]), supportedVersions: [0x0304, 0x0303], cipherSuites: [0x1301, 0xc02f] });
const noSni = helloWith({ extensions: extensionsOf([10, 13]), cipherSuites: [0xc02f] });

const facts = (over: Partial<DiagnosisFacts>): DiagnosisFacts => factsWith(withSni, over);
const chain = (...problems: ChainAssessment['problems']): ChainAssessment => ({ verdict: problems[0] ?? 'ok', problems, hint: 'The certificate "CN=x" ...', findings: [] });

const cases: [string, Partial<DiagnosisFacts>, string | null][] = [
  ['no SNI + reset', { hello: noSni, sniPresent: false, outcome: 'server_reset' }, 'non_sni_client'],
  ['no SNI + FIN', { hello: noSni, sniPresent: false, outcome: 'server_closed' }, 'non_sni_client'],
  ['no SNI + 112', { hello: noSni, sniPresent: false, serverAlert: fatal(112) }, 'non_sni_client'],
  ['no SNI + bare 40', { hello: noSni, sniPresent: false, serverAlert: fatal(40) }, 'non_sni_client'],
  ['no SNI + 70 (names the problem)', { hello: noSni, sniPresent: false, serverAlert: fatal(70) }, 'protocol_mismatch'],
  ['no SNI + 116', { hello: noSni, sniPresent: false, serverAlert: fatal(116) }, 'client_certificate_required'],
  ['SNI + 112', { serverAlert: fatal(112) }, 'sni_unrecognized'],
  ['SNI + 40 before ServerHello', { serverAlert: fatal(40) }, 'cipher_mismatch'],
  ['SNI + 71 before ServerHello', { serverAlert: fatal(71) }, 'cipher_mismatch'],
  ['40 after CertificateRequest', { serverAlert: fatal(40), serverHelloSeen: true, serverVersion: 0x0303, certificateRequested: true }, 'client_certificate_required'],
  ['40 after ServerHello, no CertificateRequest', { serverAlert: fatal(40), serverHelloSeen: true, serverVersion: 0x0303 }, 'unknown'],
  ['client 45', { outcome: 'client_alert', clientAlert: fatal(45) }, 'expired_certificate'],
  ['client 48, no chain seen', { outcome: 'client_alert', clientAlert: fatal(48) }, 'untrusted_certificate'],
  ['client 42 + chain hostname', { outcome: 'client_alert', clientAlert: fatal(42), chain: chain('hostname_mismatch', 'incomplete_chain') }, 'hostname_mismatch'],
  ['client 48 + chain hostname & incomplete: 48 is about the issuer', { outcome: 'client_alert', clientAlert: fatal(48), chain: chain('hostname_mismatch', 'incomplete_chain') }, 'incomplete_chain'],
  ['client 48 + chain only hostname: the client lacks the root', { outcome: 'client_alert', clientAlert: fatal(48), chain: chain('hostname_mismatch') }, 'untrusted_certificate'],
  ['client 46 + chain expired', { outcome: 'client_alert', clientAlert: fatal(46), chain: chain('expired_certificate') }, 'expired_certificate'],
  ['server reset with SNI, nothing else', { outcome: 'server_reset' }, 'unknown'],
  ['server chose a version the client never offered', { outcome: 'client_alert', clientAlert: fatal(70), serverVersion: 0x0301, serverHelloSeen: true }, 'protocol_mismatch'],
  ['TLS 1.3 encrypted server alert after the client Finished', { end: { kind: 'encrypted-alert', side: 'server', afterClientFinished: true } }, 'client_certificate_required'],
  ['TLS 1.3 encrypted client alert', { outcome: 'client_alert', end: { kind: 'encrypted-alert', side: 'client', afterClientFinished: false } }, 'unknown'],
];

void t.test('causes', async (t) => {
  for (const [name, over, cause] of cases) {
    const d = diagnose(facts(over));
    t.equal(d.cause, cause, name);
    t.ok(d.hint !== null && d.hint.length > 20 && /[.!]$/.test(d.hint), `${name}: one actionable sentence`);
  }
});

void t.test('outcomes that explain themselves have a null cause and hint', async (t) => {
  for (const outcome of ['established', 'not_tls', 'hello_timeout', 'upstream_timeout', 'upstream_unreachable'] as const) {
    t.same(diagnose(facts({ outcome, serverAlert: fatal(40) })), { cause: null, hint: null }, outcome);
  }
  t.equal(OUTCOMES.length, 10, 'SPEC has ten outcomes');
});
