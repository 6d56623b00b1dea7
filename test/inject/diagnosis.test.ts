/** The inject outcome and rule table, fed facts directly: every end maps to one SPEC outcome, and causes follow the evidence. */
import t from 'tap';
import type { ChainAssessment } from '../../src/certs/checks.js';
import { OUTCOMES, CAUSES } from '../../src/diagnose/vocabulary.js';
import { diagnoseInject, failedLeg, type InjectEnd, type InjectFacts, injectOutcome } from '../../src/inject/diagnosis.js';
import { decodeClientHello } from '../../src/tls/client-hello.js';
import { clientHelloMessage, record } from '../helpers/tls-bytes.js';

const { hello } = decodeClientHello(record(22, clientHelloMessage({}), 0x0301));
/** A TLS 1.0-only client's hello. */
const { hello: tls10Hello } = decodeClientHello(record(22, clientHelloMessage({ legacyVersion: 0x0301, ciphers: [0x002f] }), 0x0301));
const fatal = (code: number) => ({ level: 2, code });
const chain = (verdict: ChainAssessment['verdict']): ChainAssessment => ({ verdict, problems: verdict === 'ok' ? [] : [verdict], hint: verdict === 'ok' ? null : `chain says ${verdict}.`, findings: [] });

function facts(end: InjectEnd, extra: Partial<InjectFacts> = {}): InjectFacts {
  return { end, name: 'api.example.com', hello, clientMinVersion: 'TLSv1.2', upstreamVersion: null, certificateRequested: false, chain: null, servingCertificate: "tlspeek's certificate", ...extra };
}

const cases: [string, InjectEnd, Partial<InjectFacts>, string, string | null, 'client' | 'upstream' | null][] = [
  ['established', { kind: 'established' }, {}, 'established', null, null],
  ['unreachable', { kind: 'upstream-unreachable' }, {}, 'upstream_unreachable', null, 'upstream'],
  ['client stalls', { kind: 'timeout', leg: 'client' }, {}, 'upstream_timeout', null, 'client'],
  ['upstream 112', { kind: 'upstream-alert', alert: fatal(112) }, {}, 'server_alert', 'sni_unrecognized', 'upstream'],
  ['upstream 70', { kind: 'upstream-alert', alert: fatal(70) }, {}, 'server_alert', 'protocol_mismatch', 'upstream'],
  ['upstream 116', { kind: 'upstream-alert', alert: fatal(116) }, {}, 'server_alert', 'client_certificate_required', 'upstream'],
  ['upstream 40 after CertificateRequest', { kind: 'upstream-alert', alert: fatal(40) }, { certificateRequested: true, upstreamVersion: 0x0303 }, 'server_alert', 'client_certificate_required', 'upstream'],
  ['upstream 40 before ServerHello', { kind: 'upstream-alert', alert: fatal(40) }, {}, 'server_alert', 'cipher_mismatch', 'upstream'],
  ['upstream chose TLS 1.0', { kind: 'upstream-refused', certificate: false, reason: 'ERR_SSL_UNSUPPORTED_PROTOCOL' }, { upstreamVersion: 0x0301 }, 'server_alert', 'protocol_mismatch', 'upstream'],
  ['upstream name mismatch', { kind: 'upstream-refused', certificate: true, reason: 'ERR_TLS_CERT_ALTNAME_INVALID' }, { chain: chain('hostname_mismatch') }, 'server_alert', 'hostname_mismatch', 'upstream'],
  ['chain verdict beats Node code', { kind: 'upstream-refused', certificate: true, reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, { chain: chain('untrusted_certificate') }, 'server_alert', 'untrusted_certificate', 'upstream'],
  ['Node code when the chain check is clean', { kind: 'upstream-refused', certificate: true, reason: 'CERT_HAS_EXPIRED' }, { chain: chain('ok') }, 'server_alert', 'expired_certificate', 'upstream'],
  ['upstream reset', { kind: 'upstream-reset' }, {}, 'server_reset', 'unknown', 'upstream'],
  ['upstream closed', { kind: 'upstream-closed' }, {}, 'server_closed', 'unknown', 'upstream'],
  ['client 48', { kind: 'client-alert', alert: fatal(48) }, {}, 'client_alert', 'untrusted_certificate', 'client'],
  ['client 45', { kind: 'client-alert', alert: fatal(45) }, {}, 'client_alert', 'expired_certificate', 'client'],
  ['tlspeek sent 70', { kind: 'client-refused', alert: fatal(70), reason: 'ERR_SSL_UNSUPPORTED_PROTOCOL' }, {}, 'server_alert', 'protocol_mismatch', 'client'],
  ['tlspeek sent 40', { kind: 'client-refused', alert: fatal(40), reason: 'ERR_SSL_NO_SHARED_CIPHER' }, {}, 'server_alert', 'cipher_mismatch', 'client'],
  ['client left after the certificate', { kind: 'client-closed', reset: false, afterServerFlight: true }, {}, 'client_closed', 'unknown', 'client'],
];

for (const [label, end, extra, outcome, cause, leg] of cases) {
  void t.test(label, async (t) => {
    const f = facts(end, extra);
    t.equal(injectOutcome(end), outcome);
    t.ok((OUTCOMES as readonly string[]).includes(outcome));
    const d = diagnoseInject(f);
    t.equal(d.cause, cause);
    if (cause !== null) t.ok((CAUSES as readonly string[]).includes(cause));
    t.equal(d.hint === null, cause === null, 'a hint exactly when there is a cause');
    t.equal(failedLeg(end), leg);
  });
}

void t.test('hints say what to change', async (t) => {
  t.match(diagnoseInject(facts({ kind: 'client-refused', alert: fatal(70), reason: 'x' }, { hello: tls10Hello })).hint, /offered TLSv1 and tlspeek accepts TLSv1\.2 .*--client-min-version TLSv1 /);
  t.match(diagnoseInject(facts({ kind: 'upstream-refused', certificate: true, reason: 'ERR_TLS_CERT_ALTNAME_INVALID' }, { chain: chain('hostname_mismatch') })).hint, /chain says hostname_mismatch/);
  t.match(diagnoseInject(facts({ kind: 'upstream-alert', alert: fatal(112) })).hint, /--inject-sni/);
  t.match(diagnoseInject(facts({ kind: 'client-alert', alert: fatal(48) })).hint, /tlspeek's certificate/);
});
