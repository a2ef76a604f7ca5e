/**
 * SocketHandler's `thread` mode, the logging thread's side: pickled frames through the worker host's ring
 * (worker-host.ts), to a worker that sends them with an ordinary SocketHandler of its own: the same split as pino's
 * transports, where the logging thread serialises and a worker does the I/O.
 *
 * ```
 *  logging thread                                          worker thread (worker-main.ts, kind 'frames')
 *  emit() → makePickle → put(frame) ──▶ ring ──────────▶  frames → SocketHandler.send() → its backlog → socket
 *                          └─ ring full: overflow ──┘      taken only while that backlog has room: the rest waits
 *  ring and overflow full: wait for room (≤ 1 s),         in the ring; what it gives up (peer unreachable) is
 *  then put() false (dropped here)                         counted in workerDropped
 * ```
 */
import { dumpsRecordInto } from '../internal/pickle-record.js';
import type { LogRecord } from '../core/record.js';
import { WorkerHost } from './worker-host.js';
import type { SocketWorkerOptions } from './worker-protocol.js';

/** Below this much contiguous room, frames go through the slab and `put` (which wraps around the ring's end). */
const IN_PLACE_MIN = 1024;
/** Room that is enough not to look at the consumer's position again. */
const IN_PLACE_WANT = 16 * 1024;

/**
 * Milliseconds a frame may wait for room when the ring and the overflow are full (WorkerQueueListener's default
 * `blockTimeout`): the worker is slower than the application, and waiting is what CPython's SocketHandler does
 * anyway (its `sendall` blocks the logging call).
 */
export const BLOCK_MS = 1000;

/** What the worker's SocketHandler is made with (`sab` is ignored: the host makes the ring). */
export interface SocketThreadInit extends SocketWorkerOptions {
  sab?: SharedArrayBuffer;
}

/** Options of the thread: sizes and where the worker's code is. */
export interface SocketThreadOptions {
  /** Bytes of shared ring. @default 4 MiB */
  bufferSize: number;
  /** Bytes of logging-thread memory used while the ring is full. @default 16 MiB */
  overflowSize: number;
  /** The worker entry (for bundled applications). */
  workerUrl: string | URL;
  /** Seconds the exit hook waits for the worker to deliver. */
  exitTimeout: number;
}

/** The logging thread's half of a threaded SocketHandler: a {@link WorkerHost} that carries frames. */
export class SocketThread {
  readonly #host: WorkerHost;
  #closing: Promise<void> | null = null;
  /** True from a frame that did not fit until one fits again: the episode's frames drop without waiting. */
  #dropping = false;

  constructor(init: Omit<SocketThreadInit, 'sab'>, options: SocketThreadOptions) {
    this.#host = new WorkerHost({ name: 'SocketHandler', ...options });
    this.#host.start({ kind: 'frames', sab: this.#host.ring.sab, socket: init });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** True while the worker runs. */
  get running(): boolean {
    return this.#host.running;
  }

  /** Records the worker's SocketHandler dropped (given up: the peer was unreachable). */
  get workerDropped(): number {
    return this.#host.workerDropped;
  }

  /**
   * Copies one frame for the worker. When the ring and the overflow are full it waits for room as a
   * WorkerQueueListener does by default (`onFull: 'block'`): up to {@link BLOCK_MS} while the worker delivers, then
   * no more until a frame fits again; not at all while the worker's peer is unreachable. False (nothing kept) when it
   * did not fit, or when the handler is closed.
   */
  put(frame: Buffer): boolean {
    if (this.#closing !== null) return false;
    const host = this.#host;
    const n = frame.length;
    if (host.putBytes(frame, n)) {
      this.#dropping = false;
      return true;
    }
    if (this.#dropping || n > host.ring.maxPayload) return false;
    if (host.waitToPut(() => host.putBytes(frame, n), BLOCK_MS)) return true;
    this.#dropping = true;
    return false;
  }

  /**
   * Pickles `record` (message `msg`) straight into the ring when it can (nothing waits in the overflow, the frame fits
   * before the ring's end): one copy fewer than {@link put}. False when it did not: the caller pickles and puts.
   */
  putRecord(record: LogRecord, msg: string): boolean {
    if (this.#closing !== null || !this.#host.overflow.empty) return false;
    const ring = this.#host.ring;
    const start = ring.inPlaceStart;
    const room = ring.inPlaceRoom(IN_PLACE_WANT);
    if (room < IN_PLACE_MIN) return false;
    const end = dumpsRecordInto(record, msg, ring.data, ring.dataView, start, start + room);
    if (end < 0) return false;
    ring.commitInPlace(end - start);
    return true;
  }

  /** Resolves once every frame put so far was delivered or given up by the worker's SocketHandler (its flush). */
  flush(): Promise<void> {
    return this.#host.flush();
  }

  /** Flushes, then stops the worker (its SocketHandler closes). Every call returns the first call's promise. */
  close(): Promise<void> {
    return (this.#closing ??= this.#host.flush().then(() => this.#host.stop()));
  }
}
