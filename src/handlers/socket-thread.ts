/**
 * SocketHandler's `thread` mode, the logging thread's side: frames pickled on the logging thread are copied into a
 * shared ring (and the overflow while the ring is full), and a worker thread (socket-thread-main.ts) writes them to
 * the peer with an ordinary SocketHandler of its own: the same split as pino's transports, where the logging thread
 * serialises and a worker does the I/O.
 *
 * ```
 *  logging thread                                          worker thread
 *  emit() → makePickle → put(frame) ──▶ ring ──────────▶  read frames → SocketHandler.send() → Delivery → socket
 *                          └─ ring full: overflow ──┘      (reconnect, backoff, capacity, drops: as in-thread)
 *  flush(): FLUSH_REQ = WRITE ────────────────────────▶  once read that far: await handler.flush(), DONE = it
 *  close(): flush, sentinel ──────────────────────────▶  handler.close(), exit
 *  process 'exit': overflow → ring, FLUSH_REQ, Atomics.wait(DONE) (at most 10 s)
 * ```
 */
import type { Worker } from 'node:worker_threads';
import { reportError } from '../core/handler.js';
import { onExit } from '../internal/exit.js';
import { startWorker } from '../internal/start-worker.js';
import { RingBuffer, STATE, WRITE } from '../internal/ring-buffer.js';
import { RingOverflow } from '../internal/ring-overflow.js';
import { dumpsRecordInto } from '../internal/pickle-record.js';
import type { LogRecord } from '../core/record.js';

/** Below this much contiguous room, frames go through the slab and `put` (which wraps around the ring's end). */
const IN_PLACE_MIN = 1024;
/** Room that is enough not to look at the consumer's position again. */
const IN_PLACE_WANT = 16 * 1024;

/** Header slot: the ring position a flush asks the worker to have delivered (or given up) up to. */
export const FLUSH_REQ = 192;
/** Header slot: records the worker's SocketHandler dropped so far. */
export const WORKER_DROPPED = 224;

/** What the worker is started with (structured-cloneable). */
export interface SocketThreadInit {
  sab: SharedArrayBuffer;
  host: string;
  port: number | null;
  capacity: number;
  timeout: number;
  retryStart: number;
  retryFactor: number;
  retryMax: number;
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

/** The logging thread's half of a threaded SocketHandler. */
export class SocketThread {
  readonly ring: RingBuffer;
  readonly #overflow: RingOverflow;
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #exitMs: number;
  #alive = true;
  /** `running`, made once for the overflow's drains and the waits on DONE. */
  readonly #running = (): boolean => this.running;
  #closing: Promise<void> | null = null;
  #waiters = 0;
  readonly #offExit: () => void;

  constructor(init: Omit<SocketThreadInit, 'sab'>, options: SocketThreadOptions) {
    this.ring = RingBuffer.create(options.bufferSize);
    this.#overflow = new RingOverflow(options.overflowSize);
    this.#exitMs = options.exitTimeout * 1000;
    const workerData: SocketThreadInit = { ...init, sab: this.ring.sab };
    const worker = startWorker(options.workerUrl, workerData);
    this.#worker = worker;
    this.#exited = new Promise((resolve) => {
      worker.once('exit', () => {
        this.#alive = false;
        this.#offExit();
        resolve();
      });
    });
    worker.on('error', reportError);
    worker.unref(); // a program that never closes the handler still ends: the exit hook delivers
    this.#offExit = onExit(() => this.#drainSync());
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** True while the worker runs. */
  get running(): boolean {
    return this.#alive && Atomics.load(this.ring.header, STATE) !== 2;
  }

  /** Records the worker's SocketHandler dropped (backlog full, given up). */
  get workerDropped(): number {
    return Atomics.load(this.ring.header, WORKER_DROPPED);
  }

  /** Copies one frame for the worker; false (nothing kept) when the ring and the overflow are full or it is closed. */
  put(frame: Buffer): boolean {
    if (this.#closing !== null) return false;
    const overflow = this.#overflow;
    if ((overflow.empty || overflow.drainInto(this.ring)) && this.ring.tryWriteBytes(frame, frame.length)) return true;
    if (frame.length > this.ring.maxPayload || !overflow.pushBinary(frame, frame.length)) return false;
    if (!overflow.draining) overflow.drain(this.ring, this.#running).catch(reportError);
    return true;
  }

  /**
   * Pickles `record` (message `msg`) straight into the ring when it can (nothing waits in the overflow, the frame fits
   * before the ring's end): one copy fewer than {@link put}. False when it did not: the caller pickles and puts.
   */
  putRecord(record: LogRecord, msg: string): boolean {
    if (this.#closing !== null || !this.#overflow.empty) return false;
    const ring = this.ring;
    const start = ring.inPlaceStart;
    const room = ring.inPlaceRoom(IN_PLACE_WANT);
    if (room < IN_PLACE_MIN) return false;
    const end = dumpsRecordInto(record, msg, ring.data, ring.dataView, start, start + room);
    if (end < 0) return false;
    ring.commitInPlace(end - start);
    return true;
  }

  /** Resolves once every frame put so far was delivered or given up by the worker's SocketHandler (its flush). */
  async flush(): Promise<void> {
    this.#ref();
    try {
      await this.#overflow.drain(this.ring, this.#running);
      const target = Atomics.load(this.ring.header, WRITE);
      Atomics.store(this.ring.header, FLUSH_REQ, target);
      await this.ring.doneAsync(target, this.#running);
    } finally {
      this.#unref();
    }
  }

  /** Flushes, then stops the worker (its SocketHandler closes). Every call returns the first call's promise. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      this.#ref();
      try {
        await this.flush();
        if (!this.running) return;
        while (!this.ring.tryWriteSentinel()) {
          if (!this.running) return;
          await this.ring.roomAsync(100);
        }
        Atomics.notify(this.ring.header, WRITE);
        await this.#exited;
      } finally {
        this.#unref();
      }
    })());
  }

  /** The 'exit' hook: moves the overflow into the ring and waits (blocking) until the worker has flushed it all. */
  #drainSync(): void {
    if (!this.#alive) return;
    const ring = this.ring;
    const h = ring.header;
    const deadline = Date.now() + this.#exitMs;
    const left = this.#overflow.drainSync(ring, deadline, this.#running);
    if (left > 0) {
      reportError(new Error(`SocketHandler: ${left} records still waiting for the writer thread were lost at exit`));
      return;
    }
    const target = Atomics.load(h, WRITE);
    Atomics.store(h, FLUSH_REQ, target);
    if (!ring.doneSync(target, deadline)) {
      reportError(new Error(`SocketHandler: the writer thread did not deliver within ${this.#exitMs / 1000} s of exit`));
    }
  }

  // The worker is unref()'d and Atomics.waitAsync does not hold the event loop: a pending flush/close holds it.
  #ref(): void {
    if (this.#waiters++ === 0) this.#worker.ref();
  }

  #unref(): void {
    if (--this.#waiters === 0) this.#worker.unref();
  }
}
