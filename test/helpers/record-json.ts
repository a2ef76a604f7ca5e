/**
 * For the worker ring's binary codec tests: what its JSON path gives the worker for a record (`serialize()` then
 * `decode()`), which they compare their records with, and one record's trip across.
 */
import assert from 'node:assert/strict';
import { LogRecord } from '../../src/index.js';
import type { RecordDecoder } from '../../src/internal/record-decoder.js';
import type { RecordEncoder } from '../../src/internal/record-encoder.js';

/** `r` through JSON and back onto `LogRecord.prototype`; a BigInt becomes its `String()`, as `serialize()` makes it. */
export const viaJson = (r: object): LogRecord =>
  Object.setPrototypeOf(
    JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as object,
    LogRecord.prototype,
  ) as LogRecord;

/**
 * The entry `enc` just encoded (`n` bytes, asserted encoded), copied out, committed and decoded by `dec`: how the
 * binary codec's tests send one record across.
 */
export function roundTrip(enc: RecordEncoder, dec: RecordDecoder, n: number): LogRecord {
  assert.ok(n >= 0, 'encoded');
  const bytes = Buffer.from(enc.buf.subarray(0, n));
  enc.commit();
  return dec.decode(bytes, new DataView(bytes.buffer, bytes.byteOffset, n), 0, n);
}
