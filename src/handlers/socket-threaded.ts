/**
 * SocketHandler's `thread` mode as its `send` sees it: the frame goes into the worker's ring (socket-thread.ts)
 * instead of the in-process backlog, and what the ring and overflow cannot take is counted and reported here.
 */
import { SocketThread } from './socket-thread.js';
import { RecordsDroppedError } from '../core/errors.js';
import { droppedMessage } from '../internal/drop-ledger.js';
import { releaseShared } from '../internal/pickle.js';
import { pendingMerge, type LogRecord } from '../core/record.js';
import { pickleRecord } from './socket-pickle.js';
import type { SocketHandlerOptions, SocketThreadSettings } from './socket-options.js';

/** What the worker's SocketHandler is built with, read from the logging thread's handler. */
export interface ThreadPeer {
  readonly host: string;
  readonly port: number | null;
  readonly timeout: number;
  readonly retryStart: number;
  readonly retryFactor: number;
  readonly retryMax: number;
}

/** The logging thread's end of a threaded SocketHandler. */
export class ThreadSink {
  readonly #thread: SocketThread;
  #lost = 0;
  #unreported = 0;

  constructor(peer: ThreadPeer, options: SocketHandlerOptions, settings: SocketThreadSettings) {
    const bufferSize = settings.bufferSize ?? 4 * 1024 * 1024;
    const overflowSize = settings.overflowSize ?? 16 * 1024 * 1024;
    const exitTimeout = settings.exitTimeout ?? 10;
    if (!Number.isInteger(overflowSize) || overflowSize < 0) {
      throw new RangeError(`thread.overflowSize must be a whole number of bytes >= 0, got ${String(overflowSize)}`);
    }
    if (typeof exitTimeout !== 'number' || !(exitTimeout >= 0)) {
      throw new RangeError(`thread.exitTimeout must be a number of seconds >= 0, got ${String(exitTimeout)}`);
    }
    this.#thread = new SocketThread(
      {
        host: peer.host,
        port: peer.port,
        // the worker's backlog has this handler's byte bound; a record bound only when one was asked for
        ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }),
        capacity: options.capacity ?? Number.MAX_SAFE_INTEGER,
        timeout: peer.timeout,
        retryStart: peer.retryStart,
        retryFactor: peer.retryFactor,
        retryMax: peer.retryMax,
      },
      {
        bufferSize,
        overflowSize,
        exitTimeout,
        workerUrl: settings.workerUrl ?? new URL('./socket-thread-main.js', import.meta.url),
      },
    );
  }

  /** Records lost here and in the worker. */
  get dropped(): number {
    return this.#lost + this.#thread.workerDropped;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#thread.closed;
  }

  /**
   * `makePickle`'s bytes in thread mode: the record pickled straight into the ring's next entry when it fits there,
   * else into the shared slab (socket-pickle.ts). The ring's bytes stay valid until the next frame is put.
   * @throws What `getMessage()` throws.
   */
  pickle(record: LogRecord): Buffer {
    const msg = record.getMessage();
    return this.#thread.reserve(record, msg) ?? pickleRecord(record, msg);
  }

  /**
   * `send(makePickle(record))` for a handler that overrides neither (and a record without `exc_info`, which
   * makePickle formats first): the frame goes into the ring with no view of it made. Returns null when it went
   * there, else the frame for the caller to `send`, as makePickle would have made it (pickled into the shared slab,
   * the message made once). The common message (`pendingMerge`) is not made at all: it is written from its pieces.
   * @throws What `getMessage()` throws.
   */
  emit(record: LogRecord): Buffer | null {
    const template = pendingMerge(record);
    if (template !== null) {
      const put = this.#thread.putInPlace(record, template);
      if (put !== null) return put === true ? null : put;
    }
    const msg = record.getMessage();
    const put = this.#thread.putInPlace(record, msg);
    return put === true ? null : (put ?? pickleRecord(record, msg));
  }

  /**
   * Publishes the frame {@link pickle} left in the ring where it is; copies any other frame into the ring (a slab
   * frame's space is free again at once: no fresh memory per record). False, and counted, when the ring and the
   * overflow cannot take it.
   */
  put(bytes: Buffer): boolean {
    const thread = this.#thread;
    if (thread.publish(bytes)) return true;
    const kept = thread.put(bytes);
    releaseShared(bytes);
    if (kept) return true;
    this.#lost++;
    this.#unreported++;
    return false;
  }

  /** The worker's flush: resolves once it delivered or gave up every frame put so far; then the report, if any. */
  async flush(report: (err: RecordsDroppedError) => void, who: string): Promise<void> {
    await this.#thread.flush();
    this.report(report, who, 'the writer thread could not take them');
  }

  /** Flushes, then stops the worker; then the report, if any. */
  async close(report: (err: RecordsDroppedError) => void, who: string): Promise<void> {
    await this.#thread.close();
    this.report(report, who, 'the writer thread could not take them');
  }

  /** Reports the frames lost since the last report, once, saying `why`. */
  report(report: (err: RecordsDroppedError) => void, who: string, why: string): void {
    const n = this.#unreported;
    if (n === 0) return;
    this.#unreported = 0;
    report(new RecordsDroppedError(droppedMessage(who, n, why), n));
  }
}
