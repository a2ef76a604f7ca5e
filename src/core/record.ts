/**
 * LogRecord: one logging event, with every attribute under its Python name.
 *
 * Fields are assigned in CPython's `__dict__` order (REFERENCE §1.2) because that order is observable: pickles sent
 * by SocketHandler and HTTPHandler's form body list the attributes in it.
 */
import { basename, extname } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { levelNameOf } from './levels.js';
import { percentFormat, type PercentArgs } from './printf.js';
import { pyRepr, str } from './repr.js';
import { state } from './state.js';
import { templateCache } from '../internal/template-cache.js';

/** Python's `_startTime`: `relativeCreated` counts from the moment pylogging was loaded. */
const START_MS = Date.now();
const THREAD_NAME = isMainThread ? 'MainThread' : `Thread-${threadId}`;
// measured (Node 20.20): reading `process.pid` goes through the `globalThis.process` getter, 21 ns a record.
const PID = process.pid;

/**
 * What a record's `exc_info` holds: the thrown value (usually an `Error`), `true` for "an exception was asked for
 * but JavaScript has no ambient one" (printed as Python's `NoneType: None`), or `null`.
 *
 * Differs from CPython: Python stores a `(type, value, traceback)` tuple; JS errors carry their own stack.
 */
export type ExcInfo = unknown;

/** Arguments of a record: an array (a Python tuple) or a plain object (a Python mapping, for `%(key)s`). */
export type RecordArgs = PercentArgs;

/** The positional constructor of a record, as `setLogRecordFactory` receives it. */
export type LogRecordFactory = (
  name: string | null,
  level: number | null,
  pathname: string,
  lineno: number,
  msg: unknown,
  args: RecordArgs | null,
  exc_info: ExcInfo,
  func?: string | null,
  sinfo?: string | null,
) => LogRecord;

const EMPTY_ARGS: readonly unknown[] = Object.freeze([]);

// The constructor's rarer branches live in these small functions, as `makeRecord`'s `extra` loop and `_log`'s
// keyword handling live in theirs: the three hot functions shrink from 481, 393 and 426 bytes of bytecode to 377,
// 128 and 280, under TurboFan's inlining limits (460 a function, 920 in all), so more of a logging call is compiled
// into one function. measured (Node 20.20, 2-CPU VM under load 3–5, bench row floor's record to a FileHandler with
// the write stubbed out, both builds in one process, rounds interleaved, CPU time): 0.96–0.99× the time per record;
// with the real write the difference is within the noise (≈ 2 %).

/** `args[0]` when it is a non-empty plain object (CPython's 1-tuple holding a mapping), else `args`. */
function unwrapMapping(args: readonly unknown[]): RecordArgs {
  return isNonEmptyMapping(args[0]) ? args[0] : args;
}

/** `levelname` for a level that is not a number (a record built by hand). */
function otherLevelName(level: number | null): string {
  return `Level ${String(level ?? 'None')}`;
}

/**
 * Integer milliseconds within the second: CPython 3.13's `(ct % 10**9) // 10**6`. measured (Node 20.20): `%` on a
 * double is an fmod call (15 ns); for the whole, non-negative milliseconds of Date.now() this is exact and nearly
 * free.
 */
function msecsOf(createdMs: number): number {
  return createdMs >= 0 && createdMs <= Number.MAX_SAFE_INTEGER && Number.isInteger(createdMs)
    ? createdMs - 1000 * Math.floor(createdMs / 1000)
    : createdMs % 1000;
}

/** True for a non-empty plain object: CPython's "a 1-tuple holding a non-empty Mapping". */
function isNonEmptyMapping(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const _ in v) return true;
  return false;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** Cache of `(filename, module)` per pathname: caller capture returns few distinct paths. */
const pathParts = new Map<string, readonly [string, string]>();

// splitPath's last answer; the first pathname of a process matches nothing (a null or undefined one included).
let lastPath: unknown = Symbol('no pathname yet');
let lastParts: readonly [string, string] = ['', ''];

function splitPath(pathname: unknown): readonly [string, string] {
  // Records come from few call sites (without caller capture, all from '(unknown file)'): the last answer first.
  if (pathname === lastPath) return lastParts;
  if (typeof pathname !== 'string') return [pathname as string, 'Unknown module'];
  let parts = pathParts.get(pathname);
  if (parts === undefined) {
    const filename = basename(pathname);
    const ext = extname(filename);
    parts = [filename, ext ? filename.slice(0, -ext.length) : filename];
    if (pathParts.size < 1024) pathParts.set(pathname, parts);
  }
  lastPath = pathname;
  lastParts = parts;
  return parts;
}

/**
 * A message split around its conversions for {@link fastMerge}: `lits[i]`, conversion `convs[i]`, …, the last
 * literal. `%%` is already folded into the literals.
 */
export interface MessageTemplate {
  readonly lits: readonly string[];
  readonly convs: readonly number[];
}

const PCT_S = 115; // 's'
const PCT_D = 100; // 'd'
/**
 * The template of `msg` (its literal pieces and the `%s`/`%d` between them), or null when it has anything but bare
 * `%s`, `%d` and `%%`. Shared with JsonFormatter, which escapes the same pieces.
 */
export function compileMessage(msg: string): MessageTemplate | null {
  const lits: string[] = [];
  const convs: number[] = [];
  let lit = '';
  let last = 0;
  for (let p = msg.indexOf('%'); p !== -1; p = msg.indexOf('%', last)) {
    const c = msg.charCodeAt(p + 1);
    if (c === 37) {
      lit += `${msg.slice(last, p)}%`;
    } else if (c === PCT_S || c === PCT_D) {
      lits.push(lit + msg.slice(last, p));
      convs.push(c);
      lit = '';
    } else {
      return null;
    }
    last = p + 2;
  }
  lits.push(lit + msg.slice(last));
  return { lits, convs };
}

const templateOf = templateCache(compileMessage);

/**
 * The texts of 0–999, made on first use. `String(n)` of a number V8 has not converted lately is a call into the
 * runtime (V8's number-to-string cache misses for a counter, an id or a duration): measured (Node 20.20, 2-CPU VM,
 * 500k distinct integers) 30–100 ns a call in a hot loop, against 3–4 ns for `intText`, whose 3-digit pieces come
 * from here; between synchronous file writes (caches and TLB cold after each system call) `String(i)` added
 * 200–250 ns to each write. FileHandler record of bench row floor, with the write stubbed out: 0.91× the time.
 */
let smallInts: (string | undefined)[] | null = null;

function smallInt(n: number): string {
  const table = (smallInts ??= new Array<string | undefined>(1000));
  return (table[n] ??= String(n));
}

function threeDigits(n: number): string {
  return n >= 100 ? smallInt(n) : n >= 10 ? `0${smallInt(n)}` : `00${smallInt(n)}`;
}

/**
 * `String(n)` for a safe integer `n`, from 3-digit pieces below a billion (the same text, without the runtime); also
 * JsonFormatter's merge of `%d` (json-message.ts).
 */
export function intText(n: number): string {
  if (!(n >= 0 && n < 1e9)) return String(n); // -0 passes and reads table[0], '0', as String(-0) is
  if (n < 1000) return smallInt(n);
  if (n < 1e6) {
    const high = Math.floor(n / 1000);
    return smallInt(high) + threeDigits(n - high * 1000);
  }
  const millions = Math.floor(n / 1e6);
  const rest = n - millions * 1e6;
  const thousands = Math.floor(rest / 1000);
  return smallInt(millions) + threeDigits(thousands) + threeDigits(rest - thousands * 1000);
}

/**
 * `msg`'s template when `msg % args` is {@link fastMerge}'s common case (the same checks, without the merge), else
 * null. What a WorkerQueueListener's queue asks before it leaves the merge to the worker (worker-listener.ts): a
 * record it defers merges there with `mergeMessage`, as `getMessage()` would here: with strings and safe integers the
 * merge depends on nothing else and cannot throw (test/core/record.test.ts).
 */
export function fastTemplate(msg: string, args: readonly unknown[]): MessageTemplate | null {
  const t = templateOf(msg);
  if (t === null || t.convs.length !== args.length) return null;
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (t.convs[i] === PCT_S ? typeof v !== 'string' : typeof v !== 'number' || !Number.isSafeInteger(v)) return null;
  }
  return t;
}

/**
 * The template `record.getMessage()` would merge, when that merge is {@link fastTemplate}'s common case and the
 * record's class merges the base way (a `getMessage` of its own could return anything), else null. A consumer that
 * writes the message from these pieces instead of the merged string (WorkerQueueListener's queue, SocketHandler's
 * thread mode) writes what `getMessage()` would have returned: the merge depends on nothing else and cannot throw.
 */
export function pendingMerge(record: LogRecord): MessageTemplate | null {
  const { msg, args } = record;
  if (typeof msg !== 'string' || !Array.isArray(args) || args.length === 0) return null;
  return record.getMessage === baseGetMessage ? fastTemplate(msg, args) : null;
}

/**
 * `msg % args` for the common case only: bare `%s` of strings and `%d` of safe integers, as many as there are
 * arguments. Those render exactly as `percentFormat` renders them (the string itself; `String(n)`); anything else
 * (another conversion, flags, a non-string `%s`, a count mismatch that must raise) returns null, and the caller
 * uses `percentFormat`. It checks as it merges, in one pass, rather than calling {@link fastTemplate} first: this is
 * on every formatted record's path. measured (Node 20.20, one process with both versions, `getMessage()` of the
 * bench's record, 21 interleaved rounds of 2M): the two-pass version 1.058× and 1.025× the time.
 *
 * measured (Node 20.20, 'query took %d ms for user %s', `info()` to a null sink, CPU time, three A/B runs):
 * 3.0–4.1 M records/s through `percentFormat` (a scan, slices and an argument cursor per call; 10 % of the
 * profile), 3.8–4.6 M with the cached template.
 */
function fastMerge(msg: string, args: readonly unknown[]): string | null {
  const t = templateOf(msg);
  if (t === null) return null;
  const convs = t.convs;
  const lits = t.lits;
  if (convs.length !== args.length) return null;
  let out = lits[0] as string;
  for (let i = 0; i < convs.length; i++) {
    const v = args[i];
    if (convs[i] === PCT_S) {
      if (typeof v !== 'string') return null;
      out += v;
    } else {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return null;
      out += intText(v);
    }
    out += lits[i + 1] as string;
  }
  return out;
}

/**
 * Python's `msg % args` for a string message and a non-empty argument list, as {@link LogRecord.getMessage} merges
 * it (which inlines the same expression: one call less on every formatted record); also how a worker merges a record
 * whose merge the logging thread left to it.
 * @throws What Python's `%` raises for a bad format or argument count.
 */
export function mergeMessage(msg: string, args: readonly unknown[]): string {
  return fastMerge(msg, args) ?? percentFormat(msg, args);
}

/**
 * One logging event. Construct it through `Logger.makeRecord` or {@link makeLogRecord}; the constructor keeps
 * CPython's positional signature so `setLogRecordFactory` factories port unchanged.
 */
export class LogRecord {
  /** Extra attributes (`extra`, attributes set by filters, fields of a received pickle). */
  [key: string]: unknown;
  /** The name of the logger that made the record (`'app.db'`; `'root'` for the root logger). */
  name: string;
  /** The message as passed to the logging call: usually a `%`-format string, but any value (Python's `msg`). */
  msg: unknown;
  /** The values merged into `msg` by {@link LogRecord.getMessage}; null or empty when there are none. */
  args: RecordArgs | null;
  /** The level's name (`'INFO'`), or `'Level 25'` for a number without a registered name. */
  levelname: string;
  /** The numeric level (`20` for INFO). */
  levelno: number;
  /**
   * The path of the source file of the logging call, from the JS stack, when caller information was captured;
   * otherwise CPython's placeholder `'(unknown file)'` (see `settings.callerInfo`).
   */
  pathname: string;
  /** The last component of `pathname` (`'app.ts'`). */
  filename: string;
  /** `filename` without its extension (`'app'`): Python's module name. */
  module: string;
  /** The exception being logged (`logger.exception()`, `exc_info`), or null. */
  exc_info: ExcInfo;
  /**
   * The formatted exception, cached by `Formatter.format` so a record with several handlers formats it once (and
   * what a pickle or a queue carries once `exc_info` is dropped).
   */
  exc_text: string | null;
  /** The call stack text when `stack_info: true` was passed (CPython's `Stack (most recent call last):` block). */
  stack_info: string | null;
  /** The line number of the logging call in `pathname`, or 0 when caller information was not captured. */
  lineno: number;
  /** The function that made the logging call, or `'(unknown function)'` / null when it is not known. */
  funcName: string | null;
  /** Seconds since the epoch (float), as `time.time()`. */
  created: number;
  /** Milliseconds within the second (a whole number), as CPython 3.13 computes it. */
  msecs: number;
  /** Milliseconds since pylogging was loaded. */
  relativeCreated: number;
  /** The worker thread's `threadId` (0 on the main thread); null when `settings.logThreads` is false. */
  thread: number | null;
  /** `'MainThread'` on the main thread, `'Thread-<threadId>'` in a worker; null when `settings.logThreads` is false. */
  threadName: string | null;
  /** Always `'MainProcess'` (Node has no `multiprocessing`); null when `settings.logMultiprocessing` is false. */
  processName: string | null;
  /** `process.pid`; null when `settings.logProcesses` is false. */
  process: number | null;
  /** CPython's asyncio task name: always null, as Node has no task names. */
  taskName: string | null;
  /** Set by `Formatter.format`: the merged message. */
  declare message?: string;
  /** Set by `Formatter.format` when the format uses it. */
  declare asctime?: string;

  /**
   * CPython's `LogRecord(name, level, pathname, lineno, msg, args, exc_info, func=None, sinfo=None)`, plus the
   * creation time.
   * @param name The logger's name.
   * @param level The numeric level; `levelname` is looked up from it.
   * @param pathname The source file of the call; `filename` and `module` are derived from it.
   * @param lineno The line of the call.
   * @param msg The message or format string.
   * @param args Values for `msg`'s placeholders; an array holding a single non-empty plain object is replaced by that
   * object, as CPython unwraps a 1-tuple holding a mapping, so `%(key)s` works.
   * @param exc_info The exception to log, or null.
   * @param func The calling function's name.
   * @param sinfo The stack text for `stack_info`.
   * @param createdMs Milliseconds since the epoch (beyond CPython, which reads the clock itself): `created`, `msecs`
   * and `relativeCreated` are computed from it. Defaults to `Date.now()`.
   */
  constructor(
    name: string | null,
    level: number | null,
    pathname: string,
    lineno: number,
    msg: unknown,
    args: RecordArgs | null,
    exc_info: ExcInfo,
    func: string | null = null,
    sinfo: string | null = null,
    createdMs: number = Date.now(),
  ) {
    this.name = name as string;
    this.msg = msg;
    // CPython: a 1-tuple holding a non-empty mapping is replaced by the mapping, so '%(key)s' works.
    this.args = Array.isArray(args) && args.length === 1 ? unwrapMapping(args) : args;
    this.levelname = typeof level === 'number' ? levelNameOf(level) : otherLevelName(level);
    this.levelno = level as number;
    this.pathname = pathname;
    const parts = splitPath(pathname);
    this.filename = parts[0];
    this.module = parts[1];
    this.exc_info = exc_info;
    this.exc_text = null;
    this.stack_info = sinfo;
    this.lineno = lineno;
    this.funcName = func;
    this.created = createdMs / 1000;
    this.msecs = msecsOf(createdMs);
    this.relativeCreated = createdMs - START_MS;
    this.thread = state.logThreads ? threadId : null;
    this.threadName = state.logThreads ? THREAD_NAME : null;
    this.processName = state.logMultiprocessing ? 'MainProcess' : null;
    this.process = state.logProcesses ? PID : null;
    this.taskName = null;
  }

  /**
   * The message with its arguments merged: `String(msg) % args` with Python's printf rules, or `msg` alone when
   * there are no arguments (so `'100%'` passes untouched).
   * @throws What Python's `%` raises for a bad format or argument count; `Handler.format` reports it.
   */
  getMessage(): string {
    const msg = typeof this.msg === 'string' ? this.msg : str(this.msg);
    const args = this.args;
    if (args === null || args === undefined) return msg;
    if (Array.isArray(args)) {
      if (args.length === 0) return msg;
      return fastMerge(msg, args) ?? percentFormat(msg, args);
    }
    return hasKeys(args) ? percentFormat(msg, args) : msg;
  }

  /** `%r` shows {@link toString}, as Python's repr does. */
  [pyRepr](): string {
    return this.toString();
  }

  /** Python's repr: `<LogRecord: a.b, 20, /x/y.py, 3, "hi %s">`. */
  toString(): string {
    return `<LogRecord: ${this.name}, ${this.levelno}, ${this.pathname}, ${this.lineno}, "${str(this.msg)}">`;
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared with a record's, never called alone
const baseGetMessage = LogRecord.prototype.getMessage;

let factory: LogRecordFactory = (name, level, pathname, lineno, msg, args, exc_info, func, sinfo) =>
  new LogRecord(name, level, pathname, lineno, msg, args, exc_info, func ?? null, sinfo ?? null);

/** Python's `setLogRecordFactory`: every record is built by `f`, called positionally. */
export function setLogRecordFactory(f: LogRecordFactory): void {
  factory = f;
}

/** Python's `getLogRecordFactory`. */
export function getLogRecordFactory(): LogRecordFactory {
  return factory;
}

/**
 * Python's `makeLogRecord(dict)`: an empty record whose attributes are then replaced by `attrs` — how a receiver
 * rebuilds a record from a pickle. Keys such as `__proto__` are copied as plain data, never as a prototype.
 */
export function makeLogRecord(attrs: Readonly<Record<string, unknown>>): LogRecord {
  const rv = factory(null, null, '', 0, '', EMPTY_ARGS, null, null, null);
  for (const key of Object.keys(attrs)) {
    Object.defineProperty(rv, key, { value: attrs[key], writable: true, enumerable: true, configurable: true });
  }
  return rv;
}
