/**
 * What the worker ring's JSON path gives the worker for a record: `serialize()` then `decode()`. The binary codec's
 * tests compare their records with it.
 */
import { LogRecord } from '../../src/index.js';

/** `r` through JSON and back onto `LogRecord.prototype`; a BigInt becomes its `String()`, as `serialize()` makes it. */
export const viaJson = (r: object): LogRecord =>
  Object.setPrototypeOf(
    JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as object,
    LogRecord.prototype,
  ) as LogRecord;
