/**
 * Where a {@link RingQueue} keeps records while the shared ring is full: entries in the ring's own format (a length
 * word, the payload, padding to 4 bytes) in chunks of the logging thread's memory, moved into the ring, in order,
 * as the worker frees room. A burst larger than the ring then costs the logging thread a copy instead of a wait for
 * the worker, as pino's thread-stream keeps what its ring cannot take in a list of buffers (there without a bound).
 *
 * ```
 *  put ──▶ ring has room and overflow empty? ──yes──▶ ring
 *                         │ no
 *                         ▼
 *          [ chunk | chunk | chunk ]  ──drainInto(ring): whole entries, while they fit──▶ ring
 *          at most `max` bytes; beyond it the queue's onFull policy (block or drop) applies
 * ```
 */
import { BINARY, SENTINEL_LEN, type RingBuffer } from './ring-buffer.js';

const CHUNK = 64 * 1024;

const align4 = (n: number): number => (n + 3) & ~3;

/** FIFO of ring-format entries in logging-thread memory, bounded by `max` bytes. */
export class RingOverflow {
  /** The most bytes held. */
  readonly max: number;
  /** Bytes held, and the records among them (the sentinel included). */
  bytes = 0;
  records = 0;
  #chunks: Buffer[] = [];
  /** Used length of each chunk but the last (whose is `#write`). */
  #ends: number[] = [];
  #read = 0;
  #write = 0;
  /**
   * Drained chunks kept for the next burst (as many as `max` allows): fresh memory costs a page fault per 4 KiB the
   * first time it is written. measured (Node 20.20, 2-CPU VM): touching a fresh 4 MiB buffer took 13 ms, ~12 µs a
   * page; for a 100k-record burst that overflows by 3.6 MB that would be ~0.1 µs a record (derived, not timed).
   */
  #spare: Buffer[] = [];
  #draining: Promise<void> | null = null;

  constructor(max: number) {
    this.max = max;
  }

  /** True when nothing is held. */
  get empty(): boolean {
    return this.bytes === 0;
  }

  /** Appends bytes `[0, n)` of `src` as a binary entry; false when it would exceed `max` (nothing is added). */
  pushBinary(src: Buffer, n: number): boolean {
    const size = 4 + align4(n);
    const at = this.#reserve(size);
    if (at < 0) return false;
    const chunk = this.#chunks[this.#chunks.length - 1] as Buffer;
    chunk.writeInt32LE(n | BINARY, at);
    src.copy(chunk, at + 4, 0, n);
    this.#commit(size);
    return true;
  }

  /** Appends `text` (UTF-8) as a text entry; false when it would exceed `max`. */
  pushText(text: string): boolean {
    const n = Buffer.byteLength(text, 'utf8');
    const size = 4 + align4(n);
    const at = this.#reserve(size);
    if (at < 0) return false;
    const chunk = this.#chunks[this.#chunks.length - 1] as Buffer;
    chunk.writeInt32LE(n, at);
    chunk.write(text, at + 4, 'utf8');
    this.#commit(size);
    return true;
  }

  /** Appends the sentinel; false when it would exceed `max`. */
  pushSentinel(): boolean {
    const at = this.#reserve(4);
    if (at < 0) return false;
    (this.#chunks[this.#chunks.length - 1] as Buffer).writeInt32LE(SENTINEL_LEN, at);
    this.#commit(4);
    return true;
  }

  /** Where an entry of `size` bytes goes in the last chunk (a new one if needed), or -1 when over `max`. */
  #reserve(size: number): number {
    if (this.bytes + size > this.max) return -1;
    const last = this.#chunks[this.#chunks.length - 1];
    if (last === undefined || this.#write + size > last.length) {
      if (last !== undefined) this.#ends.push(this.#write);
      const spare = size <= CHUNK ? this.#spare.pop() : undefined;
      this.#chunks.push(spare ?? Buffer.allocUnsafeSlow(Math.max(CHUNK, size)));
      this.#write = 0;
      if (this.#chunks.length === 1) this.#read = 0;
    }
    return this.#write;
  }

  #commit(size: number): void {
    this.#write += size;
    this.bytes += size;
    this.records++;
  }

  /**
   * Moves whole entries, oldest first, into `ring` while they fit. Returns true when nothing is left.
   */
  drainInto(ring: RingBuffer): boolean {
    while (this.bytes > 0) {
      const chunk = this.#chunks[0] as Buffer;
      const last = this.#chunks.length === 1;
      const end = last ? this.#write : (this.#ends[0] as number);
      const free = ring.free();
      const from = this.#read;
      let to = from;
      let recs = 0;
      while (to < end) {
        const len = chunk.readInt32LE(to);
        const size = len === SENTINEL_LEN ? 4 : 4 + align4(len & ~BINARY);
        if (to + size - from > free) break;
        to += size;
        recs++;
      }
      if (to === from) return false;
      ring.tryWriteEntries(chunk, from, to);
      this.bytes -= to - from;
      this.records -= recs;
      this.#read = to;
      if (to < end) return false; // the ring is full again
      if (last) {
        this.#read = this.#write = 0; // keep the chunk for the next burst
      } else {
        const done = this.#chunks.shift() as Buffer;
        this.#ends.shift();
        this.#read = 0;
        if (done.length === CHUNK && (this.#spare.length + this.#chunks.length) * CHUNK < this.max) this.#spare.push(done);
      }
    }
    return true;
  }

  /** True while {@link drain} is waiting for room. */
  get draining(): boolean {
    return this.#draining !== null;
  }

  /**
   * Moves everything into `ring` as its consumer frees room, without blocking the thread; resolves when nothing is
   * left or when `running()` says no consumer runs (nothing would free room). One drain at a time: a call while one
   * waits returns it.
   */
  drain(ring: RingBuffer, running: () => boolean): Promise<void> {
    if (this.#draining !== null) return this.#draining;
    if (this.drainInto(ring) || !running()) return Promise.resolve();
    return (this.#draining = this.#drainLoop(ring, running));
  }

  async #drainLoop(ring: RingBuffer, running: () => boolean): Promise<void> {
    try {
      do await ring.roomAsync(1000);
      while (!this.drainInto(ring) && running());
    } finally {
      this.#draining = null; // after an await: never before drain() stored the promise
    }
  }

  /**
   * Exit hooks: moves everything into `ring`, blocking (`Atomics.wait`) for room until `deadline` (epoch ms) or
   * until `running()` says no consumer runs. Returns the records left behind (0: all moved).
   */
  drainSync(ring: RingBuffer, deadline: number, running: () => boolean): number {
    while (!this.drainInto(ring)) {
      const left = deadline - Date.now();
      if (left <= 0 || !running()) return this.records;
      ring.waitForRoom(Math.min(left, 50));
    }
    return 0;
  }
}
