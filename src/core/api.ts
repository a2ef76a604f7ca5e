/**
 * Module-level functions of Python's `logging`: getLogger, basicConfig, shutdown, disable, captureWarnings, the
 * root-logger shortcuts, and the `settings` object that holds Python's module globals.
 */
import { FileHandler } from './file-handler.js';
import { NullHandler as NullWarningsHandler, StreamHandler, type WritableLike } from './stream-handler.js';
import { ValueError } from './errors.js';
import { Formatter } from './formatter.js';
import { liveHandlers, type Handler } from './handler.js';
import { CRITICAL, type Level } from './levels.js';
import { checkLoggerClass, lastResortRef, Logger, loggerClassRef, root, type LoggerClass } from './logger.js';
import { bumpGeneration, state, type CallerInfoMode } from './state.js';

/** Python's `BASIC_FORMAT`. */
export const BASIC_FORMAT = '%(levelname)s:%(name)s:%(message)s';
const STYLE_DEFAULTS = { '%': BASIC_FORMAT, '{': '{levelname}:{name}:{message}', $: '${levelname}:${name}:${message}' };

/**
 * Python's module globals, as accessors: `settings.raiseExceptions = false` is Python's
 * `logging.raiseExceptions = False`.
 */
export const settings = {
  /** Print `--- Logging error ---` reports to stderr (true, Python's default) or stay silent. */
  get raiseExceptions(): boolean {
    return state.raiseExceptions;
  },
  /** `false` silences handler failures, as `logging.raiseExceptions = False` does in production. */
  set raiseExceptions(v: boolean) {
    state.raiseExceptions = Boolean(v);
  },
  /** The handler used when a record finds no handler (`lastResort`); null prints a one-time warning instead. */
  get lastResort(): Handler | null {
    return lastResortRef.handler;
  },
  /**
   * Replaces the handler of last resort (Python's `logging.lastResort = …`): any handler, or null for CPython's
   * one-time `No handlers could be found for logger "x"` message.
   */
  set lastResort(h: Handler | null) {
    lastResortRef.handler = h;
  },
  /** Fill `thread`/`threadName` (Python's `logThreads`). */
  get logThreads(): boolean {
    return state.logThreads;
  },
  /** `false` leaves `thread`/`threadName` null on records made from now on. */
  set logThreads(v: boolean) {
    state.logThreads = v;
  },
  /** Fill `process` (Python's `logProcesses`). */
  get logProcesses(): boolean {
    return state.logProcesses;
  },
  /** `false` leaves `process` null on records made from now on. */
  set logProcesses(v: boolean) {
    state.logProcesses = v;
  },
  /** Fill `processName` (Python's `logMultiprocessing`). */
  get logMultiprocessing(): boolean {
    return state.logMultiprocessing;
  },
  /** `false` leaves `processName` null on records made from now on. */
  set logMultiprocessing(v: boolean) {
    state.logMultiprocessing = v;
  },
  /** Python's `logAsyncioTasks` (taskName is always null on Node). */
  get logAsyncioTasks(): boolean {
    return state.logAsyncioTasks;
  },
  /** Accepted for configurations ported from Python; changes nothing, since `taskName` is always null. */
  set logAsyncioTasks(v: boolean) {
    state.logAsyncioTasks = v;
  },
  /**
   * When to capture `pathname`/`lineno`/`funcName` from the JS stack (≈ 3 µs a record): `'auto'` (default: when a
   * reachable handler's formatter uses them, or `stack_info`/`stacklevel` is passed), `'always'`, `'never'`.
   */
  get callerInfo(): CallerInfoMode {
    return state.callerInfo;
  },
  /**
   * Chooses when caller information is captured; every logger re-decides on its next call.
   * @throws {RangeError} for anything but `'auto'`, `'always'` or `'never'`.
   */
  set callerInfo(mode: CallerInfoMode) {
    if (mode !== 'auto' && mode !== 'always' && mode !== 'never') {
      throw new RangeError(`callerInfo must be 'auto', 'always' or 'never', got ${String(mode)}`);
    }
    state.callerInfo = mode;
    bumpGeneration();
  },
};

/** Python's `lastResort` handler as shipped (a stderr handler at WARNING). */
export { defaultLastResort as lastResort } from './logger.js';

/**
 * The logger called `name`, created on first use. No name, `''` or `'root'` gives the root logger.
 * @throws {TypeError} `A logger name must be a string`.
 */
export function getLogger(name?: string | null): Logger {
  if (name === undefined || name === null || name === '' || name === 'root') return root;
  return root.manager.getLogger(name);
}

/** Python's `getLoggerClass()`. */
export function getLoggerClass(): LoggerClass {
  return loggerClassRef.klass;
}

/**
 * Python's `setLoggerClass(klass)`: loggers created from now on are instances of `klass`.
 * @throws {TypeError} `logger not derived from logging.Logger: <name>`.
 */
export function setLoggerClass(klass: LoggerClass): void {
  checkLoggerClass(klass);
  loggerClassRef.klass = klass;
}

/** Keyword arguments of {@link basicConfig}, with Python's names. */
export interface BasicConfigOptions {
  /** Log to this file (a FileHandler) instead of a stream. */
  filename?: string | null;
  /** The file mode for `filename`. @default 'a' */
  filemode?: string;
  /** The format string. @default BASIC_FORMAT (for the `%` style) */
  format?: string;
  /** The `strftime` format for `asctime`. */
  datefmt?: string | null;
  /** `'%'`, `'{'` or `'$'`. @default '%' */
  style?: '%' | '{' | '$';
  /** The root logger's level. */
  level?: Level;
  /** Log to this stream (a StreamHandler); default `process.stderr`. */
  stream?: WritableLike | null;
  /** Use these handlers (each gets the formatter unless it has one). */
  handlers?: Handler[] | null;
  /** Remove and close the root's existing handlers first (3.8). */
  force?: boolean;
  /** Encoding of `filename`. */
  encoding?: string | null;
  /** Encoding errors for `filename`. @default 'backslashreplace' */
  errors?: string | null;
}

/**
 * Python's `basicConfig(**kwargs)`: configures the root logger once — a StreamHandler (or a FileHandler for
 * `filename`, or the given `handlers`) with a Formatter. Does nothing when the root already has handlers, unless
 * `force`.
 * @throws {ValueError} CPython's messages for conflicting or unknown options (unknown ones after configuring).
 */
export function basicConfig(options: BasicConfigOptions = {}): void {
  const kwargs: Record<string, unknown> = { ...options };
  const take = <T>(key: string, dflt: T): T => {
    if (!(key in kwargs)) return dflt;
    const v = kwargs[key] as T;
    delete kwargs[key];
    return v;
  };
  const force = take('force', false);
  let encoding = take<string | null>('encoding', null);
  let errors = take<string | null>('errors', 'backslashreplace');
  if (force) {
    for (const h of [...root.handlers]) {
      root.removeHandler(h);
      void h.close();
    }
  }
  if (root.handlers.length !== 0) return;
  let handlers = take<Handler[] | null>('handlers', null);
  if (handlers === null || handlers === undefined) {
    if ('stream' in kwargs && 'filename' in kwargs) {
      throw new ValueError("'stream' and 'filename' should not be specified together");
    }
    const filename = take<string | null>('filename', null);
    const mode = take('filemode', 'a');
    let h: Handler;
    if (filename) {
      if (mode.includes('b')) errors = null;
      else encoding ??= 'utf-8';
      h = new FileHandler(filename, { mode, encoding, errors });
    } else {
      h = new StreamHandler(take<WritableLike | null>('stream', null));
    }
    handlers = [h];
  } else if ('stream' in kwargs || 'filename' in kwargs) {
    throw new ValueError("'stream' or 'filename' should not be specified together with 'handlers'");
  }
  const dfs = take<string | null>('datefmt', null);
  const style = take<string>('style', '%');
  if (style !== '%' && style !== '{' && style !== '$') throw new ValueError('Style must be one of: %,{,$');
  const fs = take('format', STYLE_DEFAULTS[style]);
  const fmt = new Formatter(fs, dfs, style);
  for (const h of handlers) {
    if (h.formatter === null) h.setFormatter(fmt);
    root.addHandler(h);
  }
  const level = take<Level | null>('level', null);
  if (level !== null && level !== undefined) root.setLevel(level);
  const left = Object.keys(kwargs);
  if (left.length) throw new ValueError(`Unrecognised argument(s): ${left.join(', ')}`);
}

/**
 * Python's `disable(level)`: drops every record at or below `level` on every logger. `disable(NOTSET)` undoes it.
 */
export function disable(level: Level = CRITICAL): void {
  root.manager.disable = level;
  root.manager._clear_cache();
}

/**
 * Python's `shutdown()`: flushes then closes every live handler, newest first, and resolves when all are done.
 * As in CPython, a system error (Python's `OSError`) or `ValueError` from a handler's `flush()`/`close()` is ignored
 * and the others still close; any other error rejects the promise while `settings.raiseExceptions` is true (the
 * handlers after it stay open) and is ignored otherwise.
 */
export async function shutdown(handlerList: readonly Handler[] = liveHandlers()): Promise<void> {
  for (let i = handlerList.length - 1; i >= 0; i--) {
    const h = handlerList[i] as Handler & { flushOnClose?: boolean };
    try {
      if (h.flushOnClose !== false) await h.flush();
      await h.close();
    } catch (err) {
      // CPython ignores OSError and ValueError here (a stream already closed, a file gone) and re-raises anything
      // else while raiseExceptions is set: a bug in a handler's flush()/close() should not pass unseen.
      if (isOSError(err) || err instanceof ValueError) continue;
      if (state.raiseExceptions) throw err;
    }
  }
}

/** Python's `OSError`, in Node's terms: a system error (it carries the failing `syscall` or an `errno`). */
function isOSError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as { syscall?: unknown; errno?: unknown };
  return typeof e.syscall === 'string' || typeof e.errno === 'number';
}

let savedWarningListeners: ((...args: unknown[]) => void)[] | null = null;

function onWarning(warning: Error & { code?: string }): void {
  const logger = getLogger('py.warnings');
  if (!logger.handlers.length) logger.addHandler(new NullWarningsHandler());
  const code = warning.code ? `[${warning.code}] ` : '';
  logger.warning('%s', `${code}${warning.name}: ${warning.message}\n`);
}

/**
 * Python's `captureWarnings(true)`: Node's process warnings (`process.emitWarning`, deprecations) go to the
 * `py.warnings` logger at WARNING instead of Node's own stderr printer; `captureWarnings(false)` restores it.
 */
export function captureWarnings(capture: boolean): void {
  if (capture && savedWarningListeners === null) {
    savedWarningListeners = process.listeners('warning') as ((...args: unknown[]) => void)[];
    for (const l of savedWarningListeners) process.removeListener('warning', l);
    process.on('warning', onWarning);
  } else if (!capture && savedWarningListeners !== null) {
    process.removeListener('warning', onWarning);
    for (const l of savedWarningListeners) process.on('warning', l);
    savedWarningListeners = null;
  }
}


function rootCall(method: 'debug' | 'info' | 'warning' | 'warn' | 'error' | 'exception' | 'critical' | 'fatal') {
  return (msg: unknown, ...args: unknown[]): void => {
    if (root.handlers.length === 0) basicConfig();
    root[method](msg, ...args);
  };
}

/** Logs on the root logger at DEBUG (configuring it with `basicConfig()` first if it has no handlers). */
export const debug = rootCall('debug');
/** Logs on the root logger at INFO. */
export const info = rootCall('info');
/** Logs on the root logger at WARNING. */
export const warning = rootCall('warning');
/** Deprecated alias of {@link warning}. */
export const warn = rootCall('warn');
/** Logs on the root logger at ERROR. */
export const error = rootCall('error');
/** Logs on the root logger at ERROR with `exc_info`. */
export const exception = rootCall('exception');
/** Logs on the root logger at CRITICAL. */
export const critical = rootCall('critical');
/** Alias of {@link critical}. */
export const fatal = rootCall('fatal');

/** Logs on the root logger at `level`. */
export function log(level: number, msg: unknown, ...args: unknown[]): void {
  if (root.handlers.length === 0) basicConfig();
  root.log(level, msg, ...args);
}

