/**
 * BufferingHandler and MemoryHandler: keep records in memory and hand them on in batches (CPython 3.13
 * `logging.handlers`, REFERENCE §3.10).
 */
import { Handler, liveHandlers } from '../core/handler.js';
import { ERROR, NOTSET, checkLevel, type Level } from '../core/levels.js';
import type { LogRecord } from '../core/record.js';
import { onExit } from '../internal/exit.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from '../core/py-signature.js';

let exitHookInstalled = false;

/**
 * CPython's `atexit` `shutdown()` flushes every handler, newest first: a MemoryHandler's buffer reaches its target
 * at exit. Only the synchronous part can run in Node's `'exit'` event: `flush()` hands the records to the target
 * (a file target writes them at once, or buffers them for its own exit hook, which runs after this one). One hook
 * for all, walking the weak handler list, so a handler left unclosed can still be garbage-collected.
 */
function flushBuffersAtExit(): void {
  const handlers = liveHandlers();
  for (let i = handlers.length - 1; i >= 0; i--) {
    const h = handlers[i];
    if (!(h instanceof BufferingHandler) || h._closed || h.buffer.length === 0) continue;
    if ((h as { flushOnClose?: boolean }).flushOnClose === false) continue;
    try {
      h.flush().catch(() => {
        // the target's own exit work reports what it could not write
      });
    } catch {
      // nothing can be reported this late; the other handlers still flush
    }
  }
}

/**
 * Python's `BufferingHandler(capacity)`: appends every record to {@link BufferingHandler.buffer} and calls
 * `flush()` whenever {@link BufferingHandler.shouldFlush} says so. This base class's `flush()` just empties the
 * buffer; subclasses (MemoryHandler, or your own) decide what flushing means.
 */
export class BufferingHandler extends Handler {
  /** The number of records after which the buffer is flushed (0 or less: after every record). */
  capacity: number;
  /** The records waiting for the next flush, oldest first. */
  buffer: LogRecord[] = [];

  /** Python's `BufferingHandler(capacity)`, for dictConfig. */
  static override pySignature: PySignature | null = { params: ['capacity'], required: 1 };
  constructor(capacity: number) {
    if (typeof capacity !== 'number' || Number.isNaN(capacity)) {
      throw new TypeError(`capacity must be a number, got ${String(capacity)}`);
    }
    super(NOTSET);
    this.capacity = capacity;
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      onExit(flushBuffersAtExit, true);
    }
  }

  /** True when the buffer holds `capacity` records or more. Override to flush on other conditions. */
  shouldFlush(_record: LogRecord): boolean {
    return this.buffer.length >= this.capacity;
  }

  /**
   * Appends the record, then flushes if {@link BufferingHandler.shouldFlush} says so. A failure of the flush is
   * reported through `handleError` (CPython's `emit` has no `try`; a handler must not throw here).
   */
  override emit(record: LogRecord): void {
    try {
      this.buffer.push(record);
      if (this.shouldFlush(record)) this.flush().catch((err: unknown) => this.handleError(record, err));
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** Empties the buffer. Override to do something with the records first. */
  override flush(): Promise<void> {
    this.buffer.length = 0;
    return Promise.resolve();
  }

  /** Flushes, then closes (CPython: `try: self.flush() finally: Handler.close(self)`). */
  override close(): Promise<void> {
    let flushed: Promise<void>;
    try {
      flushed = this.flush();
    } finally {
      void super.close();
    }
    return flushed;
  }
}

/** Keyword arguments of {@link MemoryHandler}. */
export interface MemoryHandlerOptions {
  /** A record at or above this level flushes the buffer (the record itself included). @default ERROR */
  flushLevel?: Level;
  /** The handler that receives the buffered records; null keeps them (the buffer then grows). @default null */
  target?: Handler | null;
  /** Flush the buffer to the target on `close()` (issue 26559, 3.6). @default true */
  flushOnClose?: boolean;
}

const MEMORY_KEYS = optionKeys<MemoryHandlerOptions>()(['flushLevel', 'target', 'flushOnClose']);

/**
 * Python's `MemoryHandler(capacity, flushLevel=ERROR, target=None, flushOnClose=True)`: buffers records and
 * passes them to `target.handle()` when the buffer is full, when a record at or above `flushLevel` arrives, on
 * `flush()`, and on `close()` unless `flushOnClose` is false.
 *
 * At process exit (natural end, `process.exit()`, an uncaught error) the buffer is handed to the target, as CPython's
 * `atexit` `shutdown()` does, unless `flushOnClose` is false.
 *
 * As in CPython: the target's filters apply but its level does not (`Handler.handle` does not check it), and
 * without a target nothing is flushed and the buffer keeps growing. A closed MemoryHandler still accepts records
 * (they stay in `buffer`).
 */
export class MemoryHandler extends BufferingHandler {
  /** The level at which a record triggers a flush. */
  flushLevel: number;
  /** The handler the records go to, or null. */
  target: Handler | null;
  /** Whether `close()` flushes (and `shutdown()` flushes before closing). */
  flushOnClose: boolean;

  /** Python's `MemoryHandler(capacity, flushLevel=ERROR, target=None, flushOnClose=True)`, for dictConfig. */
  static override pySignature: PySignature | null = {
    params: ['capacity', 'flushLevel', 'target', 'flushOnClose'],
    required: 1,
    positional: 1,
  };
  constructor(capacity: number, options: MemoryHandlerOptions = {}) {
    if (new.target === MemoryHandler) checkOptions('MemoryHandler', options, MEMORY_KEYS);
    const flushLevel = checkLevel(options.flushLevel ?? ERROR);
    super(capacity);
    this.flushLevel = flushLevel;
    this.target = options.target ?? null;
    this.flushOnClose = options.flushOnClose ?? true;
  }

  /** True when the buffer is full or the record is at or above `flushLevel`. */
  override shouldFlush(record: LogRecord): boolean {
    return this.buffer.length >= this.capacity || record.levelno >= this.flushLevel;
  }

  /** Sets the handler the buffered records go to. */
  setTarget(target: Handler | null): void {
    this.target = target;
  }

  /**
   * With a target: passes every buffered record to `target.handle()` (synchronously, before returning), empties
   * the buffer, and returns the target's `flush()` so that awaiting it means "delivered". Without a target it does
   * nothing and the records stay buffered.
   *
   * Differs from CPython: CPython's flush does not flush the target; ours returns the target's `flush()` promise
   * because SPEC defines `flush()` as "resolved when delivered".
   */
  override flush(): Promise<void> {
    const target = this.target;
    if (!target) return Promise.resolve();
    // CPython iterates the live list, then clears it: a record appended meanwhile (a target logging back into us)
    // is handled in this pass too, and a filter that throws leaves the whole buffer in place.
    for (const record of this.buffer) target.handle(record);
    this.buffer.length = 0;
    return target.flush();
  }

  /**
   * Flushes if `flushOnClose`, then drops the target and closes. With `flushOnClose: false` the records stay in
   * `buffer` (CPython: the inherited close's flush finds no target).
   */
  override close(): Promise<void> {
    let flushed: Promise<void> = Promise.resolve();
    try {
      if (this.flushOnClose) flushed = this.flush();
    } finally {
      this.target = null;
      void super.close();
    }
    return flushed;
  }
}
