/**
 * Module-wide switches and the configuration generation, shared by loggers, handlers and formatters.
 *
 * One counter replaces CPython's per-logger `_cache` wiping: anything that can change what a logging call decides
 * (a level, `disable`, a handler or formatter added or replaced) bumps it, and each logger rebuilds its decisions
 * lazily on the next call. Bumping is O(1) however many loggers exist.
 */

/** Mutable global settings, mirrored by accessors in `api.ts`. */
export const state = {
  /** Incremented on every change that invalidates cached per-logger decisions. */
  generation: 0,
  /** Python's `logging.raiseExceptions`: print `--- Logging error ---` reports when true. */
  raiseExceptions: true,
  /** Python's `logThreads`, `logProcesses`, `logMultiprocessing`, `logAsyncioTasks`. */
  logThreads: true,
  logProcesses: true,
  logMultiprocessing: true,
  logAsyncioTasks: true,
  /**
   * When caller information (`pathname`, `lineno`, `funcName`) is captured from the JS stack:
   * `'auto'` (only when a formatter reachable from the logger uses those fields or `stack_info`/`stacklevel` is
   * passed), `'always'`, or `'never'`.
   */
  callerInfo: 'auto' as CallerInfoMode,
  /**
   * Adds the current async context's fields to a new record; installed by `pylogging/context` at its first use.
   * Null until then, so a program that never uses context pays one null test per record and no AsyncLocalStorage
   * lookup.
   */
  addContext: null as ((record: Record<string, unknown>) => void) | null,
};

/**
 * When records capture `pathname`, `lineno` and `funcName` from the JS stack (`settings.callerInfo`): `'auto'` only
 * when a reachable formatter uses them or `stack_info`/`stacklevel` is passed, `'always'`, or `'never'` (CPython's
 * `logging._srcfile = None`).
 */
export type CallerInfoMode = 'auto' | 'always' | 'never';

/** Invalidates every cached per-logger decision. */
export function bumpGeneration(): void {
  state.generation++;
}
