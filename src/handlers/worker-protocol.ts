/**
 * What the logging thread and the worker thread of a `WorkerQueueListener` share: the handler descriptions and the
 * worker's start-up data. The codec that carries records through the ring is src/internal/record-*.ts.
 */
import type { Level } from '../core/levels.js';
import type { CodecTables } from '../internal/record-codec.js';

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

/** `workerData` of the worker thread. */
export interface WorkerInit {
  sab: SharedArrayBuffer;
  handlers: WorkerHandlerSpec[];
  respectHandlerLevel: boolean;
  /** Records between two flushes of the handlers while the ring stays busy. */
  flushEvery: number;
  /** The record codec's tables so far (the ring may hold records that refer to them). */
  codec: CodecTables;
}

/** Messages from the worker. */
export type WorkerMessage = { type: 'ready' } | { type: 'error'; message: string; stack?: string };
