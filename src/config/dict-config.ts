/**
 * `dictConfig`: CPython 3.13's `logging.config.dictConfig` schema, references (`ext://`, `cfg://`) and error
 * messages, made transactional: everything is built and checked first, then swapped in within one synchronous step.
 */
import { readFileSync } from 'node:fs';
import { ValueError } from '../core/errors.js';
import type { FilterType } from '../core/filter.js';
import { getHandlerByName, type Handler } from '../core/handler.js';
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
import { Builder, buildObjects, wrap } from './dict-builder.js';
import { isDict, keysOf, pyTypeName, type Dict } from './dict-converter.js';
import { isJsRef, preload, referencedModule } from './registry.js';
import { checkTrustOptions, makeGate, passes, type ConfigTrustOptions, type Gate } from './trust.js';

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
    buildObjects(b, config);
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

/**
 * Builds the `formatters`, `filters` and `handlers` of a dictConfig dictionary exactly as {@link dictConfig} does
 * (loading the modules it names first), without changing the logging configuration: the worker thread of a
 * `WorkerQueueListener` builds its handlers with it. Returns the handlers by their keys, unnamed.
 * @throws {ValueError} dictConfig's messages, the cause chained; what was built is closed.
 */
export function buildHandlers(config: Readonly<Record<string, unknown>>): Map<string, Handler> {
  const { names, js } = collectNames(config);
  preload(names, js);
  const b = new Builder({ ...config }, null);
  try {
    buildObjects(b, b.cv.config);
  } catch (e) {
    for (const h of b.built) void h.close().catch(() => undefined);
    throw e;
  }
  const out = new Map<string, Handler>();
  for (const [name, h] of b.handlers) if (h) out.set(name, h);
  return out;
}
