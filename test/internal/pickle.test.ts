/**
 * The protocol-1 pickle writer against CPython's `pickle.dumps(v, 1)` (python3 is the oracle) and against our own
 * unpickler (round trips).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dumps, MAX_DEPTH, PyFloat, PyStr, PyTuple } from '../../src/internal/pickle.js';
import { loads } from '../../src/internal/unpickle.js';
import { runPython } from '../helpers/python.js';

interface Case {
  name: string;
  js: () => unknown;
  /** A Python expression building the same value (identity included). */
  py: string;
}

const big = 'x'.repeat(70_000);
const cases: Case[] = [
  { name: 'None', js: () => null, py: 'None' },
  { name: 'undefined → None', js: () => undefined, py: 'None' },
  { name: 'True', js: () => true, py: 'True' },
  { name: 'False', js: () => false, py: 'False' },
  { name: 'BININT1 edges', js: () => [0, 255], py: '[0, 255]' },
  { name: 'BININT2 edges', js: () => [256, 65535], py: '[256, 65535]' },
  { name: 'BININT4 edges', js: () => [65536, 2 ** 31 - 1, -1, -(2 ** 31)], py: '[65536, 2**31-1, -1, -2**31]' },
  { name: 'LONG beyond int32', js: () => [2 ** 31, -(2 ** 31) - 1, 140470634826624, 2 ** 53 - 1], py: '[2**31, -2**31-1, 140470634826624, 2**53-1]' },
  { name: 'bigint', js: () => [12345678901234567890123n, 5n], py: '[12345678901234567890123, 5]' },
  { name: 'floats', js: () => [1.5, -0.25, 1e300, NaN, Infinity, -Infinity, new PyFloat(3), new PyFloat(-0)], py: "[1.5, -0.25, 1e300, float('nan'), float('inf'), float('-inf'), 3.0, -0.0]" },
  { name: 'str ascii, unicode, astral', js: () => ['abc', 'späm ✓', '😀 x'], py: "['abc', 'späm ✓', '😀 x']" },
  { name: 'lone surrogate (surrogatepass)', js: () => 'a\uD800b', py: "'a\\ud800b'" },
  { name: 'empty and 1-char strings are shared singletons', js: () => ['', 'a', '', 'a', 'ab', 'ab', 'é', 'é', '€', '€'], py: "['', 'a', 'xx'[2:], 'xa'[1:], 'ab', 'xab'[1:], 'é', 'xé'[1:], '€', 'x€'[1:]]" },
  { name: 'a shared PyStr pickles as BINGET', js: () => { const s = new PyStr('noext'); return { pathname: s, filename: s, module: s }; }, py: "(lambda s: {'pathname': s, 'filename': s, 'module': s})(''.join(['no', 'ext']))" },
  { name: 'large str (70 000 bytes)', js: () => big, py: "'x' * 70000" },
  { name: 'nested containers', js: () => ({ k: [1, 2, { z: new PyTuple([1, 'a']) }], e: {}, l: [], t: new PyTuple([]) }), py: "{'k': [1, 2, {'z': (1, 'a')}], 'e': {}, 'l': [], 't': ()}" },
  { name: 'one-item list and dict use APPEND/SETITEM', js: () => [[7], { a: 1 }], py: "[[7], {'a': 1}]" },
  { name: 'shared list is memoized', js: () => { const l = [1]; return [l, l]; }, py: '(lambda l: [l, l])([1])' },
  { name: 'cyclic list', js: () => { const l: unknown[] = []; l.push(l); return l; }, py: '(lambda l: (l.append(l), l)[1])([])' },
  { name: 'list of 1000 and 1001 (batches)', js: () => [Array.from({ length: 1000 }, (_, i) => i), Array.from({ length: 1001 }, (_, i) => i)], py: '[list(range(1000)), list(range(1001))]' },
  { name: 'dict of 1000 and 1001 (batches)', js: () => [Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])), Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))], py: "[{'k%d' % i: i for i in range(1000)}, {'k%d' % i: i for i in range(1001)}]" },
  { name: 'more than 256 memo entries (LONG_BINPUT/LONG_BINGET)', js: () => { const l = Array.from({ length: 300 }, (_, i) => `s${i}`); l.push('x', 'x'); return l; }, py: "['s%d' % i for i in range(300)] + ['x', 'x']" },
  { name: 'Map → dict, Set → list, Date → ISO text', js: () => [new Map<unknown, unknown>([[1, 'a'], ['b', 2]]), new Set([3, 4]), new Date(0)], py: "[{1: 'a', 'b': 2}, [3, 4], '1970-01-01T00:00:00.000Z']" },
  { name: 'function degrades to its %s text', js: () => [function foo() {}], py: "['[Function: foo]']" },
];

const expected = runPython<Record<string, string>>(
  `import json, sys, pickle, base64
cases = json.load(sys.stdin)
print(json.dumps({c['name']: base64.b64encode(pickle.dumps(eval(c['py']), 1)).decode() for c in cases}))`,
  cases.map((c) => ({ name: c.name, py: c.py })),
);

describe('dumps()', () => {
  for (const c of cases) {
    test(`dumps() matches pickle.dumps(v, 1): ${c.name}`, () => {
      assert.equal(dumps(c.js()).toString('base64'), expected[c.name]);
    });
  }

  test('dumps() never throws: throwing toString, Proxy, symbols, deep nesting', () => {
    const evil = { toString(): string { throw new Error('no'); } };
    class Thing { toString(): string { throw new Error('no'); } }
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    for (const v of [evil, new Thing(), proxy, Symbol('s'), deep, new Error('e'), () => 1]) {
      assert.doesNotThrow(() => dumps(v));
    }
    // cut at MAX_DEPTH: the innermost kept level holds a string
    let d = loads(dumps(deep), { maxDepth: MAX_DEPTH + 5 });
    for (let i = 0; i < MAX_DEPTH; i++) d = (d as unknown[])[0];
    assert.equal(typeof d, 'string');
  });

  test('dumps() round-trips through loads()', () => {
    const v = { a: [1, 2.5, 'x', null, true, { b: 'ü' }], n: 2 ** 40, big: 12345678901234567890n };
    assert.deepEqual(loads(dumps(v)), Object.assign(Object.create(null), {
      a: [1, 2.5, 'x', null, true, Object.assign(Object.create(null), { b: 'ü' })],
      n: 2 ** 40,
      big: 12345678901234567890n,
    }));
  });
});
