/**
 * What dictConfig and fileConfig share: Python-style repr/truthiness for messages and decisions, the replacement of
 * the old handlers, and the logger-tree rules for loggers a new configuration does not name.
 */
import { liveHandlers, reportError, type Handler } from '../core/handler.js';
import { NOTSET } from '../core/levels.js';
import { Logger, root } from '../core/logger.js';
import { bumpGeneration } from '../core/state.js';

/**
 * Python's `repr()` of a value in a config error text: core's `safeRepr` (one rendering for `%r`, pickles, forms
 * and errors), under the name the config modules already call.
 */
export { safeRepr as pyRepr } from '../core/repr.js';

/** Python's truthiness: false for False/None/0/''/empty list/empty dict. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length > 0;
  return Boolean(v);
}

const closing = new Set<Promise<void>>();
const keepAlive = new Set<Handler>();

/**
 * Python's `_clearExistingHandlers()` minus the parts that cannot be synchronous: every live handler except `keep`
 * is flushed (unless `flushOnClose` is false) and closed, newest first, as `shutdown()` does. The close work of
 * network handlers runs on; the handlers stay strongly referenced (so `shutdown()` still finds and awaits them)
 * until it settles, and {@link handlersClosed} resolves when all of it has. Failures are reported on stderr like
 * `handleError` reports (while `raiseExceptions` is true), never thrown.
 */
export function closeOldHandlers(old: readonly Handler[], keep: ReadonlySet<Handler>): void {
  for (let i = old.length - 1; i >= 0; i--) {
    const h = old[i] as Handler & { flushOnClose?: boolean };
    if (keep.has(h)) continue;
    try {
      const work: Promise<void>[] = [];
      if (h.flushOnClose !== false) work.push(h.flush());
      work.push(h.close());
      keepAlive.add(h);
      const p: Promise<void> = Promise.all(work).then(
        () => undefined,
        (err: unknown) => reportError(err),
      );
      closing.add(p);
      void p.finally(() => {
        closing.delete(p);
        keepAlive.delete(h);
      });
    } catch (err) {
      reportError(err);
    }
  }
}

/** The live handlers before a configuration is built: the ones it replaces. */
export function snapshotHandlers(): Handler[] {
  return liveHandlers();
}

/**
 * Resolves when every handler replaced by `dictConfig`/`fileConfig` so far has finished flushing and closing
 * (network handlers deliver their backlog first). `shutdown()` awaits them too.
 */
export async function handlersClosed(): Promise<void> {
  while (closing.size) await Promise.all([...closing]);
}

/** The sorted names in the logger dict (CPython's `existing`). */
export function existingLoggerNames(): string[] {
  return [...root.manager.loggerDict.keys()].sort();
}

/** Adds to `childLoggers` the existing loggers below `name`, and removes `name` from `existing` (CPython's loop). */
export function noteConfigured(name: string, existing: string[], childLoggers: string[]): void {
  const i = existing.indexOf(name);
  if (i < 0) return;
  const prefixed = `${name}.`;
  for (let j = i + 1; j < existing.length; j++) {
    if ((existing[j] as string).startsWith(prefixed)) childLoggers.push(existing[j] as string);
  }
  existing.splice(i, 1);
}

/**
 * CPython's `_handle_existing_loggers`: children of configured loggers are reset (NOTSET, no handlers, propagate);
 * the other existing loggers get `disabled = disableExisting`.
 */
export function handleExistingLoggers(existing: readonly string[], childLoggers: readonly string[], disableExisting: boolean): void {
  for (const name of existing) {
    const logger = root.manager.loggerDict.get(name);
    if (!(logger instanceof Logger)) continue;
    if (childLoggers.includes(name)) {
      logger.setLevel(NOTSET);
      for (const h of [...logger.handlers]) logger.removeHandler(h);
      logger.propagate = true;
    } else {
      logger.disabled = disableExisting;
    }
  }
  bumpGeneration();
}
