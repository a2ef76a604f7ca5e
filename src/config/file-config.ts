/**
 * `fileConfig`: CPython 3.13's INI-format configuration (`[loggers]`, `[handlers]`, `[formatters]`, `[logger_x]`,
 * `[handler_x]`, `[formatter_x]`), with `args`/`kwargs`/`defaults` read by a safe literal parser instead of `eval`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KeyError, ValueError } from '../core/errors.js';
import { Formatter } from '../core/formatter.js';
import { Handler } from '../core/handler.js';
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
} from './common.js';
import { ConfigParser, ConfigParserError } from './ini.js';
import { literalNames, parseLiteral, resolveLiteral, type PyValue } from './py-literal.js';
import { dictConfigFromFile } from './dict-config.js';
import { construct } from './construct.js';
import { isJsRef, isSubclassOf, preload, qualifiedInLogging, resolveInLogging, resolveName } from './registry.js';
import { optionKeys } from '../internal/options.js';
import { checkTrustOptions, makeGate, passes, requireSubclass, type ConfigTrustOptions, type Gate } from './trust.js';

/** Python's `FileNotFoundError` (`app.ini doesn't exist`). */
export class FileNotFoundError extends Error {
  /** `'FileNotFoundError'`, the Python class name shown before the message. */
  override name = 'FileNotFoundError';
  /** `'ENOENT'`, the code Node's own file errors carry, so one `err.code` check covers both. */
  readonly code = 'ENOENT';
}


/** Python's `RuntimeError` (`app.ini is an empty file`, `app.ini is invalid: …`). */
export class RuntimeError extends Error {
  /** `'RuntimeError'`, the Python class name shown before the message. */
  override name = 'RuntimeError';
}

/** Keyword arguments of {@link fileConfig}, with Python's names, and pylogging's `allow`. */
export interface FileConfigOptions extends ConfigTrustOptions {
  /** Values for the `[DEFAULT]` section (Python's `ConfigParser(defaults)`). @default null */
  defaults?: Readonly<Record<string, unknown>> | null;
  /** Disable existing loggers the file does not name (children of named ones are reset instead). @default true */
  disable_existing_loggers?: boolean;
  /** The file's encoding (`utf-8`, `latin-1`, `ascii`, `utf-16`…). @default 'utf-8' */
  encoding?: string | null;
}

const OPTION_NAMES = optionKeys<FileConfigOptions>()(['defaults', 'disable_existing_loggers', 'encoding', 'allow']);

/** What {@link fileConfig} reads: a path, a `file:` URL, a parsed {@link ConfigParser}, or a file-like `{ read() }`. */
export type FileConfigSource =
  | string
  | URL
  | ConfigParser
  | {
      /** Returns the whole INI text (Python's `f.read()`); called once. */
      read(): string;
      /** The name parse errors cite, as Python's file objects have; `'<???>'` when absent. */
      name?: string;
    };

function readParser(fname: FileConfigSource, options: FileConfigOptions): ConfigParser {
  if (fname instanceof ConfigParser) return fname;
  const path = fname instanceof URL ? fileURLToPath(fname) : typeof fname === 'string' ? fname : null;
  if (path !== null) {
    if (!existsSync(path)) throw new FileNotFoundError(`${path} doesn't exist`);
    if (statSync(path).size === 0) throw new RuntimeError(`${path} is an empty file`);
  }
  try {
    const cp = new ConfigParser(options.defaults ?? null);
    if (path !== null) {
      const bytes = readFileSync(path);
      const enc = (options.encoding ?? 'utf-8').toLowerCase().replace(/_/g, '-');
      const label = enc === 'latin-1' || enc === 'latin1' ? 'latin1' : enc === 'ascii' ? 'ascii' : enc;
      cp.readString(new TextDecoder(label).decode(bytes), path);
    } else {
      const f = fname as { read(): string; name?: string };
      cp.readString(f.read(), typeof f.name === 'string' ? f.name : '<???>');
    }
    return cp;
  } catch (e) {
    if (e instanceof ConfigParserError && (e.name === 'ParsingError' || e.name === 'MissingSectionHeaderError')) {
      // CPython raises it without `from`: no cause.
      throw new RuntimeError(`${path ?? '<???>'} is invalid: ${e.message}`);
    }
    throw e;
  }
}

/** `cp[section][option]`: KeyError when either is missing, as CPython's section proxy. */
function item(cp: ConfigParser, section: string, option: string): string {
  if (!cp.hasSection(section)) throw new KeyError(pyRepr(section));
  if (!cp.hasOption(section, option)) throw new KeyError(pyRepr(option));
  return cp.get(section, option) as string;
}

function section(cp: ConfigParser, name: string): void {
  if (!cp.hasSection(name)) throw new KeyError(pyRepr(name));
}

function keyList(text: string): string[] {
  return text.split(',').map((s) => s.trim());
}

/**
 * A fileConfig class name: `eval(name, vars(logging))`, falling back to the absolute import walk; each name tried
 * passes the `allow` gate first.
 */
function resolveClass(name: string, gate: Gate | null): unknown {
  if (isJsRef(name)) {
    gate?.(name);
    return resolveName(name);
  }
  const n = name.trim();
  try {
    gate?.(qualifiedInLogging(n));
    return resolveInLogging(n);
  } catch (e) {
    if (e instanceof Error && (e.name === 'NameError' || e.name === 'AttributeError')) {
      gate?.(n);
      return resolveName(n);
    }
    throw e;
  }
}

const NO_FACTORY = ' (fileConfig has no factories: use dictConfig with \'()\')';

interface Parsed {
  cp: ConfigParser;
  gate: Gate | null;
  /** Parsed `args`/`kwargs`/`defaults` literals by `section/option`. */
  literals: Map<string, PyValue>;
}

function literal(p: Parsed, sect: string, option: string, text: string): unknown {
  const key = `${sect}/${option}`;
  let v = p.literals.get(key);
  if (v === undefined) {
    v = parseLiteral(text);
    p.literals.set(key, v);
  }
  return resolveLiteral(v, resolveInLogging);
}

function createFormatters(p: Parsed): Map<string, unknown> {
  const { cp } = p;
  const out = new Map<string, unknown>();
  const flist = item(cp, 'formatters', 'keys');
  if (!flist.length) return out;
  for (const form of keyList(flist)) {
    const sect = `formatter_${form}`;
    const fs = cp.get(sect, 'format', { raw: true, fallback: null });
    // `datefmt=` is empty in most INI files; CPython's formatTime treats '' as "no datefmt". Until core's Formatter
    // does the same, pass null for it.
    const dfs = cp.get(sect, 'datefmt', { raw: true, fallback: null }) || null;
    const stl = cp.get(sect, 'style', { raw: true, fallback: '%' });
    const defaults = cp.get(sect, 'defaults', { raw: true, fallback: null });
    section(cp, sect);
    const className = cp.get(sect, 'class', { fallback: null });
    const c = className ? resolveClass(className, p.gate) : Formatter;
    requireSubclass(c, Formatter, className, NO_FACTORY);
    const f =
      defaults !== null
        ? construct(c, [fs, dfs, stl], { defaults: literal(p, sect, 'defaults', defaults) })
        : construct(c, [fs, dfs, stl], {});
    out.set(form, f);
  }
  return out;
}

function installHandlers(p: Parsed, formatters: Map<string, unknown>, built: Handler[]): Map<string, Handler> {
  const { cp } = p;
  const handlers = new Map<string, Handler>();
  const hlist = item(cp, 'handlers', 'keys');
  if (!hlist.length) return handlers;
  const fixups: [Handler, string][] = [];
  for (const hand of keyList(hlist)) {
    const sect = `handler_${hand}`;
    section(cp, sect);
    const className = item(cp, sect, 'class');
    const klass = resolveClass(className, p.gate);
    requireSubclass(klass, Handler, className, NO_FACTORY);
    const fmt = cp.get(sect, 'formatter', { fallback: '' }) as string;
    const args = literal(p, sect, 'args', cp.get(sect, 'args', { fallback: '()' }) as string);
    const kwargs = literal(p, sect, 'kwargs', cp.get(sect, 'kwargs', { fallback: '{}' }) as string);
    const fname = typeof klass === 'function' ? klass.name : String(klass);
    if (!Array.isArray(args)) throw new TypeError(`${fname}() argument after * must be an iterable, not ${typeof args}`);
    if (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs)) {
      throw new TypeError(`${fname}() argument after ** must be a mapping, not ${typeof kwargs}`);
    }
    const h = construct(klass, args, kwargs as Record<string, unknown>);
    if (!(h instanceof Handler)) throw new TypeError(`${fname} did not produce a Handler`);
    built.push(h);
    if (cp.hasOption(sect, 'level')) h.setLevel(checkLevel(cp.get(sect, 'level')));
    if (fmt.length) {
      const f = formatters.get(fmt);
      if (f === undefined) throw new KeyError(pyRepr(fmt));
      h.setFormatter(f as Formatter);
    }
    if (isSubclassOf(klass, 'logging.handlers.MemoryHandler')) {
      const target = cp.get(sect, 'target', { fallback: '' }) as string;
      if (target.length) fixups.push([h, target]);
    }
    handlers.set(hand, h);
  }
  for (const [h, t] of fixups) {
    const target = handlers.get(t);
    if (!target) throw new KeyError(pyRepr(t));
    (h as Handler & { setTarget(t: Handler): void }).setTarget(target);
  }
  return handlers;
}

type Plan = (logger: Logger) => void;

function planLogger(cp: ConfigParser, sect: string, handlers: Map<string, Handler>, isRoot: boolean): Plan {
  section(cp, sect);
  const level = cp.hasOption(sect, 'level') ? checkLevel(cp.get(sect, 'level')) : null;
  const hlist = item(cp, sect, 'handlers');
  const hs = hlist.length
    ? keyList(hlist).map((name) => {
        const h = handlers.get(name);
        if (!h) throw new KeyError(pyRepr(name));
        return h;
      })
    : [];
  let propagate = true;
  if (!isRoot) {
    const text = (cp.get(sect, 'propagate', { fallback: null }) ?? '1').trim();
    if (!/^[-+]?\d+$/.test(text)) throw new ValueError(`invalid literal for int() with base 10: ${pyRepr(text)}`);
    propagate = Number(text) !== 0;
  }
  return (logger) => {
    if (level !== null) logger.setLevel(level);
    for (const h of [...logger.handlers]) logger.removeHandler(h);
    if (!isRoot) {
      logger.propagate = propagate;
      logger.disabled = false;
    }
    for (const h of hs) logger.addHandler(h);
  };
}

/** The `class=` of a handler or formatter section (trimmed; uninterpolated when interpolation fails), or null. */
function classOf(cp: ConfigParser, sect: string): string | null {
  if (!sect.startsWith('handler_') && !sect.startsWith('formatter_')) return null;
  let cls: string | null;
  try {
    cls = cp.get(sect, 'class', { fallback: null });
  } catch {
    // reported in order when the section is used
    cls = cp.get(sect, 'class', { fallback: null, raw: true });
  }
  return cls?.trim() ?? null;
}

function collectNames(cp: ConfigParser, literals: Map<string, PyValue>): string[] {
  const names: string[] = [];
  const add = (n: string): void => {
    names.push(n, `logging.${n}`);
  };
  for (const sect of cp.sections()) {
    if (sect.startsWith('handler_') || sect.startsWith('formatter_')) {
      const cls = classOf(cp, sect);
      if (cls) add(cls);
      for (const opt of ['args', 'kwargs', 'defaults']) {
        const text = cp.get(sect, opt, { fallback: null, raw: opt === 'defaults' });
        if (text === null) continue;
        try {
          const v = parseLiteral(text);
          literals.set(`${sect}/${opt}`, v);
          for (const n of literalNames(v)) add(n);
        } catch {
          // reported in order when the section is used
        }
      }
    }
  }
  return names;
}

/**
 * Python's `fileConfig(fname, defaults, disable_existing_loggers, encoding)` once the modules the file names are
 * loaded (see {@link fileConfig}). Transactional like `dictConfigSync`: formatters, handlers and loggers are built
 * and checked first; on failure the new handlers are closed and the old configuration stays.
 * @throws CPython's errors: `FileNotFoundError` (`x doesn't exist`), `RuntimeError` (`x is an empty file`,
 * `x is invalid: …`), `KeyError` for a missing section/option/handler/formatter, and the literal parser's
 * `SyntaxError` where CPython's `eval` would have run code.
 */
export function fileConfigSync(fname: FileConfigSource, options: FileConfigOptions = {}): void {
  checkTrustOptions(options, 'fileConfig', OPTION_NAMES);
  const cp = readParser(fname, options);
  applyParsed({ cp, literals: new Map(), gate: makeGate(options.allow) }, options);
}

function applyParsed(p: Parsed, options: FileConfigOptions): void {
  const { cp } = p;
  const disableExisting = options.disable_existing_loggers ?? true;
  const old = snapshotHandlers();
  const built: Handler[] = [];
  let rootPlan: Plan;
  const loggerPlans: [string, Plan][] = [];
  try {
    const formatters = createFormatters(p);
    const handlers = installHandlers(p, formatters, built);
    const llist = keyList(item(cp, 'loggers', 'keys'));
    const ri = llist.indexOf('root');
    if (ri < 0) throw new ValueError('list.remove(x): x not in list');
    llist.splice(ri, 1);
    rootPlan = planLogger(cp, 'logger_root', handlers, true);
    for (const log of llist) {
      const sect = `logger_${log}`;
      section(cp, sect);
      const qn = item(cp, sect, 'qualname');
      loggerPlans.push([qn, planLogger(cp, sect, handlers, false)]);
    }
    closeOldHandlers(old, new Set(built));
    for (const [name, h] of handlers) h.name = name;
  } catch (e) {
    for (const h of built) void h.close().catch(() => undefined);
    throw e;
  }
  rootPlan(root);
  const existing = existingLoggerNames();
  const childLoggers: string[] = [];
  for (const [qn, plan] of loggerPlans) {
    const logger = getLogger(qn);
    noteConfigured(qn, existing, childLoggers);
    plan(logger);
  }
  handleExistingLoggers(existing, childLoggers, disableExisting);
}

/**
 * Python's `logging.config.fileConfig(fname, defaults=None, disable_existing_loggers=True, encoding=None)`.
 *
 * `fname` is a path, a `file:` URL, a {@link ConfigParser} you filled yourself, or a file-like `{ read() }`. The
 * `args`, `kwargs` and `defaults` entries are Python literals read by a safe parser: strings, numbers, True/False/None,
 * tuples, lists, dicts, arithmetic, and the names Python's `eval` would find in `vars(logging)` (`sys.stdout`,
 * `sys.stderr`, `ERROR`, `handlers.SysLogHandler.LOG_USER`, …); anything else is a `SyntaxError`, never executed.
 * Synchronous, as Python's: the handler modules the file names are loaded with `require()` first.
 */
export function fileConfig(fname: FileConfigSource, options: FileConfigOptions = {}): void {
  checkTrustOptions(options, 'fileConfig', OPTION_NAMES);
  const gate = makeGate(options.allow);
  const cp = readParser(fname, options);
  const literals = new Map<string, PyValue>();
  const names = collectNames(cp, literals);
  if (gate) {
    for (const sect of cp.sections()) {
      const cls = classOf(cp, sect);
      if (cls !== null && isJsRef(cls)) gate(cls, `[${sect}] class`);
    }
  }
  // A Python name outside the list is not loaded either (it is refused when the file reaches it).
  preload(
    names.filter((n) => passes(gate, n)),
    names.some(isJsRef),
  );
  applyParsed({ cp, literals, gate }, options);
}

/**
 * For the CLI: a `.json` file goes to `dictConfig`, anything else to `fileConfig` (as Python's `listen()` tries JSON
 * first, then the INI format).
 */
export function configFromFile(path: string, options: FileConfigOptions = {}): void {
  checkTrustOptions(options, 'configFromFile', OPTION_NAMES);
  if (path.toLowerCase().endsWith('.json')) {
    dictConfigFromFile(path, options.allow === undefined ? {} : { allow: options.allow });
    return;
  }
  fileConfig(path, options);
}
