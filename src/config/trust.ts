/**
 * What a configuration may run. A `class` key must name a Handler or Formatter class, checked before anything is
 * called, so a config cannot call an arbitrary function through it (CPython's `fileConfig` calls whatever it names).
 * The `allow` option refuses the references (`class`, `()`, `listener`, `queue`, `ext://`) whose module is outside a
 * list, before that module is loaded: loading a JavaScript module runs its top-level code.
 */
import { ValueError } from '../core/errors.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import { isJsRef, jsRefUrl, pyModuleOf } from './registry.js';

/** One reference a configuration names, as an `allow` predicate sees it. */
export interface ConfigReference {
  /** As the config wrote it, without `ext://`: `'logging.handlers.SMTPHandler'`, `'./audit.js#AuditHandler'`. */
  readonly name: string;
  /**
   * The module it comes from: for a Python name the Python module (`'logging.handlers'`, `'sys'`); for a
   * `"<module>#<export>"` reference the module specifier as written (`'./audit.js'`, `'node:child_process'`).
   */
  readonly module: string;
  /**
   * For a `"<module>#<export>"` reference, the URL its module resolves to (`'file:///srv/app/audit.js'`,
   * `'node:child_process'`); null for a Python name, which only ever names pylogging's own code.
   */
  readonly url: string | null;
}

/**
 * Which references a configuration may use: a list of module names, paths and Python prefixes (see
 * {@link ConfigTrustOptions.allow}), or a predicate that returns true for the ones to allow.
 */
export type ConfigAllow = readonly string[] | ((ref: ConfigReference) => boolean);

/** The options `dictConfig`, `dictConfigSync`, `dictConfigFromFile` share with `fileConfig` and `configFromFile`. */
export interface ConfigTrustOptions {
  /**
   * Refuse every reference outside this list (a {@link ConfigRefusedError}), before its module is loaded. Absent,
   * every reference is trusted, as in CPython. Entries:
   * - `'pylogging'`: every Python name pylogging implements (`logging.*`, `sys.*`, `queue.Queue`, `colorlog.*`, …)
   *   and the `pylogging` package's own modules (`'pylogging/handlers#SMTPHandler'`);
   * - a Python dotted prefix: `'logging'` allows `logging.StreamHandler` and `logging.handlers.*`,
   *   `'logging.StreamHandler'` only that class, `'sys'` allows `ext://sys.stdout`;
   * - a module path (`'./my-handlers.js'`, `'/srv/app/log.js'`, `'file:///srv/app/log.js'`), resolved against
   *   `process.cwd()`; ending in `/` (`'./log/'`) it allows every module under that directory;
   * - a package or built-in module (`'my-log-pkg'`, `'@acme/log'`, `'node:os'`): that module and its subpaths
   *   (`'my-log-pkg/extra'`).
   *
   * A predicate receives each {@link ConfigReference} (possibly more than once) and returns true to allow it.
   * Functions and classes placed in a JavaScript config object are not references and are always allowed.
   */
  allow?: ConfigAllow;
}

/** A reference the `allow` option refuses; `reference` is the name as the config wrote it. */
export class ConfigRefusedError extends ValueError {
  /** `'ConfigRefusedError'`. */
  override name = 'ConfigRefusedError';
  /** The refused reference, as the config wrote it (`'node:child_process#execSync'`). */
  readonly reference: string;

  /**
   * @param reference The refused name.
   * @param message The full message, which names it.
   */
  constructor(reference: string, message: string) {
    super(message);
    this.reference = reference;
  }
}

/**
 * Checks one reference before it is resolved or loaded; `where` is the config key path for the message
 * (`handlers.h.class`).
 * @throws {ConfigRefusedError}
 */
export type Gate = (name: string, where?: string) => void;

function isPathEntry(s: string): boolean {
  return s.startsWith('./') || s.startsWith('../') || s.startsWith('/') || s.startsWith('file:');
}

/** A package subpath without `.`/`..`/empty segments: `my-pkg/../../evil.js` is not under `my-pkg`. */
function cleanSubpath(rest: string): boolean {
  return !rest.includes('\\') && rest.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function describe(ref: ConfigReference): string {
  return ref.url === null || ref.url === ref.module ? `'${ref.module}'` : `'${ref.module}' (${ref.url})`;
}

/** The reference `name` as the predicate sees it. */
function reference(name: string): ConfigReference {
  if (isJsRef(name)) {
    const spec = name.slice(0, name.lastIndexOf('#'));
    return { name, module: spec, url: normalUrl(jsRefUrl(name)) };
  }
  return { name, module: pyModuleOf(name), url: null };
}

/** A list entry as a test on references. */
function entryTest(entry: string): (ref: ConfigReference) => boolean {
  if (isPathEntry(entry)) {
    const dir = entry.endsWith('/');
    let url = normalUrl(jsRefUrl(`${entry}#x`));
    if (dir && !url.endsWith('/')) url += '/';
    return (ref) => ref.url !== null && (dir ? ref.url.startsWith(url) : ref.url === url);
  }
  return (ref) => {
    if (ref.url === null) return entry === 'pylogging' || ref.name === entry || ref.name.startsWith(`${entry}.`);
    return ref.module === entry || (ref.module.startsWith(`${entry}/`) && cleanSubpath(ref.module.slice(entry.length + 1)));
  };
}

const TRUST_KEYS = optionKeys<ConfigTrustOptions>()(['allow']);

/** @throws {TypeError} for options other than `allow`, or an `allow` that is neither a list of names nor a function. */
export function checkTrustOptions(options: object, owner: string, known: readonly string[] = TRUST_KEYS): void {
  checkOptions(owner, options, known);
  const allow = (options as ConfigTrustOptions).allow;
  if (allow === undefined || typeof allow === 'function') return;
  if (!Array.isArray(allow)) {
    throw new TypeError(`${owner}: allow must be a list of module names or a function, got ${allow === null ? 'null' : typeof allow}`);
  }
  for (const e of allow as unknown[]) {
    if (typeof e !== 'string' || e === '') {
      throw new TypeError(`${owner}: allow entries must be non-empty strings, got ${typeof e === 'string' ? "''" : String(e)}`);
    }
  }
}

/** The gate for `allow`; null when everything is trusted. */
export function makeGate(allow: ConfigAllow | undefined): Gate | null {
  if (allow === undefined) return null;
  let test: (ref: ConfigReference) => boolean;
  let why: string;
  if (typeof allow === 'function') {
    test = (ref) => Boolean(allow(ref));
    why = 'refused by the allow predicate';
  } else {
    const tests = allow.map(entryTest);
    test = (ref) => tests.some((t) => t(ref));
    why = `not in the allow list [${allow.map((e) => `'${e}'`).join(', ')}]`;
  }
  return (name, where) => {
    const ref = reference(name);
    if (!test(ref)) {
      const at = where === undefined ? '' : ` at ${where}`;
      throw new ConfigRefusedError(name, `Refused '${name}'${at}: module ${describe(ref)} is ${why}`);
    }
  };
}

/** True when `gate` lets `name` through (always without a gate). */
export function passes(gate: Gate | null, name: string): boolean {
  if (!gate) return true;
  try {
    gate(name);
    return true;
  } catch (e) {
    if (e instanceof ConfigRefusedError) return false;
    throw e;
  }
}

/**
 * Checks that what a `class` key named is `base` or a class extending it, before anything calls it: a `class` key
 * names a class, never an arbitrary function (`node:child_process#execSync`). `ref` is what the config wrote.
 * @throws {TypeError} `'node:process#abort' is not a Handler class …`.
 */
export function requireSubclass(C: unknown, base: abstract new (...args: never[]) => unknown, ref: unknown, hint: string): void {
  if (typeof C === 'function' && (C === base || Object.prototype.isPrototypeOf.call(base.prototype, C.prototype as object))) {
    return;
  }
  const what = typeof ref === 'string' ? `'${ref}'` : typeof C === 'function' ? `<${C.name || 'anonymous'}>` : `a ${typeof C}`;
  throw new TypeError(`${what} is not a ${base.name} class: 'class' must name a class extending pylogging's ${base.name}${hint}`);
}
