/**
 * HTTPHandler's and SMTPHandler's opt-in batching (one request / one mail for several records): option validation,
 * the batch being collected ({@link Batcher}: cut by count, by age on the injected clock, on flush, when the event
 * loop runs dry; reported as lost at process exit), and the one report for a batch given up.
 */
import { checkOptions, optionKeys } from '../internal/options.js';
import { RecordsDroppedError } from '../core/errors.js';
import type { LogRecord } from '../core/record.js';
import { safeRepr } from '../core/repr.js';
import type { Clock } from '../internal/clock.js';
import { recordCount } from '../internal/drop-ledger.js';
import { onExit } from '../internal/exit.js';

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
  return new RecordsDroppedError(`${what} of ${recordCount(count)}: ${why}`, count, { cause: err });
}

/** A batch: its first record, what was computed when it started (SMTP's subject), the encoded records. */
export interface Batch<P, H> {
  readonly first: LogRecord;
  readonly head: H;
  readonly parts: P[];
}

/** Where a {@link Batcher} hands its batches. Neither may throw. */
export interface BatchSink<P, H> {
  /** A batch is complete (full, old, flushed, or the event loop ran dry): queue it for delivery. */
  send(batch: Batch<P, H>): void;
  /** The process is exiting with this batch still being collected: nothing asynchronous can run, report it. */
  lost(batch: Batch<P, H>): void;
}

interface Collecting<P, H> extends Batch<P, H> {
  readonly started: number;
  readonly timer: ReturnType<typeof setTimeout> | null;
  readonly offLoopEnd: () => void;
  readonly offExit: () => void;
}

/**
 * The batch being collected. A batch is sent when it holds `maxRecords` records, when a record arrives and the
 * batch is `maxDelay` seconds old by the handler's clock (so a long synchronous burst still cuts batches on time),
 * when its `unref()`'d `maxDelay` timer fires, on {@link sendNow}, and when the event loop runs dry.
 */
export class Batcher<P, H> {
  #batch: Collecting<P, H> | null = null;

  constructor(
    readonly config: BatchConfig,
    private readonly clock: Clock,
    private readonly sink: BatchSink<P, H>,
  ) {}

  /**
   * Adds an encoded record. `head` runs when the record starts a new batch; if it throws, the record is refused
   * (the caller reports it) and no batch is started.
   */
  add(record: LogRecord, part: P, head: () => H): void {
    const cfg = this.config;
    const now = this.clock.now();
    if (this.#batch !== null && now - this.#batch.started >= cfg.maxDelay) this.sendNow();
    let b = this.#batch;
    if (b === null) {
      const h = head();
      const send = (): void => this.sendNow();
      b = this.#batch = {
        first: record,
        head: h,
        parts: [],
        started: now,
        timer: cfg.maxDelay === Infinity ? null : setTimeout(send, cfg.maxDelay * 1000).unref(),
        offLoopEnd: sendOnLoopEnd(send),
        offExit: onExit(() => this.#lostAtExit()),
      };
    }
    b.parts.push(part);
    if (b.parts.length >= cfg.maxRecords) this.sendNow();
  }

  /** Hands the batch being collected to the sink now, however small (no-op without one). */
  sendNow(): void {
    const b = this.#take();
    if (b !== null) this.sink.send(b);
  }

  #lostAtExit(): void {
    const b = this.#take();
    if (b !== null) this.sink.lost(b);
  }

  #take(): Collecting<P, H> | null {
    const b = this.#batch;
    if (b === null) return null;
    this.#batch = null;
    if (b.timer !== null) clearTimeout(b.timer);
    b.offLoopEnd();
    b.offExit();
    return b;
  }
}

/** The report for a batch still being collected at process exit. */
export function lostAtExit(owner: string, count: number): RecordsDroppedError {
  return new RecordsDroppedError(`${owner} lost ${recordCount(count)}: still batched at process exit`, count);
}
