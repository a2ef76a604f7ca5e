/**
 * The worker thread's side of the worker host: one loop for every worker pylogging starts. It reads entries from the
 * ring in batches and hands them to a {@link Sink} (records to handlers, or pickled frames to a SocketHandler);
 * after each batch (the ring ran dry, or enough was read) and whenever the logging thread asks (FLUSH_REQ), it
 * flushes the sink and publishes DONE, which `flush()`, `stop()` and the exit hook of the logging thread wait on.
 *
 * ```
 *  ring ──take() while sink.room()──▶ sink (handlers, or SocketHandler.send())
 *   │                                   │ checkpoint: sink.flush() (chained: reading goes on meanwhile)
 *   │  sink full: wait for a checkpoint ◀┘ then WORKER_DROPPED, DONE = position read before it
 *   └─ sentinel: last checkpoint, then the caller closes the sink and exits
 * ```
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RingBuffer } from '../internal/ring-buffer.js';
import { READ } from '../internal/ring-buffer.js';
import { doneReached, FLUSH_REQ, markDone, WORKER_DROPPED, WORKER_STALLED } from './worker-protocol.js';

/** Where the worker's entries go. */
export interface Sink {
  /**
   * Takes up to `max` entries from `ring` and hands them on; returns how many. Stops at the sentinel (setting
   * {@link ended}), when the ring is empty, and when the sink is full. `force`: a flush waits for more than was taken.
   */
  take(ring: RingBuffer, max: number, force: boolean): number;
  /** True once the sentinel was read. */
  readonly ended: boolean;
  /** True when more entries may be taken before a flush has freed room (`force`: a flush waits for them). */
  room(force: boolean): boolean;
  /** True when a flush is due now (`dry`: the ring ran dry) and would give up nothing that could still be delivered. */
  due(dry: boolean): boolean;
  /** Called as a flush begins; the function it returns is called once that flush has resolved. */
  mark(): () => void;
  /** Delivers, or gives up, everything taken so far. */
  flush(): Promise<void>;
  /** Records the sink's handler dropped so far. */
  readonly dropped: number;
  /** True while it is full and cannot deliver (its peer is unreachable): nothing will free room in the ring. */
  readonly stalled: boolean;
}

/** Entries handed on before the loop yields, so the handlers' I/O runs between batches. */
const BATCH = 1024;
/**
 * Linger before going idle: while records keep coming, the logging thread then publishes them without waking us
 * (a futex wake, a system call, for the first record after each idle wait). A record waits at most LINGER_MS more;
 * an idle worker polls LINGER_POLLS times, then sleeps.
 * measured (Node 20.20, 2-CPU VM, 1.2M records to a NullHandler worker): 33 700 wakes and 1.0 µs a logging call
 * when the worker waited at once; with the linger 0–3 wakes and 0.70–0.72 µs (steady rounds, 2 runs).
 */
const LINGER_MS = 1;
const LINGER_POLLS = 4;
/** While the sink is full and no flush can free it yet (a SocketHandler still connecting), how often to look again. */
const FULL_POLL_MS = 20;

/** Reads the ring into `sink` until the sentinel; resolves once everything before it is flushed and DONE. */
export class WorkerLoop {
  readonly #ring: RingBuffer;
  readonly #sink: Sink;
  readonly #report: (err: unknown) => void;
  #published: number;
  #chain: Promise<void> = Promise.resolve();
  /** Checkpoints begun and not yet finished. */
  #pending = 0;

  constructor(ring: RingBuffer, sink: Sink, report: (err: unknown) => void) {
    this.#ring = ring;
    this.#sink = sink;
    this.#report = report;
    this.#published = ring.readPosition();
  }

  /**
   * Flushes the sink, then publishes the position read so far as DONE. Chained, so the reading goes on while a slow
   * handler (a network one) delivers; a failed flush is reported and counts as given up.
   */
  checkpoint(): Promise<void> {
    const pos = this.#ring.readPosition();
    if (pos === this.#published) return this.#chain;
    this.#published = pos;
    const sink = this.#sink;
    const h = this.#ring.header;
    const settle = sink.mark();
    this.#pending++;
    this.#chain = this.#chain
      .then(() => sink.flush())
      .catch(this.#report)
      .then(() => {
        this.#pending--;
        settle();
        Atomics.store(h, WORKER_DROPPED, sink.dropped);
        markDone(h, pos);
      });
    return this.#chain;
  }

  /** The loop: resolves once the sentinel was read and everything before it flushed. */
  async run(): Promise<void> {
    const ring = this.#ring;
    const sink = this.#sink;
    const h = ring.header;
    let idle = 0;
    for (;;) {
      const req = Atomics.load(h, FLUSH_REQ);
      const force = !doneReached(h, req); // someone waits for everything up to req
      let got = 0;
      for (let k; got < BATCH && sink.room(force) && (k = sink.take(ring, BATCH - got, force)) > 0; ) got += k;
      if (sink.ended) return this.checkpoint();
      if (force && ((ring.readPosition() - req) | 0) >= 0) {
        await this.checkpoint(); // all that was asked for is with the sink: deliver it or give it up, DONE
        continue;
      }
      const room = sink.room(force);
      if (sink.due(got < BATCH && room) || (force && !room)) void this.checkpoint();
      const stalled = sink.stalled ? 1 : 0;
      if (Atomics.exchange(h, WORKER_STALLED, stalled) !== stalled && stalled) Atomics.notify(h, READ); // stop waiting
      if (!room) {
        // Until a checkpoint frees room; a flush request (it notifies WRITE) wakes it too. Never a settled promise
        // here: the loop would spin on microtasks and starve the handler's I/O.
        idle = 0;
        const poll = ring.lingerForData(FULL_POLL_MS);
        await (this.#pending > 0 ? Promise.race([this.#chain, poll]) : poll);
      } else if (got > 0) {
        idle = 0;
        await yieldToLoop(); // the handlers' writes and reconnects run
      } else if (idle < LINGER_POLLS) {
        idle++;
        await ring.lingerForData(LINGER_MS);
      } else {
        await ring.waitForData(1000);
      }
    }
  }
}
