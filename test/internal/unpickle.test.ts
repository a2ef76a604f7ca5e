/**
 * The data-only unpickler: CPython's pickles of protocols 0–5 decode to the same values; anything naming code, and
 * malformed, truncated, oversized or deeply nested input, is refused with UnpicklingError; keys never reach a
 * prototype. A seeded mutation fuzzer checks that nothing else is ever thrown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loads, UnpicklingError } from '../../src/internal/unpickle.js';
import { runPython } from '../helpers/python.js';

/** The same normal form python3 computes below: JSON with tagged bytes, big ints, maps and sets. */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return { __int__: v.toString() };
  if (Buffer.isBuffer(v)) return { __bytes__: v.toString('hex') };
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Set) return { __set__: [...v].map(norm).sort() };
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [norm(k), norm(x)]) };
  if (v !== null && typeof v === 'object') {
    assert.equal(Object.getPrototypeOf(v), null, 'dicts are null-prototype objects');
    return Object.fromEntries(Object.keys(v).map((k) => [k, norm((v as Record<string, unknown>)[k])]));
  }
  return v;
}

const PY_NORM = `
def norm(v):
    if v is None or isinstance(v, (bool, float, str)): return v
    if isinstance(v, int): return v if abs(v) <= 2**53 - 1 else {'__int__': str(v)}
    if isinstance(v, (bytes, bytearray)): return {'__bytes__': v.hex()}
    if isinstance(v, (list, tuple)): return [norm(x) for x in v]
    if isinstance(v, (set, frozenset)): return {'__set__': sorted(norm(x) for x in v)}
    if all(isinstance(k, str) for k in v): return {k: norm(x) for k, x in v.items()}
    return {'__map__': [[norm(k), norm(x)] for k, x in v.items()]}
`;

interface Pickled {
  proto: number;
  b64: string;
  expected: unknown;
}

const samples = runPython<Pickled[]>(
  `import json, sys, pickle, base64, logging
${PY_NORM}
shared = 'shared ✓'
record = logging.makeLogRecord({'name': 'a.b', 'msg': 'späm %s', 'levelno': 40, 'pathname': 'noext',
    'created': 1700000000.25, 'thread': 140470634826624, 'exc_text': 'Traceback…'}).__dict__
values = [
    record,
    {'ints': [0, 255, 256, 65535, 65536, -1, -2**31, 2**31 - 1, 2**31, 2**53 - 1, 2**64, -2**70, 10**40],
     'floats': [0.5, -1e-300, 1e300, 3.0], 'bools': [True, False, None],
     'strs': ['', 'a', 'ü', '😀', 'x' * 300, 'line\\nbreak \\\\ back', "q'uote\\"s", shared, shared],
     'tuple': (1, (2, 3), ()),
     'nested': {'k': [{'z': [1, [2, [3]]]}]}, 'intkeys': {1: 'a', 'b': 2}, 'empty': [{}, [], ()]},
    [{'k%d' % i: i for i in range(1100)}, list(range(1100))],
]
# CPython pickles bytes below protocol 3, and sets below 4, through a global + REDUCE: refused, so not here.
values[1]['natively'] = {}
out = []
for proto in range(6):
    if proto >= 3: values[1]['natively']['bytes'] = [b'', b'\\x00\\xff']
    if proto >= 4: values[1]['natively'].update({'set': {1, 2, 3}, 'fs': frozenset([4, 5])})
    if proto >= 5: values[1]['natively']['bytearray'] = bytearray(b'ab')
    for v in values:
        out.append({'proto': proto, 'b64': base64.b64encode(pickle.dumps(v, proto)).decode(), 'expected': norm(v)})
print(json.dumps(out))`,
);

/** Hostile pickles made by CPython itself: globals, reduce, build, newobj… */
const hostile = runPython<{ name: string; b64: string }[]>(
  `import json, pickle, base64, datetime, collections, logging
class Obj:
    def __init__(self): self.a = 1
out = []
for proto in range(6):
    for name, v in [('datetime', datetime.date(2020, 1, 1)), ('OrderedDict', collections.OrderedDict(a=1)),
                    ('instance', Obj()), ('LogRecord', logging.makeLogRecord({})), ('function', len)]:
        out.append({'name': '%s protocol %d' % (name, proto), 'b64': base64.b64encode(pickle.dumps(v, proto)).decode()})
print(json.dumps(out))`,
);

function refused(data: Uint8Array | string, re?: RegExp, options = {}): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  assert.throws(
    () => loads(buf, options),
    (err: unknown) => err instanceof UnpicklingError && err.code === 'ERR_PYLOGGING_UNPICKLING' && (!re || re.test(err.message)),
  );
}

describe('loads()', () => {
  for (const [i, s] of samples.entries()) {
    test(`loads() decodes CPython's protocol ${s.proto} pickle #${i % 3}`, () => {
      assert.deepEqual(norm(loads(Buffer.from(s.b64, 'base64'), { maxBytes: 1 << 20 })), s.expected);
    });
  }

  test('loads() keeps shared references (one JS object per Python object)', () => {
    const pair = loads(Buffer.from('(]q\x00h\x00tq\x01.', 'latin1')) as unknown[]; // l = []; (l, l)
    assert.equal(pair[0], pair[1]);
    const cyc = loads(Buffer.from(']q\x00h\x00a.', 'latin1')) as unknown[]; // l = []; l.append(l)
    assert.equal(cyc[0], cyc);
  });

  for (const h of hostile) {
    test(`loads() refuses code: ${h.name}`, () => refused(Buffer.from(h.b64, 'base64'), /refused opcode/));
  }

  const crafted: [string, string][] = [
    ['GLOBAL + REDUCE (os.system)', 'cos\nsystem\n(S"echo hi"\ntR.'],
    ['STACK_GLOBAL', '\x80\x04\x8c\x02os\x8c\x06system\x93.'],
    ['INST', '(ios\nsystem\nS"x"\n.'],
    ['OBJ', '(No.'],
    ['BUILD', '}Nb.'],
    ['NEWOBJ', 'N)\x81.'],
    ['NEWOBJ_EX', 'N)}\x92.'],
    ['PERSID', 'Pabc\n.'],
    ['BINPERSID', 'NQ.'],
    ['EXT1', '\x82\x01.'],
    ['EXT2', '\x83\x01\x00.'],
    ['EXT4', '\x84\x01\x00\x00\x00.'],
    ['NEXT_BUFFER', '\x80\x05\x97.'],
    ['READONLY_BUFFER', '\x80\x05N\x98.'],
  ];
  for (const [name, bytes] of crafted) {
    test(`loads() refuses ${name}`, () => refused(bytes, /refused opcode/));
  }

  test('loads() refuses malformed input: unknown opcode, empty, no STOP, stack underflow, bad memo, odd SETITEMS', () => {
    for (const bad of ['\xff.', '', 'N', 'a.', 'h\x05.', '}(Nu.', ']N.', '(N.', 'I1x\n.', 'F1.5.2\n.', '\x80\x06N.', 'X\xff\xff\xff\xff']) refused(bad);
    refused('X\x02\x00\x00\x00\xff\xfe.', /utf-8/); // invalid UTF-8
  });

  test('loads() refuses every truncation of a CPython pickle', () => {
    const full = Buffer.from(samples[0]?.b64 ?? '', 'base64');
    for (let n = 0; n < full.length; n++) refused(full.subarray(0, n));
  });

  test('loads() enforces maxBytes, maxDepth, the 4300-digit int limit, frame bounds and unhashable keys', () => {
    refused(Buffer.alloc(100, 0x4e), /over the limit/, { maxBytes: 50 });
    const deep = Buffer.from(`${']'.repeat(150)}${'a'.repeat(149)}.`, 'latin1'); // [[[…]]] 150 deep
    refused(deep, /nesting/);
    assert.ok(Array.isArray(loads(deep, { maxDepth: 200 })));
    refused(`L${'9'.repeat(5000)}L\n.`, /int/);
    refused('\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.', /frame|truncated/);
    refused('}]Ns.', /unhashable/);
  });

  test('loads() never lets a key reach a prototype', () => {
    // {'__proto__': {'polluted': 1}, 'constructor': {'prototype': {'polluted': 2}}, 'toString': 1} at protocol 1
    const b64 = runPython<string>(`import json, pickle, base64
print(json.dumps(base64.b64encode(pickle.dumps({'__proto__': {'polluted': 1}, 'constructor': {'prototype': {'polluted': 2}}, 'toString': 1}, 1)).decode()))`);
    const d = loads(Buffer.from(b64, 'base64')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(d), null);
    assert.deepEqual(Object.keys(d), ['__proto__', 'constructor', 'toString']);
    assert.equal(Object.getOwnPropertyDescriptor(d, '__proto__')?.value instanceof Object, false); // null-proto
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('loads() on 5 000 mutated CPython pickles returns or throws UnpicklingError, nothing else', () => {
    let seed = 0x9e3779b9;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const bases = samples.filter((_, i) => i % 3 !== 2).map((s) => Buffer.from(s.b64, 'base64'));
    let ok = 0;
    for (let i = 0; i < 5_000; i++) {
      const buf = Buffer.from(bases[rand(bases.length)] as Buffer);
      for (let m = 1 + rand(3); m > 0; m--) {
        const at = rand(buf.length);
        buf[at] = rand(3) === 0 ? rand(256) : (buf[at] as number) ^ (1 << rand(8));
      }
      const data = rand(4) === 0 ? buf.subarray(0, rand(buf.length)) : buf;
      try {
        loads(data);
        ok++;
      } catch (err) {
        if (!(err instanceof UnpicklingError)) throw new Error(`case ${i}: ${String(err)} for ${data.toString('base64')}`);
      }
    }
    assert.ok(ok > 0);
  });
});
