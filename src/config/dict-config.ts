/**
 * `dictConfig`: CPython 3.13's `logging.config.dictConfig` schema, references (`ext://`, `cfg://`) and error
 * messages, made transactional: everything is built and checked first, then swapped in within one synchronous step.
 */
import { readFileSync } from 'node:fs';
import { KeyError, ValueError } from '../core/errors.js';
import { Filter, type FilterType } from '../core/filter.js';
import { Formatter } from '../core/formatter.js';
import { getHandlerByName, Handler } from '../core/handler.js';
import { checkLevel } from '../core/levels.js';
import { root, type Logger } from '../core/logger.js';
import { getLogger } from '../core/api.js';
import {
  closeOldHandlers,
  existingLoggerNames,
  handleExistingLoggers,
  noteConfigured,
  pyRepr,
  snapshotHandlers,
  truthy,
} from './common.js';
import { construct, isClass } from './construct.js';
import {
  AttributeError,
  isJsRef,
  isSubclassOf,
  ModuleNotFoundError,
  preload,
  referencedModule,
  resolveName,
} from './registry.js';
import { checkTrustOptions, makeGate, passes, requireSubclass, type ConfigTrustOptions, type Gate } from './trust.js';

/** Options of {@link dictConfig}, {@link dictConfigSync} and {@link dictConfigFromFile}. */
export type DictConfigOptions = ConfigTrustOptions;

/** A formatter entry: CPython's keys, or a `()` factory with its keyword arguments and `.` properties. */
export interface FormatterConfig {
  /** The format string (Formatter's `fmt`), in the chosen `style`. */
  format?: string;
  /** The `strftime` format of `%(asctime)s` (Formatter's `datefmt`). */
  datefmt?: string;
  /** `%` (the default), `{` (`str.format`) or `$` (`string.Template`) placeholders in `format`. */
  style?: '%' | '{' | '$';
  /** False skips the check that `format` suits `style` (CPython 3.8's `validate`). */
  validate?: boolean;
  /** Values for fields a record may lack, used when it does (CPython 3.10's `defaults`). */
  defaults?: Record<string, unknown>;
  /**
   * The formatter class, built with `format`, `datefmt`, `style`, `validate` and `defaults`: a Python dotted name
   * (`logging.Formatter`), a `"<module>#<export>"` reference, or the class itself.
   */
  class?: string | (new (...args: never[]) => unknown);
  /** A factory (dotted name, reference or function) called with every other key as a keyword argument. */
  '()'?: string | ((...args: never[]) => unknown);
  /** Properties assigned on the built formatter, after construction. */
  '.'?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A handler entry: `class` (or `()`), `level`, `formatter`, `filters`, `.` properties, and keyword arguments. */
export interface HandlerConfig {
  /**
   * The handler class, given the remaining keys as keyword arguments under Python's names (`maxBytes`,
   * `backupCount`): a dotted name (`logging.handlers.RotatingFileHandler`), a `"<module>#<export>"` reference, or the
   * class itself.
   */
  class?: string | (new (...args: never[]) => unknown);
  /** A factory (dotted name, reference or function) to call instead of a class, with the same keyword arguments. */
  '()'?: string | ((...args: never[]) => unknown);
  /** The handler's level: a name (`'INFO'`) or a number. */
  level?: string | number;
  /** The id of an entry in `formatters`. */
  formatter?: string;
  /** Ids of entries in `filters`, or filter objects and functions themselves (CPython 3.11). */
  filters?: (string | FilterType)[];
  /** Properties assigned on the built handler, after construction. */
  '.'?: Record<string, unknown>;
  [kwarg: string]: unknown;
}

/** A logger entry (also the shape of `root`). */
export interface LoggerConfig {
  /** The logger's level: a name (`'DEBUG'`) or a number; left as it is when absent. */
  level?: string | number;
  /** Whether records also go to the ancestors' handlers, read with Python's truthiness. @default true */
  propagate?: unknown;
  /** Ids of entries in `filters`, or filter objects and functions themselves. */
  filters?: (string | FilterType)[];
  /** Ids of entries in `handlers`; they replace the logger's current handlers. */
  handlers?: string[];
  [key: string]: unknown;
}

/** The dictionary `dictConfig` accepts: CPython's schema, version 1. */
export interface DictConfig {
  /** The schema version; 1 is the only one CPython defines, and anything else is refused. */
  version: 1;
  /** Formatters by id (a string value is a `cfg://` reference, as everywhere in the dictionary). */
  formatters?: Record<string, FormatterConfig> | string;
  /** Filters by id: `{ name: 'app' }` for a `Filter`, or a `()` factory with its keyword arguments. */
  filters?: Record<string, Record<string, unknown>> | string;
  /** Handlers by id; loggers name them in their `handlers` lists. */
  handlers?: Record<string, HandlerConfig | string> | string;
  /** Loggers by dotted name (`'app.db'`). */
  loggers?: Record<string, LoggerConfig | string> | string;
  /** The root logger's entry. */
  root?: LoggerConfig | string;
  /**
   * True only adjusts what exists: levels of named handlers, and levels and `propagate` of loggers; nothing is built
   * or replaced. @default false
   */
  incremental?: boolean;
  /**
   * Disable every existing logger the configuration does not name (nor an ancestor of), as CPython does by default;
   * false leaves them working. @default true
   */
  disable_existing_loggers?: boolean;
  [key: string]: unknown;
}

type Dict = Record<string, unknown>;

const CONVERT = /^([a-z]+):\/\/(.*)$/;
const WORD = /^\s*([\p{L}\p{N}_]+)\s*/u;
const DOT = /^\.\s*([\p{L}\p{N}_]+)\s*/u;
const INDEX = /^\[([^[\]]*)\]\s*/;
const DIGITS = /^\d+$/;
const IDENT = /^[a-z_][a-z0-9_]*$/i;

function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** `ValueError("Cannot resolve 'x': …")` around a failed name lookup, as CPython's `BaseConfigurator.resolve`. */
function resolveWrapped(s: string): unknown {
  try {
    return resolveName(s);
  } catch (e) {
    if (e instanceof ModuleNotFoundError || e instanceof AttributeError) {
      throw new ValueError(`Cannot resolve ${pyRepr(s)}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** CPython's `BaseConfigurator`: lazy `ext://` and `cfg://` conversion on access. */
class Converter {
  constructor(
    readonly config: Dict,
    readonly gate: Gate | null,
  ) {}

  /** Resolves a name the config gave (`ext://`, `class`, `()`, …), once the `allow` option lets it through. */
  resolve(s: string, wrapped = true): unknown {
    this.gate?.(s);
    return wrapped ? resolveWrapped(s) : resolveName(s);
  }

  /** Converts a `prefix://suffix` string; everything else is returned unchanged. */
  convert(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const m = CONVERT.exec(value);
    if (!m) return value;
    if (m[1] === 'ext') return this.resolve(m[2] as string);
    if (m[1] === 'cfg') return this.cfg(m[2] as string);
    return value;
  }

  /** `d.get(key)` with conversion (undefined when absent). @throws {AttributeError} when `d` is not a mapping. */
  get(d: unknown, key: string): unknown {
    if (!isDict(d)) throw new AttributeError(`'${pyTypeName(d)}' object has no attribute 'get'`);
    return Object.hasOwn(d, key) ? this.convert(d[key]) : undefined;
  }

  /** `d[key]` with conversion. @throws {KeyError} when absent. */
  item(d: unknown, key: string | number): unknown {
    if (Array.isArray(d) || typeof d === 'string') {
      if (typeof key !== 'number') throw new TypeError(`${pyTypeName(d)} indices must be integers or slices, not str`);
      if (key >= d.length) throw new RangeError(`${pyTypeName(d)} index out of range`);
      return this.convert(d[key]);
    }
    if (!isDict(d)) throw new TypeError(`'${pyTypeName(d)}' object is not subscriptable`);
    const k = String(key);
    if (typeof key === 'number' || !Object.hasOwn(d, k)) throw new KeyError(pyRepr(key));
    return this.convert(d[k]);
  }

  /** CPython's `cfg_convert`: `handlers.email.toaddrs[0]`, `adict[key with spaces]`. */
  cfg(value: string): unknown {
    let rest = value;
    let m = WORD.exec(rest);
    if (!m) throw new ValueError(`Unable to convert ${pyRepr(value)}`);
    rest = rest.slice(m[0].length);
    let d = this.item(this.config, m[1] as string);
    while (rest) {
      m = DOT.exec(rest);
      if (m) d = this.item(d, m[1] as string);
      else {
        m = INDEX.exec(rest);
        if (m) {
          const idx = m[1] as string;
          if (!DIGITS.test(idx)) d = this.item(d, idx);
          else if (Array.isArray(d) || typeof d === 'string') d = this.item(d, Number(idx));
          else d = this.item(d, Number(idx)); // a mapping indexed by int: KeyError, as in CPython
        }
      }
      if (!m) throw new ValueError(`Unable to convert ${pyRepr(value)} at ${pyRepr(rest)}`);
      rest = rest.slice(m[0].length);
    }
    return d;
  }
}

/** Python's `valid_ident`. @throws {ValueError} `Not a valid Python identifier: '9'`. */
function validIdent(s: string): void {
  if (!IDENT.test(s)) throw new ValueError(`Not a valid Python identifier: ${pyRepr(s)}`);
}

function keysOf(d: unknown, what: string): string[] {
  if (d === undefined || d === null) return [];
  if (!isDict(d)) throw new TypeError(`${what} must be a mapping, got ${pyTypeName(d)}`);
  return Object.keys(d);
}

function isQueueLike(q: unknown): boolean {
  const o = q as { put_nowait?: unknown; get?: unknown } | null;
  return o !== null && typeof o === 'object' && typeof o.put_nowait === 'function' && typeof o.get === 'function';
}

function setProps(target: unknown, props: unknown): void {
  if (!truthy(props)) return;
  if (!isDict(props)) throw new AttributeError(`'${pyTypeName(props)}' object has no attribute 'items'`);
  for (const [k, v] of Object.entries(props)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new ValueError(`Refusing to set ${k}`);
    (target as Dict)[k] = v;
  }
}

const NOT_YET = ' not configured yet';
const FACTORY_HINT = " (a factory function goes under '()')";

/** Builds everything a (non-incremental) configuration names, without touching the logging globals. */
class Builder {
  readonly cv: Converter;
  readonly formatters = new Map<string, unknown>();
  readonly filters = new Map<string, unknown>();
  /** Built handlers by config name; names present in the config but not built yet map to null. */
  readonly handlers = new Map<string, Handler | null>();
  /** Everything built so far, closed again if the configuration fails. */
  readonly built: Handler[] = [];

  constructor(config: Dict, gate: Gate | null) {
    this.cv = new Converter(config, gate);
  }

  /** CPython's `configure_custom`: `()` factory, keyword arguments, `.` properties. */
  custom(config: Dict): unknown {
    const c0 = this.cv.get(config, '()');
    const c = typeof c0 === 'function' ? c0 : this.cv.resolve(String(c0));
    const kwargs: Dict = {};
    for (const k of Object.keys(config)) {
      if (k === '()' || k === '.') continue;
      validIdent(k);
      kwargs[k] = this.cv.get(config, k);
    }
    const result = construct(c, [], kwargs);
    setProps(result, this.cv.get(config, '.'));
    return result;
  }

  formatter(raw: unknown): unknown {
    const converted = this.cv.convert(raw);
    if (!isDict(converted)) throw new AttributeError(`'${pyTypeName(converted)}' object has no attribute 'get'`);
    const config: Dict = { ...converted };
    let result: unknown;
    if (Object.hasOwn(config, '()')) {
      try {
        result = this.custom(config);
      } catch (e) {
        if (!(e instanceof TypeError) || !e.message.includes("'format'")) throw e;
        // CPython: logging.Formatter takes `fmt`, not `format`; retry with the other name.
        const { format, ...rest } = config;
        result = this.custom({ ...rest, fmt: format });
      }
    } else {
      const fmt = this.cv.get(config, 'format') ?? null;
      // CPython's formatTime treats '' as "no datefmt"; until core's Formatter does, pass null for it.
      const dfmt = this.cv.get(config, 'datefmt') || null;
      const style = this.cv.get(config, 'style') ?? '%';
      const cname = this.cv.get(config, 'class');
      const defaults = this.cv.get(config, 'defaults');
      const c = !truthy(cname) ? Formatter : typeof cname === 'function' ? cname : this.cv.resolve(String(cname), false);
      requireSubclass(c, Formatter, cname, FACTORY_HINT);
      const kwargs: Dict = defaults !== undefined && defaults !== null ? { defaults } : {};
      const args = Object.hasOwn(config, 'validate') ? [fmt, dfmt, style, this.cv.get(config, 'validate')] : [fmt, dfmt, style];
      result = construct(c, args, kwargs);
    }
    if (typeof (result as { format?: unknown } | null)?.format !== 'function') {
      throw new TypeError(`formatter factory returned ${pyRepr(result)}, which has no format() method`);
    }
    return result;
  }

  filter(raw: unknown): unknown {
    const config = this.cv.convert(raw);
    if (!isDict(config)) throw new AttributeError(`'${pyTypeName(config)}' object has no attribute 'get'`);
    if (Object.hasOwn(config, '()')) return this.custom({ ...config });
    const name = this.cv.get(config, 'name') ?? '';
    return new Filter(typeof name === 'string' ? name : pyRepr(name));
  }

  /** CPython's `add_filters` lookup: callables and objects with `filter()` as they are, names from `filters`. */
  resolveFilters(list: unknown): FilterType[] {
    const out: FilterType[] = [];
    for (const f of Array.isArray(list) ? (list as unknown[]) : [list]) {
      try {
        if (typeof f === 'function' || typeof (f as { filter?: unknown } | null)?.filter === 'function') {
          out.push(f as FilterType);
        } else {
          const built = typeof f === 'string' ? this.filters.get(f) : undefined;
          if (built === undefined) throw new KeyError(pyRepr(f));
          out.push(built as FilterType);
        }
      } catch (e) {
        throw new ValueError(`Unable to add filter ${pyRepr(f)}`, { cause: e });
      }
    }
    return out;
  }

  #requireHandler(name: unknown, what: string): Handler {
    const h = typeof name === 'string' ? this.handlers.get(name) : undefined;
    try {
      if (h === undefined) throw new KeyError(pyRepr(name));
      if (h === null) throw new TypeError(what === 'target' ? `target${NOT_YET}` : `Required handler ${pyRepr(name)} is${NOT_YET}`);
      return h;
    } catch (e) {
      throw new ValueError(`Unable to set ${what === 'target' ? 'target' : 'required'} handler ${pyRepr(name)}`, {
        cause: e,
      });
    }
  }

  /** CPython's `configure_handler`. */
  handler(raw: unknown): Handler {
    const converted = this.cv.convert(raw);
    if (!isDict(converted)) throw new AttributeError(`'${pyTypeName(converted)}' object has no attribute 'pop'`);
    const config: Dict = { ...converted };
    const take = (k: string): unknown => {
      const v = this.cv.get(config, k);
      delete config[k];
      return v;
    };
    const formatterName = take('formatter');
    let formatter: unknown = null;
    if (truthy(formatterName)) {
      formatter = typeof formatterName === 'string' ? this.formatters.get(formatterName) : undefined;
      if (formatter === undefined) {
        throw new ValueError(`Unable to set formatter ${pyRepr(formatterName)}`, { cause: new KeyError(pyRepr(formatterName)) });
      }
    }
    const level = take('level');
    const filters = take('filters');
    let factory: (kwargs: Dict) => unknown;
    if (Object.hasOwn(config, '()')) {
      const c0 = take('()');
      const c = typeof c0 === 'function' ? c0 : this.cv.resolve(String(c0));
      factory = (kwargs) => construct(c, [], kwargs);
    } else {
      // CPython: config.pop('class') gives None, and resolving None fails.
      if (!Object.hasOwn(config, 'class')) throw new AttributeError("'NoneType' object has no attribute 'split'");
      const cname = take('class');
      const klass = typeof cname === 'function' ? cname : this.cv.resolve(String(cname));
      requireSubclass(klass, Handler, cname, FACTORY_HINT);
      if (isSubclassOf(klass, 'logging.handlers.MemoryHandler')) {
        if (Object.hasOwn(config, 'flushLevel')) config['flushLevel'] = checkLevel(this.cv.get(config, 'flushLevel'));
        if (Object.hasOwn(config, 'target')) config['target'] = this.#requireHandler(this.cv.get(config, 'target'), 'target');
      } else if (isSubclassOf(klass, 'logging.handlers.QueueHandler')) {
        this.#queueSpecs(config);
      }
      factory = isSubclassOf(klass, 'logging.handlers.QueueHandler')
        ? (kwargs) => this.#queueHandler(klass, kwargs)
        : (kwargs) => construct(klass, [], kwargs);
    }
    const kwargs: Dict = {};
    for (const k of Object.keys(config)) {
      if (k === '.') continue;
      validIdent(k);
      kwargs[k] = this.cv.get(config, k);
    }
    const result = factory(kwargs);
    if (!(result instanceof Handler)) {
      if (result !== null && typeof result === 'object' && typeof (result as Handler).close === 'function') {
        void (result as Handler).close();
      }
      throw new TypeError(`handler factory returned ${pyRepr(result)}, which is not a Handler`);
    }
    this.built.push(result);
    if (formatter) result.setFormatter(formatter as Formatter);
    if (level !== undefined && level !== null) result.setLevel(checkLevel(level));
    if (truthy(filters)) for (const f of this.resolveFilters(filters)) result.addFilter(f);
    setProps(result, this.cv.get(config, '.'));
    return result;
  }

  /** The 3.12 `queue`/`listener`/`handlers` checks of a QueueHandler entry (CPython's order and messages). */
  #queueSpecs(config: Dict): void {
    if (Object.hasOwn(config, 'queue')) {
      const qspec = this.cv.get(config, 'queue');
      if (typeof qspec === 'string') {
        const q = this.cv.resolve(qspec);
        if (typeof q !== 'function') throw new TypeError(`Invalid queue specifier ${pyRepr(qspec)}`);
        config['queue'] = construct(q, [], {});
      } else if (isDict(qspec) && !isQueueLike(qspec)) {
        if (!Object.hasOwn(qspec, '()')) throw new TypeError(`Invalid queue specifier ${pyRepr(qspec)}`);
        config['queue'] = this.custom({ ...qspec });
      } else if (!isQueueLike(qspec)) {
        throw new TypeError(`Invalid queue specifier ${pyRepr(qspec)}`);
      }
    }
    if (Object.hasOwn(config, 'listener')) {
      const lspec = this.cv.get(config, 'listener');
      const listenerLikeClass = (c: unknown): boolean =>
        isSubclassOf(c, 'logging.handlers.QueueListener') ||
        (typeof c === 'function' &&
          typeof (c.prototype as { start?: unknown } | undefined)?.start === 'function' &&
          typeof (c.prototype as { stop?: unknown } | undefined)?.stop === 'function');
      if (isClass(lspec)) {
        if (!listenerLikeClass(lspec)) throw new TypeError(`Invalid listener specifier ${pyRepr(lspec)}`);
      } else {
        let listener: unknown;
        if (typeof lspec === 'string') {
          listener = this.cv.resolve(lspec);
          if (isClass(listener) && !listenerLikeClass(listener)) {
            throw new TypeError(`Invalid listener specifier ${pyRepr(lspec)}`);
          }
        } else if (isDict(lspec)) {
          if (!Object.hasOwn(lspec, '()')) throw new TypeError(`Invalid listener specifier ${pyRepr(lspec)}`);
          listener = this.custom({ ...lspec });
        } else {
          throw new TypeError(`Invalid listener specifier ${pyRepr(lspec)}`);
        }
        if (typeof listener !== 'function') throw new TypeError(`Invalid listener specifier ${pyRepr(lspec)}`);
        config['listener'] = listener;
      }
    }
    if (Object.hasOwn(config, 'handlers')) {
      const names = this.cv.get(config, 'handlers');
      config['handlers'] = (Array.isArray(names) ? names : []).map((hn: unknown) => this.#requireHandler(hn, 'required'));
    }
  }

  /** CPython's `_configure_queue_handler`: the listener is built (not started) and set as `handler.listener`. */
  #queueHandler(klass: unknown, kwargs: Dict): unknown {
    const { queue, respect_handler_level, listener, handlers, ...rest } = kwargs;
    const q = queue !== undefined ? queue : construct(resolveName('queue.Queue'), [], {});
    const lklass = listener ?? resolveName('logging.handlers.QueueListener');
    const hs = Array.isArray(handlers) ? (handlers as unknown[]) : [];
    const l = construct(lklass, [q, ...hs], { respect_handler_level: respect_handler_level ?? false });
    const h = construct(klass, [q], rest);
    (h as { listener: unknown }).listener = l;
    return h;
  }

  /** Checks a logger entry and returns the function that applies it (which cannot fail). */
  planLogger(config: unknown, isRoot: boolean, incremental: boolean): (logger: Logger) => void {
    const level = this.cv.get(config, 'level');
    const lvl = level !== undefined && level !== null ? checkLevel(level) : null;
    let handlers: Handler[] | null = null;
    let filters: FilterType[] | null = null;
    if (!incremental) {
      const hs = this.cv.get(config, 'handlers');
      if (truthy(hs)) {
        handlers = (Array.isArray(hs) ? (hs as unknown[]) : [hs]).map((h) => {
          const built = typeof h === 'string' ? this.handlers.get(h) : undefined;
          if (!built) throw new ValueError(`Unable to add handler ${pyRepr(h)}`, { cause: new KeyError(pyRepr(h)) });
          return built;
        });
      }
      const fs = this.cv.get(config, 'filters');
      if (truthy(fs)) filters = this.resolveFilters(fs);
    }
    const propagate = isRoot ? undefined : this.cv.get(config, 'propagate');
    return (logger) => {
      if (lvl !== null) logger.setLevel(lvl);
      if (!incremental) {
        for (const h of [...logger.handlers]) logger.removeHandler(h);
        for (const h of handlers ?? []) logger.addHandler(h);
        for (const f of filters ?? []) logger.addFilter(f);
      }
      if (!isRoot) {
        logger.disabled = false;
        if (propagate !== undefined && propagate !== null) logger.propagate = truthy(propagate);
      }
    };
  }
}

function wrap<T>(message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ValueError(message, { cause: e });
  }
}

function incrementalConfig(b: Builder, config: Dict): void {
  const cv = b.cv;
  const steps: (() => void)[] = [];
  const handlers = cv.get(config, 'handlers');
  for (const name of keysOf(handlers, 'handlers')) {
    const h = getHandlerByName(name);
    if (!h) throw new ValueError(`No handler found with name ${pyRepr(name)}`);
    wrap(`Unable to configure handler ${pyRepr(name)}`, () => {
      const level = cv.get(cv.get(handlers, name), 'level');
      if (truthy(level)) {
        const lvl = checkLevel(level);
        steps.push(() => h.setLevel(lvl));
      }
    });
  }
  const loggers = cv.get(config, 'loggers');
  for (const name of keysOf(loggers, 'loggers')) {
    const apply = wrap(`Unable to configure logger ${pyRepr(name)}`, () => b.planLogger(cv.get(loggers, name), false, true));
    steps.push(() => apply(getLogger(name)));
  }
  const rootConf = cv.get(config, 'root');
  if (truthy(rootConf)) {
    const apply = wrap('Unable to configure root logger', () => b.planLogger(rootConf, true, true));
    steps.push(() => apply(root));
  }
  for (const s of steps) s();
}

/**
 * Python's `dictConfig(config)`, once every module the config names is loaded (see {@link dictConfig}). Works
 * without awaiting when the config names only `logging.StreamHandler`/`FileHandler`/`NullHandler`, formatters,
 * filters, `ext://sys.*` and `cfg://` references, or modules loaded by an earlier `dictConfig`/`preload()`.
 *
 * Transactional (differs from CPython, which closes the old handlers first and can fail half-way): formatters,
 * filters and handlers are built and every logger entry is checked before anything global changes; on failure the
 * new handlers are closed and the old configuration stays. On success the old handlers are flushed and closed
 * (newest first; network handlers finish in the background, see `handlersClosed()`), the new handlers get their
 * names, then loggers and root are configured, all in one synchronous step.
 *
 * A `class` must name a Handler (formatters: a Formatter) class: anything else is refused before it is called.
 * `options.allow` refuses the references outside a list (see {@link DictConfigOptions}); here nothing is loaded, so a
 * refused reference fails when the config reaches it, as `Unable to configure …` with a `ConfigRefusedError` cause.
 * @throws {ValueError} CPython's messages (`Unable to configure handler 'h'`, …), the cause chained in `cause`.
 * @throws {TypeError} for an unknown option or an invalid `allow`.
 */
export function dictConfigSync(
  config: DictConfig | Readonly<Record<string, unknown>>,
  options: DictConfigOptions = {},
): void {
  checkTrustOptions(options, 'dictConfig');
  syncWithGate(config, makeGate(options.allow));
}

function syncWithGate(config: DictConfig | Readonly<Record<string, unknown>>, gate: Gate | null): void {
  if (!isDict(config)) throw new TypeError(`dictConfig expects a mapping, got ${pyTypeName(config)}`);
  const b = new Builder(config, gate);
  const cv = b.cv;
  if (!Object.hasOwn(config, 'version')) throw new ValueError("dictionary doesn't specify a version");
  const version = cv.get(config, 'version');
  if (version !== 1) throw new ValueError(`Unsupported version: ${typeof version === 'string' ? version : pyRepr(version)}`);
  const incremental = Object.hasOwn(config, 'incremental') ? cv.get(config, 'incremental') : false;
  if (truthy(incremental)) {
    incrementalConfig(b, config);
    return;
  }
  const disableExisting = Object.hasOwn(config, 'disable_existing_loggers')
    ? truthy(cv.get(config, 'disable_existing_loggers'))
    : true;
  const old = snapshotHandlers();
  let applyLoggers: [string, (l: Logger) => void][] = [];
  let applyRoot: ((l: Logger) => void) | null = null;
  try {
    const formatters = cv.get(config, 'formatters');
    for (const name of keysOf(formatters, 'formatters')) {
      b.formatters.set(name, wrap(`Unable to configure formatter ${pyRepr(name)}`, () => b.formatter((formatters as Dict)[name])));
    }
    const filters = cv.get(config, 'filters');
    for (const name of keysOf(filters, 'filters')) {
      b.filters.set(name, wrap(`Unable to configure filter ${pyRepr(name)}`, () => b.filter((filters as Dict)[name])));
    }
    const handlers = cv.get(config, 'handlers');
    const names = keysOf(handlers, 'handlers').sort();
    for (const name of names) b.handlers.set(name, null);
    const deferred: string[] = [];
    for (const name of names) {
      try {
        b.handlers.set(name, b.handler((handlers as Dict)[name]));
      } catch (e) {
        const cause = e instanceof Error ? e.cause : undefined;
        if (cause instanceof Error && cause.message.includes(NOT_YET)) deferred.push(name);
        else throw new ValueError(`Unable to configure handler ${pyRepr(name)}`, { cause: e });
      }
    }
    for (const name of deferred) {
      b.handlers.set(name, wrap(`Unable to configure handler ${pyRepr(name)}`, () => b.handler((handlers as Dict)[name])));
    }
    const loggers = cv.get(config, 'loggers');
    applyLoggers = keysOf(loggers, 'loggers').map((name) => [
      name,
      wrap(`Unable to configure logger ${pyRepr(name)}`, () => b.planLogger(cv.get(loggers, name), false, false)),
    ]);
    const rootConf = cv.get(config, 'root');
    if (truthy(rootConf)) applyRoot = wrap('Unable to configure root logger', () => b.planLogger(rootConf, true, false));
  } catch (e) {
    for (const h of b.built) void h.close().catch(() => undefined);
    throw e;
  }
  // Nothing below can fail: swap the configuration in.
  closeOldHandlers(old, new Set(b.built));
  for (const [name, h] of b.handlers) if (h) h.name = name;
  const existing = existingLoggerNames();
  const childLoggers: string[] = [];
  for (const [name, apply] of applyLoggers) {
    noteConfigured(name, existing, childLoggers);
    apply(getLogger(name));
  }
  handleExistingLoggers(existing, childLoggers, disableExisting);
  if (applyRoot) applyRoot(root);
}

/**
 * Every string a config may resolve to a module: `class`, `()`, `listener`, `queue` values and `ext://` strings;
 * `refs` has each with its key path, for the `allow` check.
 */
function collectNames(config: unknown): { names: string[]; js: boolean; refs: [name: string, where: string][] } {
  const names: string[] = [];
  const refs: [string, string][] = [];
  let js = false;
  const seen = new Set<unknown>();
  // `role` marks the top-level dict, its `filters` dict, and a filter entry (whose `class` CPython never reads).
  const walk = (v: unknown, key: string, where: string, role = ''): void => {
    if (typeof v === 'string') {
      const s = v.startsWith('ext://') ? v.slice(6) : ['class', '()', 'listener', 'queue'].includes(key) ? v : null;
      if (s !== null && referencedModule(s)) {
        names.push(s);
        if (isJsRef(s)) {
          js = true;
          refs.push([s, where]);
        }
      }
      return;
    }
    if (typeof v === 'function') {
      js = true;
      return;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, key, `${where}[${i}]`));
    else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      for (const [k, x] of Object.entries(v)) {
        if (role === 'filter' && k === 'class') continue;
        const next = role === 'top' && k === 'filters' ? 'filters' : role === 'filters' ? 'filter' : '';
        walk(x, k, where ? `${where}.${k}` : k, next);
      }
    }
  };
  walk(config, '', '', 'top');
  return { names, js, refs };
}

/**
 * Python's `logging.config.dictConfig(config)` with CPython 3.13's schema: `version`, `formatters`, `filters`,
 * `handlers`, `loggers`, `root`, `incremental`, `disable_existing_loggers`, `ext://` and `cfg://` references.
 *
 * Class paths are Python's (`logging.handlers.RotatingFileHandler`, keyword arguments under Python's names) or
 * JavaScript references `"<module>#<export>"` (`"./my-handlers.js#MyHandler"`, relative to `process.cwd()`).
 * Synchronous, as Python's: the handler modules a config names are loaded with `require()` (of ES modules, Node
 * 20.19+), then the new configuration is swapped in, in one step, by {@link dictConfigSync}.
 *
 * A configuration is code: `()` factories, `class` paths, `listener`/`queue` and `ext://` references load modules
 * and call what they name (`cfg://` only reads the configuration). A `class` must name a Handler (formatters: a
 * Formatter) class, checked before it is called; `()` may name any function, as in CPython. With `options.allow`,
 * every reference outside the list is refused before its module is loaded (see {@link DictConfigOptions}).
 * @throws {ValueError} CPython's messages, the cause chained; nothing is changed when it throws.
 * @throws {ConfigRefusedError} a `"<module>#<export>"` reference outside `options.allow`, naming it and its key path,
 * before any module is loaded (Python names are refused as `Unable to configure …` with this cause).
 * @throws {TypeError} for an unknown option or an invalid `allow`.
 */
export function dictConfig(config: DictConfig | Readonly<Record<string, unknown>>, options: DictConfigOptions = {}): void {
  checkTrustOptions(options, 'dictConfig');
  const gate = makeGate(options.allow);
  const { names, js, refs } = collectNames(config);
  if (gate) for (const [name, where] of refs) gate(name, where);
  // A Python name outside the list is not loaded either (it is refused when the config reaches it).
  preload(
    names.filter((n) => passes(gate, n)),
    js,
  );
  syncWithGate(config, gate);
}

/**
 * For the CLI (`pylogging listen --config logging.json`): reads a JSON file and applies it with {@link dictConfig},
 * with the same options.
 * @throws {SyntaxError} for invalid JSON, naming the file; {@link ValueError} as dictConfig.
 */
export function dictConfigFromFile(path: string, options: DictConfigOptions = {}): void {
  checkTrustOptions(options, 'dictConfigFromFile');
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new SyntaxError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
  dictConfig(config as DictConfig, options);
}
