/**
 * The `formatException` shortcut (issue 18): an error's text is its `stack` only when `util.inspect` would print
 * exactly that. Every case is compared with `util.inspect` itself, the output before the shortcut.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { Formatter } from '../../src/index.js';
import { plainErrorStack } from '../../src/internal/error-text.js';

function inspected(e: unknown): string {
  const s = inspect(e, { depth: 4, breakLength: Infinity });
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

class MyError extends Error {}

function fsError(): unknown {
  try {
    readFileSync('/nonexistent/pylogging-error-text');
  } catch (err) {
    return err;
  }
  return null;
}

const cases: [string, () => unknown, boolean][] = [
  ['plain Error', () => new Error('boom'), true],
  ['TypeError', () => new TypeError('bad type'), true],
  ['RangeError', () => new RangeError('out of range'), true],
  ['SyntaxError', () => new SyntaxError('x'), true],
  ['empty message', () => new Error(''), true],
  ['no message', () => new Error(), true],
  ['message that also appears in a frame', () => new Error('at'), true],
  ['multi-line message', () => new Error('line one\n    at fake (frame:1:1)\nline three'), true],
  ['subclass', () => new MyError('mine'), false],
  ['cause', () => new Error('outer', { cause: new Error('inner') }), false],
  ['cause undefined', () => new Error('outer', { cause: undefined }), false],
  ['enumerable own property', () => Object.assign(new Error('coded'), { code: 'E_X' }), false],
  ['enumerable symbol', () => Object.assign(new Error('sym'), { [Symbol('k')]: 1 }), false],
  ['non-enumerable symbol', () => Object.defineProperty(new Error('sym'), Symbol('k'), { value: 1 }), false],
  ['renamed (non-enumerable name)', () => Object.defineProperty(new Error('renamed'), 'name', { value: 'Custom' }), false],
  ['renamed (enumerable name)', () => Object.assign(new Error('renamed'), { name: 'CustomError' }), false],
  ['stack without frames', () => Object.assign(new Error('no frames'), { stack: 'Error: no frames' }), false],
  ['stack not a string', () => Object.defineProperty(new Error('n'), 'stack', { value: 42 }), false],
  ['stack rewritten', () => Object.defineProperty(new Error('r'), 'stack', { value: 'custom text\n    at f (x:1:1)' }), true],
  ['AggregateError', () => new AggregateError([new Error('a')], 'many'), false],
  ['fake error object', () => Object.create(Error.prototype) as unknown, false],
  ['fs SystemError', fsError, false],
  ['custom inspect', () => Object.assign(new Error('ci'), { [inspect.custom]: () => 'custom' }), false],
  ['a string', () => 'not an error', false],
];

describe('plainErrorStack', () => {
  for (const [name, make, fast] of cases) {
    test(`${name}: formatException prints what util.inspect prints`, () => {
      const e = make();
      assert.equal(new Formatter().formatException(e), inspected(e));
      assert.equal(plainErrorStack(e) !== null, fast, 'shortcut taken');
    });
  }

  test('an error changed after a first record prints its new state', () => {
    const e = new Error('mutable');
    const f = new Formatter();
    assert.equal(f.formatException(e), inspected(e));
    (e as Error & { code?: string }).code = 'LATE';
    assert.equal(f.formatException(e), inspected(e));
    assert.match(f.formatException(e), /code: 'LATE'/);
  });

  test('a property inherited from a polluted prototype is printed, not skipped', () => {
    const e = new Error('polluted');
    Object.defineProperty(Error.prototype, 'extra', { value: 1, enumerable: true, configurable: true });
    try {
      assert.equal(plainErrorStack(e), null);
      assert.equal(new Formatter().formatException(e), inspected(e));
    } finally {
      delete (Error.prototype as unknown as Record<string, unknown>)['extra'];
    }
  });
});
