/**
 * WorkerQueueListener: QueueListener's job (take slow handlers off the logging thread) done with a real thread.
 *
 * ```
 *  logging thread                                         worker thread (worker-main.ts)
 *  logger.info() → QueueHandler.prepare() (format, copy)  QueueListener(ring reader, ...handlers)
 *    → RingQueue.put_nowait(): record into the ring ─────▶   get(): bytes → LogRecord → handle() → FileHandler …
 *                          SharedArrayBuffer ring (ring-buffer.ts), Atomics only, no postMessage per record
 *  flush()/stop()/process 'exit' wait on DONE  ◀──────────  after each batch: flush handlers, publish DONE
 * ```
 *
 * The worker finds its code at `new URL('./worker-main.js', import.meta.url)`, i.e. next to this file in the
 * installed package (`pylogging/build/src/handlers/worker-main.js`, also exported as `pylogging/worker`). Bundlers
 * that inline this file break that URL; pass `workerUrl` pointing at a copy of the worker entry (see the README).
 */
import type { Worker } from 'node:worker_threads';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LogRecord, pendingMerge } from '../core/record.js';
import type { RingBuffer } from '../internal/ring-buffer.js';
import {
  preparedCopy,
  putDeferred,
  putPrepared,
  QueueFull,
  type ListenerLike,
  type PreparedPutQueue,
  type PutQueue,
  type QueueItem,
} from './queue.js';
import { RecordEncoder } from '../internal/record-encoder.js';
import { WorkerHost } from './worker-host.js';
import {
  type WorkerClassSpec,
  type WorkerFormatterSpec,
  type WorkerHandlerSpec,
  type WorkerModuleSpec,
} from './worker-protocol.js';
import { checkOptions, optionKeys } from '../internal/options.js';

export type { WorkerHandlerSpec, WorkerClassSpec, WorkerModuleSpec, WorkerFormatterSpec } from './worker-protocol.js';

/** Keyword arguments of {@link WorkerQueueListener}. */
export interface WorkerQueueListenerOptions {
  /** Pass a record to a worker handler only when it reaches the handler's level (CPython 3.5). @default false */
  respectHandlerLevel?: boolean;
  /**
   * Bytes of shared ring (rounded up to a power of two). About 80 bytes per record without extras (the binary
   * codec; a record that goes as JSON takes about 400). @default 4 MiB
   */
  bufferSize?: number;
  /**
   * What `put_nowait` does when the ring is full:
   * - `'block'` (the default): wait (`Atomics.wait`, the logging thread stops) up to `blockTimeout` for the worker
   *   to make room, then drop. A full ring means the handlers are slower than the application; waiting is what a
   *   CPython program does anyway (its FileHandler writes in the logging call) and it keeps the no-loss promise for
   *   bursts, including those logged before the worker has started (measured: the worker needs ~40 ms to boot).
   * - `'drop'`: drop at once. For programs whose latency matters more than their logs.
   *
   * Either way drops are counted in `dropped`, and the first drop of an episode (until a record fits again) is
   * reported through the QueueHandler's `handleError` as a {@link QueueFull} error.
   */
  onFull?: 'block' | 'drop';
  /** Seconds a record may wait for room in `'block'` mode. @default 1 */
  blockTimeout?: number;
  /**
   * Bytes of the logging thread's memory that hold records while the ring is full, moved into the ring as the worker
   * frees room (order kept): a burst beyond the ring costs a copy instead of a wait for the worker. `onFull` applies
   * once this is full too; 0 turns it off. pino's thread-stream keeps such a backlog without a bound; this one is
   * bounded so that a worker that cannot keep up costs at most this much memory.
   * @default 16 MiB (four default rings)
   */
  overflowSize?: number;
  /** Seconds the process waits at exit for the worker to write what it was given (thread-stream: 10). @default 10 */
  exitTimeout?: number;
  /** Where the worker's entry file is (for bundled applications). @default new URL('./worker-main.js', import.meta.url) */
  workerUrl?: string | URL;
  /** Records the worker handles between two flushes of its handlers while the ring stays busy. @default 1024 */
  flushEvery?: number;
}

/** Values `JSON.stringify` cannot take are replaced by their `String()` (a BigInt, a cycle). */
function serialize(record: LogRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    const safe: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const v = record[key];
      try {
        JSON.stringify(v);
        safe[key] = v;
      } catch {
        safe[key] = String(v);
      }
    }
    return JSON.stringify(safe);
  }
}

function resolveModule(spec: string): string {
  if (spec.startsWith('file:') || spec.startsWith('data:')) return spec;
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(spec)).href;
  return spec; // a package name: resolved in the worker
}

const CLASS_SPEC_KEYS = optionKeys<WorkerClassSpec>()([
  'class', 'level', 'formatter', 'name', 'args', 'filename', 'mode', 'encoding', 'delay', 'errors', 'bufferSize', 'stream',
]);
const MODULE_SPEC_KEYS = optionKeys<WorkerModuleSpec>()(['module', 'export', 'args']);
const FORMATTER_SPEC_KEYS = optionKeys<Exclude<WorkerFormatterSpec, string>>()(['format', 'datefmt', 'style', 'validate', 'defaults']);

function prepareSpecs(specs: readonly WorkerHandlerSpec[]): WorkerHandlerSpec[] {
  return specs.map((s) => {
    if ('module' in s) {
      checkOptions('WorkerQueueListener handler spec', s, MODULE_SPEC_KEYS);
      return { ...s, module: resolveModule(s.module) };
    }
    if (typeof s.class !== 'string') throw new TypeError(`handler spec needs 'class' or 'module': ${JSON.stringify(s)}`);
    checkOptions('WorkerQueueListener handler spec', s, CLASS_SPEC_KEYS);
    if (typeof s.formatter === 'object') checkOptions('WorkerQueueListener formatter spec', s.formatter, FORMATTER_SPEC_KEYS);
    return typeof s.filename === 'string' ? { ...s, filename: resolve(s.filename) } : { ...s };
  });
}

/**
 * True when the worker's merge of `record` gives what `record.getMessage()` gives here (for a QueueHandler whose
 * format is `%(message)s` alone): the merge is `fastTemplate`'s common case, the record's class merges the base way,
 * and it has no exception or stack text for the format to append.
 *
 * Why the worker merges: the merge and the copy of its text (a rope, read one character at a time) were 43 % of a
 * call's CPU when only encoding. measured (Node 20.20, the bench's record, no ring, 15 rounds of 100k): 1,759 ns a
 * call with the merge, 997 ns with an empty message; the template is interned, so an entry carries only the
 * arguments. Through the worker, one process with both builds, 12 interleaved fresh-worker rounds: the logging
 * thread's CPU 2,310 → 1,789 ns a call (median of the paired ratios 0.774).
 */
function deferrable(record: LogRecord): boolean {
  return !(record.exc_info || record.exc_text || record.stack_info) && pendingMerge(record) !== null;
}

/**
 * The queue of a {@link WorkerQueueListener}: give it to `new QueueHandler(listener.queue)`. `put_nowait` copies the
 * record (binary, see `RecordEncoder`; JSON for what the codec leaves out) into the shared ring, or, while the ring
 * is full, into the overflow (`overflowSize`), from which it moves into the ring in order; `null` is the sentinel.
 */
export class RingQueue implements PutQueue<QueueItem>, PreparedPutQueue {
  /** Records dropped because the ring was full, too small for them, or had no worker. */
  dropped = 0;
  readonly #host: WorkerHost;
  readonly #onFull: 'block' | 'drop';
  readonly #blockMs: number;
  readonly #encoder = new RecordEncoder();
  #dropping = false;

  /** @internal Made by WorkerQueueListener, over its worker host. */
  constructor(host: WorkerHost, onFull: 'block' | 'drop', blockMs: number) {
    this.#host = host;
    this.#onFull = onFull;
    this.#blockMs = blockMs;
  }

  /** @internal The shared ring the worker reads; its layout is private to the two threads. */
  get ring(): RingBuffer {
    return this.#host.ring;
  }

  /** Bytes (and records) held in the logging thread's overflow, waiting for room in the ring. */
  get overflowBytes(): number {
    return this.#host.overflow.bytes;
  }

  /**
   * Copies `item` into the ring (a record; `null` as the sentinel). When the ring is full it goes to the overflow;
   * when that is full too it blocks or drops per `onFull`; it throws {@link QueueFull} only for the first drop of an
   * episode.
   */
  put_nowait(item: QueueItem): void {
    if (item === null) {
      this.#put(-1, null);
      return;
    }
    // measured (Node 20.20, shared 2-CPU machine, the bench's record): binary 0.25–0.3 µs and 73 bytes, JSON
    // 1.7–2.1 µs and 401 bytes; JSON stays for what the codec leaves out (see RecordEncoder).
    const n = this.#encoder.encode(item);
    this.#put(n, n >= 0 ? null : serialize(item));
  }

  /**
   * QueueHandler's path when its format is `%(message)s`: the record with its merge left to the worker (the same
   * record reaches the worker's handlers), or false when the codec does not take it that way.
   */
  [putDeferred](record: LogRecord): boolean {
    if (this.put_nowait !== RingQueue.prototype.put_nowait || !deferrable(record)) return false;
    const n = this.#encoder.encodeDeferred(record);
    if (n < 0) return false;
    this.#put(n, null);
    return true;
  }

  /** QueueHandler's fast path: `put_nowait(preparedCopy(record, msg))` without the copy (same bytes). */
  [putPrepared](record: LogRecord, msg: string): void {
    const n = this.put_nowait === RingQueue.prototype.put_nowait ? this.#encoder.encodePrepared(record, msg) : -1;
    if (n >= 0) this.#put(n, null);
    else this.put_nowait(preparedCopy(record, msg));
  }

  /** Writes the encoded entry (`n` ≥ 0), else `text` as JSON, else (both absent) the sentinel. */
  #put(n: number, text: string | null): void {
    const host = this.#host;
    let ok = false;
    try {
      if ((ok = this.#offer(n, text))) {
        this.#dropping = false;
        return;
      }
      const ring = host.ring;
      const size = n >= 0 ? n : text !== null ? Buffer.byteLength(text) : 0;
      if (size > ring.maxPayload) {
        this.dropped++;
        throw new QueueFull(`record of ${size} bytes does not fit in the ring (${ring.capacity} bytes)`);
      }
      if (this.#onFull === 'block' && !this.#dropping && (ok = host.waitToPut(() => this.#offer(n, text), this.#blockMs))) {
        return;
      }
      this.dropped++;
      if (this.#dropping) return;
      this.#dropping = true;
      const max = host.overflow.max;
      throw new QueueFull(
        `ring buffer full (${ring.capacity} bytes${max > 0 ? ` and ${max} of overflow` : ''}` +
          `${host.running ? '' : ', no worker running'}): dropping ` +
          'records until there is room; the count is in listener.dropped',
      );
    } finally {
      if (n >= 0) {
        if (ok) this.#encoder.commit();
        else this.#encoder.rollback();
      }
    }
  }

  /** Into the ring, else the overflow; false when neither has room. */
  #offer(n: number, text: string | null): boolean {
    const host = this.#host;
    if (n >= 0) return host.putBytes(this.#encoder.buf, n);
    return text === null ? host.putSentinel() : host.putText(text);
  }

  /**
   * Resolves once the overflow is in the ring (at once when empty), moving it as the worker frees room; gives up
   * (resolves) when no worker is running: `start()` calls it again.
   */
  drainOverflow(): Promise<void> {
    return this.#host.drainOverflow();
  }

  /**
   * Moves the overflow into the ring, blocking (`Atomics.wait`) until `deadline` (epoch ms) for room. Returns the
   * records left behind.
   */
  drainOverflowSync(deadline: number): number {
    const host = this.#host;
    return host.overflow.drainSync(host.ring, deadline, () => host.running);
  }

  /** @internal The codec's tables, for a worker about to start. */
  codecTables(): ReturnType<RecordEncoder['tables']> {
    return this.#encoder.tables();
  }

  /** Resolves once the worker has handled and flushed every record put so far (at once if it is not running). */
  flush(): Promise<void> {
    return this.#host.flush();
  }
}

const WORKER_KEYS = optionKeys<WorkerQueueListenerOptions>()([
  'respectHandlerLevel', 'bufferSize', 'onFull', 'blockTimeout', 'overflowSize', 'exitTimeout', 'workerUrl', 'flushEvery',
]);

/**
 * A QueueListener whose handlers run in a `worker_threads` Worker. The logging thread only copies prepared records
 * into a bounded shared ring ({@link RingQueue}); the worker builds the real handlers from `handlers` (class names
 * with options, or your module) and writes the records.
 *
 * A record accepted by `put_nowait` is not lost on `stop()`, `flush()`, a normal exit, `process.exit()` or an
 * uncaught exception: an `'exit'` hook blocks the logging thread (`Atomics.wait`, at most `exitTimeout`) until the
 * worker has handled and flushed everything, as pino's thread-stream does. SIGKILL and signals without listeners
 * still lose what is in the ring.
 *
 * @example
 * ```ts
 * const listener = new WorkerQueueListener([{ class: 'FileHandler', filename: 'app.log', formatter: '%(asctime)s %(message)s' }]);
 * const qh = new QueueHandler(listener.queue);
 * qh.listener = listener; // qh.flush()/close() then wait for the worker
 * getLogger().addHandler(qh);
 * listener.start();
 * ```
 */
export class WorkerQueueListener implements ListenerLike {
  /** The queue to give to QueueHandler. */
  readonly queue: RingQueue;
  /** The handler descriptions (paths already resolved). */
  readonly handlers: readonly WorkerHandlerSpec[];
  /** Python's `respect_handler_level`. */
  readonly respect_handler_level: boolean;
  readonly #host: WorkerHost;
  readonly #flushEvery: number;

  constructor(handlers: WorkerHandlerSpec | readonly WorkerHandlerSpec[], options: WorkerQueueListenerOptions = {}) {
    if (new.target === WorkerQueueListener) checkOptions('WorkerQueueListener', options, WORKER_KEYS);
    const list = Array.isArray(handlers) ? (handlers as readonly WorkerHandlerSpec[]) : [handlers as WorkerHandlerSpec];
    const onFull = options.onFull ?? 'block';
    if (onFull !== 'block' && onFull !== 'drop') throw new RangeError(`onFull must be 'block' or 'drop', got ${String(onFull)}`);
    const blockTimeout = options.blockTimeout ?? 1;
    if (typeof blockTimeout !== 'number' || !(blockTimeout >= 0)) {
      throw new RangeError(`blockTimeout must be a number of seconds >= 0, got ${String(blockTimeout)}`);
    }
    const exitTimeout = options.exitTimeout ?? 10;
    if (typeof exitTimeout !== 'number' || !(exitTimeout >= 0)) {
      throw new RangeError(`exitTimeout must be a number of seconds >= 0, got ${String(exitTimeout)}`);
    }
    const overflowSize = options.overflowSize ?? 16 * 1024 * 1024;
    if (!Number.isInteger(overflowSize) || overflowSize < 0) {
      throw new RangeError(`overflowSize must be a whole number of bytes >= 0, got ${String(overflowSize)}`);
    }
    const flushEvery = options.flushEvery ?? 1024;
    if (!Number.isInteger(flushEvery) || flushEvery < 1) {
      throw new RangeError(`flushEvery must be a positive integer, got ${String(flushEvery)}`);
    }
    this.handlers = prepareSpecs(list);
    this.respect_handler_level = options.respectHandlerLevel ?? false;
    this.#host = new WorkerHost({
      name: 'pylogging WorkerQueueListener',
      bufferSize: options.bufferSize ?? 4 * 1024 * 1024,
      overflowSize,
      exitTimeout,
      workerUrl: options.workerUrl ?? new URL('./worker-main.js', import.meta.url),
    });
    this.#flushEvery = flushEvery;
    this.queue = new RingQueue(this.#host, onFull, blockTimeout * 1000);
  }

  /** The worker, while started. */
  get worker(): Worker | null {
    return this.#host.worker;
  }

  /** True between `start()` and the worker's end. */
  get running(): boolean {
    return this.#host.running;
  }

  /** Records dropped so far (ring full, record too large, or no worker). */
  get dropped(): number {
    return this.queue.dropped;
  }

  /**
   * Starts the worker. Records put before it is ready wait in the ring. Non-blocking: await {@link ready} to learn
   * whether the handlers could be built.
   * @throws {Error} if already started.
   */
  start(): void {
    this.#host.start({
      kind: 'records',
      sab: this.#host.ring.sab,
      handlers: [...this.handlers],
      respectHandlerLevel: this.respect_handler_level,
      flushEvery: this.#flushEvery,
      codec: this.queue.codecTables(),
    });
  }

  /** Resolves when the worker has built its handlers; rejects (after reporting) when it could not. */
  ready(): Promise<void> {
    return this.#host.ready();
  }

  /** Puts the sentinel in the ring: the worker handles what is before it, closes its handlers and exits. */
  enqueue_sentinel(): void {
    this.queue.put_nowait(null);
  }

  /**
   * Enqueues the sentinel and resolves once the worker has handled every record before it, closed its handlers and
   * exited. Safe to call twice (gh-114706). Records put after it stay in the ring for a later `start()`.
   */
  stop(): Promise<void> {
    return this.#host.stop(() => this.enqueue_sentinel());
  }

  /** Resolves once the worker has handled and flushed every record put so far (at once when not running). */
  flush(): Promise<void> {
    return this.#host.flush();
  }
}
