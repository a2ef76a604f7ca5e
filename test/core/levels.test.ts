/**
 * Level names both ways, against CPython.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addLevelName, checkLevel, getLevelName, getLevelNamesMapping, LogRecord } from '../../src/index.js';
import { runPython } from '../helpers/python.js';

const inputs: (number | string | null)[] = [0, 5, 10, 15, 20, 30, 40, 50, 60, -5, 'DEBUG', 'INFO', 'WARN', 'WARNING', 'FATAL', 'CRITICAL', 'NOTSET', 'debug', 'Level 10', '', null];

describe('getLevelName() matches CPython', () => {
  const expected = runPython<(number | string)[]>(
    'import json,sys,logging\nprint(json.dumps([logging.getLevelName(x) for x in json.load(sys.stdin)]))',
    inputs,
  );
  inputs.forEach((x, i) => {
    test(`getLevelName(${JSON.stringify(x)}) === ${JSON.stringify(expected[i])}`, () => {
      assert.equal(getLevelName(x), expected[i]);
    });
  });
});

describe('levels', () => {
  test('getLevelNamesMapping() equals CPython 3.11+ and is a fresh copy each call', () => {
    const py = runPython<Record<string, number>>('import json,logging\nprint(json.dumps(logging.getLevelNamesMapping()))');
    assert.deepEqual(getLevelNamesMapping(), py);
    assert.deepEqual(Object.keys(getLevelNamesMapping()), Object.keys(py));
    const m = getLevelNamesMapping();
    m['X'] = 1;
    assert.equal(getLevelNamesMapping()['X'], undefined);
  });

  test('addLevelName() keeps the old name registered', () => {
    addLevelName(20, 'INFORMATION');
    try {
      assert.equal(getLevelName(20), 'INFORMATION');
      assert.equal(getLevelName('INFO'), 20);
      assert.equal(getLevelName('INFORMATION'), 20);
    } finally {
      addLevelName(20, 'INFO');
    }
  });

  test("a record made after addLevelName() has the new name (levelname is not remembered from the last record)", () => {
    const before = new LogRecord('n', 20, 'p', 1, 'm', null, null);
    addLevelName(20, 'INFORMATION');
    try {
      assert.equal(new LogRecord('n', 20, 'p', 1, 'm', null, null).levelname, 'INFORMATION');
    } finally {
      addLevelName(20, 'INFO');
    }
    assert.equal(before.levelname, 'INFO');
    assert.equal(new LogRecord('n', 20, 'p', 1, 'm', null, null).levelname, 'INFO');
    assert.equal(new LogRecord('n', 21, 'p', 1, 'm', null, null).levelname, 'Level 21');
  });

  test('checkLevel() errors are CPython\'s', () => {
    assert.equal(checkLevel(-5), -5);
    assert.equal(checkLevel(true), 1);
    assert.equal(checkLevel('ERROR'), 40);
    const messages = runPython<string[]>(`
import json, logging
out = []
for v in ['info', None, [0, 0], {'a': [1]}]:
    try:
        logging.getLogger('levels.check').setLevel(v)
    except (TypeError, ValueError) as e:
        out.append(type(e).__name__ + ': ' + str(e))
print(json.dumps(out))
`);
    const got = ['info', null, [0, 0], { a: [1] }].map((v) => {
      try {
        checkLevel(v);
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    });
    assert.deepEqual(got, messages);
  });
});
