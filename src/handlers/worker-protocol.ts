/**
 * What the logging thread and the worker thread of pylogging's worker host share: the worker's start-up data (for a
 * WorkerQueueListener: the handler descriptions and the record codec's tables; for SocketHandler's thread mode: the
 * SocketHandler's settings), and the handshake over the ring's header that `flush()`, `stop()` and the exit hook
 * wait on. The codec that carries records through the ring is src/internal/record-*.ts.
 *
 * ```
 *  logging thread (worker-host.ts)                  worker thread (worker-loop.ts)
 *  flush(): FLUSH_REQ = WRITE, wait for DONE ─────▶ once read that far: flush the handlers (deliver or give up),
 *                                                   WORKER_DROPPED = its drop count, DONE = the position
 *  exit hook: the same, blocking (Atomics.wait) ◀── process 'exit' of the worker: STATE = 2 (nobody will answer)
 * ```
 */
import type { Level } from '../core/levels.js';
import type { CodecTables } from '../internal/record-codec.js';
import { DONE, STATE, WRITE, waitAsync } from '../internal/ring-buffer.js';
import type { SocketHandlerOptions } from './socket.js';

/** A formatter for a worker handler: a `%`-style format string, or Formatter's arguments by name. */
export type WorkerFormatterSpec =
  | string
  | {
      /** The format string. @default '%(message)s' */
      format?: string;
      /** `strftime` format for `asctime`. */
      datefmt?: string;
      /** `'%'`, `'{'` or `'$'`. @default '%' */
      style?: '%' | '{' | '$';
      /** Check the format string when constructing. @default true */
      validate?: boolean;
      /** Values for fields a record lacks. */
      defaults?: Record<string, unknown>;
    };

/**
 * A handler built in the worker from a pylogging class name, in the spirit of dictConfig's `handlers` entries
 * (dictConfig itself is another module; this is deliberately small).
 *
 * - `'FileHandler'` takes `filename` and FileHandler's options (`mode`, `encoding`, `delay`, `errors`,
 *   `bufferSize`) as keys;
 * - `'StreamHandler'` takes `stream: 'ext://sys.stdout' | 'ext://sys.stderr'` (default stderr), written with
 *   synchronous writes to descriptor 1 or 2;
 * - `'NullHandler'` takes nothing;
 * - any other class exported by `pylogging/handlers` (`'RotatingFileHandler'`, `'SysLogHandler'`, …) is constructed
 *   with `args`, its positional arguments (the options object included), e.g.
 *   `{ class: 'RotatingFileHandler', args: ['app.log', { maxBytes: 1e6, backupCount: 3 }] }`.
 *
 * Python's dotted names are accepted too (`'logging.FileHandler'`, `'logging.handlers.RotatingFileHandler'`).
 * Everything must survive `structuredClone` (it is sent to the worker).
 */
export interface WorkerClassSpec {
  /** The handler class. */
  class: string;
  /** The handler's level. @default NOTSET */
  level?: Level;
  /** The handler's formatter. @default '%(message)s' */
  formatter?: WorkerFormatterSpec;
  /** The handler's name (for `getHandlerByName` inside the worker). */
  name?: string;
  /** Positional constructor arguments, for classes other than File/Stream/NullHandler. */
  args?: unknown[];
  /** FileHandler: the file. Relative paths are resolved against the logging thread's `process.cwd()`. */
  filename?: string;
  /** FileHandler: Python file mode. @default 'a' */
  mode?: string;
  /** FileHandler: text encoding. @default 'utf-8' */
  encoding?: string;
  /** FileHandler: open on the first record. @default false */
  delay?: boolean;
  /** FileHandler: Python's `errors`. @default 'strict' */
  errors?: string;
  /** FileHandler: bytes buffered before a write; the worker flushes after every batch anyway. @default 0 */
  bufferSize?: number;
  /** StreamHandler: where to write. @default 'ext://sys.stderr' */
  stream?: 'ext://sys.stdout' | 'ext://sys.stderr';
}

/**
 * Handlers made by your own code, in the worker: `module` is imported there and its export `export` (default
 * `'default'`) is either a Handler class (constructed with `args`), a function (called with `args`, may be async)
 * returning a Handler or an array of them, or a Handler / array of Handlers.
 *
 * `module` is a path (relative paths resolve against the logging thread's `process.cwd()`), a `file:` URL, or a
 * package name (resolved from pylogging's own location, so it must be installed where pylogging can see it).
 */
export interface WorkerModuleSpec {
  /** Path, `file:` URL or package name of the module that makes the handlers. */
  module: string;
  /** The export to use. @default 'default' */
  export?: string;
  /** Arguments for the class or function (structured-cloneable). @default [] */
  args?: unknown[];
}

/** One entry of a `WorkerQueueListener`'s handlers. */
export type WorkerHandlerSpec = WorkerClassSpec | WorkerModuleSpec;

/** `workerData` of a worker that runs handlers (a WorkerQueueListener's). */
export interface RecordsInit {
  kind: 'records';
  sab: SharedArrayBuffer;
  handlers: WorkerHandlerSpec[];
  respectHandlerLevel: boolean;
  /** Records between two flushes of the handlers while the ring stays busy. */
  flushEvery: number;
  /** The record codec's tables so far (the ring may hold records that refer to them). */
  codec: CodecTables;
}

/** What the worker of SocketHandler's thread mode builds its own SocketHandler with (structured-cloneable). */
export interface SocketWorkerOptions extends Omit<SocketHandlerOptions, 'thread' | 'clock' | 'level'> {
  host: string;
  port: number | null;
  retryStart: number;
  retryFactor: number;
  retryMax: number;
}

/** `workerData` of SocketHandler's thread mode: the ring carries pickled frames, the worker's SocketHandler sends them. */
export interface FramesInit {
  kind: 'frames';
  sab: SharedArrayBuffer;
  socket: SocketWorkerOptions;
}

/** `workerData` of the worker thread. */
export type WorkerInit = RecordsInit | FramesInit;

/** Messages from the worker. */
export type WorkerMessage = { type: 'ready' } | { type: 'error'; message: string; stack?: string };

/** Header slot: the ring position up to which a flush waits for the worker to deliver (or give up). */
export const FLUSH_REQ = 192;
/** Header slot: records the worker's handler dropped so far (SocketHandler's thread mode). */
export const WORKER_DROPPED = 224;
/**
 * Header slot: 1 while the worker takes nothing because its handler cannot deliver (a SocketHandler backing off after
 * a failed connect): a logging thread waiting for room in the ring would wait in vain.
 */
export const WORKER_STALLED = 225;

/** True when DONE has reached `pos` (mod 2^32). */
export function doneReached(h: Int32Array, pos: number): boolean {
  return ((Atomics.load(h, DONE) - pos) | 0) >= 0;
}

/**
 * Logging thread: asks the worker to finish everything up to `target` now (flush its handlers once it has read that
 * far), and wakes it. A later request never moves the position back.
 */
export function requestFlush(h: Int32Array, target: number): void {
  const asked = Atomics.load(h, FLUSH_REQ);
  if (((target - asked) | 0) > 0 || doneReached(h, asked)) Atomics.store(h, FLUSH_REQ, target);
  Atomics.notify(h, WRITE);
}

/**
 * Logging thread: resolves once DONE has reached `target`, or when `running()` says the worker is gone (asked every
 * 200 ms).
 */
export async function doneAsync(h: Int32Array, target: number, running: () => boolean): Promise<void> {
  while (running() && !doneReached(h, target)) {
    const w = waitAsync(h, DONE, Atomics.load(h, DONE), 200);
    if (w.async) await w.value;
  }
}

/**
 * Logging thread (exit hooks): blocks until DONE has reached `target`, the worker stopped (STATE 2), or `deadline`
 * (epoch ms). False on the deadline.
 */
export function doneSync(h: Int32Array, target: number, deadline: number): boolean {
  while (!doneReached(h, target) && Atomics.load(h, STATE) !== 2) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(h, DONE, Atomics.load(h, DONE), Math.min(left, 50));
  }
  return true;
}

/** Worker: publishes `pos` as handled and flushed, and wakes whoever waits for it. */
export function markDone(h: Int32Array, pos: number): void {
  Atomics.store(h, DONE, pos | 0);
  Atomics.notify(h, DONE);
}

/** Worker: marks itself gone (STATE = 2) and wakes whoever waits on DONE. */
export function markStopped(h: Int32Array): void {
  Atomics.store(h, STATE, 2);
  Atomics.notify(h, DONE);
}
