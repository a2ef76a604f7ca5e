/**
 * RedactFilter: takes secrets out of a record before a handler sees it, with pino's redaction paths and the library
 * pino itself uses (`@pinojs/redact`, an optional peer dependency loaded when the first filter is built).
 *
 * What is redacted: the record's extra attributes (from `extra`, from `pylogging/context`, from filters), a mapping
 * argument (`log.info('%(user)s', { user, password })`) and a plain-object message. Standard LogRecord attributes
 * (`name`, `msg` text, `args` tuples, …) are never touched: a secret passed positionally (`'%s', password`) cannot
 * be addressed by a path.
 *
 * All paths are applied to one wrapper object `{ [ROOT]: fields }` so a single redactor (one parse of the paths) does
 * the whole record, and so the `restore()` method the library adds to its result lands on our wrapper, never on a
 * field that happens to be called `restore`.
 */
import { createRequire } from 'node:module';
import type { FilterLike, FilterType } from '../core/filter.js';
import type { Handler } from '../core/handler.js';
import { Logger, root } from '../core/logger.js';
import type { LogRecord } from '../core/record.js';
import { repr } from '../core/repr.js';
import { checkOptions } from '../internal/options.js';

/** A censor function: receives the value found and its path (`['req', 'headers', 'authorization']`). */
export type CensorFunction = (value: unknown, path: string[]) => unknown;

/** Options of {@link RedactFilter}, as pino's `redact` option. */
export interface RedactFilterOptions {
  /** Paths in pino's syntax: `'password'`, `'req.headers.authorization'`, `'*.token'`, `'a["b-c"]'`, `'items[0]'`. */
  paths: readonly string[];
  /** What replaces a redacted value: a value, or a function of the value and its path. @default '[Redacted]' */
  censor?: CensorFunction | string | number | boolean | bigint | symbol | object | null | undefined;
  /** Delete redacted keys instead of censoring them. @default false */
  remove?: boolean;
}

/** pino's text for a redacted value. */
export const DEFAULT_CENSOR = '[Redacted]';

const OPTION_KEYS = ['paths', 'censor', 'remove'] as const;

/**
 * The attributes every LogRecord has (SPEC "Record attributes keep Python's names"): these are the record itself,
 * not extra fields, and paths never reach them.
 */
const STANDARD: ReadonlySet<string> = new Set([
  'name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'exc_info', 'exc_text',
  'stack_info', 'lineno', 'funcName', 'created', 'msecs', 'relativeCreated', 'thread', 'threadName', 'processName',
  'process', 'taskName', 'message', 'asctime',
]);

// The one key of the wrapper every path is rooted at.
const ROOT = 'fields';

type Redactor = (value: unknown) => unknown;
interface RedactLibOptions {
  paths: string[];
  censor?: unknown;
  remove: boolean;
  serialize: false;
  strict: false;
}
type RedactLib = (options: RedactLibOptions) => Redactor;

const requireHere = createRequire(import.meta.url);
let redactLib: RedactLib | null = null;

function loadRedactLib(): RedactLib {
  if (redactLib === null) {
    try {
      redactLib = requireHere('@pinojs/redact') as RedactLib;
    } catch (err) {
      throw new Error(
        "RedactFilter needs the optional peer dependency '@pinojs/redact' (the redaction library pino uses): " +
          'npm install @pinojs/redact',
        { cause: err },
      );
    }
  }
  return redactLib;
}

// pino's splitter for the first segment of a path (pino lib/redaction.js).
const SEGMENT = /[^.[\]]+|\[([^[\]]*?)\]/g;

function firstSegment(path: string): string {
  SEGMENT.lastIndex = 0;
  const m = SEGMENT.exec(path);
  if (m === null) return path;
  return m[1] !== undefined ? m[1].replace(/^(?:"|'|`)(.*)(?:"|'|`)$/, '$1') : m[0];
}

/** A path tree: one node per segment, `'*'` for a wildcard. */
type Tree = Map<string, Tree>;

// The same split as @pinojs/redact's parsePath, for the clone tree.
function splitPath(path: string): string[] {
  const parts: string[] = [];
  SEGMENT.lastIndex = 0;
  for (let m = SEGMENT.exec(path); m !== null; m = SEGMENT.exec(path)) {
    parts.push(m[1] !== undefined ? m[1].replace(/^(["'])(.*)\1$/, '$2') : m[0]);
  }
  return parts;
}

function buildTree(paths: readonly string[]): Tree {
  const tree: Tree = new Map();
  for (const p of paths) {
    let node = tree;
    for (const part of splitPath(p)) {
      let next = node.get(part);
      if (next === undefined) node.set(part, (next = new Map<string, Tree>()));
      node = next;
    }
  }
  return tree;
}

function hasWildcardBeside(tree: Tree): boolean {
  if (tree.has('*') && tree.size > 1) return true;
  for (const child of tree.values()) if (hasWildcardBeside(child)) return true;
  return false;
}

function mergeTrees(a: Tree | undefined, b: Tree | undefined): Tree | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: Tree = new Map(a);
  for (const [k, v] of b) out.set(k, mergeTrees(out.get(k), v) as Tree);
  return out;
}

function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Copies every object on the paths of `tree`, with the wildcard's branch merged into each named one. @pinojs/redact
 * 0.4's own selective clone follows either the named branch or the wildcard's, so for `['a.b.c', 'a.*.d.e']` it
 * writes `a.b.d.e` into the caller's object; cloning first makes what it writes ours.
 */
function cloneAlong(value: unknown, tree: Tree): unknown {
  if (tree.size === 0 || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = Array.isArray(value) ? [] as unknown as Record<string, unknown> : Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  const star = tree.get('*');
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const sub = mergeTrees(tree.get(key), star);
    setOwn(out, key, sub === undefined ? v : cloneAlong(v, sub));
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function readOptions(options: unknown): RedactFilterOptions {
  if (Array.isArray(options)) return { paths: options as string[] };
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`RedactFilter takes { paths, censor, remove } or an array of paths, got ${repr(options)}`);
  }
  checkOptions('RedactFilter', options, OPTION_KEYS);
  const o = options as RedactFilterOptions;
  if (!Array.isArray(o.paths)) throw new TypeError(`RedactFilter: paths must be an array of strings, got ${repr(o.paths)}`);
  if (o.remove !== undefined && typeof o.remove !== 'boolean') {
    throw new TypeError(`RedactFilter: remove must be a boolean, got ${repr(o.remove)}`);
  }
  return o;
}

/**
 * Python-style filter that censors (or removes) the values at `paths` in a record's extra and context fields, its
 * mapping argument and a plain-object message, and returns a redacted copy of the record (Python 3.12 filter
 * semantics), so the caller's objects and the original record are never changed. Records with nothing to redact pass
 * through uncopied.
 *
 * Attach it to every handler (or use {@link addFilterToAllHandlers}): a logger's filters do not see records
 * propagated from its children (Python semantics). From `dictConfig`:
 * `filters: { redact: { '()': 'pylogging/redact#RedactFilter', paths: ['password'] } }`.
 *
 * Never throws while filtering and never drops a record: a field whose redaction fails (a throwing getter on the
 * path, a revoked proxy) is replaced whole by the censor (or removed), so a secret cannot leak through a failure.
 *
 * Differs from pino: a removed key of a mapping argument that the message names (`%(password)s`) is censored instead,
 * since Python's `%` would raise KeyError and the record would be lost.
 */
export class RedactFilter implements FilterLike {
  /** The paths, as given. */
  readonly paths: readonly string[];
  /** The censor value or function. */
  readonly censor: unknown;
  /** True when redacted keys are deleted. */
  readonly remove: boolean;
  #redact: Redactor;
  #firsts: ReadonlySet<string>;
  #wildFirst: boolean;
  #cloneTree: Tree | null;
  #censorText: string;

  /**
   * @param options `{ paths, censor, remove }` as pino's `redact` option, or the array of paths alone.
   * @throws {RangeError} naming the first invalid path; a `TypeError` for an unknown option or a bad value; an
   * `Error` naming `@pinojs/redact` when that package is not installed.
   */
  constructor(options: RedactFilterOptions | readonly string[]) {
    const o = readOptions(options);
    const lib = loadRedactLib();
    const paths = [...o.paths];
    for (const p of paths) {
      if (typeof p !== 'string' || p === '') throw new RangeError(`RedactFilter: invalid redaction path ${repr(p)}`);
      try {
        lib({ paths: [p], remove: false, serialize: false, strict: false });
      } catch (err) {
        throw new RangeError(`RedactFilter: invalid redaction path ${repr(p)}`, { cause: err });
      }
    }
    this.paths = Object.freeze(paths);
    this.remove = o.remove ?? false;
    this.censor = this.remove ? undefined : 'censor' in o ? o.censor : DEFAULT_CENSOR;
    this.#censorText = typeof this.censor === 'string' ? this.censor : DEFAULT_CENSOR;
    const censor = this.censor;
    const libCensor =
      typeof censor === 'function'
        ? (value: unknown, path: string[]): unknown => (censor as CensorFunction)(value, path.slice(1))
        : censor;
    const rooted = paths.map((p) => ROOT + (p.startsWith('[') ? p : `.${p}`));
    this.#redact = lib({ paths: rooted, censor: libCensor, remove: this.remove, serialize: false, strict: false });
    const firsts = new Set(paths.map(firstSegment));
    this.#wildFirst = firsts.has('*');
    this.#firsts = firsts;
    const tree = buildTree(paths);
    this.#cloneTree = hasWildcardBeside(tree) ? tree : null;
  }

  #targets(key: string): boolean {
    return this.#wildFirst || this.#firsts.has(key);
  }

  /** Redacts `fields` (a fresh object of ours); a failure censors each targeted field whole. */
  #apply(fields: Record<string, unknown>): Record<string, unknown> {
    try {
      return this.#run(fields);
    } catch {
      const out = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        const one = Object.create(null) as Record<string, unknown>;
        setOwn(one, key, fields[key]);
        let got: Record<string, unknown>;
        try {
          got = this.#run(one);
        } catch {
          got = Object.create(null) as Record<string, unknown>;
          if (!this.remove) setOwn(got, key, this.#failedCensor(fields[key], key));
        }
        if (Object.hasOwn(got, key)) setOwn(out, key, got[key]);
      }
      return out;
    }
  }

  #failedCensor(value: unknown, key: string): unknown {
    if (typeof this.censor !== 'function') return this.censor;
    try {
      return (this.censor as CensorFunction)(value, [key]);
    } catch {
      return DEFAULT_CENSOR;
    }
  }

  #run(fields: Record<string, unknown>): Record<string, unknown> {
    const input = this.#cloneTree === null ? fields : (cloneAlong(fields, this.#cloneTree) as Record<string, unknown>);
    const wrapper = Object.create(null) as Record<string, unknown>;
    wrapper[ROOT] = input;
    const out = this.#redact(wrapper) as Record<string, unknown>;
    return out[ROOT] as Record<string, unknown>;
  }

  /**
   * Returns `true` when the record carries nothing the paths can reach, else a redacted copy of it. Never throws.
   */
  filter(record: LogRecord): LogRecord | true {
    try {
      return this.#filter(record);
    } catch {
      // Only our own bookkeeping is left here (the redaction itself fails closed in #apply): keep the record, and
      // keep the secret out by dropping every extra field the paths could reach.
      return this.#stripped(record);
    }
  }

  #filter(record: LogRecord): LogRecord | true {
    let fields: Record<string, unknown> | null = null;
    for (const key of Object.keys(record)) {
      if (STANDARD.has(key) || !this.#targets(key)) continue;
      fields ??= Object.create(null) as Record<string, unknown>;
      setOwn(fields, key, record[key]);
    }
    const args = record.args;
    const mapping = isPlainObject(args) ? args : null;
    const msgObject = isPlainObject(record.msg) ? record.msg : null;
    if (fields === null && mapping === null && msgObject === null) return true;
    const copy = Object.create(Object.getPrototypeOf(record) as object) as LogRecord;
    for (const key of Object.keys(record)) setOwn(copy, key, record[key]);
    if (fields !== null) {
      const red = this.#apply(fields);
      for (const key of Object.keys(fields)) {
        if (Object.hasOwn(red, key)) setOwn(copy, key, red[key]);
        else delete copy[key];
      }
    }
    if (mapping !== null) copy.args = this.#redactMapping(mapping, typeof record.msg === 'string' ? record.msg : '');
    if (msgObject !== null) copy.msg = this.#redactMapping(msgObject, '');
    // A handler that ran before this filter may have cached the merged message (with the secret) on the record.
    if (Object.hasOwn(copy, 'message') && (mapping !== null || msgObject !== null)) {
      try {
        copy.message = copy.getMessage();
      } catch {
        delete copy.message;
      }
    }
    return copy;
  }

  #redactMapping(mapping: Record<string, unknown>, msg: string): Record<string, unknown> {
    const fields = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(mapping)) setOwn(fields, key, mapping[key]);
    const red = this.#apply(fields);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(mapping)) {
      if (Object.hasOwn(red, key)) setOwn(out, key, red[key]);
      else if (msg.includes(`%(${key})`)) setOwn(out, key, this.#censorText); // Python's % would raise KeyError
    }
    return out;
  }

  #stripped(record: LogRecord): LogRecord {
    const copy = Object.create(Object.getPrototypeOf(record) as object) as LogRecord;
    for (const key of Object.keys(record)) {
      if (STANDARD.has(key) || !this.#targets(key)) setOwn(copy, key, record[key]);
    }
    if (isPlainObject(copy.args)) copy.args = null;
    return copy;
  }
}

/**
 * Adds `filter` to every handler attached to a logger of `logger`'s tree (the root's by default, which covers every
 * logger), and returns how many handlers got it. Call it after configuring: a handler added later needs its own
 * `addFilter`.
 */
export function addFilterToAllHandlers(filter: FilterType, logger: Logger = root): number {
  const seen = new Set<Handler>();
  const visit = (handlers: readonly Handler[]): void => {
    for (const h of handlers) {
      if (seen.has(h)) continue;
      seen.add(h);
      h.addFilter(filter);
    }
  };
  visit(logger.manager.root.handlers);
  for (const item of logger.manager.loggerDict.values()) if (item instanceof Logger) visit(item.handlers);
  return seen.size;
}
