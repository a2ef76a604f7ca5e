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
import { reportError } from '../core/handler.js';
import type { LogRecord } from '../core/record.js';
import { onExit } from '../internal/exit.js';
import { startWorker } from '../internal/start-worker.js';
import { RingBuffer, STATE, WRITE } from '../internal/ring-buffer.js';
import { RingOverflow } from '../internal/ring-overflow.js';
import {
  preparedCopy,
  putPrepared,
  QueueFull,
  type ListenerLike,
  type PreparedPutQueue,
  type PutQueue,
  type QueueItem,
} from './queue.js';
import { RecordEncoder } from '../internal/record-encoder.js';
import {
  type WorkerClassSpec,
  type WorkerFormatterSpec,
  type WorkerHandlerSpec,
  type WorkerInit,
  type WorkerMessage,
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
 * The queue of a {@link WorkerQueueListener}: give it to `new QueueHandler(listener.queue)`. `put_nowait` copies the
 * record (binary, see `RecordEncoder`; JSON for what the codec leaves out) into the shared ring, or, while the ring
 * is full, into the overflow (`overflowSize`), from which it moves into the ring in order; `null` is the sentinel.
 */
export class RingQueue implements PutQueue<QueueItem>, PreparedPutQueue {
  /** @internal The shared ring the worker reads; its layout is private to the two threads. */
  readonly ring: RingBuffer;
  /** Records dropped because the ring was full, too small for them, or had no worker. */
  dropped = 0;
  readonly #listener: WorkerQueueListener;
  readonly #onFull: 'block' | 'drop';
  readonly #blockMs: number;
  readonly #encoder = new RecordEncoder();
  readonly #overflow: RingOverflow;
  #dropping = false;
  /** `listener.running`, made once for the overflow's drains. */
  readonly #running: () => boolean;
  /** Set at the first record: the exit check below is registered then. */
  #orphanCheck = false;

  /** @internal Made by WorkerQueueListener. */
  constructor(ring: RingBuffer, listener: WorkerQueueListener, onFull: 'block' | 'drop', blockMs: number, overflow: number) {
    this.ring = ring;
    this.#listener = listener;
    this.#onFull = onFull;
    this.#blockMs = blockMs;
    this.#overflow = new RingOverflow(overflow);
    this.#running = () => listener.running;
  }

  /** Bytes (and records) held in the logging thread's overflow, waiting for room in the ring. */
  get overflowBytes(): number {
    return this.#overflow.bytes;
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

  /** QueueHandler's fast path: `put_nowait(preparedCopy(record, msg))` without the copy (same bytes). */
  [putPrepared](record: LogRecord, msg: string): void {
    const n = this.put_nowait === RingQueue.prototype.put_nowait ? this.#encoder.encodePrepared(record, msg) : -1;
    if (n >= 0) this.#put(n, null);
    else this.put_nowait(preparedCopy(record, msg));
  }

  /** Writes the encoded entry (`n` ≥ 0), else `text` as JSON, else (both absent) the sentinel. */
  #put(n: number, text: string | null): void {
    const ring = this.ring;
    const enc = this.#encoder;
    const overflow = this.#overflow;
    let ok = false;
    if (!this.#orphanCheck) this.#watchOrphans(); // once: a boolean per record, not a look at the worker's state
    try {
      // Straight into the ring unless records wait in the overflow (they go first: order is kept).
      if ((overflow.empty || overflow.drainInto(ring)) && (ok = this.#write(n, text))) {
        this.#dropping = false;
        return;
      }
      const size = n >= 0 ? n : text !== null ? Buffer.byteLength(text) : 0;
      if (size > ring.maxPayload) {
        this.dropped++;
        throw new QueueFull(`record of ${size} bytes does not fit in the ring (${ring.capacity} bytes)`);
      }
      if ((ok = this.#hold(n, text))) {
        this.#dropping = false;
        return;
      }
      if (this.#onFull === 'block' && !this.#dropping && this.#listener.running) {
        const deadline = Date.now() + this.#blockMs;
        for (let left = this.#blockMs; left > 0 && this.#listener.running; left = deadline - Date.now()) {
          ring.waitForRoom(Math.min(left, 100)); // in slices, so a dead worker is noticed
          if ((ok = overflow.drainInto(ring) ? this.#write(n, text) || this.#hold(n, text) : this.#hold(n, text))) {
            return;
          }
        }
      }
      this.dropped++;
      if (this.#dropping) return;
      this.#dropping = true;
      throw new QueueFull(
        `ring buffer full (${ring.capacity} bytes${overflow.max > 0 ? ` and ${overflow.max} of overflow` : ''}` +
          `${this.#listener.running ? '' : ', no worker running'}): dropping ` +
          'records until there is room; the count is in listener.dropped',
      );
    } finally {
      if (n >= 0) {
        if (ok) enc.commit();
        else enc.rollback();
      }
    }
  }

  #write(n: number, text: string | null): boolean {
    if (n >= 0) return this.ring.tryWriteBytes(this.#encoder.buf, n);
    return text === null ? this.ring.tryWriteSentinel() : this.ring.tryWrite(text);
  }

  /**
   * Records accepted while no worker runs wait for a `start()`; if the process exits first, nothing can write them.
   * Say so then (once, on stderr) instead of losing them silently.
   */
  #watchOrphans(): void {
    this.#orphanCheck = true;
    onExit(() => {
      if (this.#listener.running) return; // the listener's own exit hook drains the ring
      const inRing = this.ring.used();
      if (inRing === 0 && this.#overflow.empty) return;
      const held = this.#overflow.records;
      reportError(
        new Error(
          `pylogging WorkerQueueListener: no worker was running at exit; records never handled were lost ` +
            `(${inRing} bytes in the ring${held > 0 ? `, ${held} records in the overflow` : ''})`,
        ),
      );
    });
  }

  /** Keeps the entry in the overflow (false when that is full too) and makes sure it is moved on. */
  #hold(n: number, text: string | null): boolean {
    const overflow = this.#overflow;
    const held =
      n >= 0 ? overflow.pushBinary(this.#encoder.buf, n) : text === null ? overflow.pushSentinel() : overflow.pushText(text);
    if (held && !overflow.draining && this.#listener.running) this.drainOverflow().catch(reportError);
    return held;
  }

  /**
   * Resolves once the overflow is in the ring (at once when empty), moving it as the worker frees room; gives up
   * (resolves) when no worker is running: `start()` calls it again.
   */
  drainOverflow(): Promise<void> {
    return this.#overflow.drain(this.ring, this.#running);
  }

  /**
   * The exit hook's part: moves the overflow into the ring, blocking (`Atomics.wait`) until `deadline` (epoch ms)
   * for room. Returns the records left behind.
   */
  drainOverflowSync(deadline: number): number {
    return this.#overflow.drainSync(this.ring, deadline, this.#running);
  }

  /** @internal The codec's tables, for a worker about to start. */
  codecTables(): ReturnType<RecordEncoder['tables']> {
    return this.#encoder.tables();
  }

  /** Resolves once the worker has handled and flushed every record put so far (at once if it is not running). */
  flush(): Promise<void> {
    return this.#listener.flush();
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
  /** The worker, while started. */
  worker: Worker | null = null;
  readonly #ring: RingBuffer;
  readonly #workerUrl: string | URL;
  readonly #exitMs: number;
  readonly #flushEvery: number;
  #exited: Promise<void> | null = null;
  #ready: Promise<void> | null = null;
  #alive = false;
  #stopping: Promise<void> | null = null;
  #unregister: (() => void) | null = null;
  #waiters = 0;

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
    this.#ring = RingBuffer.create(options.bufferSize ?? 4 * 1024 * 1024);
    this.#workerUrl = options.workerUrl ?? new URL('./worker-main.js', import.meta.url);
    this.#exitMs = exitTimeout * 1000;
    this.#flushEvery = flushEvery;
    this.queue = new RingQueue(this.#ring, this, onFull, blockTimeout * 1000, overflowSize);
  }

  /** True between `start()` and the worker's end. */
  get running(): boolean {
    return this.#alive && Atomics.load(this.#ring.header, STATE) !== 2;
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
    if (this.worker) throw new Error('Listener already started');
    Atomics.store(this.#ring.header, STATE, 0);
    const init: WorkerInit = {
      sab: this.#ring.sab,
      handlers: [...this.handlers],
      respectHandlerLevel: this.respect_handler_level,
      flushEvery: this.#flushEvery,
      codec: this.queue.codecTables(),
    };
    const worker = startWorker(this.#workerUrl, init);
    this.worker = worker;
    this.#alive = true;
    this.#exited = new Promise((resolveExit) => {
      worker.once('exit', () => {
        this.#alive = false;
        this.#unregister?.();
        this.#unregister = null;
        resolveExit();
      });
    });
    this.#ready = new Promise<void>((resolveReady, rejectReady) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') resolveReady();
        else if (m.type === 'error') {
          const err = new Error(`pylogging worker: ${m.message}`);
          if (m.stack) err.stack = m.stack;
          reportError(err);
          rejectReady(err);
        }
      });
      worker.once('error', (err) => {
        reportError(err);
        rejectReady(err);
      });
      void this.#exited?.then(() => rejectReady(new Error('pylogging worker exited before it was ready')));
    });
    this.#ready.catch(() => {}); // reported above; ready() callers see the rejection
    // A program that never calls stop() still exits; the exit hook drains the ring. After the listeners: adding a
    // 'message' listener refs the worker again (measured, Node 20).
    worker.unref();
    this.#unregister = onExit(() => this.#drainSync());
    if (this.queue.overflowBytes > 0) this.queue.drainOverflow().catch(reportError); // records held while none ran
  }

  /** Resolves when the worker has built its handlers; rejects (after reporting) when it could not. */
  ready(): Promise<void> {
    if (!this.#ready) return Promise.reject(new Error('listener not started'));
    return this.#hold(this.#ready);
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
    if (this.#stopping) return this.#stopping;
    const exited = this.#exited;
    if (!this.worker || !exited) return Promise.resolve();
    if (this.running) {
      try {
        this.enqueue_sentinel();
      } catch (err) {
        reportError(err);
      }
    }
    this.#stopping = this.#hold(exited).finally(() => {
      this.#unregister?.();
      this.#unregister = null;
      this.worker = null;
      this.#exited = null;
      this.#stopping = null;
    });
    return this.#stopping;
  }

  /** Resolves once the worker has handled and flushed every record put so far (at once when not running). */
  async flush(): Promise<void> {
    const ring = this.#ring;
    if (this.queue.overflowBytes > 0) await this.#hold(this.queue.drainOverflow());
    const target = Atomics.load(ring.header, WRITE);
    if (ring.doneReached(target)) return;
    await this.#hold(ring.doneAsync(target, () => this.running));
  }

  /** The `'exit'` hook: blocks until the worker has flushed everything written, the worker died, or the timeout. */
  #drainSync(): void {
    if (!this.#alive) return;
    const ring = this.#ring;
    const h = ring.header;
    const deadline = Date.now() + this.#exitMs;
    Atomics.notify(h, WRITE); // in case the worker is idle
    const left = this.queue.drainOverflowSync(deadline);
    if (left > 0) {
      reportError(new Error(`pylogging worker: ${left} records still waiting for room in the ring at exit were lost`));
    }
    if (!ring.doneSync(Atomics.load(h, WRITE), deadline)) {
      reportError(new Error(`pylogging worker did not drain the ring within ${this.#exitMs / 1000} s at exit`));
    }
  }

  // A pending wait on the worker must keep the event loop alive: the worker is unref()'d, and Atomics.waitAsync
  // does not hold the loop (measured, Node 20: `await Atomics.waitAsync(...).value` alone exits with code 13).
  async #hold<T>(p: Promise<T>): Promise<T> {
    this.#ref();
    try {
      return await p;
    } finally {
      this.#unref();
    }
  }

  #ref(): void {
    if (this.#waiters++ === 0) this.worker?.ref();
  }

  #unref(): void {
    if (--this.#waiters === 0) this.worker?.unref();
  }
}
