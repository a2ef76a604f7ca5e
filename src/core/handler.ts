/**
 * Handler: the base of every handler. It owns the control flow (`handle` → filters → `emit`, failures →
 * `handleError`); subclasses implement `emit` and, when they hold resources, `flush`/`close`.
 */
import { callStackText } from '../internal/caller.js';
import { NotImplementedError } from './errors.js';
import { Filterer } from './filter.js';
import { defaultFormatter, type Formatter } from './formatter.js';
import { checkLevel, getLevelName, NOTSET, type Level } from './levels.js';
import type { LogRecord } from './record.js';
import { pyRepr, repr, safeRepr, tupleRepr } from './repr.js';
import { bumpGeneration, state } from './state.js';
import type { PySignature } from './py-signature.js';

// Python's `_handlers` (name → handler, weak) and `_handlerList` (every handler, weak, for shutdown()).
const byName = new Map<string, WeakRef<Handler>>();
let live: WeakRef<Handler>[] = [];

/** Python's `getHandlerByName(name)` (3.12): the live handler with that name, or null. */
export function getHandlerByName(name: string): Handler | null {
  return byName.get(name)?.deref() ?? null;
}

/** Python's `getHandlerNames()` (3.12): the names of live named handlers. */
export function getHandlerNames(): Set<string> {
  const names = new Set<string>();
  for (const [name, ref] of byName) if (ref.deref()) names.add(name);
  return names;
}

/** Every handler not yet garbage-collected, oldest first (Python's `_handlerList`, reversed). */
export function liveHandlers(): Handler[] {
  const out: Handler[] = [];
  const kept: WeakRef<Handler>[] = [];
  for (const ref of live) {
    const h = ref.deref();
    if (h) {
      out.push(h);
      kept.push(ref);
    }
  }
  live = kept;
  return out;
}

/**
 * Python's `logging.Handler`. Subclasses implement {@link Handler.emit}; the base runs the filters, routes
 * failures to {@link Handler.handleError}, and keeps the handler registered for `shutdown()`.
 */
export class Handler extends Filterer {
  /** Records below this level are not passed to this handler by loggers. */
  level: number;
  /** Python's `_closed`: set by `close()`. */
  _closed = false;
  #formatter: Formatter | null = null;
  #name: string | null = null;

  /**
   * Python's `Handler(level=NOTSET)`, how dictConfig and fileConfig call this class and the subclasses that keep its
   * constructor; a subclass whose constructor takes something else declares its own (see {@link PySignature}).
   */
  static pySignature: PySignature | null = { params: ['level'], build: (C, kw) => new C(kw['level'] ?? NOTSET) };
  constructor(level: Level = NOTSET) {
    super();
    this.level = checkLevel(level);
    live.push(new WeakRef(this));
  }

  /** The formatter; null means the module default (`%(message)s`). Assigning it re-decides caller capture. */
  get formatter(): Formatter | null {
    return this.#formatter;
  }

  /**
   * Replaces the formatter (Python's `setFormatter`). Loggers re-check whether a reachable formatter needs the
   * caller's file and line, so a format using `%(lineno)d` starts capturing them at once.
   */
  set formatter(fmt: Formatter | null) {
    this.#formatter = fmt;
    bumpGeneration();
  }

  /** The handler's name; naming it registers it for `getHandlerByName`. */
  get name(): string | null {
    return this.#name;
  }

  /**
   * Renames the handler (Python's `set_name`): the old name stops resolving through `getHandlerByName` and the new one
   * starts; null unregisters it.
   */
  set name(name: string | null) {
    if (this.#name !== null && byName.get(this.#name)?.deref() === this) byName.delete(this.#name);
    this.#name = name;
    if (name !== null) byName.set(name, new WeakRef(this));
  }

  /** Python's `get_name()`. */
  get_name(): string | null {
    return this.#name;
  }

  /** Python's `set_name()`. */
  set_name(name: string | null): void {
    this.name = name;
  }

  /** Kept for API compatibility: one thread and one writer per handler make locks unnecessary. */
  createLock(): void {}
  /** Kept for API compatibility (no-op). */
  acquire(): void {}
  /** Kept for API compatibility (no-op). */
  release(): void {}

  /** Sets the level (a number or a registered name). */
  setLevel(level: Level): void {
    this.level = checkLevel(level);
    bumpGeneration();
  }

  /** Sets the formatter. */
  setFormatter(fmt: Formatter | null): void {
    this.formatter = fmt;
  }

  /** The formatter this handler will use (its own or the default). */
  protected get effectiveFormatter(): Formatter {
    return this.#formatter ?? defaultFormatter;
  }

  /** True when this handler's formatter reads fields that need caller information. */
  usesCallerInfo(): boolean {
    return (this.#formatter ?? defaultFormatter).usesCallerInfo();
  }

  /** Formats `record` with the handler's formatter or the default one. May throw: callers catch. */
  format(record: LogRecord): string {
    return (this.#formatter ?? defaultFormatter).format(record);
  }

  /**
   * Writes one record. Must be synchronous and must not throw: end in `catch (err) { this.handleError(record, err) }`.
   * Override in every subclass.
   */
  emit(_record: LogRecord): void {
    throw new NotImplementedError('emit must be implemented by Handler subclasses');
  }

  /**
   * Runs the filters and, if the record passes, `emit()`s it (or the replacement a filter returned). Returns the
   * filter result. As in CPython, this does not check `this.level`: `Logger.callHandlers` does.
   */
  handle(record: LogRecord): LogRecord | false {
    const rv = this.filters.length === 0 ? record : this.filter(record);
    if (rv) this.emit(rv);
    return rv;
  }

  /**
   * Resolves when everything handed to this handler so far has been delivered (or given up and reported). Stream
   * and file handlers write synchronously, so theirs resolve at once. Override in buffering handlers.
   */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Releases the handler's resources and unregisters its name. Safe to call twice. Subclasses override it, call
   * `super.close()`, and return a promise that resolves when their own resources are released.
   */
  close(): Promise<void> {
    if (this.#name !== null && byName.get(this.#name)?.deref() === this) byName.delete(this.#name);
    this._closed = true;
    return Promise.resolve();
  }

  /**
   * Python's `handleError`: the single exit for failures during `emit()`. While `raiseExceptions` is true it
   * writes the `--- Logging error ---` report (the error, the caller's stack, the message and its arguments) to
   * stderr; otherwise it stays silent. Never throws. Override to recover differently.
   */
  handleError(record: LogRecord, err?: unknown): void {
    if (!state.raiseExceptions) return;
    try {
      process.stderr.write(loggingErrorReport(record, err));
    } catch {
      // CPython swallows OSError here: there is nowhere left to report to.
    }
  }

  /** `%r` shows {@link toString}, as Python's repr does. */
  [pyRepr](): string {
    return this.toString();
  }

  /** Python's repr: `<StreamHandler <stderr> (NOTSET)>`. */
  override toString(): string {
    return `<${this.constructor.name} (${String(getLevelName(this.level))})>`;
  }
}

/**
 * Prints `err` as CPython's `handleError` would, without a record, when `raiseExceptions` is on: for failures that
 * happen outside any handler call (a worker that died, a flush in the background). Never throws.
 */
export function reportError(err: unknown): void {
  if (!state.raiseExceptions) return;
  try {
    process.stderr.write(loggingErrorReport(null, err));
  } catch {
    // Nowhere left to report to.
  }
}

/** The text CPython's `handleError` prints. Exported for tests and for handlers reporting async failures. */
export function loggingErrorReport(record: LogRecord | null, err: unknown): string {
  let text = '--- Logging error ---\n';
  try {
    text += err instanceof Error && typeof err.stack === 'string' ? err.stack : safeRepr(err);
  } catch {
    text += safeRepr(err);
  }
  text += '\n';
  const stack = callStackText();
  if (stack) text += `Call stack:\n${stack}`;
  else if (record) text += `Logged from file ${String(record.filename)}, line ${String(record.lineno)}\n`;
  if (record) {
    try {
      text += `Message: ${repr(record.msg)}\nArguments: ${argsText(record.args)}\n`;
    } catch {
      text +=
        'Unable to print the message and arguments - possible formatting error.\n' +
        'Use the traceback above to help find the error.\n';
    }
  }
  return text;
}

/** `%s` of Python's args: a tuple `('sda',)`, a mapping `{'a': 1}`, or `None`. */
function argsText(args: unknown): string {
  return Array.isArray(args) ? tupleRepr(args) : repr(args);
}
