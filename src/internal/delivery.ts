/**
 * A bounded FIFO with exactly one writer: how network handlers deliver without blocking the logging call
 * (SPEC "Synchronous surface, asynchronous delivery"; the shape follows sonic-boom's single in-flight write).
 *
 * ```
 *  emit() ──push()──▶ [ item | item | item | … ] ──one at a time──▶ write(item) ──▶ peer
 *                      capacity items at most;                        resolves: delivered
 *                      when full, push() drops and counts             rejects:  given up → onError
 * ```
 *
 * `write` owns retries and reconnection (it may wait for a peer to come back); the queue owns ordering, the bound,
 * drop accounting and `flush()`/`close()` promises. Nothing here throws into the caller.
 *
 * Optionally (`writeBatch`), the writer takes every waiting item at once, up to `maxBatch`, as sonic-boom merges the
 * chunks queued behind a write: one socket write for many records instead of one write and one callback each.
 */

/** What a {@link Delivery} is built with. */
export interface DeliveryOptions<T> {
  /** Delivers one item; resolves when it is with the peer, rejects to give it up (reported through `onError`). */
  write(item: T): Promise<void>;
  /**
   * Optional: delivers several waiting items in order, in one go; resolves when all are with the peer, rejects to
   * give them all up (`onError` is called for each). Used when two or more items wait; a lone item goes to `write`.
   */
  writeBatch?(items: T[]): Promise<void>;
  /** Most items passed to one `writeBatch` call. @default 1024 */
  maxBatch?: number;
  /** Most items kept waiting; a push beyond it is dropped and counted. */
  capacity: number;
  /** Called for an item given up by `write`; must not throw. */
  onError(err: unknown, item: T): void;
  /**
   * Called once per drop episode with the number of items dropped, when the episode ends: at the first successful
   * write after drops, or at `flush()`/`close()`. Must not throw.
   */
  onDrop(count: number): void;
  /** Called once after the last item, by `close()`; its promise is awaited. */
  teardown?(): Promise<void> | void;
}

/** A bounded queue drained by one writer. */
export class Delivery<T> {
  readonly #opts: DeliveryOptions<T>;
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #draining: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Items accepted so far, and items finished (delivered or given up) so far. */
  #accepted = 0;
  #finished = 0;
  #waiters: { until: number; resolve: () => void }[] = [];
  #episodeDrops = 0;
  readonly #maxBatch: number;
  #writing = 0;
  /** Items dropped since the handler was created (the queue was full, or the handler closed). */
  dropped = 0;

  constructor(options: DeliveryOptions<T>) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${String(options.capacity)}`);
    }
    if (options.maxBatch !== undefined && !(Number.isInteger(options.maxBatch) && options.maxBatch >= 1)) {
      throw new RangeError(`maxBatch must be a positive integer, got ${String(options.maxBatch)}`);
    }
    this.#opts = options;
    this.#maxBatch = options.writeBatch === undefined ? 1 : (options.maxBatch ?? 1024);
    this.#items = new Array<T | undefined>(Math.min(options.capacity, 1024));
  }

  /** Items waiting (not counting the one being written). */
  get pending(): number {
    return this.#size;
  }

  /** Items being written now: 0 or 1, or up to `maxBatch` with `writeBatch`. */
  get writing(): number {
    return this.#writing;
  }

  /** True while an item is being written or waits to be. */
  get busy(): boolean {
    return this.#draining !== null;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Queues `item`; false when it was dropped (queue full or closed). Synchronous; never throws. */
  push(item: T): boolean {
    if (this.#closing !== null || this.#size >= this.#opts.capacity) {
      this.dropped++;
      this.#episodeDrops++;
      return false;
    }
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
    this.#accepted++;
    this.#draining ??= this.#drain();
    return true;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(Math.min(old.length * 2, this.#opts.capacity));
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

  async #drain(): Promise<void> {
    while (this.#size > 0) {
      if (this.#size > 1 && this.#maxBatch > 1) {
        await this.#drainBatch();
        continue;
      }
      const item = this.#shift();
      this.#writing = 1;
      try {
        await this.#opts.write(item);
        this.#endEpisode();
      } catch (err) {
        try {
          this.#opts.onError(err, item);
        } catch {
          // onError must not throw; nothing left to tell
        }
      }
      this.#writing = 0;
      this.#finished++;
      this.#wake();
    }
    this.#draining = null; // set in the same tick as the empty check: no lost wake-up
  }

  async #drainBatch(): Promise<void> {
    const n = Math.min(this.#size, this.#maxBatch);
    const items = new Array<T>(n);
    for (let i = 0; i < n; i++) items[i] = this.#shift();
    this.#writing = n;
    try {
      await (this.#opts.writeBatch as (items: T[]) => Promise<void>)(items);
      this.#endEpisode();
    } catch (err) {
      for (const item of items) {
        try {
          this.#opts.onError(err, item);
        } catch {
          // onError must not throw; nothing left to tell
        }
      }
    }
    this.#writing = 0;
    this.#finished += n;
    this.#wake();
  }

  #endEpisode(): void {
    if (this.#episodeDrops === 0) return;
    const n = this.#episodeDrops;
    this.#episodeDrops = 0;
    try {
      this.#opts.onDrop(n);
    } catch {
      // must not throw
    }
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const done = this.#finished;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.until > done) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once every item accepted before the call is delivered or given up; reports pending drops. */
  flush(): Promise<void> {
    const until = this.#accepted;
    const p =
      this.#finished >= until ? Promise.resolve() : new Promise<void>((resolve) => this.#waiters.push({ until, resolve }));
    return p.then(() => this.#endEpisode());
  }

  /** Stops accepting, delivers what is queued, then tears down. Every call returns the first call's promise. */
  close(): Promise<void> {
    return (this.#closing ??= this.flush().then(async () => {
      this.#endEpisode();
      await this.#opts.teardown?.();
    }));
  }
}
