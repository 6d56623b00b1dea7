/** The proxy's remembered hello lists: shared when a list repeats, equal to fresh ones, bounded. */
import t from 'tap';
import { JsonWriter } from '../../src/log/json-writer.js';
import { FRESH_LISTS, RememberedLists } from '../../src/log/remembered-lists.js';

// Chrome-like suites with a GREASE value first; the same with another GREASE value.
const suites = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x009c, 0x002f];
const otherGrease = [0x5a5a, ...suites.slice(1)];

void t.test('a repeated list is one frozen object, equal to a fresh one', async (t) => {
  const lists = new RememberedLists();
  const first = lists.cipherSuites(suites);
  const again = lists.cipherSuites([...suites]);
  t.equal(again, first, 'the same object for an equal list');
  t.same(first, FRESH_LISTS.cipherSuites(suites), 'codes and names as made afresh');
  t.equal(first.names[1], 'TLS_AES_128_GCM_SHA256');
  t.equal(first.names[0], '0x0A0A', 'GREASE shown as 0xHHHH');
  t.ok(Object.isFrozen(first.names) && Object.isFrozen(first.codes), 'frozen');
  t.not(lists.cipherSuites(otherGrease), first, 'another GREASE value is another list');
  t.not(lists.groups(suites), first, 'each registry keeps its own lists');
  t.not(lists.groups(suites).names, first.names, 'named from its own registry');
});

void t.test('the JSON of a remembered list is that of the fresh list, first time and after', async (t) => {
  const lists = new RememberedLists();
  const w = new JsonWriter();
  const write = (v: unknown) => {
    w.reset();
    w.value(v);
    return w.text();
  };
  const fresh = JSON.stringify(FRESH_LISTS.signatureAlgorithms([0x0403, 0x0804, 0x0401, 0xfe00]));
  t.equal(write(lists.signatureAlgorithms([0x0403, 0x0804, 0x0401, 0xfe00])), fresh);
  t.equal(write(lists.signatureAlgorithms([0x0403, 0x0804, 0x0401, 0xfe00])), fresh);
});

void t.test('a list too long to keep is named afresh each time; the store stays bounded', async (t) => {
  const lists = new RememberedLists();
  const long = Array.from({ length: 300 }, (_, i) => i);
  const a = lists.cipherSuites(long);
  t.not(lists.cipherSuites(long), a, 'not kept');
  t.same(a.names, FRESH_LISTS.cipherSuites(long).names);
  // Far more distinct lists than are kept: the first is gone, the last is there.
  const first = lists.groups([1, 2]);
  for (let i = 0; i < 1000; i++) lists.groups([i, i + 1, 3]);
  t.not(lists.groups([1, 2]), first, 'the oldest list was evicted');
  const last = lists.groups([999, 1000, 3]);
  t.equal(lists.groups([999, 1000, 3]), last, 'a recent one is kept');
});
