/**
 * SocketHandler's `thread` mode, the logging thread's side: pickled frames through the worker host's ring
 * (worker-host.ts), to a worker that sends them with an ordinary SocketHandler of its own: the same split as pino's
 * transports, where the logging thread serialises and a worker does the I/O.
 *
 * ```
 *  logging thread                                              worker thread (worker-main.ts, kind 'frames')
 *  makePickle → reserve(): pickled into the ring's next entry
 *  send(frame) → put(): that frame: published in place ─▶ ring ─▶ frames → SocketHandler.send() → backlog → socket
 *                       another frame: copied ──────────▶  ▲      taken only while that backlog has room: the rest
 *                       ring full: overflow ──drain────────┘      waits in the ring; what it gives up (the peer
 *  ring and overflow full: wait for room (≤ 1 s), then             unreachable) is counted in workerDropped
 *  put() false (dropped here)
 * ```
 */
import { dumpsRecordInto, type PendingMessage } from '../internal/pickle-record.js';
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
  /** The frame {@link reserve} wrote into the ring and {@link put} has not published yet. */
  #reserved: Buffer | null = null;
  /** True while {@link reserve} writes into the ring: a frame put meanwhile goes to the overflow. */
  #writing = false;

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
   * Publishes `frame` where it is when it is the frame {@link reserve} returned last (and the handler is open): no
   * copy. False for any other frame (hand it to {@link put}).
   */
  publish(frame: Buffer): boolean {
    if (frame !== this.#reserved || this.#closing !== null) return false;
    this.#reserved = null;
    this.#host.commitInPlace(frame.length);
    this.#dropping = false;
    return true;
  }

  /**
   * Copies one frame for the worker. When the ring and the overflow are full it waits for room as a
   * WorkerQueueListener does by default (`onFull: 'block'`): up to {@link BLOCK_MS} while the worker delivers, then
   * no more until a frame fits again; not at all while the worker's peer is unreachable. False (nothing kept) when it
   * did not fit, or when the handler is closed.
   */
  put(frame: Buffer): boolean {
    this.#reserved = null; // the copy goes where a reservation would be
    if (this.#closing !== null) return false;
    const host = this.#host;
    const n = frame.length;
    // a frame sent from inside reserve() (a getter on the record logged): the ring's next entry is being written
    if (this.#writing ? host.holdBytes(frame, n) : host.putBytes(frame, n)) {
      this.#dropping = false;
      return true;
    }
    if (this.#dropping || n > host.ring.maxPayload || this.#writing) return false;
    if (host.waitToPut(() => host.putBytes(frame, n), BLOCK_MS)) return true;
    this.#dropping = true;
    return false;
  }

  /**
   * Pickles `record` (message `msg`) straight into the ring, where {@link publish} publishes it, when it
   * can: nothing waits in the overflow, the frame fits before the ring's end, no earlier reservation is outstanding.
   * Returns the frame as a view of the ring, or null (the caller pickles elsewhere and puts). The view stays valid
   * until the next frame is put: an outstanding reservation is written over by whatever enters the ring next.
   */
  reserve(record: LogRecord, msg: string): Buffer | null {
    const start = this.#host.ring.inPlaceStart;
    const end = this.#writeInPlace(record, msg, start);
    return end < 0 ? null : this.#reserve(start, end);
  }

  /**
   * {@link reserve} then {@link publish} at once, for a handler whose `makePickle` and `send` are SocketHandler's
   * own: nobody sees the frame, so no view of the ring is made for it. `msg` is the message or its template (see
   * `dumpsRecordInto`). Returns true when it was published, null when
   * nothing was written (the caller pickles elsewhere and puts, as after a null from reserve()), and the reserved
   * frame, as reserve() would, when a getter on the record closed the handler meanwhile (put() then drops and counts
   * it, as send() would have).
   * measured (Node 20.20, perf of the logging thread, 200k-record bursts to a local peer): making the view
   * (`subarray`: a typed array and its buffer) was 3.1 % of a call.
   */
  putInPlace(record: LogRecord, msg: string | PendingMessage): true | Buffer | null {
    const start = this.#host.ring.inPlaceStart;
    const end = this.#writeInPlace(record, msg, start);
    if (end < 0) return null;
    if (this.#closing !== null) return this.#reserve(start, end);
    this.#host.commitInPlace(end - start);
    this.#dropping = false;
    return true;
  }

  /** Bytes `[start, end)` of the ring as the outstanding reservation. */
  #reserve(start: number, end: number): Buffer {
    return (this.#reserved = this.#host.ring.data.subarray(start, end));
  }

  /** The frame written at `start` (the ring's `inPlaceStart`): where it ends, or -1 when it cannot be written there. */
  #writeInPlace(record: LogRecord, msg: string | PendingMessage, start: number): number {
    // an outstanding reservation may be held by a subclass that sends it later: leave it where it is
    if (this.#closing !== null || this.#reserved !== null || this.#writing) return -1;
    const host = this.#host;
    const room = host.inPlaceRoom(IN_PLACE_WANT);
    if (room < IN_PLACE_MIN) return -1;
    const ring = host.ring;
    this.#writing = true;
    try {
      return dumpsRecordInto(record, msg, ring.data, ring.dataView, start, start + room);
    } finally {
      this.#writing = false;
    }
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
