/**
 * Python names → pylogging objects, for `dictConfig`/`fileConfig`: `logging.StreamHandler`,
 * `logging.handlers.RotatingFileHandler`, `sys.stdout`, `logging.handlers.SysLogHandler.LOG_USER`, `queue.Queue`, …,
 * plus JavaScript references `"<module>#<export>"` for user classes and factories.
 *
 * Handler modules are loaded lazily, with a `require()` (of ES modules, synchronous on Node 20.19+) whose path is
 * computed at run time, so a config that names only `logging.StreamHandler` never loads the SMTP or syslog code:
 * {@link preload} loads every module a config names, then {@link resolveName} and {@link construct} resolve from
 * what is loaded.
 *
 * What a class is called with is not here: each class declares its Python signature beside its constructor
 * (`static pySignature`, see core/py-signature.ts), and construct.ts binds the arguments to it.
 */
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Filter } from '../core/filter.js';
import { BufferingFormatter, Formatter } from '../core/formatter.js';
import { Handler } from '../core/handler.js';
import { BASIC_FORMAT } from '../core/api.js';
import { ValueError } from '../core/errors.js';
import { CRITICAL, DEBUG, ERROR, FATAL, INFO, NOTSET, WARN, WARNING } from '../core/levels.js';
import { FileHandler } from '../core/file-handler.js';
import { NullHandler, StreamHandler } from '../core/stream-handler.js';
import { AttributeError } from '../core/errors.js';
import { ColoredFormatter, LevelFormatter } from '../formatters/colored.js';

export { AttributeError };

/** Python's `ModuleNotFoundError` (an `ImportError`): a dotted name whose module does not exist or did not load. */
export class ModuleNotFoundError extends Error {
  /** `'ModuleNotFoundError'`, as Python prints it before `No module named 'x'`. */
  override name = 'ModuleNotFoundError';
}

/** Python's `NameError`: `name 'foo' is not defined` (a fileConfig expression naming an unknown global). */
export class NameError extends Error {
  /** `'NameError'`, the Python class name shown before the message. */
  override name = 'NameError';
}

/** A name whose value lives in a lazily loaded handler module. */
interface Lazy {
  readonly file: string;
  readonly exportName: string;
}

/** Python modules we model: packages can have submodules (that changes CPython's error text). */
const MODULES: ReadonlyMap<string, { package: boolean }> = new Map([
  ['logging', { package: true }],
  ['logging.handlers', { package: false }],
  ['logging.config', { package: false }],
  ['sys', { package: false }],
  ['queue', { package: false }],
  ['socket', { package: false }],
  ['colorlog', { package: true }],
  ['colorlog.formatter', { package: false }],
  ['pythonjsonlogger', { package: true }],
  ['pythonjsonlogger.jsonlogger', { package: false }],
  ['pythonjsonlogger.json', { package: false }],
  ['opentelemetry', { package: true }],
  ['opentelemetry.sdk', { package: true }],
  ['opentelemetry.sdk._logs', { package: true }],
]);

/**
 * One lazily loaded export per Python name, with the package entry point that exports it (a path relative to
 * src/config/). Entry points, never the file that defines the class: the published build bundles each entry point
 * (scripts/bundle.mjs) and only entry points exist there as files.
 */
const LAZY: ReadonlyMap<string, Lazy> = new Map(
  (
    [
      ['logging.handlers.WatchedFileHandler', '../handlers'],
      ['logging.handlers.BaseRotatingHandler', '../handlers'],
      ['logging.handlers.RotatingFileHandler', '../handlers'],
      ['logging.handlers.TimedRotatingFileHandler', '../handlers'],
      ['logging.handlers.SocketHandler', '../handlers'],
      ['logging.handlers.DatagramHandler', '../handlers'],
      ['logging.handlers.SysLogHandler', '../handlers'],
      ['logging.handlers.NTEventLogHandler', '../handlers'],
      ['logging.handlers.SMTPHandler', '../handlers'],
      ['logging.handlers.HTTPHandler', '../handlers'],
      ['logging.handlers.BufferingHandler', '../handlers'],
      ['logging.handlers.MemoryHandler', '../handlers'],
      ['logging.handlers.QueueHandler', '../handlers'],
      ['logging.handlers.QueueListener', '../handlers'],
      ['queue.Queue', '../handlers'],
      // python-json-logger (2.x name, 3.x name): pylogging/json
      ['pythonjsonlogger.jsonlogger.JsonFormatter', '../json'],
      ['pythonjsonlogger.json.JsonFormatter', '../json'],
      // pylogging/otel: it loads OpenTelemetry only when a LoggingHandler is constructed.
      ['opentelemetry.sdk._logs.LoggingHandler', '../otel'],
    ] as const
  ).map(([name, file]) => [name, { file, exportName: name.slice(name.lastIndexOf('.') + 1) }]),
);

/** Every entry point the registry may load (what {@link preload} loads when `all` is true). */
export const HANDLER_FILES: readonly string[] = [...new Set([...LAZY.values()].map((l) => l.file))];

/** Values that need no module load. `sys.stdout`/`sys.stderr` are read when resolved (tests may replace them). */
const STATIC: ReadonlyMap<string, () => unknown> = new Map<string, () => unknown>([
  ['logging.Formatter', () => Formatter],
  ['logging.BufferingFormatter', () => BufferingFormatter],
  ['logging.Filter', () => Filter],
  ['logging.Handler', () => Handler],
  ['logging.StreamHandler', () => StreamHandler],
  ['logging.FileHandler', () => FileHandler],
  ['logging.NullHandler', () => NullHandler],
  ['logging.CRITICAL', () => CRITICAL],
  ['logging.FATAL', () => FATAL],
  ['logging.ERROR', () => ERROR],
  ['logging.WARNING', () => WARNING],
  ['logging.WARN', () => WARN],
  ['logging.INFO', () => INFO],
  ['logging.DEBUG', () => DEBUG],
  ['logging.NOTSET', () => NOTSET],
  ['logging.BASIC_FORMAT', () => BASIC_FORMAT],
  ['logging.handlers.DEFAULT_TCP_LOGGING_PORT', () => 9020],
  ['logging.handlers.DEFAULT_UDP_LOGGING_PORT', () => 9021],
  ['logging.handlers.DEFAULT_HTTP_LOGGING_PORT', () => 9022],
  ['logging.handlers.DEFAULT_SOAP_LOGGING_PORT', () => 9023],
  ['logging.handlers.SYSLOG_UDP_PORT', () => 514],
  ['logging.handlers.SYSLOG_TCP_PORT', () => 514],
  ['sys.stdout', () => process.stdout],
  ['sys.stderr', () => process.stderr],
  ['socket.SOCK_STREAM', () => 1],
  ['socket.SOCK_DGRAM', () => 2],
  // colorlog re-exports its formatter module's classes; the package-level names come last, so each class is
  // registered under its `colorlog.X` name.
  ['colorlog.formatter.ColoredFormatter', () => ColoredFormatter],
  ['colorlog.formatter.TTYColoredFormatter', () => ColoredFormatter],
  ['colorlog.formatter.LevelFormatter', () => LevelFormatter],
  ['colorlog.TTYColoredFormatter', () => ColoredFormatter],
  ['colorlog.ColoredFormatter', () => ColoredFormatter],
  ['colorlog.LevelFormatter', () => LevelFormatter],
]);

type LoadResult = { mod: Record<string, unknown> } | { error: unknown };
const loaded = new Map<string, LoadResult>();

function handlerKey(file: string): string {
  return `pylogging:${file}`;
}

// `require()` of an ES module is synchronous on Node 20.19+ and 22.12+ (and shares the ESM module cache, so classes
// keep their identity): that is what lets dictConfig()/fileConfig() be synchronous, as Python's are.
const requireHere = createRequire(import.meta.url);

function load(key: string, url: string): void {
  if (loaded.has(key)) return;
  try {
    const mod = requireHere(url.startsWith('file:') ? fileURLToPath(url) : url) as Record<string, unknown>;
    loaded.set(key, { mod });
  } catch (error) {
    loaded.set(key, { error });
  }
}

function loadHandlerFile(file: string): void {
  // Computed at run time so tsc does not follow it: a handler module is loaded only when a config names it.
  load(handlerKey(file), new URL(`${file}.js`, import.meta.url).href);
}

/** A `"<module>#<export.path>"` reference: `"./my-handlers.js#MyHandler"`, `"my-pkg#default"`. */
export function isJsRef(name: string): boolean {
  const i = name.lastIndexOf('#');
  return i > 0 && i < name.length - 1;
}

function splitJsRef(ref: string): [spec: string, path: string[]] {
  const i = ref.lastIndexOf('#');
  return [ref.slice(0, i), ref.slice(i + 1).split('.')];
}

/** package.json "exports" of pylogging itself: subpath → the file under the build directory (`./otel` → `otel.js`). */
let ownExports: ReadonlyMap<string, string> | null = null;

/**
 * The file of pylogging's own entry point `spec` (`pylogging`, `pylogging/otel`) in the build this module belongs
 * to, or null. A config naming pylogging's own classes gets the classes of the copy of pylogging that runs the
 * config: with the package resolved from the cwd instead, a second copy (a nested install, or the source build next
 * to the bundled one) would give classes that fail every `instanceof Handler` check.
 */
function ownEntryUrl(spec: string): string | null {
  if (spec !== 'pylogging' && !spec.startsWith('pylogging/')) return null;
  if (ownExports === null) {
    const pkg = requireHere('../../../package.json') as { exports?: Record<string, unknown> };
    const map = new Map<string, string>();
    for (const [key, target] of Object.entries(pkg.exports ?? {})) {
      const file = typeof target === 'object' && target !== null ? (target as { default?: unknown }).default : target;
      const m = typeof file === 'string' ? /^\.\/build\/[^/]+\/(.+\.js)$/.exec(file) : null;
      if (m) map.set(`pylogging${key.slice(1)}`, m[1] as string);
    }
    ownExports = map;
  }
  const file = ownExports.get(spec);
  return file === undefined ? null : new URL(`../${file}`, import.meta.url).href;
}

/** The URL `import()` gets for a module specifier: relative and absolute paths are resolved against the cwd. */
function specUrl(spec: string): string {
  if (spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec)) {
    return pathToFileURL(resolvePath(process.cwd(), spec)).href;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec; // file:, node:, data:
  const own = ownEntryUrl(spec);
  if (own !== null) return own;
  try {
    // Bare package names resolve from the application (the cwd), not from pylogging's own node_modules.
    return pathToFileURL(createRequire(join(process.cwd(), 'noop.js')).resolve(spec)).href;
  } catch {
    return spec;
  }
}

/** The Python name (or JS reference) a dotted name's module part needs loaded, if any. */
function lazyFor(name: string): Lazy | undefined {
  const parts = name.split('.');
  for (let n = parts.length; n > 0; n--) {
    const l = LAZY.get(parts.slice(0, n).join('.'));
    if (l) return l;
  }
  return undefined;
}

/**
 * Loads the modules behind `names` (Python dotted names or JS references), synchronously with `require()`, so a
 * later `resolveName` can stay synchronous. Never throws: a module that fails to load is remembered, and resolving
 * a name from it throws `Cannot resolve …` with the load error as the cause.
 * When `all` is true every pylogging handler module is loaded too (needed to recognise subclasses of our handlers in
 * user classes).
 */
export function preload(names: Iterable<string>, all = false): void {
  const files = new Set<string>(all ? HANDLER_FILES : []);
  for (const name of names) {
    if (isJsRef(name)) {
      const [spec] = splitJsRef(name);
      const url = specUrl(spec);
      load(url, url);
    } else {
      const l = lazyFor(name);
      if (l) files.add(l.file);
    }
  }
  for (const f of files) loadHandlerFile(f);
}

const BLOCKED = new Set(['__proto__', 'prototype', 'constructor']);

/** An own property found on `obj` or its static/prototype chain below Object/Function; `undefined` when absent. */
function getAttr(obj: unknown, part: string): { value: unknown } | undefined {
  if (BLOCKED.has(part)) return undefined;
  let o: unknown = obj;
  while (o !== null && o !== undefined && o !== Object.prototype && o !== Function.prototype) {
    if ((typeof o === 'object' || typeof o === 'function') && Object.hasOwn(o, part)) {
      return { value: (o as Record<string, unknown>)[part] };
    }
    o = Object.getPrototypeOf(o);
  }
  return undefined;
}

function pyTypeOf(v: unknown): string {
  if (v === process.stdout || v === process.stderr) return '_io.TextIOWrapper';
  return typeof v === 'number' ? 'int' : typeof v === 'string' ? 'str' : typeof v;
}

function pyishString(v: unknown): string {
  return typeof v === 'string' ? v : Object.prototype.toString.call(v);
}

function loadError(key: string, what: string): never {
  const r = loaded.get(key);
  const cause = r && 'error' in r ? r.error : undefined;
  const reason =
    cause === undefined
      ? 'its module was not loaded (use dictConfig/fileConfig, which load it, or preload())'
      : `its module could not be loaded (${cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : pyishString(cause)})`;
  throw new ModuleNotFoundError(`No module for '${what}': ${reason}`, cause === undefined ? undefined : { cause });
}

/**
 * CPython's `BaseConfigurator.resolve`/`_resolve` walk for an absolute dotted name, or a JS reference.
 * @throws {ModuleNotFoundError} with CPython's texts (`No module named 'nope'`, `No module named 'sys.stbout';
 * 'sys' is not a package`), or naming the pylogging handler module that is missing or failed to load.
 */
export function resolveName(name: string): unknown {
  if (isJsRef(name)) {
    const [spec, path] = splitJsRef(name);
    const url = specUrl(spec);
    const r = loaded.get(url);
    if (!r || 'error' in r) loadError(url, name);
    let v: unknown = r.mod;
    for (const part of path) {
      const a = getAttr(v, part);
      if (!a) throw new AttributeError(`module '${spec}' has no export '${path.join('.')}'`);
      v = a.value;
    }
    return v;
  }
  if (name === '') throw new ValueError('Empty module name');
  const parts = name.split('.');
  // Find the longest known prefix: a static value, a lazy export, or a module.
  let lastModule = '';
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('.');
    const st = STATIC.get(prefix);
    const lz = LAZY.get(prefix);
    if (st || lz) {
      let v: unknown;
      if (st) v = st();
      else {
        const l = lz as Lazy;
        const r = loaded.get(handlerKey(l.file));
        if (!r || 'error' in r) loadError(handlerKey(l.file), prefix);
        v = r.mod[l.exportName];
        if (v === undefined) {
          throw new ModuleNotFoundError(
            `No module for '${prefix}': pylogging's ${l.file.slice(3)} entry point does not export ${l.exportName}`,
          );
        }
      }
      for (let i = n; i < parts.length; i++) {
        // Only class attributes (SysLogHandler.LOG_USER), never members of instances such as sys.stdout.
        const a = typeof v === 'function' ? getAttr(v, parts[i] as string) : undefined;
        if (!a) {
          // CPython then imports `<prefix>.<part>`, which fails at the first step that is not a module: the value.
          const pkg = MODULES.get(lastModule)?.package ?? false;
          throw new ModuleNotFoundError(
            pkg ? `No module named '${prefix}'` : `No module named '${prefix}'; '${lastModule}' is not a package`,
          );
        }
        v = a.value;
      }
      return v;
    }
    const mod = MODULES.get(prefix);
    if (mod) {
      lastModule = prefix;
      continue;
    }
    if (n === 1) throw new ModuleNotFoundError(`No module named '${prefix}'`);
    const parentInfo = MODULES.get(lastModule);
    throw new ModuleNotFoundError(
      parentInfo?.package ? `No module named '${prefix}'` : `No module named '${prefix}'; '${lastModule}' is not a package`,
    );
  }
  return moduleObject(name);
}

/** A Python module named alone (`ext://sys`): an object of its known members. */
function moduleObject(name: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, get] of STATIC) if (k.startsWith(`${name}.`) && !k.slice(name.length + 1).includes('.')) out[k.slice(name.length + 1)] = get();
  return out;
}

/** The members of Python's `vars(logging)` that fileConfig expressions may name (`sys`, `handlers`, levels, classes). */
function inLoggingNamespace(first: string): boolean {
  if (first === 'sys' || first === 'handlers' || first === 'config') return true;
  return STATIC.has(`logging.${first}`) || LAZY.has(`logging.${first}`);
}

/**
 * `eval(text, vars(logging))` for a dotted name: `StreamHandler`, `handlers.SysLogHandler.LOG_USER`, `sys.stdout`,
 * `ERROR`.
 * @throws {NameError} `name 'x' is not defined`; {@link AttributeError} `module 'sys' has no attribute 'stbout'`.
 */
export function resolveInLogging(dotted: string): unknown {
  const parts = dotted.split('.');
  const first = parts[0] as string;
  if (!inLoggingNamespace(first)) throw new NameError(`name '${first}' is not defined`);
  const base = first === 'sys' ? 'sys' : `logging.${first}`;
  let path = base;
  for (let i = 1; i < parts.length; i++) {
    const next = `${path}.${parts[i] as string}`;
    if (!STATIC.has(next) && !LAZY.has(next) && !MODULES.has(next)) {
      // an attribute of a loaded class or value (SysLogHandler.LOG_USER)
      if (STATIC.has(path) || LAZY.has(path)) {
        let v = resolveName(path);
        for (let j = i; j < parts.length; j++) {
          const a = typeof v === 'function' ? getAttr(v, parts[j] as string) : undefined;
          if (!a) {
            const owner = typeof v === 'function' ? `type object '${v.name}'` : `'${pyTypeOf(v)}' object`;
            throw new AttributeError(`${owner} has no attribute '${parts[j] as string}'`);
          }
          v = a.value;
        }
        return v;
      }
      throw new AttributeError(`module '${path}' has no attribute '${parts[i] as string}'`);
    }
    path = next;
  }
  return resolveName(path);
}

/** True when `name` (absolute or logging-relative) needs a lazily loaded module; used to collect preloads. */
export function referencedModule(name: string): boolean {
  return isJsRef(name) || lazyFor(name) !== undefined || lazyFor(`logging.${name}`) !== undefined;
}

/** The class registered as `pyName` if it needs no load or its module is loaded; undefined otherwise. */
function registered(pyName: string): unknown {
  const st = STATIC.get(pyName);
  if (st) return st();
  const l = LAZY.get(pyName);
  const r = l && loaded.get(handlerKey(l.file));
  return r && 'mod' in r ? r.mod[l.exportName] : undefined;
}

/**
 * True when `C` is the class registered as `pyName` (e.g. `logging.handlers.MemoryHandler`) or a subclass. A class
 * whose module is not loaded cannot be an ancestor of `C` (a config naming a class object loads every handler module).
 */
export function isSubclassOf(C: unknown, pyName: string): boolean {
  const K = registered(pyName);
  if (typeof K !== 'function') return false;
  for (let c: unknown = C; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (c === K) return true;
  }
  return false;
}

/** The URL a `"<module>#<export>"` reference's module resolves to (what {@link preload} would load), without loading it. */
export function jsRefUrl(ref: string): string {
  return specUrl(splitJsRef(ref)[0]);
}

/** The Python module of a dotted name: its longest prefix that is a module we model, else its first part. */
export function pyModuleOf(name: string): string {
  const parts = name.split('.');
  for (let n = parts.length; n > 0; n--) {
    const prefix = parts.slice(0, n).join('.');
    if (MODULES.has(prefix)) return prefix;
  }
  return parts[0] as string;
}

/** The absolute name {@link resolveInLogging} looks `dotted` up as: `StreamHandler` → `logging.StreamHandler`. */
export function qualifiedInLogging(dotted: string): string {
  const first = dotted.split('.')[0] as string;
  if (!inLoggingNamespace(first)) return dotted;
  return first === 'sys' ? dotted : `logging.${dotted}`;
}
