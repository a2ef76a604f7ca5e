/**
 * The worker codec's deferred records (`E_DEFERRED`): the logging thread sends the template and the arguments, the
 * worker merges. What the worker gets must be exactly what the prepared path gives it, `preparedCopy(r,
 * r.getMessage())`: the same keys in the same order and the same values; and what the codec cannot merge the same
 * way is refused (-1), so the caller takes the prepared path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRecord, makeLogRecord } from '../../src/index.js';
import { preparedCopy } from '../../src/handlers/queue.js';
import { RecordDecoder } from '../../src/internal/record-decoder.js';
import { RecordEncoder } from '../../src/internal/record-encoder.js';
import { roundTrip, viaJson } from '../helpers/record-json.js';

const record = (msg: unknown, args: unknown[] | null, extra: Record<string, unknown> = {}): LogRecord => {
  const r = new LogRecord('app.db', 20, '/srv/app.py', 7, msg, args, null, 'handler');
  Object.assign(r, extra);
  return r;
};

const MERGEABLE: [string, unknown[]][] = [
  ['query took %d ms for user %s', [12, 'alice']],
  ['%s', ['']],
  ['%s', ['é and ✓ and 😀']],
  ['%s|%s', ['\ud800', 'x']], // a lone surrogate: T_UTF16
  ['%s %s %s', ['same', 'same', 'same']], // the repeats go as T_AGAIN
  ['%s', ['y'.repeat(300)]], // past the 1-byte length
  ['100%% of %d', [7]],
  ['%d %d %d %d %d %d %d %d %d', [0, -0, -1, 127, 128, 32_768, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]],
  ['%s'.repeat(255), Array.from({ length: 255 }, (_, i) => `a${i}`)],
  [`${'long template '.repeat(80)}%s`, ['past the interned length']], // 1,120 characters: sent as a literal
];

test('a deferred record decodes to the prepared copy of its merge, key for key, for every kind of argument', () => {
  const enc = new RecordEncoder();
  const deferred = new RecordDecoder();
  const prepared = new RecordDecoder();
  const enc2 = new RecordEncoder();
  for (let pass = 0; pass < 2; pass++) {
    // twice: the second pass reads the template from the interned table
    for (const [msg, args] of MERGEABLE) {
      const r = record(msg, [...args]);
      const want = preparedCopy(r, r.getMessage());
      const got = roundTrip(enc, deferred, enc.encodeDeferred(r));
      assert.deepStrictEqual(got, viaJson(want), msg.slice(0, 40));
      assert.deepStrictEqual(Object.keys(got), Object.keys(want));
      r.message = r.getMessage(); // as QueueHandler's format() leaves it before the prepared path encodes
      assert.deepStrictEqual(got, roundTrip(enc2, prepared, enc2.encodePrepared(r, r.message)));
    }
  }
});

test('the original record is left as it was: no message, its args', () => {
  const enc = new RecordEncoder();
  const r = record('%s took %d ms', ['q', 3]);
  const before = Object.keys(r);
  assert.ok(enc.encodeDeferred(r) >= 0);
  assert.deepStrictEqual(Object.keys(r), before);
  assert.equal(Object.hasOwn(r, 'message'), false);
  assert.deepStrictEqual(r.args, ['q', 3]);
  assert.equal(r.msg, '%s took %d ms');
});

test('a record that already has a message (formatted by an earlier handler) keeps its key order', () => {
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  const r = record('%s!', ['hi'], { user: 'u1' });
  r.message = 'stale';
  const got = roundTrip(enc, dec, enc.encodeDeferred(r));
  assert.deepStrictEqual(Object.keys(got), Object.keys(r));
  assert.equal(got.message, 'hi!');
  assert.equal(got.msg, 'hi!');
  assert.equal(got.args, null);
});

test('refused (-1) when the codec cannot carry the record that way, and no definition is sent for it', () => {
  // What could merge differently in the worker (a %r, an object, exc_info, …) is RingQueue's to refuse: see
  // test/handlers/queue-deferred.test.ts.
  const enc = new RecordEncoder();
  const refused: [string, LogRecord][] = [
    ['no args', record('plain', null)],
    ['empty args', record('plain', [])],
    ['more than 255 args', record('%s'.repeat(256), Array.from({ length: 256 }, () => 'a'))],
    ['a message that is not a string', record(42, ['x'])],
    ['a record lacking a prepared key', makeLogRecord({ msg: '%s', args: ['x'] })],
  ];
  // makeLogRecord gives every key; take one away
  delete (refused.at(-1)?.[1] as unknown as Record<string, unknown>)['exc_text'];
  const before = JSON.stringify(enc.tables());
  for (const [why, r] of refused) assert.equal(enc.encodeDeferred(r), -1, why);
  assert.equal(JSON.stringify(enc.tables()), before);
});

test('a rolled-back definition is not reused: the deferred shape is looked up again', () => {
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  const r = record('%s', ['first'], { only: 1 });
  assert.ok(enc.encodeDeferred(r) >= 0);
  enc.rollback(); // the entry never reached the ring: its shapes are forgotten, their ids given again
  const other = record('%s', ['x'], { different: true, keys: 2 });
  other.message = 'm';
  assert.equal(roundTrip(enc, dec, enc.encodePrepared(other, 'm')).different, true);
  const got = roundTrip(enc, dec, enc.encodeDeferred(r));
  assert.equal(got.message, 'first');
  assert.equal(got.only, 1);
  assert.deepStrictEqual(Object.keys(got), [...Object.keys(r), 'message']);
});

test("a deferred record's own shape is defined with it: a later record of that shape, sent as it is, decodes", () => {
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  const r = record('%s', ['x'], { tag: 't' }); // no `message`: its shape, then its copy's shape with `message`
  assert.equal(roundTrip(enc, dec, enc.encodeDeferred(r)).message, 'x');
  const plain = record('plain', null, { tag: 'u' }); // the first shape, through encode() (a custom prepare's record)
  const got = roundTrip(enc, dec, enc.encode(plain));
  assert.deepStrictEqual(got, viaJson(plain));
});
