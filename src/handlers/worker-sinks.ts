/**
 * What a worker does with the entries it reads (see worker-loop.ts): a WorkerQueueListener's worker rebuilds records
 * and hands them to its handlers through a QueueListener; the worker of SocketHandler's thread mode hands pickled
 * frames to a SocketHandler, taking only as many as that handler's backlog can hold so the rest waits in the ring.
 */
import type { Handler } from '../core/handler.js';
import { loggingErrorReport, reportError } from '../core/handler.js';
import { LogRecord } from '../core/record.js';
import { state } from '../core/state.js';
import { SENTINEL, type BinaryReader, type RingBuffer } from '../internal/ring-buffer.js';
import { writeStringSync } from '../internal/sync-write.js';
import type { RecordDecoder } from '../internal/record-decoder.js';
import type { QueueListener } from './queue.js';
import { sendFrames, SocketHandler } from './socket.js';
import { DEFAULT_MAX_BYTES } from './socket-options.js';
import type { Sink } from './worker-loop.js';
import type { SocketWorkerOptions } from './worker-protocol.js';

/**
 * Reports an error as the logging error report, written synchronously to descriptor 2: a worker's process.stderr
 * goes through the logging thread, which does not read it any more once it waits in its exit hook.
 */
export function report(err: unknown, record: LogRecord | null = null): void {
  if (!state.raiseExceptions) return;
  try {
    writeStringSync(2, loggingErrorReport(record, err));
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * Rebuilds a record from its JSON (the codec's fallback) without running the constructor (Python's `makeLogRecord`,
 * fast path). JSON.parse makes any `__proto__` key an own data property, so giving the parsed object LogRecord's
 * prototype is safe.
 */
function decode(text: string): LogRecord {
  // measured (Node 20): Object.assign(Object.create(LogRecord.prototype), parsed) costs ~2 µs more per record
  return Object.setPrototypeOf(JSON.parse(text) as object, LogRecord.prototype) as LogRecord;
}

/** Records to handlers: each entry is decoded and `handle()`d by a QueueListener, as CPython's listener thread does. */
export class RecordSink implements Sink {
  ended = false;
  readonly dropped = 0;
  readonly stalled = false;
  readonly #listener: QueueListener;
  readonly #binary: BinaryReader<LogRecord>;
  readonly #flushEvery: number;
  #since = 0;

  constructor(listener: QueueListener, decoder: RecordDecoder, flushEvery: number) {
    this.#listener = listener;
    this.#binary = (bytes, view, start, end) => decoder.decode(bytes, view, start, end);
    this.#flushEvery = flushEvery;
  }

  take(ring: RingBuffer, max: number): number {
    const listener = this.#listener;
    let k = 0;
    while (k < max) {
      let record: LogRecord;
      try {
        const entry = ring.read(this.#binary);
        if (entry === null) break;
        if (entry === SENTINEL) {
          this.ended = true;
          break;
        }
        record = typeof entry === 'string' ? decode(entry) : entry;
      } catch (err) {
        report(err); // an undecodable entry is skipped (the ring frees it all the same)
        continue;
      }
      try {
        listener.handle(record);
      } catch (err) {
        reportError(err);
      }
      k++;
    }
    this.#since += k;
    return k;
  }

  room(): boolean {
    return true;
  }

  due(dry: boolean): boolean {
    return dry || this.#since >= this.#flushEvery;
  }

  mark(): () => void {
    this.#since = 0;
    return () => {};
  }

  async flush(): Promise<void> {
    await Promise.all(this.#listener.handlers.map((h) => h.flush()));
  }

  /** Closes the handlers (each failure reported, the others still closed). */
  async close(): Promise<void> {
    for (const h of this.#listener.handlers as Handler[]) {
      try {
        await h.close();
      } catch (err) {
        report(err);
      }
    }
  }
}

/** A binary entry's payload, copied out of the ring. */
const copyOut: BinaryReader<Buffer> = (bytes, _view, start, end) => Buffer.from(bytes.subarray(start, end));

/** Frames are copied out of the ring into blocks this large; each run handed on is a view of one. */
const BLOCK = 256 * 1024;
/**
 * A flush is begun each time this many more bytes were handed on, so the socket always has a batch to write and DONE
 * keeps up with what was delivered.
 */
const CHECKPOINT = 128 * 1024;
/**
 * Pickled frames to a SocketHandler made here with the logging thread's handler's settings. The handler owns the
 * connection, the backoff and the drop reports; this sink owns how much of the ring it holds.
 */
export class FrameSink implements Sink {
  ended = false;
  readonly #handler: SocketHandler;
  /**
   * The most bytes and frames handed on and not yet settled: the handler's own `maxBytes` and `capacity`. Frames
   * beyond them wait in the ring (and the logging thread's overflow), within their byte bounds, instead of being
   * dropped by a full backlog while the peer is up but the connection is new or slow. A smaller window only makes
   * the worker wait for flushes while the ring fills up behind it. measured (Node 20.20, 2-CPU VM, bench/network.ts
   * thread row × pino.transport, five runs each, alternating with the code before the worker host): a fixed 512 KiB
   * window 1.33× against 1.51× (medians); this bound 1.40× against 1.49×, and 1.41× against 1.57× in a second
   * series: still below the earlier code, by less than the row's run-to-run spread (docs/performance.md).
   */
  readonly #window: number;
  readonly #capacity: number;
  #block = Buffer.allocUnsafeSlow(BLOCK);
  #used = 0;
  /** Bytes and frames handed to the handler, and how many of them a finished flush covered. */
  #sent = 0;
  #frames = 0;
  #settled = 0;
  #settledFrames = 0;
  #marked = 0;
  /** True when the next frame does not fit in what is left of the window: wait for a flush. */
  #blocked = false;

  constructor(options: SocketWorkerOptions) {
    const { host, port, retryStart, retryFactor, retryMax, ...rest } = options;
    const handler = new SocketHandler(host, port, rest);
    handler.retryStart = retryStart;
    handler.retryFactor = retryFactor;
    handler.retryMax = retryMax;
    handler.handleError = (record, err) => report(err, record); // its drop reports, also while the process exits
    this.#handler = handler;
    this.#window = rest.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#capacity = typeof rest.capacity === 'number' ? rest.capacity : 1000;
  }

  get dropped(): number {
    return this.#handler.dropped;
  }

  get stalled(): boolean {
    return this.#unreachable() && !this.room(false);
  }

  /** True while the handler backs off after a failed connect: nothing it holds can go out before `retryTime`. */
  #unreachable(): boolean {
    return this.#handler.retryTime !== null;
  }

  room(force: boolean): boolean {
    if (force && this.#unreachable()) return true; // a flush gives it all up anyway: no reason to hold it back
    return !this.#blocked && this.#sent - this.#settled < this.#window && this.#frames - this.#settledFrames < this.#capacity;
  }

  /**
   * Hands the frames of the next run of entries to the handler: one copy out of the ring for the whole run, the
   * frames closed up over the ring's length words, then one item for all of them (counted as that many records).
   * measured (Node 20.20, --cpu-prof of this worker, 600k frames): a copy per frame was 17–21 % of its time.
   */
  take(ring: RingBuffer, max: number, force: boolean): number {
    const all = force && this.#unreachable();
    const bytesLeft = all ? Infinity : this.#window - (this.#sent - this.#settled);
    const framesLeft = all ? max : Math.min(max, this.#capacity - (this.#frames - this.#settledFrames));
    if (framesLeft <= 0) return 0;
    if (this.#block.length - this.#used < BLOCK / 4) {
      this.#block = Buffer.allocUnsafeSlow(BLOCK); // the old block stays alive while its views are queued
      this.#used = 0;
    }
    let n = ring.readEntries(this.#block, this.#used, Math.min(this.#block.length - this.#used, bytesLeft), framesLeft);
    if (n < 0) {
      if (-n > bytesLeft && this.#sent !== this.#settled) {
        this.#blocked = true; // a large frame: once what the handler holds is settled
        return 0;
      }
      this.#block = Buffer.allocUnsafeSlow(Math.max(BLOCK, -n)); // one large frame: a block of its own
      this.#used = 0;
      n = ring.readEntries(this.#block, 0, this.#block.length, 1);
    }
    if (n <= 0) return this.#takeOne(ring); // the ring looked empty, or the next entry is not a frame
    // The entries' frames moved together over their length words and padding, then handed on as one run.
    // measured (Node 20.20, 2-CPU VM, 6 × 200k records to a receiver thread, /proc/self/task CPU deltas, seven runs
    // each): this thread's CPU a record 0.69–0.80 µs against 0.91–1.06 µs with a view and a send() per frame. The
    // bench row's records/s did not move: the logging thread's 1.3–1.5 µs a record bounds it.
    const block = this.#block;
    const start = this.#used;
    let frames = 0;
    let w = start;
    for (let p = start, end = start + n; p < end; frames++) {
      const len = block.readInt32LE(p) & 0x3fffffff;
      block.copyWithin(w, p + 4, p + 4 + len);
      w += len;
      p += 4 + ((len + 3) & ~3);
    }
    this.#handler[sendFrames](block.subarray(start, w), frames);
    this.#used += n;
    this.#sent += n;
    this.#frames += frames;
    return frames;
  }

  /** Reads one entry, whatever it is: the sentinel ends, a frame (written since the ring looked empty) is sent. */
  #takeOne(ring: RingBuffer): number {
    const entry = ring.read(copyOut);
    if (entry === SENTINEL) this.ended = true;
    if (!Buffer.isBuffer(entry)) return 0; // empty, the sentinel, or text (never written by SocketThread): skipped
    this.#handler.send(entry);
    this.#sent += 4 + ((entry.length + 3) & ~3);
    this.#frames++;
    return 1;
  }

  due(dry: boolean): boolean {
    // Only while connected: a flush while it connects or backs off would give up what it could still deliver.
    if (this.#handler.sock === null) return false;
    return dry || this.#sent - this.#marked >= CHECKPOINT || !this.room(false);
  }

  mark(): () => void {
    const sent = (this.#marked = this.#sent);
    const frames = this.#frames;
    return () => {
      this.#settled = sent;
      this.#settledFrames = frames;
      this.#blocked = false;
    };
  }

  flush(): Promise<void> {
    return this.#handler.flush();
  }

  /** Closes the handler (what it still holds is delivered or given up, and reported). */
  close(): Promise<void> {
    return this.#handler.close();
  }
}
