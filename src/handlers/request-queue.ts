/**
 * The delivery of HTTPHandler and SMTPHandler, on the shared {@link Delivery}: each item (a request, a mail; with
 * `batch`, one for several records) is its own request or SMTP session, so there is no socket to keep open, and
 * "connected" means "not backing off".
 *
 * ```
 *  emit() ─encode─▶ [Batcher] ─▶ Delivery (≤ maxBytes, capacity) ─one at a time─▶ send(item) ─▶ server
 *                                 full: dropped, counted in records    ok: the backoff starts over
 *                                                                      fails: reported for its records (CPython's
 *                                                                      handleError); a failure of the peer (refused,
 *                                                                      reset, silent, TLS) also backs off: later items
 *                                                                      wait for retryTime instead of each failing or
 *                                                                      timing out in turn, and flush()/close() give
 *                                                                      them up at once, in one report
 * ```
 *
 * So giving up against a hung server is bounded in total (one `timeout`), not `timeout` once per queued item.
 */
import { RecordsDroppedError } from '../core/errors.js';
import { WARNING } from '../core/levels.js';
import { makeLogRecord, type LogRecord } from '../core/record.js';
import { backOff, mayAttempt, type RetryState } from '../internal/backoff.js';
import { Batcher, batchFailed, lostAtExit, type Batch, type BatchConfig } from './batch.js';
import type { Clock } from '../internal/clock.js';
import { Delivery, ItemsRejected, type DropEpisode } from '../internal/delivery.js';
import { recordCount } from '../internal/drop-ledger.js';

/** One request or mail waiting. */
export interface RequestItem {
  /** The record, or a batch's first record: the record a failure is reported with. */
  readonly record: LogRecord;
  /** Records in a batch; absent for a single record. */
  readonly count?: number;
  /** Bytes it holds, for `maxBytes`. */
  readonly size: number;
}

/** What a {@link RequestQueue} is built with. */
export interface RequestQueueOptions<T extends RequestItem, P, H> {
  /** Most items waiting. */
  capacity: number;
  /** Most bytes waiting. */
  maxBytes: number;
  /** The clock of the backoff (and of a batch's age). */
  clock: Clock;
  /** Sends one item; resolves once the server took it, rejects with why it did not. */
  send(item: T): Promise<void>;
  /** True when `err` says the server is down, silent or refusing the connection, rather than refusing this item. */
  peerFailed(err: unknown): boolean;
  /** The handler's name in reports: `'HTTPHandler'`. */
  who: string;
  /** What a batch is called in a report: `'batch'`, `'digest'`. */
  batchNoun: string;
  /** The handler's `handleError`. */
  report(record: LogRecord, err: unknown): void;
  /** After `close()`: release connections. */
  teardown?(): void;
  /**
   * With `batch`: its validated options, and what becomes of a complete batch (the handler makes one item of it and
   * pushes it). A batch still being collected at process exit is reported as lost.
   */
  batch?: { config: BatchConfig | null; send(batch: Batch<P, H>): void };
}

/** A backlog of requests with CPython's backoff while the server fails, and optionally a batch being collected. */
export class RequestQueue<T extends RequestItem, P = never, H = never> {
  /** The batch being collected, or null when batching is off. */
  readonly batcher: Batcher<P, H> | null;
  readonly #delivery: Delivery<T>;
  /** CPython's SocketHandler backoff (retryStart 1 s, ×2, at most 30 s); HTTP and SMTP have no attributes for it. */
  readonly #retry: RetryState = { retryStart: 1, retryFactor: 2, retryMax: 30, retryTime: null, retryPeriod: null };
  #up = false;

  constructor(o: RequestQueueOptions<T, P, H>) {
    const b = o.batch;
    this.batcher =
      b === undefined || b.config === null
        ? null
        : new Batcher(b.config, o.clock, {
            send: (batch) => b.send(batch),
            lost: (batch) => o.report(batch.first, lostAtExit(o.who, batch.parts.length)),
          });
    const retry = this.#retry;
    this.#delivery = new Delivery<T>({
      capacity: o.capacity,
      maxBytes: o.maxBytes,
      sizeOf: (item) => item.size,
      countOf: (item) => item.count ?? 1,
      write: async (item) => {
        try {
          await o.send(item);
          retry.retryTime = null;
        } catch (err) {
          if (o.peerFailed(err)) {
            this.#up = false;
            backOff(retry, o.clock.now());
          }
          // CPython's emit(): handleError(record). A batch is one report for all its records.
          const c = item.count;
          o.report(item.record, c === undefined ? err : batchFailed(`${o.who} could not deliver a ${o.batchNoun}`, c, err));
          // Reported above, so none is counted as dropped; not a delivery either: an open drop episode goes on, and
          // the failure becomes the cause quoted when later items are given up.
          throw new ItemsRejected(0, err);
        }
      },
      link: {
        isOpen: () => this.#up,
        connect: () => {
          if (mayAttempt(retry, o.clock.now())) this.#up = true;
          return Promise.resolve();
        },
        shut: () => (this.#up = false),
      },
      retry,
      clock: o.clock,
      onDrop: (n, episode) => o.report(recordOf(episode, n), dropReport(o.who, n, episode)),
      teardown: () => o.teardown?.(),
      exitReport: true,
    });
  }

  /** Queues an item; false when it was dropped (counted and reported per episode). */
  push(item: T): boolean {
    return this.#delivery.push(item);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#delivery.closed;
  }

  /** Records dropped so far (backlog full, given up while the server failed, still queued at exit). */
  get dropped(): number {
    return this.#delivery.dropped;
  }

  /**
   * Sends the batch being collected, however small, then resolves once every item queued so far was sent, reported,
   * or given up (when the server is backed off).
   */
  flush(): Promise<void> {
    this.batcher?.sendNow();
    return this.#delivery.flush();
  }

  /** As {@link flush}, but stops accepting first, and tears down at the end. Same promise every call. */
  close(): Promise<void> {
    this.batcher?.sendNow();
    return this.#delivery.close();
  }
}

/** `HTTPHandler dropped 3 records: the backlog was full (64 MiB, capacity 1)`, the count exact, the last error kept. */
function dropReport(who: string, n: number, episode: DropEpisode): RecordsDroppedError {
  const cause = episode.cause;
  return new RecordsDroppedError(`${who} dropped ${recordCount(n)}: ${episode.reasons()}`, n, cause === null || cause === undefined ? {} : { cause });
}

/** The first record the episode lost, or a stand-in saying who reports. */
function recordOf(episode: DropEpisode, n: number): LogRecord {
  const first = episode.first as RequestItem | undefined;
  return first?.record ?? makeLogRecord({ name: 'pylogging', msg: `${recordCount(n)} dropped`, levelno: WARNING, levelname: 'WARNING' });
}
