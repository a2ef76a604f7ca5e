/**
 * Saves and restores the logger tree around a test, as CPython's `BaseTest` does: root handlers and level,
 * `disable`, the logger dict, settings, and the level-name maps are left as they were found.
 */
import { addLevelName, getLevelName, getLevelNamesMapping, root, settings } from '../../src/index.js';
import { state } from '../../src/core/state.js';

export interface Saved {
  restore(): void;
}

/** Snapshot of the global logging state; call `restore()` in `afterEach`. */
export function saveLoggingState(): Saved {
  const rootHandlers = [...root.handlers];
  const rootLevel = root.level;
  const disable = root.manager.disable;
  const loggers = new Map(root.manager.loggerDict);
  const levels = { ...state };
  const lastResort = settings.lastResort;
  const names = getLevelNamesMapping();
  const canonical = Object.values(names).map((level) => [level, getLevelName(level)] as const);
  return {
    restore(): void {
      for (const h of [...root.handlers]) if (!rootHandlers.includes(h)) root.removeHandler(h);
      for (const h of rootHandlers) root.addHandler(h);
      root.setLevel(rootLevel);
      root.manager.disable = disable;
      root.manager.loggerDict.clear();
      for (const [k, v] of loggers) root.manager.loggerDict.set(k, v);
      root.manager.emittedNoHandlerWarning = false;
      Object.assign(state, { ...levels, generation: state.generation + 1 });
      settings.lastResort = lastResort;
      for (const [name, level] of Object.entries(names)) addLevelName(level, name);
      for (const [level, name] of canonical) addLevelName(level, name);
    },
  };
}


/** An in-memory stream for StreamHandler tests. */
export class MemoryStream {
  chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
