/**
 * repr(), ascii() and floatRepr() against python3; str() and safeRepr() against SPEC point 6 (hand-written, since
 * `%s` renders JS values the JS way on purpose).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';

import { ascii, floatRepr, repr, safeRepr, str } from '../../src/core/repr.js';
import { runPython } from '../helpers/python.js';

// Seeded, so a failure names the same case on every run (mulberry32).
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float's text that Python's float() parses back to the same double. */
function floatText(x: number): string {
  return Object.is(x, -0) ? '-0.0' : String(x);
}

// ---------------------------------------------------------------------------------------------------------------
// Strings: CPython's quoting and escapes

const STRINGS = [
  '', 'abc', "it's", 'say "hi"', `both ' and "`, `'"'"`, "''", '"', 'tab\there', 'a\nb\rc', '\x00\x01\x1b\x1f\x7f',
  'back\\slash', '\\n', 'caf\xe9', '\x80\x85\x9f\xa0\xad\xff', 'na\u00efve \u00e6\u00f8\u00e5', '\u0100\u0394\u05d0',
  '\u200b\u200e\u2028\u2029\u202e\u2060', '\u3000\u00a0\u1680', '\ufeff\ufffe\uffff', '\ue000\uf8ff', '\ud800',
  '\udfff', 'x\ud83dy', '\u{1F600}', '\u{1F468}\u200d\u{1F469}', '\u{E0001}\u{E007F}', '\u{F0000}\u{10FFFF}',
  '\u{10000}\u{1D11E}', 'e\u0301', '\u0378\u0380', '日本語テキスト', 'русский', 'عربى', '\u{20000}',
  ' leading and trailing ', '%s %d', '{}', "mixed ' and \\ and \n",
];

const stringExpected = runPython<[string, string][]>(
  `
import json, sys
print(json.dumps([[repr(s), ascii(s)] for s in json.load(sys.stdin)]))
`,
  STRINGS,
);

void describe('repr() and ascii() of strings (oracle: python3)', () => {
  STRINGS.forEach((s, i) => {
    const [r, a] = stringExpected[i] as [string, string];
    void test(`repr(${JSON.stringify(s)})`, () => assert.equal(repr(s), r));
    void test(`ascii(${JSON.stringify(s)})`, () => assert.equal(ascii(s), a));
  });
});

// Which characters repr() escapes, over all of Unicode: Python's str.isprintable() is the rule. Code points that
// Python's Unicode database (15.1 in 3.13) leaves unassigned but Node's newer ICU assigns are skipped: there the
// two Unicode versions disagree, not the code.
const planes = runPython<{ nonPrintable: [number, number][]; unassigned: [number, number][]; unidata: string }>(
  `
import json, sys, unicodedata
def ranges(pred):
    out, start = [], None
    for cp in range(0x80, 0x110000):
        if pred(cp):
            if start is None: start = cp
        elif start is not None:
            out.append([start, cp]); start = None
    if start is not None: out.append([start, 0x110000])
    return out
print(json.dumps({
    'nonPrintable': ranges(lambda cp: not chr(cp).isprintable()),
    'unassigned': ranges(lambda cp: unicodedata.category(chr(cp)) == 'Cn'),
    'unidata': unicodedata.unidata_version,
}))
`,
);

function inRanges(ranges: readonly [number, number][]): Set<number> {
  const set = new Set<number>();
  for (const [a, b] of ranges) for (let cp = a; cp < b; cp++) set.add(cp);
  return set;
}

void describe(`repr() escapes exactly the non-printable characters (oracle: python3, Unicode ${planes.unidata})`, () => {
  const pyNonPrintable = inRanges(planes.nonPrintable);
  const pyUnassigned = inRanges(planes.unassigned);
  const jsUnassigned = /\p{Cn}/u;
  for (let plane = 0; plane <= 16; plane++) {
    const from = Math.max(0x80, plane * 0x10000);
    const to = (plane + 1) * 0x10000;
    void test(`repr() of each code point U+${from.toString(16).toUpperCase()}..U+${(to - 1).toString(16).toUpperCase()}`, () => {
      const wrong: string[] = [];
      for (let cp = from; cp < to; cp++) {
        const ch = String.fromCodePoint(cp);
        if (pyUnassigned.has(cp) && !jsUnassigned.test(ch)) continue; // assigned after Python's Unicode version
        const escaped = repr(ch) !== `'${ch}'`;
        if (escaped !== pyNonPrintable.has(cp)) wrong.push(`U+${cp.toString(16)}`);
      }
      assert.deepEqual(wrong.slice(0, 20), []);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Numbers, booleans, None

const NUMBER_VALUES: unknown[] = [
  0, -0, 1, -1, 3, 255, 2 ** 53 - 1, 2 ** 53, 2 ** 60, -(2 ** 64), 1e16, 1e21, 1e300, 0.1, -2.5, 1e-5, 1.5e-7, 123.456,
  0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, NaN, Infinity, -Infinity, true, false, null, undefined, 10n ** 30n,
  -(2n ** 64n),
];

function encodeValue(v: unknown): [string, string | boolean | null] {
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? ['int', BigInt(v).toString()] : ['float', floatText(v)];
  if (typeof v === 'bigint') return ['int', v.toString()];
  if (typeof v === 'boolean') return ['bool', v];
  return ['none', null];
}

const numberExpected = runPython<string[]>(
  `
import json, sys
conv = {'int': int, 'float': float, 'bool': lambda b: b, 'none': lambda _: None}
print(json.dumps([repr(conv[t](v)) for t, v in json.load(sys.stdin)]))
`,
  NUMBER_VALUES.map(encodeValue),
);

function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return typeof v === 'bigint' ? `${v}n` : String(v);
}

void describe('repr() and ascii() of numbers, booleans and null (oracle: python3; an integer-valued number is an int)', () => {
  NUMBER_VALUES.forEach((v, i) => {
    void test(`repr(${show(v)})`, () => {
      assert.equal(repr(v), numberExpected[i]);
      assert.equal(ascii(v), numberExpected[i]);
    });
  });
});

// Python's repr(float): hand-picked edges, then random bit patterns and random short decimals.
const FLOATS = [
  3, 7, 0, -0, 1e16, 1e15, 9999999999999998, 1e-4, 1e-5, 0.00012, 123456789012345680, 1e22, 1e23, 2 ** 53, 2 ** 63,
  0.1, 0.2 + 0.1, 1 / 3, 2 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 4.35, 2.675, 100.5, -1.25e-10,
  NaN, Infinity, -Infinity,
];
const random = prng(7);
const view = new DataView(new ArrayBuffer(8));
while (FLOATS.length < 400) {
  if (FLOATS.length % 2 === 0) {
    view.setUint32(0, Math.floor(random() * 0x100000000));
    view.setUint32(4, Math.floor(random() * 0x100000000));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) FLOATS.push(x);
  } else {
    FLOATS.push(Math.round(random() * 1e6) / 10 ** Math.floor(random() * 24 - 6));
  }
}
const floatExpected = runPython<string[]>(
  `
import json, sys
print(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))
`,
  FLOATS.map(floatText),
);

void describe('floatRepr() (oracle: python3 repr(float))', () => {
  FLOATS.forEach((x, i) => {
    void test(`floatRepr(${show(x)})`, () => assert.equal(floatRepr(x), floatExpected[i]));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// str(): SPEC point 6, hand-written

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  toString(): string {
    return `Point(${this.x}, ${this.y})`;
  }
}

class Plain {
  a = 1;
}

class Unprintable {
  [inspect.custom](): string {
    throw new Error('inspect fails');
  }
}

void describe('str() follows SPEC point 6 (not oracle: %s renders JS values the JS way)', () => {
  const cases: [string, unknown, string][] = [
    ['a string as is', 'it\'s\n', 'it\'s\n'],
    ['an integer', 3, '3'],
    ['a float via String()', 1e-7, '1e-7'],
    ['-0 via String()', -0, '0'],
    ['NaN via String()', NaN, 'NaN'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a bigint', 12345678901234567890n, '12345678901234567890'],
    ['a symbol', Symbol('tag'), 'Symbol(tag)'],
    ['an Error as name: message', new RangeError('out of range'), 'RangeError: out of range'],
    ['a Date as its ISO string', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02T03:04:05.006Z'],
    ['an invalid Date', new Date(NaN), 'Invalid Date'],
    ['an object with its own toString()', new Point(1, 2), 'Point(1, 2)'],
    ['an object literal with toString()', { toString: () => 'custom' }, 'custom'],
    ['a URL through its toString()', new URL('https://example.com/a?b=1'), 'https://example.com/a?b=1'],
    ['a plain object inspected', { a: 1, b: 'x' }, "{ a: 1, b: 'x' }"],
    ['an empty object', {}, '{}'],
    ['an array inspected', [1, 'two', [3]], "[ 1, 'two', [ 3 ] ]"],
    ['a Map', new Map([['k', 1]]), "Map(1) { 'k' => 1 }"],
    ['a Set', new Set([1, 2]), 'Set(2) { 1, 2 }'],
    ['a class instance', new Plain(), 'Plain { a: 1 }'],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 }), '[Object: null prototype] { a: 1 }'],
    ['a Buffer, not decoded', Buffer.from('hi'), '<Buffer 68 69>'],
    ['a function', function named(): void {}, '[Function: named]'],
    ['a Proxy whose traps throw: its target, traps untouched', new Proxy({ a: 1 }, {
      get: () => { throw new Error('trap'); },
      ownKeys: () => { throw new Error('trap'); },
      getPrototypeOf: () => { throw new Error('trap'); },
    }), '{ a: 1 }'],
    ['an object whose inspection throws', new Unprintable(), '<unprintable Unprintable>'],
  ];
  for (const [what, value, expected] of cases) {
    void test(`str() of ${what}`, () => assert.equal(str(value), expected));
  }

  void test('str() of a circular structure', () => {
    const a: Record<string, unknown> = { x: 1 };
    a['self'] = a;
    assert.equal(str(a), '<ref *1> { x: 1, self: [Circular *1] }');
  });

  void test('str() of a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.equal(str(proxy), '<Revoked Proxy>');
  });

  void test('str() stays on one line however deep or long the value', () => {
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } }, list: Array.from({ length: 50 }, (_, i) => i), s: 'x\ny' };
    const text = str(deep);
    assert.ok(!text.includes('\n'), text);
    assert.ok(text.startsWith('{ a: { b: { c: { d: { e: [Object] } } } }, list: [ 0, 1, 2,'), text);
  });

  void test('str() never renders [object Object]', () => {
    for (const v of [{}, Object.create(null), new (class {})(), [{}], new Map([[{}, {}]])]) {
      assert.ok(!str(v).includes('[object Object]'), str(v));
    }
  });

  void test('str() lets a throwing toString() propagate (CPython propagates a raising __str__)', () => {
    const bad = { toString: (): string => { throw new TypeError('no str for you'); } };
    assert.throws(() => str(bad), { name: 'TypeError', message: 'no str for you' });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// repr()/ascii() of objects, safeRepr()

void describe('repr() and ascii() of objects', () => {
  void test('repr() of an Error reads like a Python exception', () => {
    assert.equal(repr(new TypeError("it's bad")), `TypeError("it's bad")`);
  });
  void test('repr() of a class instance is its inspection and ignores toString()', () => {
    assert.equal(repr(new Point(1, 2)), 'Point { x: 1, y: 2 }');
  });
  void test('ascii() escapes the inspection too', () => {
    assert.equal(ascii(new Point(1, 'caf\xe9 \u{1F600}' as unknown as number)), "Point { x: 1, y: 'caf\\xe9 \\U0001f600' }");
  });
  void test('repr() of a symbol', () => assert.equal(repr(Symbol('s')), 'Symbol(s)'));
});

void describe('safeRepr() never throws', () => {
  const hostile: [string, unknown][] = [
    ['an object whose inspection throws', new Unprintable()],
    ['an Error whose name getter throws', Object.defineProperty(new Error('x'), 'name', { get: () => { throw new Error('no'); } })],
    ['a revoked Proxy', (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()],
    ['a Proxy refusing everything', new Proxy({}, { get: () => { throw new Error('no'); }, getPrototypeOf: () => { throw new Error('no'); } })],
    ['a null-prototype object', Object.create(null)],
  ];
  for (const [what, value] of hostile) {
    void test(`safeRepr() of ${what}`, () => assert.equal(typeof safeRepr(value), 'string'));
  }
  void test('safeRepr() gives a placeholder naming the class when repr() fails', () => {
    assert.equal(safeRepr(new Unprintable()), '<unprintable Unprintable>');
    const err = Object.defineProperty(new Error('x'), 'name', { get: () => { throw new Error('no'); } });
    assert.equal(safeRepr(err), '<unprintable Error>');
  });
  void test('safeRepr() of a plain value is repr()', () => assert.equal(safeRepr("it's"), `"it's"`));
});

// ---------------------------------------------------------------------------------------------------------------
// Python's repr where Python has one (issue #17 item 3): lists, dicts, sets, handlers, loggers

const recursiveList: unknown[] = [1];
recursiveList.push(recursiveList);
const recursiveDict: Record<string, unknown> = { a: 1 };
recursiveDict['self'] = recursiveDict;
const CONTAINERS: [unknown, string][] = [
  [[1, 'a'], "[1, 'a']"],
  [[], '[]'],
  [{ a: 1, b: [true, null] }, "{'a': 1, 'b': [True, None]}"],
  [{}, '{}'],
  [Object.assign(Object.create(null) as object, { k: 'v' }), "{'k': 'v'}"],
  [[0.5, -0, 1e16, 1e-7, Infinity, NaN], "[0.5, -0.0, 10000000000000000, 1e-07, float('inf'), float('nan')]"],
  [[[['deep', "it's"]]], `[[['deep', "it's"]]]`],
  [{ 'caf\xe9': ['\u{1F600}', '\n'] }, String.raw`{'caf\xe9': ['\U0001f600', '\n']}`],
  [new Map<unknown, unknown>([[1, 'one'], ['two', [2]]]), "{1: 'one', 'two': [2]}"],
  [new Set([1, 2]), '{1, 2}'], // a JS Set keeps insertion order; a Python set of small ints happens to as well
  [new Set(), 'set()'],
  [recursiveList, '(lambda l: (l.append(l), l)[1])([1])'],
  [recursiveDict, "(lambda d: (d.__setitem__('self', d), d)[1])({'a': 1})"],
  [[new TypeError('bad')], "[TypeError('bad')]"],
];
const containerExpected = runPython<[string, string][]>(
  `
import json, sys, math
print(json.dumps([[repr(eval(e)), ascii(eval(e))] for e in json.load(sys.stdin)]))
`,
  CONTAINERS.map(([, e]) => e),
);

void describe('repr() and ascii() of lists, dicts and sets (oracle: python3)', () => {
  CONTAINERS.forEach(([value, expr], i) => {
    const [r, a] = containerExpected[i] as [string, string];
    void test(`repr(${expr})`, () => {
      // Python has no NaN/inf literal: its repr of float('nan') is nan, as ours.
      assert.equal(repr(value), r);
      assert.equal(ascii(value), a);
    });
  });
});

void describe('repr() of pylogging objects is CPython\'s', () => {
  const expected = runPython<string[]>(`
import json, logging
print(json.dumps([repr(logging.NullHandler()), repr(logging.getLogger('repr.test')),
                  repr(logging.LoggerAdapter(logging.getLogger('repr.test'))), repr([logging.NullHandler()])]))
`);
  void test('a handler, a logger, an adapter, and a handler in a list', async () => {
    const { NullHandler, getLogger, LoggerAdapter } = await import('../../src/index.js');
    const got = [
      repr(new NullHandler()),
      repr(getLogger('repr.test')),
      repr(new LoggerAdapter(getLogger('repr.test'))),
      repr([new NullHandler()]),
    ];
    assert.deepEqual(got, expected);
  });
  void test('a class of the user\'s with a pyRepr method', async () => {
    const { pyRepr } = await import('../../src/index.js');
    class User {
      constructor(readonly id: number) {}
      [pyRepr](): string {
        return `User(${this.id})`;
      }
    }
    assert.equal(repr({ user: new User(7) }), "{'user': User(7)}");
  });
  void test('a throwing getter inside a dict: repr() throws (as a raising __repr__), safeRepr() does not', () => {
    const bad = { get x(): number { throw new Error('no'); } };
    assert.throws(() => repr([bad]));
    assert.equal(typeof safeRepr([bad]), 'string');
  });
});
