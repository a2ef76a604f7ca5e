/**
 * The worker codec's generated readers read the common tags inline and hand the rest to `_v()`: every tag must come
 * back right at every key of one shape, whichever tag that key had before (the inline paths and `_v` share the read
 * position and the last literal string).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRecord, makeLogRecord } from '../../src/index.js';
import { preparedCopy } from '../../src/handlers/queue.js';
import { RecordDecoder } from '../../src/internal/record-decoder.js';
import { RecordEncoder } from '../../src/internal/record-encoder.js';
import { roundTrip, viaJson } from '../helpers/record-json.js';


test('one shape, every value tag at every key in turn (inline and through _v), each record as the JSON path gives it', () => {
  const values: unknown[] = [
    null, true, false, 7, -128, 300, -32768, 70_000, -(2 ** 31), 1.5, -0, NaN, Infinity, 2 ** 40,
    'short ascii', '', 'x'.repeat(300), 'é', '\ud800', 'y'.repeat(255), { j: [1, 'é'] }, [2],
  ];
  const keys = ['a', 'b', 'c', 'd'];
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  let records = 0;
  for (let i = 0; i < values.length * 3; i++) {
    const fields: Record<string, unknown> = { name: `logger.${i % 300}`, levelname: i % 2 ? 'INFO' : 'WARNING' };
    // Each key takes the values in another order, so every key meets every tag after every other kind.
    keys.forEach((k, j) => (fields[k] = values[(i * (j + 1) + j) % values.length]));
    fields.again = fields.a; // T_AGAIN when `a` was a literal string, read inline or not
    const r = makeLogRecord({ msg: 'm', message: 'm', ...fields });
    const n = enc.encode(r);
    assert.ok(n >= 0, `encoded ${i}`);
    const bytes = Buffer.from(enc.buf.subarray(0, n));
    enc.commit();
    const got = dec.decode(bytes, new DataView(bytes.buffer, bytes.byteOffset, n), 0, n);
    assert.deepStrictEqual(got, viaJson(r), `record ${i}`);
    records++;
  }
  assert.equal(records, values.length * 3);
});

test('interned strings past 256 (the 4-byte reference) and back under it, in one shape', () => {
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  for (let i = 0; i < 600; i++) {
    const r = makeLogRecord({ name: `n${i % 400}`, module: `m${(i * 7) % 300}`, msg: 'm', message: 'm' });
    const n = enc.encode(r);
    const bytes = Buffer.from(enc.buf.subarray(0, n));
    enc.commit();
    const got = dec.decode(bytes, new DataView(bytes.buffer, bytes.byteOffset, n), 0, n);
    assert.equal(got.name, r.name);
    assert.equal(got.module, r.module);
  }
});

test('a shape made by a refused record is defined by the next entry sent, so a later record of it decodes', () => {
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  // no `message`: encodePrepared refuses it, after making its shape
  const r = Object.assign(new LogRecord('app', 20, 'app.py', 1, 'm', null, null), { tag: 't' });
  assert.equal(enc.encodePrepared(r, 'm'), -1);
  assert.equal(roundTrip(enc, dec, enc.encode(preparedCopy(r, 'm'))).message, 'm'); // what RingQueue sends instead
  assert.deepStrictEqual(roundTrip(enc, dec, enc.encode(r)), viaJson(r)); // the first shape, sent as it is
});
