/**
 * SocketHandler: CPython's wire format (a 4-byte big-endian length, then a protocol-1 pickle of the record's
 * attribute dict) over TCP and unix stream sockets, delivered without blocking the logging call. DatagramHandler
 * (datagram.ts) is the same with one datagram per record.
 *
 * As in CPython's handlers.py, `emit` is `send(makePickle(record))`; `send` hands the bytes to the shared delivery
 * component (internal/delivery.ts), which owns the backlog (bounded in bytes), connecting through `createSocket()`
 * with CPython's backoff, batching, giving up within `timeout` on `flush()`/`close()`, and the drop reports.
 *
 * ```
 *  emit() ─makePickle()─▶ send() ─push─▶ Delivery (≤ maxBytes) ─batch─▶ _write(sock, frames) ─▶ peer
 *                                 │                             └─ no sock: createSocket() → makeSocket() (backoff)
 *                                 └─ thread mode: the worker's ring (socket-threaded.ts)
 * ```
 */
import type { Socket } from 'node:net';
import { net } from '../internal/builtins.js';
import { Handler } from '../core/handler.js';
import { RecordsDroppedError } from '../core/errors.js';
import { WARNING } from '../core/levels.js';
import { makeLogRecord, type LogRecord } from '../core/record.js';
import { systemClock, type Clock } from '../internal/clock.js';
import { Delivery, type DropEpisode } from '../internal/delivery.js';
import { releaseShared } from '../internal/pickle.js';
import { writeStream, coalesce } from '../internal/stream-write.js';
import { checkOptions } from '../internal/options.js';
import { pickleRecord } from './socket-pickle.js';
import { ThreadSink } from './socket-threaded.js';
import {
  DEFAULT_MAX_BYTES,
  SOCKET_KEYS,
  THREAD_KEYS,
  validateSocketOptions,
  type SocketHandlerOptions,
  type SocketThreadSettings,
} from './socket-options.js';

export { SOCKET_KEYS, DEFAULT_MAX_BYTES, type SocketHandlerOptions, type SocketThreadSettings };

/**
 * Most records written in one go (≈ 500 bytes each pickled, so ≈ 32 KiB).
 * measured (Node 20.20, 100k records to a local TCP receiver, 2-3 interleaved runs each, total records/s):
 * 1 → 75-98 k, 16 → 125-200 k, 32 → 80-180 k, 64 → 145-245 k, 128 → 115-160 k, 256 → 147-160 k, 1024 → 145-170 k.
 */
const MAX_BATCH = 64;

/** The hooks a thread-mode worker cannot run (it writes with a plain SocketHandler). */
const CONNECTION_HOOKS = ['makeSocket', 'createSocket', '_write'] as const;

/**
 * @internal The method thread mode's worker hands a run of frames to (`handler[sendFrames](run, frames)`): one item
 * for many records, where `send()` takes one frame.
 */
export const sendFrames: unique symbol = Symbol('pylogging.sendFrames');
/** Where a run's frame count is kept, for the backlog's `countOf`. */
const FRAME_COUNT: unique symbol = Symbol('pylogging.frameCount');
type FrameRun = Buffer & { [FRAME_COUNT]?: number };

/**
 * Python's `logging.handlers.SocketHandler(host, port)`: pickles each record and sends it over TCP, or over a unix
 * stream socket at `host` when `port` is null. Wire-compatible with CPython's receivers.
 *
 * Differs from CPython: `emit()` never blocks. Records wait in a backlog bounded in bytes (`maxBytes`, 64 MiB) while
 * the connection is being made or the peer is down or slow; reconnects back off as CPython's (`retryStart` 1 s,
 * ×`retryFactor` 2, up to `retryMax` 30 s), attempted when a record arrives or the retry time comes. Records beyond
 * the bound are dropped, counted in {@link dropped} and reported through `handleError` once per episode, with the
 * reason. `flush()` and `close()` give up what they cover when the peer is unreachable, or when nothing has been
 * delivered for `timeout` seconds (a silent or hung peer), and report it. `emit()` after `close()` drops the record.
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
  /** Seconds allowed for a connect or a stalled write, and the give-up bound of `flush()`/`close()`. */
  readonly timeout: number;
  /** The time source of `retryTime` and the backoff (the `clock` option), for subclasses that schedule too. */
  protected readonly clock: Clock;
  readonly #delivery: Delivery<Buffer>;
  /** The writer thread in `thread` mode, else null. */
  readonly #thread: ThreadSink | null = null;
  #emitting: LogRecord | null = null;

  /** Python's `SocketHandler(host, port)`, for dictConfig and fileConfig. */
  static override pySignature: typeof Handler.pySignature = { params: ['host', 'port'], required: 2 };
  constructor(host: string, port: number | null, options: SocketHandlerOptions = {}) {
    if (new.target === SocketHandler) checkOptions('SocketHandler', options, SOCKET_KEYS);
    if (typeof options.thread === 'object') checkOptions(`${new.target.name} thread`, options.thread, THREAD_KEYS);
    super(validateSocketOptions(options).level);
    if (typeof host !== 'string') throw new TypeError(`host must be a string, got ${typeof host}`);
    if (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new RangeError(`port must be an integer in 0..65535 or null, got ${String(port)}`);
    }
    this.host = host;
    this.port = port;
    this.address = port === null ? host : [host, port];
    this.timeout = options.timeout ?? 1;
    this.clock = options.clock ?? systemClock;
    this.#delivery = new Delivery<Buffer>({
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
      sizeOf: (b) => b.length,
      countOf: (b) => (b as FrameRun)[FRAME_COUNT] ?? 1,
      // measured (Node 20.20, 100k records to a local TCP receiver): one write and one callback per record delivered
      // 75-98 k records/s; the records queued behind a write merged into one (as sonic-boom does), 145-245 k.
      maxBatch: MAX_BATCH,
      write: (b) => this._write(this.sock as S, [b]),
      writeBatch: (frames) => this._write(this.sock as S, frames),
      link: {
        isOpen: () => this.sock !== null,
        connect: () => this.createSocket(),
        shut: () => this.#closeSock(),
        idle: () => {
          if (this.sock !== null) this._idle(this.sock);
        },
      },
      retry: this,
      clock: this.clock,
      timeout: this.timeout,
      onDrop: (_n, episode) => this.#report(episode),
      teardown: () => this.#closeSock(),
      exitReport: true,
    });
    if (options.thread) {
      const hook = overriddenHook(this);
      if (hook !== null) {
        throw new TypeError(
          `thread mode writes with a plain SocketHandler in the worker: ${this.constructor.name} overrides how it ` +
            `connects or transmits (${hook}), which would not run there`,
        );
      }
      this.#thread = new ThreadSink(this, options, options.thread === true ? {} : options.thread);
    }
  }

  /** Records dropped since the handler was created (over the bound, given up, sent after close, lost at exit). */
  get dropped(): number {
    return this.#delivery.dropped + (this.#thread?.dropped ?? 0);
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
   * Python's `createSocket()`: `makeSocket()` unless the retry time has not come; on failure sets `retryTime` to now
   * + the backoff (`retryStart`, then ×`retryFactor`, at most `retryMax`). Resolves when done; never rejects.
   */
  createSocket(): Promise<void> {
    return this.#delivery.attempt(async () => {
      const sock = await this.makeSocket();
      this._adopt(sock);
      this.sock = sock;
    });
  }

  /**
   * Python's `makePickle(record)`: a 4-byte big-endian length and `pickle.dumps(d, 1)` of the record's attribute
   * dict, with `msg` merged (`getMessage()`), `args` and `exc_info` None and `message` removed. A record with
   * `exc_info` is formatted first, so `exc_text` holds the traceback (set on the record itself, as in CPython).
   * The bytes are a view of a shared slab that is never written again where a view was returned. In `thread` mode
   * they are, when they fit, a view of the worker's ring, pickled where {@link send} publishes them without a copy:
   * valid until they are sent or another frame is sent on this handler, which writes over them (bytes kept and sent
   * later in order arrive intact; to keep them longer, copy them: `Buffer.from(bytes)`).
   * @throws What `getMessage()` or `format()` throws (a bad format or argument count); `emit()` reports it.
   */
  makePickle(record: LogRecord): Buffer {
    if (record.exc_info) this.format(record);
    // thread mode: pickled straight into the ring (no slab, no copy). measured (Node 20.20, 200k-record rounds to a
    // receiver in another thread, × pino.transport, medians of 5 interleaved runs, load 3.4–4.2): into the slab and
    // copied, 0.59×; into the ring, 0.68× (the figures at a lower load are in docs/performance.md)
    return this.#thread === null ? pickleRecord(record) : this.#thread.pickle(record);
  }

  /**
   * Python's `send(s)`: queues the bytes for delivery and returns at once (thread mode: into the worker's ring, where
   * the bytes {@link makePickle} just wrote there are published in place and any other bytes are copied). Over the
   * backlog's bound, or after `close()`, the bytes are dropped and counted. Never throws.
   */
  send(s: Uint8Array): void {
    const bytes = Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    const thread = this.#thread;
    if (thread === null) {
      if (!this.#delivery.push(bytes)) releaseShared(bytes); // dropped: its slab space is free again
    } else if (!thread.put(bytes) && thread.closed) {
      thread.report((err) => this.#handleDrop(err), this.#who(), 'the handler is closed');
    }
  }

  /**
   * @internal Thread mode's worker: queues `run`, `frames` whole frames back to back, as one item that counts as
   * `frames` records, so the backlog's bounds, `dropped` and the reports stay exact in records. Not a hook: the
   * worker's handler is a plain SocketHandler (thread mode refuses subclasses that override how bytes go out).
   */
  [sendFrames](run: Buffer, frames: number): void {
    (run as FrameRun)[FRAME_COUNT] = frames;
    this.#delivery.push(run);
  }

  /** Python's `emit`: `send(makePickle(record))`; failures go to `handleError`. Never throws, never blocks. */
  override emit(record: LogRecord): void {
    this.#emitting = record;
    try {
      const thread = this.#thread;
      const proto = SocketHandler.prototype;
      if (thread !== null && !record.exc_info && this.makePickle === proto.makePickle && this.send === proto.send) {
        // The same bytes into the ring, without the view of them that makePickle's caller would see.
        const frame = thread.emit(record);
        if (frame !== null) this.send(frame);
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
   * Resolves when every record accepted so far has been delivered or given up: given up when the peer cannot be
   * reached now (a reconnect is tried once the retry time has come), or when nothing was delivered for `timeout`
   * seconds (a silent or hung peer). What was given up is reported once.
   */
  override async flush(): Promise<void> {
    if (this.#thread !== null) return this.#thread.flush((err) => this.#handleDrop(err), this.#who());
    await this.#delivery.flush();
  }

  /** Delivers or gives up what is queued (as `flush()`), then closes the socket. Safe to call twice. */
  override async close(): Promise<void> {
    if (this.#thread !== null) await this.#thread.close((err) => this.#handleDrop(err), this.#who());
    else await this.#delivery.close();
    await super.close();
  }

  /**
   * Writes frames, in order, on the connected socket; resolves once they are with the OS. The stream transport merges
   * them into one write (adjacent slab views as one region); DatagramHandler overrides it to send one datagram per
   * record. A rejection is a connection failure: the socket is closed and the frames are sent again on a new one.
   */
  protected _write(sock: S, frames: readonly Buffer[]): Promise<void> {
    return writeStream(sock as unknown as Socket, frames.length === 1 ? (frames[0] as Buffer) : coalesce(frames));
  }

  /** Watches a new socket: its errors never go unhandled, a peer that closes it clears `sock`, a stalled write ends. */
  protected _adopt(sock: S): void {
    if (!(sock instanceof net().Socket)) return;
    sock.on('error', (err) => (this.#delivery.ledger.cause = err));
    sock.on('close', () => {
      if (this.sock === (sock as S)) this.sock = null;
    });
    // A write that makes no progress for `timeout` seconds: CPython's socket timeout on sendall.
    sock.setTimeout(this.timeout * 1000, () => {
      if (sock.writableLength > 0) sock.destroy(Object.assign(new Error('write timed out'), { code: 'ETIMEDOUT' }));
    });
    sock.unref();
  }

  /** The backlog is empty: the socket stops holding the process open (each write holds it again). */
  protected _idle(sock: S): void {
    if (sock instanceof net().Socket) sock.unref();
  }

  /** Closes `sock` (CPython: `self.sock.close()`). */
  protected _closeSocket(sock: S): void {
    if (sock instanceof net().Socket) sock.destroy();
  }

  #closeSock(): void {
    const sock = this.sock;
    this.sock = null;
    if (sock !== null) this._closeSocket(sock);
  }

  #who(): string {
    const where = typeof this.address === 'string' ? this.address : `${this.address[0]}:${this.address[1]}`;
    return `${this.constructor.name} to ${where}`;
  }

  #report(episode: DropEpisode): void {
    this.#handleDrop(episode.toError(this.#who()));
  }

  /** A drop report goes to `handleError` with the record being emitted, or a stand-in naming the handler. */
  #handleDrop(err: RecordsDroppedError): void {
    const record = this.#emitting ?? makeLogRecord({ name: 'pylogging', msg: err.message, levelno: WARNING, levelname: 'WARNING' });
    this.handleError(record, err);
  }
}

/**
 * The first connection hook a subclass of SocketHandler defines itself (thread mode cannot run it in the worker), or
 * null. Read once, at construction: no record's path depends on it.
 */
function overriddenHook(handler: SocketHandler<object>): string | null {
  const base = SocketHandler.prototype;
  for (let p: object | null = Object.getPrototypeOf(handler) as object | null; p !== null && p !== base; p = Object.getPrototypeOf(p) as object | null) {
    const own = CONNECTION_HOOKS.filter((k) => Object.hasOwn(p, k));
    if (own.length > 0) return own.join(', ');
  }
  return null;
}

export { RecordsDroppedError };
