/**
 * QueueHandler, QueueListener and an in-process Queue (CPython 3.13 `logging.handlers`, REFERENCE §3.12).
 *
 * The pair's job in Python is to take slow handlers off the thread that logs. In one JS thread the listener runs
 * its handlers later on the same event loop; to take them off the thread, pair QueueHandler with
 * `WorkerQueueListener` (worker-listener.ts), whose queue copies records into shared memory for a worker thread.
 */
import { ValueError } from '../core/errors.js';
import { defaultFormatter, formatsMessageOnly } from '../core/formatter.js';
import { Handler, reportError } from '../core/handler.js';
import type { LogRecord } from '../core/record.js';
import { safeRepr } from '../core/repr.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from '../core/py-signature.js';

/** Python's `queue.Full`: `put_nowait()` on a full queue. */
export class QueueFull extends Error {
  /** `'Full'`, the name of Python's `queue.Full`. */
  override name = 'Full';
  /** Stable code for callers that branch on it. */
  readonly code = 'ERR_PYLOGGING_QUEUE_FULL';
}

/** Python's `queue.Empty`: a non-blocking `get()` on an empty queue. It ends a QueueListener's loop, as in CPython. */
export class QueueEmpty extends Error {
  /** `'Empty'`, the name of Python's `queue.Empty`. */
  override name = 'Empty';
  /** Stable code for callers that branch on it. */
  readonly code = 'ERR_PYLOGGING_QUEUE_EMPTY';
}

/**
 * What {@link QueueHandler} needs from a queue: Python's `put_nowait`. Throwing (e.g. {@link QueueFull}) sends the
 * record to the handler's `handleError`.
 */
export interface PutQueue<T> {
  /** Adds `item` without waiting; throws when it cannot. */
  put_nowait(item: T): void;
  /**
   * Optional (beyond CPython): resolves once everything put so far has been delivered by the consumer. It must
   * resolve at once when no consumer is running. `QueueHandler.flush()` uses it when the handler has no `listener`.
   */
  flush?(): Promise<void>;
}

/**
 * What {@link QueueListener} needs from a queue: Python's `get(block)`, which may return a promise because JavaScript
 * cannot block; `task_done()` is called after each item when present, as CPython does.
 */
export interface GetQueue<T> {
  /** The next item; with `block` false, throws {@link QueueEmpty} (or any error named `Empty`) when there is none. */
  get(block?: boolean): T | Promise<T>;
  /** Marks one item taken by `get()` as processed. */
  task_done?(): void;
  /** Optional: resolves once every item put before the call was marked done (used by `QueueListener.flush()`). */
  drain?(): Promise<void>;
}

/** A queue usable by both sides: anything with `put_nowait` and `get`, such as {@link Queue}. */
export interface QueueLike<T> extends PutQueue<T>, GetQueue<T> {}

/** What goes through a logging queue: prepared records, and `null` as the listener's sentinel (Python's `None`). */
export type QueueItem = LogRecord | null;

/**
 * Python's `queue.Queue(maxsize=0)` for one thread: a FIFO whose `get()` returns a promise that resolves when an item
 * is available. `maxsize` ≤ 0 means unbounded; otherwise `put_nowait()` on a full queue throws {@link QueueFull}.
 */
export class Queue<T> implements QueueLike<T> {
  /** Python's `maxsize`: the most items held before `put_nowait()` throws `QueueFull`; 0 or less for no bound. */
  readonly maxsize: number;
  #items: T[] = [];
  #head = 0;
  #getters: ((item: T) => void)[] = [];
  #unfinished = 0;
  #put = 0;
  #done = 0;
  #doneWaiters: { upTo: number; resolve: () => void }[] = [];

  /** Python's `queue.Queue(maxsize=0)`, for dictConfig. */
  static pySignature: PySignature | null = { params: ['maxsize'], build: (C, kw) => new C(kw['maxsize'] ?? 0) };
  constructor(maxsize = 0) {
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`maxsize must be a number, got ${String(maxsize)}`);
    }
    this.maxsize = maxsize;
  }

  /** Number of items waiting. */
  qsize(): number {
    return this.#items.length - this.#head;
  }

  /** True when no item is waiting. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** True when `maxsize` > 0 and that many items are waiting. */
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** Adds `item`, or hands it straight to a waiting `get()`. @throws {QueueFull} when full. */
  put_nowait(item: T): void {
    const getter = this.#getters.shift();
    if (getter) {
      this.#unfinished++;
      this.#put++;
      getter(item);
      return;
    }
    if (this.full()) throw new QueueFull('queue full');
    this.#items.push(item);
    this.#unfinished++;
    this.#put++;
  }

  /** Same as `put_nowait` (nothing can wait for room in one thread). */
  put(item: T): void {
    this.put_nowait(item);
  }

  /**
   * The next item. With `block` (the default) a promise that resolves when one arrives; without, the item or
   * {@link QueueEmpty}.
   */
  get(block = true): T | Promise<T> {
    if (this.#head < this.#items.length) {
      const item = this.#items[this.#head] as T;
      this.#items[this.#head++] = undefined as T; // let it be collected
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return block ? Promise.resolve(item) : item;
    }
    if (!block) throw new QueueEmpty('queue empty');
    return new Promise<T>((resolve) => this.#getters.push(resolve));
  }

  /** Python's `get_nowait()`: `get(false)`. */
  get_nowait(): T {
    return this.get(false) as T;
  }

  /** Marks one item as processed. @throws {ValueError} `task_done() called too many times`, as CPython's. */
  task_done(): void {
    if (this.#unfinished <= 0) throw new ValueError('task_done() called too many times');
    this.#unfinished--;
    this.#done++;
    if (this.#doneWaiters.length) {
      this.#doneWaiters = this.#doneWaiters.filter((w) => {
        if (this.#done < w.upTo) return true;
        w.resolve();
        return false;
      });
    }
  }

  /** Python's `join()`: resolves when every item ever put has been marked done. */
  join(): Promise<void> {
    return this.#unfinished === 0 ? Promise.resolve() : this.#waitDone(this.#put);
  }

  /** Resolves when every item put before this call has been marked done (later items are not waited for). */
  drain(): Promise<void> {
    return this.#waitDone(this.#put);
  }

  #waitDone(upTo: number): Promise<void> {
    if (this.#done >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.#doneWaiters.push({ upTo, resolve }));
  }
}

/** What a QueueHandler's `listener` must offer (a {@link QueueListener} or a `WorkerQueueListener`). */
export interface ListenerLike {
  /** Starts delivering queued records to the handlers. The application calls it: dictConfig builds, never starts. */
  start(): void;
  /** Delivers what is queued, then stops. `QueueHandler.close()` does not call it, as in CPython. */
  stop(): Promise<void>;
  /** Resolves once every record queued so far has been handled and the handlers flushed. */
  flush(): Promise<void>;
}

/**
 * A shallow copy with the same prototype: Python's `copy.copy(record)`. Spread defines own data properties (a
 * received `__proto__` field stays data), and keeps the copy in V8's fast mode.
 */
function copyRecord(record: LogRecord): LogRecord {
  // measured (Node 20, 22-field record): Object.assign(Object.create(proto), r) 2.1 µs and leaves a dictionary-mode
  // object that JSON.stringify then takes 4.8 µs over; spread + setPrototypeOf 0.35 µs, JSON.stringify 2.7 µs.
  return Object.setPrototypeOf({ ...record }, Object.getPrototypeOf(record) as object) as LogRecord;
}

/** What {@link QueueHandler.prepare} returns for `record` once formatted as `msg` (the record is not changed). */
export function preparedCopy(record: LogRecord, msg: string): LogRecord {
  const copy = copyRecord(record);
  copy.message = msg;
  copy.msg = msg;
  copy.args = null;
  copy.exc_info = null;
  copy.exc_text = null;
  copy.stack_info = null;
  return copy;
}

/**
 * @internal A queue may have a method under this key: `queue[putPrepared](record, msg)` must do exactly what
 * `queue.put_nowait(preparedCopy(record, msg))` does. {@link QueueHandler} calls it instead of `enqueue(prepare(r))`
 * when neither of those is overridden, so a queue that serialises records (RingQueue) can skip the copy.
 */
export const putPrepared: unique symbol = Symbol('pylogging.putPrepared');

/**
 * @internal A queue may also have a method under this key: `queue[putDeferred](record)` either does what
 * `queue[putPrepared](record, record.getMessage())` would, leaving the merge to the consumer, and returns true, or
 * does nothing and returns false. {@link QueueHandler} tries it first when its format is `%(message)s` alone.
 */
export const putDeferred: unique symbol = Symbol('pylogging.putDeferred');

/** @internal A queue with a {@link putPrepared} method, and maybe a {@link putDeferred} one. */
export interface PreparedPutQueue {
  [putPrepared](record: LogRecord, msg: string): void;
  [putDeferred]?(record: LogRecord): boolean;
}

/**
 * Python's `QueueHandler(queue)`: formats each record, puts a prepared copy on the queue, and leaves the slow work
 * to a listener. `emit()` never waits: a full queue goes to `handleError`.
 */
export class QueueHandler extends Handler {
  /** The queue records are put on. */
  queue: PutQueue<QueueItem>;
  /** The listener serving the queue, when known (dictConfig sets it, 3.12). `flush()` and `close()` wait for it. */
  listener: ListenerLike | null = null;

  /** Python's `QueueHandler(queue)`, for dictConfig. */
  static override pySignature: PySignature | null = { params: ['queue'], required: 1 };
  constructor(queue: PutQueue<QueueItem>) {
    if (queue === null || typeof queue !== 'object' || typeof queue.put_nowait !== 'function') {
      throw new TypeError(`queue must have a put_nowait() method, got ${safeRepr(queue)}`);
    }
    super();
    this.queue = queue;
  }

  /** Puts the record on the queue with `put_nowait`. Override to use another queue method. */
  enqueue(record: LogRecord): void {
    this.queue.put_nowait(record);
  }

  /**
   * Returns what is enqueued: a copy of the record (bpo-35726: the original stays intact for other handlers)
   * whose `msg` and `message` are the handler's formatted text, traceback and stack included, and whose `args`,
   * `exc_info`, `exc_text` and `stack_info` are null (3.10 added `stack_info`), exactly as CPython 3.13 does.
   * Formatting sets `message` (and `asctime`, `exc_text`) on the original too, as in CPython. Override to
   * enqueue something else (a dict, a JSON string).
   */
  prepare(record: LogRecord): LogRecord {
    return preparedCopy(record, this.format(record));
  }

  /** Enqueues the prepared record; any failure (a full queue) goes to `handleError`. */
  override emit(record: LogRecord): void {
    try {
      const queue = this.queue as Partial<PreparedPutQueue>;
      const put = queue[putPrepared];
      const proto = QueueHandler.prototype;
      if (put !== undefined && this.prepare === proto.prepare && this.enqueue === proto.enqueue) {
        // With `%(message)s` alone the format is the merge, which the queue may leave to its consumer (a worker):
        // this record then never gets `message` here, where CPython's prepare() sets it on the way.
        const defer = queue[putDeferred];
        if (
          defer !== undefined &&
          this.format === proto.format &&
          formatsMessageOnly(this.formatter ?? defaultFormatter) &&
          defer.call(queue, record)
        ) {
          return;
        }
        // measured (Node 20.20, the bench's 22-field record): the copy was 20 % of a logging call into the worker
        // ring (--cpu-prof), and nobody but the queue would see it; without it 1.56–1.71 µs a call, with 1.97–2.05.
        put.call(queue, record, this.format(record));
      } else {
        this.enqueue(this.prepare(record));
      }
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * Resolves once the records put so far have been handled: through `listener.flush()` when `listener` is set,
   * else through the queue's optional `flush()`; otherwise at once (the record is on the queue).
   */
  override flush(): Promise<void> {
    if (this.listener) return this.listener.flush();
    if (typeof this.queue.flush === 'function') return this.queue.flush();
    return Promise.resolve();
  }

  /** Flushes (see `flush()`), then closes. The listener is not stopped, as in CPython. */
  override close(): Promise<void> {
    const flushed = this.flush();
    void super.close();
    return flushed;
  }
}

/** Keyword arguments of {@link QueueListener}. */
export interface QueueListenerOptions {
  /** Pass a record to a handler only when `record.levelno >= handler.level` (3.5). @default false */
  respectHandlerLevel?: boolean;
}

const QUEUE_LISTENER_KEYS = optionKeys<QueueListenerOptions>()(['respectHandlerLevel']);

function isEmptyError(err: unknown): boolean {
  return err instanceof QueueEmpty || (err instanceof Error && err.name === 'Empty');
}

/**
 * Python's `QueueListener(queue, *handlers, respect_handler_level=False)`: takes records off a queue and passes
 * each to its handlers. Where CPython runs a daemon thread, this runs an async loop on the same event loop, so
 * handlers still run on the logging thread (use `WorkerQueueListener` to move them off it).
 *
 * Differs from CPython: `stop()` returns a promise; a second `start()` throws (as 3.14 does, gh-132106) instead of
 * starting a second loop; an error thrown by a handler is reported and the loop goes on (CPython's thread dies).
 */
export class QueueListener {
  /** The sentinel that stops the loop: Python's `None`. */
  static readonly _sentinel = null;
  /** The queue served. */
  readonly queue: GetQueue<QueueItem> & Partial<PutQueue<QueueItem>>;
  /** The handlers each record goes to. */
  readonly handlers: readonly Handler[];
  /** Python's `respect_handler_level`. */
  respect_handler_level: boolean;
  /** The running loop (CPython's `_thread`), or null. */
  _thread: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  /** Python's `QueueListener(queue, *handlers, respect_handler_level=False)`, for dictConfig. */
  static pySignature: PySignature | null = {
    params: ['queue'],
    required: 1,
    varargs: true,
    kwonly: ['respect_handler_level'],
  };
  constructor(queue: GetQueue<QueueItem> & Partial<PutQueue<QueueItem>>, ...handlersAndOptions: (Handler | QueueListenerOptions)[]) {
    if (queue === null || typeof queue !== 'object' || typeof queue.get !== 'function') {
      throw new TypeError(`queue must have a get() method, got ${safeRepr(queue)}`);
    }
    const last = handlersAndOptions[handlersAndOptions.length - 1];
    let options: QueueListenerOptions = {};
    if (last !== undefined && !(last instanceof Handler)) {
      checkOptions('QueueListener', last, QUEUE_LISTENER_KEYS);
      options = last;
      handlersAndOptions = handlersAndOptions.slice(0, -1);
    }
    for (const h of handlersAndOptions) {
      if (!(h instanceof Handler)) throw new TypeError(`handlers must be Handler instances, got ${safeRepr(h)}`);
    }
    this.queue = queue;
    this.handlers = handlersAndOptions as Handler[];
    this.respect_handler_level = options.respectHandlerLevel ?? false;
  }

  /** Takes the next record: `queue.get(block)`. Override for other queue methods. */
  dequeue(block: boolean): QueueItem | Promise<QueueItem> {
    return this.queue.get(block);
  }

  /**
   * Starts the loop that takes records off the queue until it meets the sentinel (or, for a non-blocking
   * `dequeue`, until the queue is empty).
   * @throws {Error} if already started.
   */
  start(): void {
    if (this._thread) throw new Error('Listener already started');
    this._thread = this.#monitor();
  }

  /** Returns the record to hand to the handlers. Override to transform it; the default returns it unchanged. */
  prepare(record: LogRecord): LogRecord {
    return record;
  }

  /** Passes the prepared record to each handler (only those whose level it reaches, with `respect_handler_level`). */
  handle(record: LogRecord): void {
    record = this.prepare(record);
    for (const handler of this.handlers) {
      if (!this.respect_handler_level || record.levelno >= handler.level) handler.handle(record);
    }
  }

  async #monitor(): Promise<void> {
    const q = this.queue;
    const hasTaskDone = typeof q.task_done === 'function';
    for (;;) {
      let record: QueueItem;
      try {
        record = await this.dequeue(true);
      } catch (err) {
        if (!isEmptyError(err)) reportError(err);
        return;
      }
      if (record === QueueListener._sentinel) {
        if (hasTaskDone) q.task_done?.();
        return;
      }
      try {
        this.handle(record);
      } catch (err) {
        reportError(err);
      }
      if (hasTaskDone) q.task_done?.();
    }
  }

  /** Puts the sentinel on the queue with `put_nowait`. Override for other queue methods. */
  enqueue_sentinel(): void {
    if (typeof this.queue.put_nowait !== 'function') throw new TypeError('queue has no put_nowait() method');
    this.queue.put_nowait(QueueListener._sentinel);
  }

  /**
   * Enqueues the sentinel and resolves when the loop has handled every record before it. Records put after the
   * sentinel stay on the queue. Safe to call again, also while stopping (gh-114706, 3.13).
   */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const thread = this._thread;
    if (!thread) return Promise.resolve();
    this.enqueue_sentinel();
    this.#stopping = thread.finally(() => {
      this._thread = null;
      this.#stopping = null;
    });
    return this.#stopping;
  }

  /**
   * Beyond CPython: resolves once the records put so far have been handled (while the loop runs and the queue has
   * `drain()`, as {@link Queue} does) and every handler's `flush()` has resolved.
   */
  async flush(): Promise<void> {
    if (this._thread && typeof this.queue.drain === 'function') await this.queue.drain();
    await Promise.all(this.handlers.map((h) => h.flush()));
  }
}
