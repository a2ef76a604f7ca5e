/**
 * The per-logger level check (issue 18 made it two cached numbers instead of an answer per level): every answer
 * must be CPython's `level > manager.disable and level >= getEffectiveLevel()`, after every kind of change.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disable, getLogger, type Logger } from '../../src/index.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

function expected(l: Logger, level: number): boolean {
  if (l.disabled) return false;
  return level > l.manager.disable && level >= l.getEffectiveLevel();
}

const LEVELS = [-5, 0, 1, 5, 9, 10, 11, 19, 20, 21, 30, 40, 50, 51, 63, 64, 65, 100, 1000, 1.5, Number.NaN];

function check(loggers: Logger[], when: string): void {
  for (const l of loggers) {
    for (const level of LEVELS) {
      // twice: the first answer fills the cache, the second reads it
      assert.equal(l.isEnabledFor(level), expected(l, level), `${l.name} ${level} ${when}`);
      assert.equal(l.isEnabledFor(level), expected(l, level), `${l.name} ${level} ${when} (cached)`);
    }
  }
}

describe('isEnabledFor', () => {
  let saved: Saved;
  beforeEach(() => (saved = saveLoggingState()));
  afterEach(() => saved.restore());

  test('follows setLevel up the tree, disable() and logger.disabled', () => {
    const a = getLogger('lc');
    const b = getLogger('lc.b');
    const c = getLogger('lc.b.c');
    const all = [a, b, c, getLogger()];
    check(all, 'initially');
    a.setLevel(15);
    check(all, 'after a.setLevel(15)');
    b.setLevel(45);
    check(all, 'after b.setLevel(45)');
    c.setLevel(1);
    check(all, 'after c.setLevel(1)');
    disable(20);
    check(all, 'after disable(20)');
    disable(64);
    check(all, 'after disable(64)');
    disable(0);
    b.setLevel(0);
    check(all, 'after disable(0), b.setLevel(NOTSET)');
    c.disabled = true;
    check(all, 'with c.disabled');
    getLogger('lc.b.c.d.e');
    check([...all, getLogger('lc.b.c.d.e')], 'after a new descendant');
  });
});
