/**
 * ChainEvidence answers for the chain it is given, whatever it was asked
 * before: the cached assessment and description, and the per-chain key it
 * remembers between a record's two questions. Certificates made by the
 * openssl CLI; the expected verdicts follow from their names and dates.
 */
import t from 'tap';
import { loadTrustStore } from '../../src/certs/checks.js';
import { pemToDer } from '../../src/certs/parse.js';
import { ChainEvidence } from '../../src/diagnose/chain-evidence.js';
import { makePki } from '../helpers/pki.js';

const pki = makePki();
const evidence = new ChainEvidence({ roots: loadTrustStore(pki.ca.cert) });
const good = () => pemToDer(pki.leaf(['api.example.com']).cert);
const expired = () => pemToDer(pki.leaf(['old.example.com'], { daysFrom: -20, daysTo: -10 }).cert);

void t.test('alternating chains get their own answers', async (t) => {
  const a = good();
  const b = expired();
  for (let round = 0; round < 2; round++) {
    t.equal(evidence.assess(a, 'api.example.com').verdict, 'ok');
    t.match(evidence.describe(a), [{ subject: /api\.example\.com/ }]);
    t.equal(evidence.assess(b, 'old.example.com').verdict, 'expired_certificate');
    t.match(evidence.describe(b), [{ subject: /old\.example\.com/ }]);
    // The other order: describe first, then assess, then the other chain's assess.
    t.match(evidence.describe(a), [{ subject: /api\.example\.com/ }]);
    t.equal(evidence.assess(b, 'old.example.com').verdict, 'expired_certificate');
    t.equal(evidence.assess(a, 'api.example.com').verdict, 'ok');
  }
});

void t.test('the same chain asked for another name is checked for that name', async (t) => {
  const a = good();
  t.equal(evidence.assess(a, 'api.example.com').verdict, 'ok');
  t.equal(evidence.assess(a, 'other.example.com').verdict, 'hostname_mismatch');
});

void t.test('equal chains in different arrays share the cached answer', async (t) => {
  const a = good();
  const copy = a.map((der) => Buffer.from(der));
  t.equal(evidence.describe(a), evidence.describe(copy), 'one description object for equal bytes');
  t.equal(evidence.assess(a, 'api.example.com'), evidence.assess(copy, 'api.example.com'));
});

void t.test('an assessment is reused until ttlMs has passed, then made afresh', async (t) => {
  const short = new ChainEvidence({ roots: loadTrustStore(pki.ca.cert), ttlMs: 300 });
  const a = good();
  const first = short.assess(a, 'api.example.com');
  t.equal(short.assess(a, 'api.example.com'), first, 'the cached object while fresh');
  await new Promise((resolve) => setTimeout(resolve, 400));
  const later = short.assess(a, 'api.example.com');
  t.not(later, first, 'a new assessment once stale');
  t.equal(later.verdict, 'ok');
});
