import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compileBrace,
  compileDollar,
  formatSpec,
  validateBrace,
  validateDollar,
} from '../../src/core/styles.js';
import { IS_PY313, runPython } from '../helpers/python.js';
import { str } from '../../src/core/repr.js';

/** JSON for the oracle: an integer-valued number is a Python int, other numbers floats; inf/nan/-0.0 tagged. */
function encode(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !Object.is(v, -0)) return { int: BigInt(v).toString() };
    return { float: Object.is(v, -0) ? '-0.0' : Number.isFinite(v) ? v : String(v) };
  }
  if (typeof v === 'bigint') return { int: v.toString() };
  if (Array.isArray(v)) return v.map(encode);
  if (v instanceof Namespace) return { ns: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) };
  if (v !== null && typeof v === 'object') return { dict: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) };
  return v;
}

/** Becomes a `types.SimpleNamespace` in Python, so `{x.attr}` works on both sides. */
class Namespace {
  constructor(fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }
}

const DECODE = `
import json, sys, math, types
def dec(v):
    if isinstance(v, list): return [dec(x) for x in v]
    if isinstance(v, dict):
        if 'int' in v: return int(v['int'])
        if 'float' in v: return float(v['float'])
        if 'ns' in v: return types.SimpleNamespace(**{k: dec(x) for k, x in v['ns'].items()})
        if 'dict' in v: return {k: dec(x) for k, x in v['dict'].items()}
    return v
def attempt(f):
    try: return f()
    except Exception as e: return '%s: %s' % (type(e).__name__, e)
inp = json.load(sys.stdin)
`;

function attempt(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    const e = err as Error;
    return `${e.name}: ${e.message}`;
  }
}

// --- format(value, spec) ---

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const randomFloats = Array.from({ length: 60 }, (_, i) => {
  const r = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
  return Number.isInteger(r) ? r + 0.5 : i % 7 === 0 ? Math.round(r * 1000) / 1000 : r;
});

const VALUES: unknown[] = [
  0, 1, -1, 7, 42, 255, -255, 1234567, -1234567, 2 ** 53, 2 ** 60, 1e21, -(2 ** 64), 0x10ffff, 0x110000,
  0.5, 1.5, 2.5, -2.5, 0.125, -0.125, 0.375, 2.675, 9.995, 0.05, 0.1, 1 / 3, 3.14159, 123456.789, 1e-5, 1.5e-7,
  1e16, 1.5e300, 5e-324, 1.7976931348623157e308, -0.0, Infinity, -Infinity, NaN, 1e22, 1.2345678901234567e19, 250,
  999.5, 0.0005, 99999.5,
  true, false, '', 'abc', 'héllo', '😀x', "it's", null,
];
const SPECS = [
  '', 's', 'd', 'f', '.2f', '.0f', '.3e', 'e', 'E', 'g', 'G', '.3g', '.10g', '#g', '#.0f', '#.0e', '%', '.1%',
  'x', 'X', '#x', '#X', 'o', '#o', 'b', '#b', 'c', 'n', ',', '_', ',d', '_x', '_b', ',.2f', '010', '010,',
  '010,.2f', '+', ' ', '-', '+.3f', '>10', '<10', '^10', '=10', '*^11', '0>8', '0<8', '10.3', '.3', '.0', '#',
  'z.1f', 'z', '=+10', '.2s', '10.2s', '^', '.25f', '.60f', '.120f', '.17g', '.30e', '.110e', ',g', '_.3e',
  '#.3g', '#10.4g', '0=12,', ',x', ',_', '_,', '.', '5.2ff', '+c', '#c', 'z,d', '=', '<<<', '\u0001', 'F', '.3F',
  '.2E', 'G', '.0e', '.0g', '.0', '.1', '.16', '.17', '#.0', '#.0g', '-^+#08,.2f', ',.0f', '_d', '_o', '.0%',
  '99999999999999999999', '0', '00', '+08.3e', ' 8.3g', '€^9', ',n', 'n',
];
const RANDOM_SPECS = ['', '.0f', '.1f', '.2f', '.3f', '.0e', '.1e', '.3e', 'g', '.3g', '.15g', '.17g', '.16e', '%'];

const specTable = runPython<{ matrix: string[][]; random: string[][] }>(
  DECODE +
    `print(json.dumps({
  'matrix': [[attempt(lambda: format(dec(v), s)) for s in inp['specs']] for v in inp['values']],
  'random': [[attempt(lambda: format(dec(v), s)) for s in inp['rspecs']] for v in inp['random']],
}))`,
  { values: VALUES.map(encode), specs: SPECS, random: randomFloats.map(encode), rspecs: RANDOM_SPECS },
);

function show(v: unknown): string {
  return typeof v === 'number' ? (Object.is(v, -0) ? '-0.0' : String(v)) : JSON.stringify(v);
}

describe('formatSpec()', () => {
  VALUES.forEach((v, vi) => {
    SPECS.forEach((spec, si) => {
      test(`format(${show(v)}, ${JSON.stringify(spec)}) matches Python`, () => {
        assert.equal(attempt(() => formatSpec(v, spec)), specTable.matrix[vi]?.[si]);
      });
    });
  });
  randomFloats.forEach((v, vi) => {
    test(`format(${v}, ...) rounds like Python for ${RANDOM_SPECS.length} specs`, () => {
      assert.deepEqual(
        RANDOM_SPECS.map((spec) => attempt(() => formatSpec(v, spec))),
        specTable.random[vi],
      );
    });
  });
  test('format() of an object with a spec is a TypeError', () => {
    assert.throws(() => formatSpec([1], '5'), { name: 'TypeError', message: 'unsupported format string passed to list.__format__' });
  });
});

// --- str.format(**values) ---

const braceValues: Record<string, unknown> = {
  name: 'root',
  levelname: 'INFO',
  lineno: 42,
  msecs: 7.5,
  w: 10,
  p: 3,
  args: [1, 'two', 3.5, null, true],
  d: { a: { b: 'deep' }, k: 'v' },
  ns: new Namespace({ x: 'ex', inner: new Namespace({ y: 2.5 }) }),
  s: 'héllo\n😀',
  q: `it's "q"`,
  n: null,
  f: 0.125,
  t: true,
  big: 2 ** 60,
};
const BRACE_FORMATS = [
  '{name}', '{name!r}', '{name!s}', '{name!a}', '{s!r}', '{s!a}', '{q!r}', '{lineno:5d}', '{lineno:>{w}}',
  '{msecs:{w}.{p}f}', '{args[0]}', '{args[1]!r:>10}', '{args[2]:.3e}', '{args[3]}', '{args[4]}', '{args}', '{d[a][b]}',
  '{d[k]!r}', '{ns.x}', '{ns.inner.y:+.2f}', '{{literal}} {name}', '{f:.2f}', '{n}', '{n!r}', '{t}', '{t:d}',
  '{big}', '{big:,}', '{missing}', '{0}', '{}', '{5}', '{args[9]}', '{name.}', '{name[}', '{args[0]x}', '{name!x}',
  '{name!r', '{name', '}', '{', '{name}}', 'a}}b{{c', '{{', '}}', '{lineno:{w:{w}}}', '{name:f}', '{lineno:s}',
  '{d[missing]}', '{missing} }', '{name} }', '{name:{missing}}', '{name!}', '{name!rr}',
  '{name:}', '{args[1][0]}', '{args[0][0]}', '{lineno!r:^9}', '{levelname:<8} {name}:{lineno} {msecs:03.0f}',
  '%(message)s', 'plain', '', '{name:{w}}', '{lineno:{p}{p}}', '{name:{{}}}', '{args.x}',
  '{name!s:{w}}', '{msecs!s:>{w}}', '{f!r}', '{lineno:#x}', '{lineno:c}', '{asctime',
];

const braceTable = runPython<string[]>(
  DECODE + `vals = {k: dec(v) for k, v in inp['values'].items()}
print(json.dumps([attempt(lambda: f.format(**vals)) for f in inp['formats']]))`,
  { values: encode(braceValues) && Object.fromEntries(Object.entries(braceValues).map(([k, v]) => [k, encode(v)])), formats: BRACE_FORMATS },
);

// SPEC point 6: a field holding a JS null, boolean, unsafe integer or array renders as `%s` renders it (`null`,
// `true`, `String(n)`, an inspection), not as Python would (`None`, `True`, every digit, `[1, 'two']`).
const SPEC_RENDERED = new Set(['{args[3]}', '{args[4]}', '{args}', '{n}', '{t}', '{big}', 'line1\nline2 $lineno $msecs $n $t $args']);

describe('compileBrace()', () => {
  BRACE_FORMATS.forEach((fmt, i) => {
    if (SPEC_RENDERED.has(fmt)) return;
    test(`${JSON.stringify(fmt)}.format(**values) matches Python`, () => {
      assert.equal(attempt(() => compileBrace(fmt)(braceValues)), braceTable[i]);
    });
  });

  test('SPEC: JS values render as %s renders them (null, true, String(n), an inspection)', () => {
    assert.equal(compileBrace('{n}')(braceValues), 'null');
    assert.equal(compileBrace('{args[3]}')(braceValues), 'null');
    assert.equal(compileBrace('{t}')(braceValues), 'true');
    assert.equal(compileBrace('{args[4]}')(braceValues), 'true');
    assert.equal(compileBrace('{big}')(braceValues), String(2 ** 60));
    assert.equal(compileBrace('{args}')(braceValues), str(braceValues['args']));
    assert.equal(compileBrace('{n!r} {t!r}')(braceValues), 'None True');
  });

  test('fields lists the top-level names read, nested specs included', () => {
    assert.deepEqual(compileBrace('{asctime} {levelname:<{w}} {args[0]} {{x}} {0}').fields, ['asctime', 'levelname', 'w', 'args']);
    assert.equal(compileBrace('{asctime:>20}').fields.includes('asctime'), true);
    assert.equal(compileBrace('{{asctime}}').fields.includes('asctime'), false);
  });

  test('a missing attribute is an AttributeError naming the JS class', () => {
    assert.throws(() => compileBrace('{ns.missing}')(braceValues), { name: 'AttributeError', message: "'Namespace' object has no attribute 'missing'" });
  });

  test('[key] reads a property of a plain JS object (Python would need a dict)', () => {
    assert.equal(compileBrace('{ns[x]}')(braceValues), 'ex');
  });

  test('a missing key is a KeyError with the repr of the key', () => {
    assert.throws(() => compileBrace('{random}')({}), { name: 'KeyError', message: "'random'" });
    assert.throws(() => compileBrace('{constructor}')({}), { name: 'KeyError', message: "'constructor'" });
  });
});

// --- Formatter(fmt, style='{' / '$') validation, CPython 3.13 ---

const BRACE_VALIDATE = [
  '{message}', '{name-thing}', '{message!Z}', '{message:.2ff}', '{message', 'text }', 'no fields', '{}', '{0}',
  '{asctime} {message}', '{msg[0]}', '{msg.attr}', '{msg[key]}', '{msg[]}', '{msg.}', '{a b}', '{x:{w}}',
  '{x:{w}.{p}f}', '{x:*^+#010,.3f}', '{x:->10}', '{x:%}', '{x:Z}', '{x:10.10.10}', '{x!r:>10}', '{x!s}', '{x!a}',
  '{x!}', '{x!rr}', '{{x}}', 'a { b', '{x}}', '{x:{y:{z}}}', '{é}', '{x٣}', '{٣}', '{x:٣}', '{x:F}', '{x:X}',
  '{x:\n}', '{x\n}', '{x[a]b}', '{x:{w!r}}', '{:d}', '{!r}', '{x[}', '{x[a]].b}', '{_}', '{x:.}', '{x:<}',
];
const DOLLAR_VALIDATE = ['$message', '${message}', '$$', 'cost $5', '$', 'a $ b', '$$message', '$message $', '${ message}', '${message', 'none', '$_x1', '$1x', '$é'];

const validateTable = runPython<{ brace: string[]; dollar: string[] }>(
  DECODE + `import logging
def check(fmt, style):
    try:
        logging.Formatter(fmt, style=style)
        return 'ok'
    except ValueError as e:
        return 'ValueError: %s' % e
print(json.dumps({'brace': [check(f, '{') for f in inp['brace']], 'dollar': [check(f, '$') for f in inp['dollar']]}))`,
  { brace: BRACE_VALIDATE, dollar: DOLLAR_VALIDATE },
);

function validated(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('validateBrace()', () => {
  BRACE_VALIDATE.forEach((fmt, i) => {
    test(`validateBrace(${JSON.stringify(fmt)}) matches logging.Formatter(style='{')`, { skip: !IS_PY313 && 'needs CPython 3.13' }, () => {
      assert.equal(validated(() => validateBrace(fmt)), validateTable.brace[i]);
    });
  });
});

describe('validateDollar()', () => {
  DOLLAR_VALIDATE.forEach((fmt, i) => {
    test(`validateDollar(${JSON.stringify(fmt)}) matches logging.Formatter(style='$')`, { skip: !IS_PY313 && 'needs CPython 3.13' }, () => {
      assert.equal(validated(() => validateDollar(fmt)), validateTable.dollar[i]);
    });
  });
});

// --- string.Template(fmt).substitute(**values) ---

const DOLLAR_FORMATS = [
  '$name', '${name}', '$$', '$name$lineno', '$1', '$ ', 'abc\n$', 'x$', '${name', '${ name}', '$missing',
  'a\r\nb $', 'é\n😀$x', '$NAME', '$name_x', '${name}_x', '$$name', '$$$name', 'line1\nline2 $lineno $msecs $n $t $args',
  'a\x0bb\x1cc\u2028d $', '$name.$levelname', '', 'plain', '$constructor', '$f',
];
const dollarTable = runPython<string[]>(
  DECODE + `from string import Template
vals = {k: dec(v) for k, v in inp['values'].items()}
print(json.dumps([attempt(lambda: Template(f).substitute(**vals)) for f in inp['formats']]))`,
  { values: Object.fromEntries(Object.entries(braceValues).filter(([k]) => k !== 'ns' && k !== 'd').map(([k, v]) => [k, encode(v)])), formats: DOLLAR_FORMATS },
);

describe('compileDollar()', () => {
  DOLLAR_FORMATS.forEach((fmt, i) => {
    if (SPEC_RENDERED.has(fmt)) return;
    test(`Template(${JSON.stringify(fmt)}).substitute(**values) matches Python`, () => {
      assert.equal(attempt(() => compileDollar(fmt)(braceValues)), dollarTable[i]);
    });
  });

  test('SPEC: JS values render as %s renders them', () => {
    assert.equal(compileDollar('$n $t $args')(braceValues), `null true ${str(braceValues['args'])}`);
  });

  test('fields lists $name and ${name}', () => {
    assert.deepEqual(compileDollar('$asctime ${levelname} $$x $asctime').fields, ['asctime', 'levelname']);
  });
});
