/**
 * What HTTPHandler's and SMTPHandler's opt-in batching share: option validation, the "send what waits when the
 * event loop runs dry" hook, and the one report for a batch given up.
 */
import { checkOptions, optionKeys } from './options.js';
import { RecordsDroppedError } from '../core/errors.js';
import { safeRepr } from '../core/repr.js';

/** `batch` options as the handlers accept them. */
export interface BatchOptions {
  maxRecords?: number;
  maxDelay?: number;
}

/** Validated batch options. */
export interface BatchConfig {
  maxRecords: number;
  maxDelay: number;
}

// setTimeout's limit (2^31 - 1 ms); beyond it Node fires after 1 ms instead.
const MAX_TIMER_S = 2_147_483;

const BATCH_KEYS = optionKeys<BatchOptions>()(['maxRecords', 'maxDelay']);

/** Validates `batch` options (STYLE §6: before anything is built); null when batching is off. */
export function batchConfig(batch: BatchOptions | null | undefined, defaultDelay: number): BatchConfig | null {
  if (batch === null || batch === undefined) return null;
  if (typeof batch !== 'object') throw new TypeError(`batch must be an object or null, got ${String(batch)}`);
  checkOptions('batch', batch, BATCH_KEYS);
  const maxRecords = batch.maxRecords ?? 100;
  const maxDelay = batch.maxDelay ?? defaultDelay;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new RangeError(`batch.maxRecords must be a positive integer, got ${String(maxRecords)}`);
  }
  if (typeof maxDelay !== 'number' || !(maxDelay > 0) || (maxDelay > MAX_TIMER_S && maxDelay !== Infinity)) {
    throw new RangeError(
      `batch.maxDelay must be a positive number of seconds (at most ${MAX_TIMER_S}, or Infinity), got ${String(maxDelay)}`,
    );
  }
  return { maxRecords, maxDelay };
}

/** Batches whose `unref()`'d timer would not keep the process alive: sent when the event loop runs dry. */
const waiting = new Set<() => void>();
let loopEndInstalled = false;

/** Calls `send` when the event loop runs dry (`'beforeExit'`); returns a function that cancels it. */
export function sendOnLoopEnd(send: () => void): () => void {
  if (!loopEndInstalled) {
    loopEndInstalled = true;
    // 'beforeExit' is not emitted on process.exit() or a fatal signal; the handlers' 'exit' hooks report those losses.
    process.on('beforeExit', () => {
      for (const s of [...waiting]) s();
    });
  }
  waiting.add(send);
  return () => {
    waiting.delete(send);
  };
}

/** The one report for a batch given up: how many records it held, and why. */
export function batchFailed(what: string, count: number, err: unknown): RecordsDroppedError {
  const why = err instanceof Error ? err.message : safeRepr(err);
  return new RecordsDroppedError(`${what} of ${count} record(s): ${why}`, count, { cause: err });
}
