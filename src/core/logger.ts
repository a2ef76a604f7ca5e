/**
 * Logger, RootLogger, PlaceHolder and Manager: the named-logger tree.
 *
 * The hot path: `info()` on a disabled level is one cached lookup and a return. The cache is rebuilt lazily when
 * `state.generation` moves (any `setLevel`, `disable`, handler or formatter change), which replaces CPython's
 * `_clear_cache()` walk over every logger.
 */
import { findCaller as captureCaller, UNKNOWN_CALLER, type CallerInfo, type StackTop } from '../internal/caller.js';
import { StderrHandler } from './stream-handler.js';
import { pythonSuggestion } from '../internal/options.js';
import { KeyError } from './errors.js';
import { Filterer } from './filter.js';
import { reportError, type Handler } from './handler.js';
import { isKeywords, type Keywords, type LogKeywords } from './keywords.js';
import { checkLevel, CRITICAL, DEBUG, ERROR, getLevelName, INFO, NOTSET, WARNING, type Level } from './levels.js';
import { getLogRecordFactory, type LogRecord, type LogRecordFactory, type RecordArgs } from './record.js';
import { pyRepr, repr } from './repr.js';
import { bumpGeneration, state } from './state.js';

/** Python's `lastResort`: used when a record finds no handler at all. Replace it through `settings.lastResort`. */
export const defaultLastResort: Handler = new StderrHandler(WARNING);
/** The handler in force as `lastResort` (internal: the public setter is `settings.lastResort`). */
export const lastResortRef: { handler: Handler | null } = { handler: defaultLastResort };


const KEYWORD_NAMES = ['exc_info', 'extra', 'stack_info', 'stacklevel'];

/** CPython's TypeError for an unknown keyword of a logging call, with its "Did you mean" hint. */
function unexpectedKeyword(key: string): TypeError {
  const hint = pythonSuggestion(key, KEYWORD_NAMES);
  return new TypeError(`Logger._log() got an unexpected keyword argument '${key}'${hint === undefined ? '' : `. Did you mean '${hint}'?`}`);
}

/**
 * Python's `logging.Logger`. Get instances with `getLogger(name)`, never with `new` (which would bypass the tree).
 *
 * Each logging method takes Python's `msg, *args`; Python's keyword arguments go in a trailing `kw({...})`.
 */
export class Logger extends Filterer {
  /** The dotted name. */
  name: string;
  /** Own level; NOTSET defers to the parent. Change it with `setLevel` so caches are invalidated. */
  level: number;
  /** The parent in the tree (null only for the root). */
  parent: Logger | null = null;
  /** Pass records on to the parent's handlers. */
  propagate = true;
  /** This logger's handlers. */
  handlers: Handler[] = [];
  /** A disabled logger drops every record (set by `dictConfig`'s `disable_existing_loggers`). */
  disabled = false;
  /** The tree this logger belongs to. */
  declare manager: Manager;
  /** The root of the tree. */
  declare root: RootLogger;

  // The level check, cached per `state.generation`: CPython caches one answer per level in a dict; the answer is
  // `level > manager.disable && level >= getEffectiveLevel()`, so two numbers hold every answer. (A typed array of
  // 64 answers and a Map for other levels cost ≈ 450 bytes per logger; issue 18 asks for ≤ 400 in all.)
  #gen = -1;
  #disableAt = 0;
  #effective = 0;
  #needsCaller = false;

  constructor(name: string, level: Level = NOTSET) {
    super();
    this.name = name;
    this.level = checkLevel(level);
  }

  /** Sets the level (a number or a registered name such as `'INFO'`) and invalidates every logger's cache. */
  setLevel(level: Level): void {
    this.level = checkLevel(level);
    this.manager._clear_cache();
  }

  #refresh(): void {
    this.#gen = state.generation;
    this.#disableAt = this.manager.disable;
    this.#effective = this.getEffectiveLevel();
    const mode = state.callerInfo;
    this.#needsCaller = mode === 'always' || (mode === 'auto' && this.#handlersNeedCaller());
  }

  // Over-approximates on purpose (ignores `propagate`): a spurious capture costs time, a missing one loses data.
  #handlersNeedCaller(): boolean {
    for (let c: Logger | null = this; c; c = c.parent) {
      for (const h of c.handlers) if (h.usesCallerInfo()) return true;
    }
    return false;
  }

  /** True when a record at `level` would be processed: not disabled, not below `disable()`, not below the level. */
  isEnabledFor(level: number): boolean {
    if (this.disabled) return false;
    if (this.#gen !== state.generation) this.#refresh();
    return level > this.#disableAt && level >= this.#effective;
  }

  /** The first non-NOTSET level up the tree, else NOTSET. */
  getEffectiveLevel(): number {
    for (let c: Logger | null = this; c; c = c.parent) if (c.level) return c.level;
    return NOTSET;
  }

  /** Logs `msg % args` at DEBUG. */
  // measured (Node 20.20, bench scenario 1: 50M disabled `debug(msg, i, user)` calls): 0 GCs and a heap delta of
  // under 1 KiB: once optimised, `args` is never built on the disabled path, and the call runs at ≈ 1.8× the
  // calls/s of pino's noop method; fixed-arity overloads with `arguments.length` were not needed.
  debug(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(DEBUG)) this._log(DEBUG, msg, args);
  }

  /** Logs `msg % args` at INFO. */
  info(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(INFO)) this._log(INFO, msg, args);
  }

  /** Logs `msg % args` at WARNING. */
  warning(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(WARNING)) this._log(WARNING, msg, args);
  }

  /** Deprecated alias of {@link Logger.warning}, as in Python. */
  warn(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(WARNING)) this._log(WARNING, msg, args);
  }

  /** Logs `msg % args` at ERROR. */
  error(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(ERROR)) this._log(ERROR, msg, args);
  }

  /**
   * Logs at ERROR with exception information: pass the caught error as `kw({ exc_info: err })`. Without it the
   * record says `NoneType: None`, as Python's does outside an `except` block.
   */
  exception(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(ERROR)) this._log(ERROR, msg, args, EXCEPTION_DEFAULT);
  }

  /** Logs `msg % args` at CRITICAL. */
  critical(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(CRITICAL)) this._log(CRITICAL, msg, args);
  }

  /** Alias of {@link Logger.critical}. */
  fatal(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(CRITICAL)) this._log(CRITICAL, msg, args);
  }

  /** Logs `msg % args` at a numeric `level`. A non-integer level is reported (as CPython's TypeError), not thrown. */
  log(level: number, msg: unknown, ...args: unknown[]): void {
    if (typeof level !== 'number' || !Number.isInteger(level)) {
      reportError(new TypeError('level must be an integer'));
      return;
    }
    if (this.isEnabledFor(level)) this._log(level, msg, args);
  }

  /**
   * Python's `findCaller(stack_info, stacklevel)`: `[pathname, lineno, funcName, sinfo]` of the code that called
   * the logger, `stacklevel - 1` frames further out.
   */
  findCaller(stack_info = false, stacklevel = 1): [string, number, string, string | null] {
    const c = captureCaller(stack_info, stacklevel);
    return [c.pathname, c.lineno, c.funcName, c.sinfo];
  }

  /**
   * Builds a record through the record factory and adds `extra`, then the fields of the current async context
   * (`pylogging/context`) that neither the record nor `extra` already has (a clash is skipped, never a KeyError).
   * @throws {KeyError} `Attempt to overwrite 'message' in LogRecord` when an extra key exists on the record or is
   * `message`/`asctime`.
   */
  makeRecord(
    name: string,
    level: number,
    fn: string,
    lno: number,
    msg: unknown,
    args: RecordArgs,
    exc_info: unknown,
    func: string | null = null,
    extra: Readonly<Record<string, unknown>> | null = null,
    sinfo: string | null = null,
  ): LogRecord {
    const rv = getLogRecordFactory()(name, level, fn, lno, msg, args, exc_info, func, sinfo);
    if (extra) addExtra(rv, extra);
    const addContext = state.addContext;
    if (addContext !== null) addContext(rv);
    return rv;
  }

  /**
   * Python's `_log`: takes `kw(...)` off the end of `args`, captures caller information when needed, builds the
   * record and handles it. Never throws: a failure here is reported like `handleError` does.
   */
  _log(level: number, msg: unknown, args: unknown[], keywords: LogKeywords | null = null): void {
    try {
      const last = args.length > 0 ? args[args.length - 1] : undefined;
      if (isKeywords(last)) {
        args = args.slice(0, -1);
        keywords = takeKeywords(last, keywords);
      }
      if (this.#gen !== state.generation) this.#refresh();
      // The common call (no keywords, no caller capture) apart from the rest, to keep `_log` small (see record.ts).
      if (keywords === null && (!this.#needsCaller || state.callerInfo === 'never')) {
        const c = UNKNOWN_CALLER;
        this.handle(this.makeRecord(this.name, level, c.pathname, c.lineno, msg, args, null, c.funcName, null, c.sinfo));
      } else {
        this.#logWith(level, msg, args, keywords);
      }
    } catch (err) {
      reportError(err);
    }
  }

  /** `_log` with keywords or caller capture (called by `_log` only, so `LOG_FRAME` still hides both frames). */
  #logWith(level: number, msg: unknown, args: unknown[], keywords: LogKeywords | null): void {
    const stackInfo = keywords?.stack_info === true;
    let c: CallerInfo = UNKNOWN_CALLER;
    if (stackInfo || (state.callerInfo !== 'never' && (this.#needsCaller || keywords?.stacklevel !== undefined))) {
      c = captureCaller(stackInfo, keywords?.stacklevel ?? 1, LOG_FRAME);
    }
    let exc_info = keywords?.exc_info;
    if (exc_info === false || exc_info === undefined) exc_info = null;
    this.handle(this.makeRecord(this.name, level, c.pathname, c.lineno, msg, args, exc_info, c.funcName, keywords?.extra ?? null, c.sinfo));
  }

  /** Applies this logger's filters, then passes the record to every handler up the tree. */
  handle(record: LogRecord): void {
    if (this.disabled) return;
    let rv: LogRecord | false = record;
    if (this.filters.length !== 0) rv = this.filter(record);
    if (rv) this.callHandlers(rv);
  }

  /** Adds a handler (once). */
  addHandler(hdlr: Handler): void {
    if (!this.handlers.includes(hdlr)) {
      this.handlers.push(hdlr);
      bumpGeneration();
    }
  }

  /** Removes a handler if present. */
  removeHandler(hdlr: Handler): void {
    const i = this.handlers.indexOf(hdlr);
    if (i >= 0) {
      this.handlers.splice(i, 1);
      bumpGeneration();
    }
  }

  /** True when this logger or an ancestor reached through `propagate` has a handler. */
  hasHandlers(): boolean {
    for (let c: Logger | null = this; c; c = c.propagate ? c.parent : null) if (c.handlers.length) return true;
    return false;
  }

  /**
   * Passes the record to each handler of this logger and its ancestors (until `propagate` is false) whose level
   * it meets. With no handler at all, uses `lastResort`. A handler that throws is reported through its own
   * `handleError`; the other handlers still run.
   */
  callHandlers(record: LogRecord): void {
    let found = 0;
    const levelno = record.levelno;
    for (let c: Logger | null = this; c; c = c.parent) {
      const hs = c.handlers;
      for (let i = 0; i < hs.length; i++) {
        const h = hs[i] as Handler;
        found++;
        if (levelno >= h.level) {
          try {
            h.handle(record);
          } catch (err) {
            h.handleError(record, err);
          }
        }
      }
      if (!c.propagate) break;
    }
    if (found === 0) {
      const last = lastResortRef.handler;
      if (last) {
        if (levelno >= last.level) last.handle(record);
      } else if (state.raiseExceptions && !this.manager.emittedNoHandlerWarning) {
        process.stderr.write(`No handlers could be found for logger "${this.name}"\n`);
        this.manager.emittedNoHandlerWarning = true;
      }
    }
  }

  /** The logger `<this name>.<suffix>` (or `suffix` itself under the root). */
  getChild(suffix: string): Logger {
    return this.manager.getLogger(this === this.root ? suffix : `${this.name}.${suffix}`);
  }

  /** Python's `getChildren()` (3.12): the loggers directly below this one. */
  getChildren(): Set<Logger> {
    const depth = (l: Logger): number => (l === this.root ? 0 : 1 + (l.name.split('.').length - 1));
    const out = new Set<Logger>();
    for (const item of this.manager.loggerDict.values()) {
      if (item instanceof Logger && item.parent === this && depth(item) === 1 + depth(this)) out.add(item);
    }
    return out;
  }

  /** `%r` shows {@link toString}, as Python's repr does. */
  [pyRepr](): string {
    return this.toString();
  }

  /** Python's repr: `<Logger a.b (WARNING)>` (the effective level). */
  override toString(): string {
    return `<${this.constructor.name} ${this.name} (${String(getLevelName(this.getEffectiveLevel()))})>`;
  }
}

/**
 * The keywords of a call that ended in `kw(...)` (`_log`): `last` itself, or a copy asking for `exc_info` when
 * `exception()` passed its default; an unknown keyword is reported first.
 */
function takeKeywords(last: Keywords, keywords: LogKeywords | null): LogKeywords {
  if (last.unexpected !== undefined) reportError(unexpectedKeyword(last.unexpected));
  return keywords === EXCEPTION_DEFAULT && last.exc_info === undefined ? { ...last, exc_info: true } : last;
}

/** Adds `extra` to a new record (`makeRecord`); a function of its own so the common call stays small. */
function addExtra(rv: LogRecord, extra: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(extra)) {
    // CPython checks `rv.__dict__`: only the record's own attributes are refused, so `constructor` or
    // `toString` (inherited from Object.prototype) are ordinary extra fields, as they are in Python.
    if (key === 'message' || key === 'asctime' || Object.hasOwn(rv, key)) {
      throw new KeyError(`Attempt to overwrite ${repr(key)} in LogRecord`);
    }
    // `__proto__` as data, never as the record's prototype.
    if (key === '__proto__') Object.defineProperty(rv, key, { value: extra[key], writable: true, enumerable: true, configurable: true });
    else rv[key] = extra[key];
  }
}

const EXCEPTION_DEFAULT: LogKeywords = Object.freeze({ exc_info: true });
/** Caller capture leaves out the frames above this one (pylogging's own): see `findCaller` in internal/caller. */
const LOG_FRAME: StackTop = Logger.prototype._log; // eslint-disable-line @typescript-eslint/unbound-method

/** Python's `RootLogger`: the logger named `'root'` at the top of the tree. */
export class RootLogger extends Logger {
  constructor(level: Level) {
    super('root', level);
  }
}

/** Python's `PlaceHolder`: stands in the tree for a dotted prefix that has no logger yet. */
export class PlaceHolder {
  /** The loggers below this placeholder, in creation order. */
  readonly loggerMap = new Set<Logger>();

  constructor(alogger: Logger) {
    this.loggerMap.add(alogger);
  }

  /** Adds a logger below this placeholder. */
  append(alogger: Logger): void {
    this.loggerMap.add(alogger);
  }
}

/** A Logger subclass constructor, for `setLoggerClass`. */
export type LoggerClass = new (name: string, level?: Level) => Logger;

/** Python's `Manager`: owns the logger tree. */
export class Manager {
  /** The root logger. */
  readonly root: RootLogger;
  #disable = 0;
  /** Set once the "No handlers could be found" message was written. */
  emittedNoHandlerWarning = false;
  /** Every logger and placeholder by name. */
  readonly loggerDict = new Map<string, Logger | PlaceHolder>();
  /** The class for new loggers (null: the module-wide one). */
  loggerClass: LoggerClass | null = null;

  constructor(root: RootLogger) {
    this.root = root;
  }

  /** Python's `manager.disable`: records at or below it are dropped everywhere. */
  get disable(): number {
    return this.#disable;
  }

  /**
   * Sets the threshold directly, as CPython code assigning `manager.disable` does; a level name is accepted too.
   * `disable(level)` is the usual way, since it also clears the loggers' caches.
   * @throws {ValueError} for an unknown level name.
   */
  set disable(level: Level) {
    this.#disable = checkLevel(level);
  }

  /**
   * The logger named `name`, created (and placed in the tree) on first use.
   * @throws {TypeError} `A logger name must be a string`.
   */
  getLogger(name: string): Logger {
    if (typeof name !== 'string') throw new TypeError('A logger name must be a string');
    const existing = this.loggerDict.get(name);
    if (existing instanceof Logger) return existing;
    const klass = this.loggerClass ?? loggerClassRef.klass;
    const rv = new klass(name);
    rv.manager = this;
    this.loggerDict.set(name, rv);
    if (existing instanceof PlaceHolder) this._fixupChildren(existing, rv);
    this._fixupParents(rv);
    bumpGeneration();
    return rv;
  }

  /**
   * Sets the class for loggers this manager creates.
   * @throws {TypeError} `logger not derived from logging.Logger: <name>`.
   */
  setLoggerClass(klass: LoggerClass): void {
    checkLoggerClass(klass);
    this.loggerClass = klass;
  }

  /**
   * Python's `Manager.logRecordFactory`: stored by {@link Manager.setLogRecordFactory} and, as in CPython, not
   * consulted by `makeRecord` (which uses the module-wide factory of `setLogRecordFactory()`).
   */
  logRecordFactory: LogRecordFactory | null = null;

  /** Python's `Manager.setLogRecordFactory(factory)`: sets {@link Manager.logRecordFactory}. */
  setLogRecordFactory(factory: LogRecordFactory): void {
    this.logRecordFactory = factory;
  }

  /** Links `alogger` to its nearest existing ancestor, leaving placeholders for the missing prefixes. */
  _fixupParents(alogger: Logger): void {
    const name = alogger.name;
    let i = name.lastIndexOf('.');
    let rv: Logger | null = null;
    while (i > 0 && !rv) {
      const substr = name.slice(0, i);
      const obj = this.loggerDict.get(substr);
      if (obj === undefined) this.loggerDict.set(substr, new PlaceHolder(alogger));
      else if (obj instanceof Logger) rv = obj;
      else obj.append(alogger);
      i = i >= 2 ? name.lastIndexOf('.', i - 2) : -1;
    }
    alogger.parent = rv ?? this.root;
  }

  /** Re-parents the loggers that were waiting under placeholder `ph` onto the new logger `alogger`. */
  _fixupChildren(ph: PlaceHolder, alogger: Logger): void {
    const name = alogger.name;
    for (const c of ph.loggerMap) {
      if (!c.parent?.name.startsWith(name)) {
        alogger.parent = c.parent;
        c.parent = alogger;
      }
    }
  }

  /** Invalidates every logger's level cache (O(1): see `state.generation`). */
  _clear_cache(): void {
    bumpGeneration();
  }
}

/** Python's module-wide `_loggerClass`. */
export const loggerClassRef: { klass: LoggerClass } = { klass: Logger };

/** @throws {TypeError} unless `klass` is Logger or a subclass. */
export function checkLoggerClass(klass: unknown): asserts klass is LoggerClass {
  if (klass !== Logger && !(typeof klass === 'function' && klass.prototype instanceof Logger)) {
    const name = typeof klass === 'function' ? klass.name : String(klass);
    throw new TypeError(`logger not derived from logging.Logger: ${name}`);
  }
}

/** The root logger (`getLogger()`), at WARNING. */
export const root = new RootLogger(WARNING);
/** The tree's manager. */
export const manager = new Manager(root);
Logger.prototype.manager = manager;
Logger.prototype.root = root;
