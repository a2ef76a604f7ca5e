/**
 * dictConfig's builder: CPython's `DictConfigurator.configure_*` for formatters, filters, handlers (with 3.12's
 * QueueHandler `queue`/`listener`/`handlers`) and the checks of logger entries, building objects without touching
 * the logging globals, so dictConfig can swap the result in at once and the worker thread can build its handlers
 * the same way.
 */
import { KeyError, ValueError } from '../core/errors.js';
import { Filter, type FilterType } from '../core/filter.js';
import { Formatter } from '../core/formatter.js';
import { Handler } from '../core/handler.js';
import { checkLevel } from '../core/levels.js';
import type { Logger } from '../core/logger.js';
import { pyRepr, truthy } from './common.js';
import { construct, isClass } from './construct.js';
import { Converter, isDict, isQueueLike, keysOf, pyTypeName, setProps, validIdent, type Dict } from './dict-converter.js';
import { AttributeError, isSubclassOf, resolveName } from './registry.js';
import { requireSubclass, type Gate } from './trust.js';

/** The text of the error that defers a handler whose target or required handler is built later. */
export const NOT_YET = ' not configured yet';
const FACTORY_HINT = " (a factory function goes under '()')";

/** Builds everything a (non-incremental) configuration names, without touching the logging globals. */
export class Builder {
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

/** Runs `fn`, turning its failure into `ValueError(message)` with the failure as the cause. */
export function wrap<T>(message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ValueError(message, { cause: e });
  }
}


/**
 * Builds the formatters, filters and handlers of a (non-incremental) configuration into `b`, in CPython's order and
 * with its error texts; a handler whose `target` or required handler comes later is retried at the end.
 */
export function buildObjects(b: Builder, config: Dict): void {
  const cv = b.cv;
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
}
