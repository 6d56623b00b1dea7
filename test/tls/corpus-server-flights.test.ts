/** Every server flight in ../shared/corpus decodes to tshark's version, suite, HRR flag, alert and certificate hashes. */
import t from 'tap';
import { decodeServerFlight } from '../../src/cli/decode.js';
import type { ServerJson } from '../../src/log/server-json.js';
import { serverFlights } from '../helpers/corpus.js';

const cases = serverFlights();

void t.test('corpus server flights', async (t) => {
  let pass = 0;
  for (const c of cases) {
    const r = decodeServerFlight(c.bytes);
    t.equal(r.problem, null, `${c.source} decodes`);
    const s = r.json as ServerJson;
    const e = c.expected;
    const got = {
      version: s.version,
      cipherSuiteCode: s.cipherSuiteCode,
      helloRetry: s.helloRetry,
      certificateSha256: s.certificates.map((x) => x.sha256),
      alert: s.alert ? { level: s.alert.level, code: s.alert.code } : null,
    };
    if (JSON.stringify(got) === JSON.stringify({ version: e.version, cipherSuiteCode: e.cipherSuiteCode, helloRetry: e.helloRetry, certificateSha256: e.certificateSha256, alert: e.alert })) pass++;
    else t.fail(c.source, { found: got, wanted: e });
  }
  t.equal(pass, cases.length, `${pass}/${cases.length} server flights`);
});

void t.test('every certificate sent in clear is parsed into subject, issuer, dates', async (t) => {
  for (const c of cases.filter((x) => x.expected.certificateSha256.length > 0)) {
    const s = decodeServerFlight(c.bytes).json as ServerJson;
    for (const cert of s.certificates) {
      t.ok(cert.subject.length > 0 && cert.issuer.length > 0, `${c.source}: ${cert.subject}`);
      t.ok(!Number.isNaN(Date.parse(cert.notBefore)) && !Number.isNaN(Date.parse(cert.notAfter)), 'ISO dates');
    }
  }
});
