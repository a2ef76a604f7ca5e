/**
 * The delivery component every network handler shares (SPEC "Synchronous surface, asynchronous delivery"; the shape
 * follows sonic-boom's single in-flight write): a backlog bounded in bytes, one writer that connects with CPython's
 * backoff and writes in batches, `flush()`/`close()` that give up within a bounded time, and drop episodes reported
 * once each with an exact count and the reason.
 *
 * ```
 *  send() ─push()─▶ [ item | item | … ] ──batch──▶ link open? ── no ─▶ link.connect() (the handler's createSocket:
 *                   ≤ maxBytes (and capacity)        │ yes             attempt() gates it on retryTime, backs off)
 *                   over the bound: dropped 'full'   ▼                 still down: park until retryTime or a new
 *                                              write / writeBatch      record; flush()/close(): give up 'unreachable'
 *                                              ok: episode ends → onDrop(count, episode) once
 *                                              rejects: link.shut(), reconnect at once, a second failure backs off
 *  flush()/close(): give up what they cover when the peer is unreachable, or when nothing finishes for `timeout` s
 *  (a peer that is slow, silent or hung): the write in flight is abandoned and the link shut ('stalled')
 * ```
 *
 * Without a `link` the writer is connectionless (each `write` owns its request, as HTTP's): a rejection goes to
 * `onError` per item and nothing is retried. Nothing here throws into the caller.
 */
import { backOff, mayAttempt, type RetryState } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { DropLedger, type DropDetail } from './drop-ledger.js';
import { onExit } from './exit.js';

import { ItemsRejected, type DeliveryLink, type DeliveryOptions } from './delivery-options.js';

export type { DropEpisode, DropReason } from './drop-ledger.js';
export type { RetryState } from './backoff.js';
export { ItemsRejected, type DeliveryLink, type DeliveryOptions } from './delivery-options.js';

interface Waiter {
  until: number;
  resolve: () => void;
}

const isTimeout = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'ETIMEDOUT';

/** A bounded queue drained by one writer that (with a `link`) connects, backs off and retries. */
export class Delivery<T> {
  readonly #o: DeliveryOptions<T>;
  readonly #link: DeliveryLink | null;
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #sizeOf: ((item: T) => number) | null;
  readonly #countOf: (item: T) => number;
  readonly #write: (items: T | T[], many: boolean) => Promise<void>;
  readonly #maxBatch: number;
  readonly #retry: RetryState;
  readonly #clock: Clock;
  readonly #detail: DropDetail;
  /** Losses by reason and the open episode. */
  readonly ledger = new DropLedger();
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  /** Bytes, and records (by `countOf`), of the items queued or being written. */
  #bytes = 0;
  #records = 0;
  #writing = 0;
  #writingBytes = 0;
  #writingRecords = 0;
  /** The first item being written, for the report of its loss. */
  #writingFirst: T | undefined = undefined;
  #draining: Promise<void> | null = null;
  /** Bumped when the write in flight is abandoned: a writer of an older generation stops touching the state. */
  #gen = 0;
  #closing: Promise<void> | null = null;
  #closedReported = false;
  /** Items accepted so far (the next one's sequence number), and finished (delivered or given up). */
  #accepted = 0;
  #finished = 0;
  /** Items with a lower sequence number are given up rather than waited for (set by flush/close). */
  #giveUpBefore = 0;
  #waiters: Waiter[] = [];
  #watchdog: NodeJS.Timeout | null = null;
  #lastProgress = 0;
  #parked: (() => void) | null = null;
  #parkTimer: NodeJS.Timeout | null = null;
  #connecting: Promise<void> | null = null;
  /** Why the peer cannot be written to now: what items given up while it is so are counted as. */
  #down: 'unreachable' | 'stalled' = 'unreachable';
  readonly #offExit: (() => void) | null;

  constructor(options: DeliveryOptions<T>) {
    const { capacity, maxBytes, maxBatch, timeout } = options;
    if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
    }
    if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes >= 1)) {
      throw new RangeError(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    if (maxBatch !== undefined && !(Number.isInteger(maxBatch) && maxBatch >= 1)) {
      throw new RangeError(`maxBatch must be a positive integer, got ${String(maxBatch)}`);
    }
    if (timeout !== undefined && !(timeout > 0)) throw new RangeError(`timeout must be a positive number, got ${String(timeout)}`);
    this.#o = options;
    this.#link = options.link ?? null;
    this.#capacity = capacity ?? Infinity;
    this.#maxBytes = maxBytes ?? Infinity;
    this.#sizeOf = options.sizeOf === undefined ? null : (item) => options.sizeOf?.(item) ?? 0;
    this.#countOf = options.countOf === undefined ? () => 1 : (item) => options.countOf?.(item) ?? 1;
    const batched = options.writeBatch !== undefined;
    this.#write = (items, many) => (many ? (options.writeBatch?.(items as T[]) ?? Promise.resolve()) : options.write(items as T));
    this.#maxBatch = batched ? (maxBatch ?? 1024) : 1;
    this.#retry = options.retry ?? { retryStart: 1, retryFactor: 2, retryMax: 30, retryTime: null, retryPeriod: null };
    this.#clock = options.clock ?? systemClock;
    this.#items = new Array<T | undefined>(Math.min(this.#capacity, 1024));
    const bounds = [maxBytes === undefined ? '' : formatBytes(maxBytes), capacity === undefined ? '' : `capacity ${capacity}`];
    this.#detail = { bound: bounds.filter(Boolean).join(', '), stallSeconds: timeout ?? 0 };
    this.#offExit = options.exitReport ? exitHook(new WeakRef(this)) : null;
  }

  /** Items waiting (not counting those being written). */
  get pending(): number {
    return this.#size;
  }

  /** Items being written now. */
  get writing(): number {
    return this.#writing;
  }

  /** Bytes of the items queued or being written (by `sizeOf`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** True while an item is being written or waits to be. */
  get busy(): boolean {
    return this.#draining !== null;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Items dropped since the start, for every reason. */
  get dropped(): number {
    return this.ledger.total;
  }

  /**
   * Queues `item`; false when it was dropped (over a bound: `'full'`; after `close()`: `'closed'`, the first such
   * drop reported at once). A push is also when a parked writer retries its connection, as CPython's `emit()` is.
   * Synchronous; never throws.
   */
  push(item: T): boolean {
    if (this.#parked !== null) this.#wake();
    if (this.#closing !== null) {
      this.ledger.add('closed', this.#countOf(item), item);
      if (!this.#closedReported) {
        this.#closedReported = true;
        this.#endEpisode();
      }
      return false;
    }
    const size = this.#sizeOf === null ? 0 : this.#sizeOf(item);
    if (this.#size >= this.#capacity || this.#bytes + size > this.#maxBytes) {
      this.ledger.add('full', this.#countOf(item), item);
      return false;
    }
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
    this.#bytes += size;
    this.#records += this.#countOf(item);
    this.#accepted++;
    this.#draining ??= this.#drain(this.#gen);
    return true;
  }

  /**
   * CPython's `createSocket()` rule around `open`: tries it unless `retryTime` has not come; on failure backs off
   * (`retryStart`, ×`retryFactor`, at most `retryMax`) and keeps the error for the drop report; on success clears
   * `retryTime`. Concurrent calls share one attempt. Never rejects.
   */
  attempt(open: () => Promise<void>): Promise<void> {
    return (this.#connecting ??= this.#attempt(open).finally(() => (this.#connecting = null)));
  }

  async #attempt(open: () => Promise<void>): Promise<void> {
    const now = this.#clock.now();
    if (!mayAttempt(this.#retry, now)) return;
    try {
      await open();
      this.#retry.retryTime = null;
    } catch (err) {
      this.ledger.cause = err;
      this.#down = 'unreachable';
      backOff(this.#retry, now);
    }
  }

  /** Resolves once every item accepted before the call is delivered or given up; then reports the open episode. */
  flush(): Promise<void> {
    const until = this.#accepted;
    if (until > this.#giveUpBefore) this.#giveUpBefore = until;
    if (this.#parked !== null) this.#wake();
    let p: Promise<void>;
    if (this.#finished >= until) {
      p = Promise.resolve();
    } else {
      p = new Promise<void>((resolve) => this.#waiters.push({ until, resolve }));
      this.#armWatchdog();
    }
    return p.then(() => this.#endEpisode());
  }

  /** Stops accepting, delivers or gives up what is queued (as `flush()`), then tears down. Same promise every call. */
  close(): Promise<void> {
    return (this.#closing ??= this.flush().then(async () => {
      this.#endEpisode();
      this.#offExit?.();
      this.#clearPark();
      await this.#connecting;
      await this.#o.teardown?.();
      this.#endEpisode(); // what the teardown lost (bytes still in a socket's buffer when it closed)
    }));
  }

  /** The 'exit' hook: what is still queued is lost; the open episode and that are reported. */
  reportAtExit(): void {
    const first = this.#writing > 0 ? this.#writingFirst : this.#size > 0 ? this.#items[this.#head] : undefined;
    this.ledger.add('exit', this.#records, first);
    this.#endEpisode();
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(Math.min(old.length * 2, this.#capacity));
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) % old.length];
    this.#items = next;
    this.#head = 0;
  }

  #shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return item;
  }

  async #drain(gen: number): Promise<void> {
    while (this.#size > 0) {
      const n = Math.min(this.#size, this.#maxBatch);
      const seq = this.#accepted - this.#size;
      const sizeOf = this.#sizeOf;
      let bytes = 0;
      let records = 0;
      let one: T | null = null;
      let many: T[] | null = null;
      if (n === 1) {
        one = this.#shift();
        if (sizeOf !== null) bytes = sizeOf(one);
        records = this.#countOf(one);
      } else {
        many = new Array<T>(n);
        for (let i = 0; i < n; i++) {
          const item = this.#shift();
          many[i] = item;
          if (sizeOf !== null) bytes += sizeOf(item);
          records += this.#countOf(item);
        }
      }
      this.#writing = n;
      this.#writingBytes = bytes;
      this.#writingRecords = records;
      this.#writingFirst = one ?? (many as T[])[0];
      if (this.#link === null) await this.#writeOnce(one, many, gen);
      else await this.#deliver(this.#link, one, many, seq, gen);
      if (gen !== this.#gen) return; // abandoned by the watchdog, which counted these and started a new writer
      this.#finish(n, bytes, records);
    }
    this.#draining = null; // set in the same tick as the empty check: no lost wake-up
    this.#link?.idle?.();
  }

  #finish(n: number, bytes: number, records: number): void {
    this.#writing = 0;
    this.#writingBytes = 0;
    this.#writingRecords = 0;
    this.#writingFirst = undefined;
    this.#bytes -= bytes;
    this.#records -= records;
    this.#finished += n;
    this.#lastProgress = performance.now();
    if (this.#waiters.length > 0) this.#wakeWaiters();
  }

  /** Connectionless: one attempt; a rejection goes to `onError` per item. */
  async #writeOnce(one: T | null, many: T[] | null, gen: number): Promise<void> {
    try {
      await this.#write(many ?? (one as T), many !== null);
      this.#endEpisode();
    } catch (err) {
      if (gen !== this.#gen) return; // abandoned: already counted as given up
      if (this.#o.onError === undefined) {
        this.ledger.cause = err;
        this.ledger.add('rejected', this.#writingRecords, this.#writingFirst);
        return;
      }
      for (const item of many ?? [one as T]) {
        try {
          this.#o.onError(err, item);
        } catch {
          // onError must not throw; nothing left to tell
        }
      }
    }
  }

  /**
   * With a link: connects (or waits for the retry time), writes, and on a failed write shuts the link and retries
   * at once; a second failure, or a timed-out write, backs off. Items `flush()`/`close()` cover are given up
   * (`'unreachable'`) once the peer cannot be reached now. Never rejects.
   */
  async #deliver(link: DeliveryLink, one: T | null, many: T[] | null, seq: number, gen: number): Promise<void> {
    const n = this.#writingRecords;
    const first = this.#writingFirst;
    let failures = 0;
    for (;;) {
      if (!link.isOpen()) await link.connect();
      if (gen !== this.#gen) return;
      if (!link.isOpen()) {
        if (seq < this.#giveUpBefore) return this.ledger.add(this.#down, n, first);
        await this.#park();
        if (gen !== this.#gen) return;
        continue;
      }
      try {
        await this.#write(many ?? (one as T), many !== null);
        this.#endEpisode(); // the outage, if any, is over
        return;
      } catch (err) {
        if (gen !== this.#gen) return;
        if (err instanceof ItemsRejected) {
          this.ledger.cause = err.cause;
          return this.ledger.add('rejected', err.count, first);
        }
        this.ledger.cause = err;
        this.#down = isTimeout(err) ? 'stalled' : 'unreachable';
        link.shut();
        // CPython reconnects at once after a failed send; a second failure for the same items backs off.
        if (++failures >= 2 || isTimeout(err)) backOff(this.#retry, this.#clock.now());
        if (seq < this.#giveUpBefore && this.#retry.retryTime !== null) {
          return this.ledger.add(this.#down, n, first);
        }
      }
    }
  }

  /** Waits until the retry time comes or something happens (a new record, flush, close). */
  #park(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#parked = resolve;
      const t = this.#retry.retryTime;
      const ms = t === null ? 0 : Math.max(0, (t - this.#clock.now()) * 1000);
      this.#parkTimer = setTimeout(() => this.#wake(), Math.min(ms, 2 ** 31 - 1));
      this.#parkTimer.unref(); // STYLE §3: a backoff never holds the process open (the exit report tells)
    });
  }

  #wake(): void {
    const resolve = this.#parked;
    this.#clearPark();
    resolve?.();
  }

  #clearPark(): void {
    if (this.#parkTimer !== null) clearTimeout(this.#parkTimer);
    this.#parkTimer = null;
    this.#parked = null;
  }

  #wakeWaiters(): void {
    const done = this.#finished;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.until > done) return true;
      w.resolve();
      return false;
    });
    if (this.#waiters.length === 0 && this.#watchdog !== null) {
      clearTimeout(this.#watchdog);
      this.#watchdog = null;
    }
  }

  /** The give-up bound: while someone waits, `timeout` seconds with nothing finished abandon what they wait for. */
  #armWatchdog(): void {
    const timeout = this.#o.timeout;
    if (timeout === undefined || this.#watchdog !== null) return;
    this.#lastProgress = performance.now();
    const check = (): void => {
      this.#watchdog = null;
      if (this.#waiters.length === 0) return;
      const left = timeout * 1000 - (performance.now() - this.#lastProgress);
      if (left > 0) {
        this.#watchdog = setTimeout(check, left);
        return;
      }
      this.#abandon();
    };
    this.#watchdog = setTimeout(check, timeout * 1000);
  }

  /** Gives up the write in flight and every queued item a waiter covers (`'stalled'`), and shuts the link. */
  #abandon(): void {
    let until = 0;
    for (const w of this.#waiters) until = Math.max(until, w.until);
    let lost = this.#writing;
    let bytes = this.#writingBytes;
    let records = this.#writingRecords;
    let first = this.#writing > 0 ? this.#writingFirst : undefined;
    this.#gen++;
    this.#clearPark();
    this.#link?.shut();
    const sizeOf = this.#sizeOf;
    while (this.#size > 0 && this.#accepted - this.#size < until) {
      const item = this.#shift();
      if (sizeOf !== null) bytes += sizeOf(item);
      records += this.#countOf(item);
      first ??= item;
      lost++;
    }
    const seconds = this.#o.timeout as number;
    this.ledger.cause = Object.assign(new Error(`timed out: nothing delivered for ${seconds} s`), { code: 'ETIMEDOUT' });
    this.ledger.add('stalled', records, first);
    this.#finish(lost, bytes, records);
    this.#draining = this.#size > 0 ? this.#drain(this.#gen) : null;
    this.#armWatchdog();
  }

  #endEpisode(): void {
    if (this.ledger.open === 0) return;
    const ep = this.ledger.take(this.#detail);
    if (ep === null) return;
    try {
      this.#o.onDrop(ep.count, ep);
    } catch {
      // must not throw
    }
  }
}

/** The process-exit report, holding the delivery only weakly (a forgotten handler is not kept alive by it). */
function exitHook(ref: WeakRef<{ reportAtExit(): void }>): () => void {
  return onExit(() => ref.deref()?.reportAtExit());
}

/** `67108864` → `'64 MiB'`. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
