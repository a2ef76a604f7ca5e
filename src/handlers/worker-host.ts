/**
 * The logging thread's side of pylogging's one worker host, shared by everything that hands work to a worker thread:
 * WorkerQueueListener (records for handlers that run there) and SocketHandler's `thread` mode (pickled frames for a
 * SocketHandler that runs there). One start-up, one ring + overflow, one flush, one drain at exit.
 *
 * ```
 *  logging thread                                          worker thread (worker-main.ts → worker-loop.ts)
 *  putBytes/putText ──▶ ring (SharedArrayBuffer) ─────────▶ read entries → handlers / SocketHandler.send()
 *        └─ ring full: overflow (bounded) ──drain──┘
 *  flush(): overflow → ring, FLUSH_REQ, await DONE ◀─────── after each batch and on request: flush, DONE = position
 *  stop(): sentinel, await the worker's exit ◀───────────── sentinel: flush, close the handlers, exit
 *  process 'exit': overflow → ring, FLUSH_REQ, Atomics.wait(DONE), at most exitTimeout
 * ```
 *
 * What the worker has not taken stays in the ring (back-pressure): the worker reads only as fast as its handlers
 * deliver, so a burst waits here, within the ring's and the overflow's byte bounds, instead of in a worker-side queue
 * that drops.
 */
import type { Worker } from 'node:worker_threads';
import { reportError } from '../core/handler.js';
import { onExit } from '../internal/exit.js';
import { RingBuffer, STATE, WRITE } from '../internal/ring-buffer.js';
import { RingOverflow } from '../internal/ring-overflow.js';
import { startWorker } from '../internal/start-worker.js';
import {
  doneAsync,
  doneReached,
  doneSync,
  requestFlush,
  WORKER_DROPPED,
  WORKER_STALLED,
  type WorkerInit,
  type WorkerMessage,
} from './worker-protocol.js';

/** What a {@link WorkerHost} is made with (validated by its owner). */
export interface WorkerHostOptions {
  /** Who reports (`'pylogging WorkerQueueListener'`, `'SocketHandler'`): the start of every report's text. */
  name: string;
  /** Bytes of shared ring. */
  bufferSize: number;
  /** Bytes of logging-thread memory used while the ring is full. */
  overflowSize: number;
  /** Seconds the exit hook waits for the worker. */
  exitTimeout: number;
  /** The worker's entry file. */
  workerUrl: string | URL;
}

/** One worker thread fed through one ring and overflow; started (and, for a listener, restarted) by its owner. */
export class WorkerHost {
  /** The shared ring the worker reads. */
  readonly ring: RingBuffer;
  /** Where entries wait while the ring is full. */
  readonly overflow: RingOverflow;
  /** The worker, while started. */
  worker: Worker | null = null;
  readonly #name: string;
  readonly #exitMs: number;
  readonly #workerUrl: string | URL;
  #alive = false;
  #exited: Promise<void> | null = null;
  #ready: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #offExit: (() => void) | null = null;
  #waiters = 0;
  #orphanCheck = false;
  /** `running`, made once for the overflow's drains and the waits on DONE. */
  readonly #running = (): boolean => this.running;

  constructor(options: WorkerHostOptions) {
    this.ring = RingBuffer.create(options.bufferSize);
    this.overflow = new RingOverflow(options.overflowSize);
    this.#name = options.name;
    this.#exitMs = options.exitTimeout * 1000;
    this.#workerUrl = options.workerUrl;
  }

  /** True between `start()` and the worker's end. */
  get running(): boolean {
    return this.#alive && Atomics.load(this.ring.header, STATE) !== 2;
  }

  /** Records the worker's own handler dropped (SocketHandler's thread mode), as of its last flush. */
  get workerDropped(): number {
    return Atomics.load(this.ring.header, WORKER_DROPPED);
  }

  /**
   * Starts the worker with `init` (whose `sab` must be this ring's). Entries put before it is ready wait in the ring.
   * @throws {Error} if a worker is running.
   */
  start(init: WorkerInit): void {
    if (this.worker) throw new Error('Listener already started');
    Atomics.store(this.ring.header, STATE, 0);
    const worker = startWorker(this.#workerUrl, init);
    this.worker = worker;
    this.#alive = true;
    const exited = (this.#exited = new Promise((resolveExit) => {
      worker.once('exit', () => {
        this.#alive = false;
        this.#offExit?.();
        this.#offExit = null;
        resolveExit();
      });
    }));
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
      void exited.then(() => rejectReady(new Error('pylogging worker exited before it was ready')));
    });
    this.#ready.catch(() => {}); // reported above; ready() callers see the rejection
    // A program that never stops the worker still exits; the exit hook drains the ring. After the listeners: adding a
    // 'message' listener refs the worker again (measured, Node 20).
    worker.unref();
    this.#offExit = onExit(() => this.#drainSync());
    if (!this.overflow.empty) this.overflow.drain(this.ring, this.#running).catch(reportError); // held while none ran
  }

  /** Resolves when the worker has built its handlers; rejects (after reporting) when it could not. */
  ready(): Promise<void> {
    if (!this.#ready) return Promise.reject(new Error('listener not started'));
    return this.hold(this.#ready);
  }

  /** Appends bytes `[0, n)` of `src` as a binary entry: into the ring, else the overflow; false when neither has room. */
  putBytes(src: Buffer, n: number): boolean {
    if (!this.#orphanCheck) this.#watchOrphans(); // once: a boolean per entry, not a look at the worker's state
    const overflow = this.overflow;
    // Straight into the ring unless entries wait in the overflow (they go first: order is kept).
    if ((overflow.empty || overflow.drainInto(this.ring)) && this.ring.tryWriteBytes(src, n)) return true;
    return n <= this.ring.maxPayload && this.#held(overflow.pushBinary(src, n));
  }

  /**
   * Payload bytes that can be written in place at `ring.inPlaceStart` (RingBuffer.inPlaceRoom), then published with
   * {@link commitInPlace}: one copy fewer than {@link putBytes}. 0 while entries wait in the overflow (they go first).
   */
  inPlaceRoom(want: number): number {
    return this.overflow.empty ? this.ring.inPlaceRoom(want) : 0;
  }

  /** Publishes the `n`-byte binary payload written in place (`n` ≤ the room {@link inPlaceRoom} gave). */
  commitInPlace(n: number): void {
    if (!this.#orphanCheck) this.#watchOrphans();
    this.ring.commitInPlace(n);
  }

  /** {@link putBytes} straight into the overflow, leaving the ring as it is; false when it has no room. */
  holdBytes(src: Buffer, n: number): boolean {
    if (!this.#orphanCheck) this.#watchOrphans();
    return n <= this.ring.maxPayload && this.#held(this.overflow.pushBinary(src, n));
  }

  /** {@link putBytes} for a text entry (UTF-8). */
  putText(text: string): boolean {
    if (!this.#orphanCheck) this.#watchOrphans();
    const overflow = this.overflow;
    if ((overflow.empty || overflow.drainInto(this.ring)) && this.ring.tryWrite(text)) return true;
    return Buffer.byteLength(text) <= this.ring.maxPayload && this.#held(overflow.pushText(text));
  }

  /** {@link putBytes} for the sentinel, which stops the worker once it has read everything before it. */
  putSentinel(): boolean {
    const overflow = this.overflow;
    if ((overflow.empty || overflow.drainInto(this.ring)) && this.ring.tryWriteSentinel()) return true;
    return this.#held(overflow.pushSentinel());
  }

  /**
   * When the ring and the overflow are full: blocks (`Atomics.wait`, in slices) up to `ms` for the worker to free
   * room, trying `offer` again each time; true once it took the entry. Gives up at once while no worker runs or the
   * worker is stalled (its peer unreachable): nothing would free room.
   */
  waitToPut(offer: () => boolean, ms: number): boolean {
    const h = this.ring.header;
    const deadline = Date.now() + ms;
    for (let left = ms; left > 0 && this.running && Atomics.load(h, WORKER_STALLED) === 0; left = deadline - Date.now()) {
      this.ring.waitForRoom(Math.min(left, 100)); // in slices, so a dead or stalled worker is noticed
      if (offer()) return true;
    }
    return false;
  }

  /** Makes sure what went to the overflow moves on into the ring as the worker frees room. */
  #held(held: boolean): boolean {
    const overflow = this.overflow;
    if (held && !overflow.draining && this.running) overflow.drain(this.ring, this.#running).catch(reportError);
    return held;
  }

  /**
   * Resolves once the overflow is in the ring (at once when empty), moving it as the worker frees room; gives up
   * (resolves) when no worker is running: `start()` drains it again.
   */
  drainOverflow(): Promise<void> {
    return this.overflow.drain(this.ring, this.#running);
  }

  /** Resolves once the worker has delivered (or given up) every entry put so far; at once when none runs. */
  async flush(): Promise<void> {
    if (!this.overflow.empty) await this.hold(this.drainOverflow());
    const h = this.ring.header;
    const target = Atomics.load(h, WRITE);
    if (doneReached(h, target) || !this.running) return;
    requestFlush(h, target);
    await this.hold(doneAsync(h, target, this.#running));
  }

  /**
   * Puts the sentinel (with `putSentinel`, by default {@link putSentinel} waiting for room) and resolves once the
   * worker has handled everything before it and exited. Every call while stopping returns the same promise; entries
   * put afterwards stay in the ring for a later `start()`.
   */
  stop(putSentinel: () => void | Promise<void> = () => this.#putSentinelAsync()): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const exited = this.#exited;
    if (!this.worker || !exited) return Promise.resolve();
    const sent = (async (): Promise<void> => {
      if (this.running) await putSentinel();
    })().catch(reportError);
    this.#stopping = this.hold(sent.then(() => exited)).finally(() => {
      this.#offExit?.();
      this.#offExit = null;
      this.worker = null;
      this.#exited = null;
      this.#stopping = null;
    });
    return this.#stopping;
  }

  async #putSentinelAsync(): Promise<void> {
    while (!this.putSentinel()) {
      if (!this.running) return;
      await this.ring.roomAsync(100);
    }
  }

  /** The `'exit'` hook: blocks until the worker has flushed everything written, the worker died, or the timeout. */
  #drainSync(): void {
    if (!this.#alive) return;
    const h = this.ring.header;
    const deadline = Date.now() + this.#exitMs;
    Atomics.notify(h, WRITE); // in case the worker is idle
    const left = this.overflow.drainSync(this.ring, deadline, this.#running);
    if (left > 0) reportError(new Error(`${this.#name}: ${left} records still waiting for room in the ring at exit were lost`));
    const target = Atomics.load(h, WRITE);
    requestFlush(h, target);
    if (!doneSync(h, target, deadline)) {
      reportError(new Error(`${this.#name}: the worker did not finish within ${this.#exitMs / 1000} s of exit`));
    }
  }

  /**
   * Entries accepted while no worker runs wait for a `start()`; if the process exits first, nothing can handle them.
   * Say so then (once, on stderr) instead of losing them silently.
   */
  #watchOrphans(): void {
    this.#orphanCheck = true;
    onExit(() => {
      if (this.running) return; // the exit hook above drains the ring
      const inRing = this.ring.used();
      if (inRing === 0 && this.overflow.empty) return;
      const held = this.overflow.records;
      reportError(
        new Error(
          `${this.#name}: no worker was running at exit; records never handled were lost ` +
            `(${inRing} bytes in the ring${held > 0 ? `, ${held} records in the overflow` : ''})`,
        ),
      );
    });
  }

  /**
   * Awaits `p` with the worker ref'd: the worker is unref()'d, and Atomics.waitAsync does not hold the event loop
   * (measured, Node 20: `await Atomics.waitAsync(...).value` alone exits with code 13).
   */
  async hold<T>(p: Promise<T>): Promise<T> {
    if (this.#waiters++ === 0) this.worker?.ref();
    try {
      return await p;
    } finally {
      if (--this.#waiters === 0) this.worker?.unref();
    }
  }
}
