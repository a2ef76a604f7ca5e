/**
 * SocketHandler: CPython's wire format (a 4-byte big-endian length, then a protocol-1 pickle of the record's
 * attribute dict) over TCP and unix stream sockets, delivered without blocking the logging call. DatagramHandler
 * (datagram.ts) is the same with one datagram per record.
 *
 * ```
 *  emit() ─makePickle()─▶ send() ─push─▶ Delivery (≤ capacity) ─one at a time─▶ #deliver(item)
 *                                        full → dropped++                        ├─ sock? else createSocket() (backoff)
 *                                                                                ├─ peer down: park until retryTime or
 *                                                                                │  a new record; give up if flushing
 *                                                                                └─ _transmit(sock, bytes)
 * ```
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { net } from '../internal/builtins.js';
import { Handler } from '../core/handler.js';
import { RecordsDroppedError } from '../core/errors.js';
import { WARNING, type Level } from '../core/levels.js';
import { makeLogRecord, type LogRecord } from '../core/record.js';
import { systemClock, type Clock } from '../internal/clock.js';
import { Delivery } from '../internal/delivery.js';
import { onExit } from '../internal/exit.js';
import { dumpsRecordShared } from '../internal/pickle-record.js';
import { SocketThread } from './socket-thread.js';
import { dumpsFramed, dumpsFramedShared, PyDict, releaseShared, PyFloat, PyStr } from '../internal/pickle.js';
import { writeStream, coalesce } from '../internal/stream-write.js';
import { UnixDgramSocket } from '../internal/unix-dgram.js';
import { checkOptions, optionKeys } from '../internal/options.js';

/** Options of {@link SocketHandler} and {@link DatagramHandler}. */
export interface SocketHandlerOptions {
  /** The handler's level. @default NOTSET */
  level?: Level;
  /**
   * Most pickled records kept while the peer is down or slow; beyond it records are dropped and counted. CPython
   * keeps none (it drops while backing off). 1000 typical records (≈ 500 bytes pickled, REFERENCE §3.5) are about
   * 0.5 MB, and cover a 30 s `retryMax` outage at 33 records/s. @default 1000
   */
  capacity?: number;
  /** Seconds a connect or a stalled write may take before the connection is dropped; CPython's `makeSocket(timeout=1)`. @default 1 */
  timeout?: number;
  /** Time source for `retryTime` (tests inject one). @default the system clock */
  clock?: Clock;
  /**
   * Beyond CPython, opt-in: write from a worker thread, as pino's transports do. The logging thread still pickles
   * each record (so `makePickle`/`send` overrides apply) and copies the frame into a shared ring; a worker thread
   * runs a SocketHandler of its own with this handler's `host`, `port`, `capacity`, `timeout` and retry settings
   * (read when constructed) and delivers. `true`, or the ring's and overflow's sizes in bytes. See the README.
   * @default false
   */
  thread?: boolean | SocketThreadSettings;
}

/** The sizes of a threaded SocketHandler's shared ring and overflow, and where its worker's code is. */
export interface SocketThreadSettings {
  /** Bytes of shared ring (a record larger than it is dropped). @default 4 MiB */
  bufferSize?: number;
  /** Bytes of logging-thread memory that hold frames while the ring is full. @default 16 MiB */
  overflowSize?: number;
  /** The worker's entry file, for bundled applications. @default new URL('./socket-thread-main.js', import.meta.url) */
  workerUrl?: string | URL;
  /** Seconds the process waits at exit for the worker to deliver. @default 10 */
  exitTimeout?: number;
}

/**
 * What a {@link DatagramHandler} holds in `sock`: a `dgram.Socket` for UDP, or, for `DatagramHandler(path, null)`, a
 * unix datagram socket from the optional `unix-dgram` addon, wrapped with `connect(path)`, `send(buf): Promise` and
 * `close()`.
 */
export type DatagramSocket = DgramSocket | UnixDgramSocket;

/**
 * Most records merged into one write (≈ 500 bytes each pickled, so ≈ 32 KiB).
 * measured (Node 20.20, 100k records to a local TCP receiver, 2-3 interleaved runs each, total records/s):
 * 1 → 75-98 k, 16 → 125-200 k, 32 → 80-180 k, 64 → 145-245 k, 128 → 115-160 k, 256 → 147-160 k, 1024 → 145-170 k.
 */
const MAX_BATCH = 64;

/** Why the writer stopped trying an item. */
class GaveUp extends Error {}

const THREAD_KEYS = optionKeys<SocketThreadSettings>()(['bufferSize', 'overflowSize', 'workerUrl', 'exitTimeout']);

/** Every option of {@link SocketHandlerOptions} (DatagramHandler's too). */
export const SOCKET_KEYS = optionKeys<SocketHandlerOptions>()([
  'level', 'capacity', 'timeout', 'clock', 'thread',
]);

/**
 * Python's `logging.handlers.SocketHandler(host, port)`: pickles each record and sends it over TCP, or over a unix
 * stream socket at `host` when `port` is null. Wire-compatible with CPython's receivers.
 *
 * Differs from CPython: `emit()` never blocks. Records wait in a bounded backlog (`capacity`) while the peer is down;
 * reconnects back off as CPython's (`retryStart` 1 s, ×`retryFactor` 2, up to `retryMax` 30 s), attempted when a
 * record arrives or the retry time comes. Records beyond the backlog are dropped, counted in {@link dropped} and
 * reported through `handleError` once per outage. `flush()` and `close()` do not wait for a peer that is down: what
 * they cover is given up (and reported) unless a connection succeeds. `emit()` after `close()` drops the record and
 * reports it at once.
 */
export class SocketHandler<S extends object = Socket> extends Handler {
  /** As given. */
  readonly host: string;
  /** As given; null means a unix socket at `host`. */
  readonly port: number | null;
  /** Python's `address`: `[host, port]`, or the path. */
  readonly address: string | readonly [string, number];
  /** The connected socket, or null while there is none. */
  sock: S | null = null;
  /** When set, `handleError` silently closes the socket (reopened by the next record) instead of reporting. */
  closeOnError = false;
  /** Seconds since the epoch before which no reconnect is tried; null after a success. */
  retryTime: number | null = null;
  /** First backoff, in seconds. */
  retryStart = 1.0;
  /** Longest backoff, in seconds. */
  retryMax = 30.0;
  /** Backoff growth per failed attempt. */
  retryFactor = 2.0;
  /** The current backoff (seconds); set by `createSocket()`. */
  retryPeriod = 0;
  /** Seconds allowed for a connect or a stalled write. */
  readonly timeout: number;
  /** The time source of `retryTime` and the backoff (the `clock` option), for subclasses that schedule too. */
  protected readonly clock: Clock;
  readonly #delivery: Delivery<Buffer>;
  #accepted = 0;
  #started = 0;
  #giveUpBefore = 0;
  #dropped = 0;
  #unreported = 0;
  #lastError: unknown = null;
  #wake: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #emitting: LogRecord | null = null;
  #connecting: Promise<void> | null = null;
  readonly #offExit: () => void;
  /** The writer thread in `thread` mode, else null. */
  readonly #thread: SocketThread | null = null;

  /** Python's `SocketHandler(host, port)`, for dictConfig and fileConfig. */
  static override pySignature: typeof Handler.pySignature = { params: ['host', 'port'], required: 2 };
  constructor(host: string, port: number | null, options: SocketHandlerOptions = {}) {
    if (new.target === SocketHandler) checkOptions('SocketHandler', options, SOCKET_KEYS);
    if (typeof options.thread === 'object') checkOptions(`${new.target.name} thread`, options.thread, THREAD_KEYS);
    super(validateOptions(options).level);
    if (typeof host !== 'string') throw new TypeError(`host must be a string, got ${typeof host}`);
    if (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new RangeError(`port must be an integer in 0..65535 or null, got ${String(port)}`);
    }
    const timeout = options.timeout ?? 1;
    this.host = host;
    this.port = port;
    this.address = port === null ? host : [host, port];
    this.timeout = timeout;
    this.clock = options.clock ?? systemClock;
    // measured (Node 20.20, 100k records to a local TCP receiver): one write and one callback per record delivered
    // 75-98 k records/s; the records queued behind a write merged into one (as sonic-boom does), 145-245 k (see
    // MAX_BATCH). Only for the stream transport as written here: a subclass's own _transmit (DatagramHandler's one
    // datagram per record) keeps getting one record per call.
    const batch = this._transmit === SocketHandler.prototype._transmit;
    this.#delivery = new Delivery<Buffer>({
      capacity: options.capacity ?? 1000,
      write: (bytes) => this.#deliver(bytes),
      ...(batch ? { writeBatch: (items: Buffer[]) => this.#deliverBatch(items), maxBatch: MAX_BATCH } : {}),
      onError: (err) => this.#drop(1, err instanceof GaveUp ? null : err),
      onDrop: () => {}, // counted in send(), reported per outage by #report()
      teardown: () => this.#teardown(),
    });
    this.#offExit = onExit(() => this.#reportAtExit());
    if (options.thread) this.#thread = this.#startThread(options, options.thread === true ? {} : options.thread);
  }

  #startThread(options: SocketHandlerOptions, settings: SocketThreadSettings): SocketThread {
    const proto = SocketHandler.prototype;
    if (this._transmit !== proto._transmit || this.makeSocket !== proto.makeSocket || this.createSocket !== proto.createSocket) {
      throw new TypeError(
        `thread mode writes with a plain SocketHandler in the worker: ${this.constructor.name} overrides how it ` +
          'connects or transmits (makeSocket, createSocket or _transmit), which would not run there',
      );
    }
    const bufferSize = settings.bufferSize ?? 4 * 1024 * 1024;
    const overflowSize = settings.overflowSize ?? 16 * 1024 * 1024;
    const exitTimeout = settings.exitTimeout ?? 10;
    if (!Number.isInteger(overflowSize) || overflowSize < 0) {
      throw new RangeError(`thread.overflowSize must be a whole number of bytes >= 0, got ${String(overflowSize)}`);
    }
    if (typeof exitTimeout !== 'number' || !(exitTimeout >= 0)) {
      throw new RangeError(`thread.exitTimeout must be a number of seconds >= 0, got ${String(exitTimeout)}`);
    }
    return new SocketThread(
      {
        host: this.host,
        port: this.port,
        capacity: options.capacity ?? 1000,
        timeout: this.timeout,
        retryStart: this.retryStart,
        retryFactor: this.retryFactor,
        retryMax: this.retryMax,
      },
      {
        bufferSize,
        overflowSize,
        exitTimeout,
        workerUrl: settings.workerUrl ?? new URL('./socket-thread-main.js', import.meta.url),
      },
    );
  }

  /** Records dropped since the handler was created (backlog full, given up, or sent after close). */
  get dropped(): number {
    return this.#dropped + (this.#thread?.workerDropped ?? 0);
  }

  /**
   * Opens a connection: TCP to `[host, port]`, or a unix stream socket at `host` when `port` is null. Resolves once
   * connected; rejects on error or after `timeout` seconds. Override to connect differently (e.g. TLS).
   */
  makeSocket(timeout: number = this.timeout): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      const { createConnection } = net();
      const sock = this.port === null ? createConnection({ path: this.host }) : createConnection({ host: this.host, port: this.port });
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      };
      // Timers run before the poll phase: after a long synchronous burst of records the timeout could fire before a
      // connect that completed meanwhile is seen. One setImmediate lets pending I/O events through first.
      // measured (Node 20.20, 100k records logged in one loop, ~2 s): the first record was given up as "timed out".
      const timer = setTimeout(() => {
        setImmediate(() => fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      }, timeout * 1000);
      timer.unref();
      sock.once('error', fail);
      sock.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.off('error', fail);
        resolve(sock as unknown as S);
      });
    });
  }

  /**
   * Python's `createSocket()`: tries `makeSocket()` unless the retry time has not come; on failure sets `retryTime`
   * to now + the backoff (`retryStart`, then ×`retryFactor`, at most `retryMax`). Never rejects.
   */
  createSocket(): Promise<void> {
    return (this.#connecting ??= this.#createSocket().finally(() => (this.#connecting = null)));
  }

  async #createSocket(): Promise<void> {
    const now = this.clock.now();
    if (this.retryTime !== null && now < this.retryTime) return;
    try {
      const sock = await this.makeSocket();
      this.#adopt(sock);
      this.sock = sock;
      this.retryTime = null;
    } catch (err) {
      this.#lastError = err;
      this.#backoff(now);
    }
  }

  #backoff(now: number): void {
    if (this.retryTime === null) this.retryPeriod = this.retryStart;
    else this.retryPeriod = Math.min(this.retryPeriod * this.retryFactor, this.retryMax);
    this.retryTime = now + this.retryPeriod;
  }

  /** Watches a new socket: its errors never go unhandled, and a peer that closes it clears `sock`. */
  #adopt(sock: S): void {
    if (sock instanceof net().Socket) {
      sock.on('error', (err) => (this.#lastError = err));
      sock.on('close', () => {
        if (this.sock === (sock as S)) this.sock = null;
      });
      // A write that makes no progress for `timeout` seconds: CPython's socket timeout on sendall.
      sock.setTimeout(this.timeout * 1000, () => {
        if (sock.writableLength > 0) sock.destroy(Object.assign(new Error('write timed out'), { code: 'ETIMEDOUT' }));
      });
      sock.unref();
    } else if (!(sock instanceof UnixDgramSocket)) {
      (sock as DgramSocket).on('error', (err) => (this.#lastError = err));
    }
  }

  /**
   * Python's `makePickle(record)`: a 4-byte big-endian length and `pickle.dumps(d, 1)` of the record's attribute
   * dict, with `msg` merged (`getMessage()`), `args` and `exc_info` None and `message` removed. A record with
   * `exc_info` is formatted first, so `exc_text` holds the traceback (set on the record itself, as in CPython).
   * @throws What `getMessage()` or `format()` throws (a bad format or argument count); `emit()` reports it.
   */
  makePickle(record: LogRecord): Buffer {
    return dumpsFramed(this.#dict(record));
  }

  /** What {@link makePickle} pickles; `msg` when the message was made already, `formatted` when `exc_text` was. */
  #dict(record: LogRecord, msg: string | null = null, formatted = false): PyDict {
    if (!formatted && record.exc_info) this.format(record);
    // CPython: d = dict(record.__dict__); d['msg'] = getMessage(); d['args'] = d['exc_info'] = None; d.pop('message').
    // measured (Node 20.20, a 21-field record, medians of 3 interleaved runs): the entries straight into a PyDict,
    // instead of a null-prototype object (dictionary mode after the delete) that the pickler lists again, and the
    // length prefix written by dumpsFramed instead of a second buffer and copy: makePickle 5.8 µs → 4.1 µs.
    const keys = Object.keys(record);
    msg ??= record.getMessage();
    const entries: [string, unknown][] = [];
    let seen = 0; // msg, args, exc_info present (bits 1, 2, 4)
    let pathname = -1;
    let filename = -1;
    let module = -1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let v: unknown;
      switch (key) {
        case 'message':
          continue; // bpo-25685: redundant with msg
        case 'msg':
          seen |= 1;
          v = msg;
          break;
        case 'args':
          seen |= 2;
          v = null;
          break;
        case 'exc_info':
          seen |= 4;
          v = null;
          break;
        case 'created':
        case 'msecs':
        case 'relativeCreated':
          v = record[key];
          if (typeof v === 'number') v = new PyFloat(v);
          break;
        default:
          v = record[key];
          if (key === 'pathname') pathname = entries.length;
          else if (key === 'filename') filename = entries.length;
          else if (key === 'module') module = entries.length;
      }
      entries.push([key, v]);
    }
    if (!(seen & 1)) entries.push(['msg', msg]);
    if (!(seen & 2)) entries.push(['args', null]);
    if (!(seen & 4)) entries.push(['exc_info', null]);
    shareLikeOsPath(entries, pathname, filename, module);
    return new PyDict(entries);
  }

  /**
   * Python's `send(s)`: queues the bytes for delivery and returns at once. When the backlog is full (or the handler
   * is closed) the bytes are dropped and counted. Never throws.
   */
  send(s: Uint8Array): void {
    this.#send(Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength));
  }

  /** {@link send}; false when the bytes were dropped. */
  #send(bytes: Buffer): boolean {
    const thread = this.#thread;
    if (thread !== null) {
      // the frame is copied into the ring: its slab space is free again at once (no fresh memory per record)
      const kept = thread.put(bytes);
      releaseShared(bytes);
      if (kept) {
        this.#accepted++;
        return true;
      }
      this.#drop(1, null);
      if (thread.closed) this.#report('the handler is closed');
      return false;
    }
    const accepted = this.#delivery.push(bytes);
    this.#poke(); // a new record is when CPython retries a connection, queued or not
    if (accepted) {
      this.#accepted++;
      return true;
    }
    this.#drop(1, null);
    if (this.#delivery.closed) this.#report('the handler is closed');
    return false;
  }

  /** Python's `emit`: `send(makePickle(record))`; failures go to `handleError`. Never throws, never blocks. */
  override emit(record: LogRecord): void {
    this.#emitting = record;
    try {
      // measured (Node 20.20, 200k records to a local TCP receiver, 20k warm-up, median of 7 interleaved runs on a
      // shared 2-CPU machine): a fresh Buffer per record (scratch buffer + copy), batches corked into a writev,
      // 125 k records/s; pickled straight into a shared 64 KiB slab, its views queued and each batch's adjacent
      // views written as one region (coalesce), 137 k. CPU profile: createUnsafeBuffer + _copyActual (35 %) gone, but
      // most of that time (first touch of fresh memory: 200k records queued at once) reappears in the pickler's #str.
      // An overridden makePickle or send is called as CPython does (and gets a standalone Buffer).
      if (this.makePickle === SocketHandler.prototype.makePickle && this.send === SocketHandler.prototype.send) {
        if (record.exc_info) this.format(record);
        const thread = this.#thread;
        let msg: string | null = null;
        if (thread !== null) {
          // thread mode: the frame is pickled straight into the shared ring when there is room for it in one piece
          msg = record.getMessage();
          if (thread.putRecord(record, msg)) {
            this.#accepted++;
            return;
          }
        }
        const fast = dumpsRecordShared(record, msg);
        const bytes = typeof fast === 'object' && fast !== null ? fast : dumpsFramedShared(this.#dict(record, fast, true));
        if (!this.#send(bytes)) releaseShared(bytes); // dropped: nothing holds it
      } else {
        this.send(this.makePickle(record));
      }
    } catch (err) {
      this.handleError(record, err);
    } finally {
      this.#emitting = null;
    }
  }

  /**
   * Python's `handleError`: with `closeOnError` and an open socket, closes it silently (the next record reconnects);
   * otherwise the standard report. Drop reports ({@link RecordsDroppedError}) are always reported.
   */
  override handleError(record: LogRecord, err?: unknown): void {
    if (this.closeOnError && this.sock !== null && !(err instanceof RecordsDroppedError)) {
      this.#closeSock();
    } else {
      super.handleError(record, err);
    }
  }

  /**
   * Resolves when every record accepted so far has been delivered or given up. Does not wait for a peer that is
   * down: records still waiting for it are given up (and reported) unless a reconnect, tried when the retry time
   * has come, succeeds.
   */
  override async flush(): Promise<void> {
    if (this.#thread !== null) {
      await this.#thread.flush();
      this.#report('the writer thread could not take them');
      return;
    }
    this.#giveUpBefore = this.#accepted;
    this.#poke();
    await this.#delivery.flush();
    this.#report('the peer was unreachable');
  }

  /** Delivers or gives up what is queued (as `flush()`), then closes the socket. Safe to call twice. */
  override async close(): Promise<void> {
    if (this.#thread !== null) {
      await this.#thread.close();
      this.#report('the writer thread could not take them');
      this.#offExit();
      await super.close();
      return;
    }
    if (!this.#delivery.closed) {
      this.#giveUpBefore = this.#accepted;
      this.#poke();
    }
    await this.#delivery.close();
    await super.close();
  }

  /**
   * Writes one item on `sock`; resolves once the bytes are with the OS. Override with {@link send}'s transport
   * (DatagramHandler sends one datagram).
   */
  protected _transmit(sock: S, data: Buffer): Promise<void> {
    return writeStream(sock as unknown as Socket, data);
  }

  /** True when a failed transmit should give the item up at once (a datagram) rather than retry it. */
  protected _dropOnTransmitError(): boolean {
    return false;
  }

  /** The writer: delivers one item, reconnecting with backoff; rejects (GaveUp/the error) to give it up. */
  async #deliver(data: Buffer, failedBefore = 0): Promise<void> {
    const seq = this.#started++;
    let failures = failedBefore;
    for (;;) {
      if (this.sock === null) await this.createSocket();
      const sock = this.sock;
      if (sock === null) {
        if (seq < this.#giveUpBefore) throw new GaveUp('peer unreachable');
        await this.#park();
        continue;
      }
      try {
        await this._transmit(sock, data);
        this.#idle(sock);
        this.#report('the peer was unreachable'); // the outage, if any, is over
        return;
      } catch (err) {
        this.#lastError = err;
        if (this.sock === sock) this.#closeSock();
        if (this._dropOnTransmitError()) throw err;
        // CPython reconnects at once after a failed send; a second failure for the same record backs off.
        if (++failures >= 2 || (err as { code?: unknown }).code === 'ETIMEDOUT') this.#backoff(this.clock.now());
        if (seq < this.#giveUpBefore && this.retryTime !== null) throw err;
      }
    }
  }

  /**
   * The writer for several queued records: one write of their concatenation on a connected socket. When there is
   * no socket, or that write fails, each record goes through {@link #deliver} in turn (reconnect, backoff, give-up
   * rules as for one record; the failed write counts as each one's first failure). Never rejects.
   */
  async #deliverBatch(items: Buffer[]): Promise<void> {
    const sock = this.sock;
    let failures = 0;
    if (sock !== null) {
      const first = this.#started;
      this.#started += items.length;
      try {
        await writeStream(sock as unknown as Socket, coalesce(items)); // only batched when _transmit is ours
        this.#idle(sock);
        this.#report('the peer was unreachable');
        return;
      } catch (err) {
        this.#lastError = err;
        if (this.sock === sock) this.#closeSock();
        this.#started = first + items.length;
        if (this._dropOnTransmitError()) throw err; // the Delivery gives up each record of the batch
        if ((err as { code?: unknown }).code === 'ETIMEDOUT') this.#backoff(this.clock.now());
        this.#started = first;
        failures = 1;
      }
    }
    for (const item of items) {
      try {
        await this.#deliver(item, failures);
      } catch (err) {
        this.#drop(1, err instanceof GaveUp ? null : err);
      }
      failures = 0;
    }
  }

  /** Lets a socket with nothing left to send stop holding the process open. */
  #idle(sock: S): void {
    if (this.#delivery.pending > 0) return;
    if (sock instanceof net().Socket) sock.unref();
    else if (sock instanceof UnixDgramSocket && this.sock === sock) this.#closeSock(); // no unref(): reopen per burst
  }

  /** Waits until the retry time comes or something happens (a new record, flush, close). */
  #park(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      const ms = this.retryTime === null ? 0 : Math.max(0, (this.retryTime - this.clock.now()) * 1000);
      this.#timer = setTimeout(() => this.#poke(), Math.min(ms, 2 ** 31 - 1));
      this.#timer.unref(); // STYLE §3: backoff never holds the process open
    });
  }

  #poke(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #drop(n: number, cause: unknown): void {
    this.#dropped += n;
    this.#unreported += n;
    if (cause !== null && cause !== undefined) this.#lastError = cause;
  }

  /** Reports the drops not yet reported, once, through `handleError`. */
  #report(why: string): void {
    const n = this.#unreported;
    if (n === 0) return;
    this.#unreported = 0;
    const where = typeof this.address === 'string' ? this.address : `${this.address[0]}:${this.address[1]}`;
    const msg = `${this.constructor.name} to ${where}: ${n} record${n === 1 ? '' : 's'} dropped (${why})`;
    const cause = this.#lastError;
    const err = new RecordsDroppedError(msg, n, cause === null ? {} : { cause });
    const record = this.#emitting ?? makeLogRecord({ name: 'pylogging', msg, levelno: WARNING, levelname: 'WARNING' });
    this.handleError(record, err);
  }

  #reportAtExit(): void {
    const left = this.#delivery.pending + this.#delivery.writing;
    if (left > 0) this.#drop(left, this.#lastError);
    this.#report('still queued at process exit');
  }

  #closeSock(): void {
    const sock = this.sock;
    this.sock = null;
    if (sock instanceof net().Socket) sock.destroy();
    else if (sock instanceof UnixDgramSocket) sock.close();
    else if (sock !== null) (sock as DgramSocket).close();
  }

  async #teardown(): Promise<void> {
    this.#poke();
    this.#offExit();
    this.#report('the peer was unreachable');
    await this.#connecting;
    this.#closeSock();
  }
}

/** Validates before anything is built (STYLE §6: never a half-built handler). */
function validateOptions(options: SocketHandlerOptions): SocketHandlerOptions {
  const { capacity, timeout } = options;
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }
  if (timeout !== undefined && !(timeout > 0 && timeout < Infinity)) {
    throw new RangeError(`timeout must be a positive number of seconds, got ${String(timeout)}`);
  }
  return options;
}

/**
 * CPython's `os.path.basename`/`splitext` return their argument itself when there is nothing to cut, so
 * `pathname`, `filename` and `module` are then one str object and pickle as BINGET (REFERENCE §3.5). The indexes
 * say where those fields are in `entries` (-1: absent).
 */
function shareLikeOsPath(entries: [string, unknown][], p: number, f: number, m: number): void {
  if (p < 0 || f < 0) return;
  const pe = entries[p] as [string, unknown];
  const fe = entries[f] as [string, unknown];
  const pathname = pe[1];
  const filename = fe[1];
  if (typeof pathname !== 'string' || typeof filename !== 'string') return;
  const box = new PyStr(filename);
  if (filename === pathname && !pathname.includes('/')) pe[1] = box; // basename: p[0:] is p
  fe[1] = box;
  // splitext: no extension (leading dots do not count) returns p itself
  const me = m < 0 ? null : (entries[m] as [string, unknown]);
  if (me !== null && me[1] === filename && !filename.replace(/^\.+/, '').includes('.')) me[1] = box;
}

export { RecordsDroppedError };
