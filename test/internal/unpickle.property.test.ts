/**
 * Property tests of the data-only unpickler (fast-check). Random Python-like values are pickled two ways — by our
 * protocol-1 writer (`src/internal/pickle.ts`) and by a hand-built protocol 2–5 opcode writer below that picks, at
 * random, among the encodings CPython accepts (BININT1…LONG4, SHORT_BINUNICODE…BINUNICODE8, memo PUT/MEMOIZE/GET,
 * FRAME, MARK…SETITEMS batches, TUPLE1…3, sets, bytes, bytearray) — and must decode to the value they came from;
 * python3 decodes a sample of the hand-built ones to the same values. Mutated pickles (bit flips, byte writes,
 * truncations, splices, hostile opcodes anywhere) only ever return a value or throw UnpicklingError, and never touch
 * a prototype.
 *
 * Each run draws a fresh seed; on failure fast-check prints the seed and path. `FC_SEED=… FC_PATH=…` replay one,
 * `FC_RUNS=N` sets every property's number of runs (the defaults keep the file to a few seconds).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { dumps, PyFloat, PyTuple } from '../../src/internal/pickle.js';
import { loads, UnpicklingError } from '../../src/internal/unpickle.js';
import { runPython } from '../helpers/python.js';

// ---------------------------------------------------------------------------------------------------------------
// Settings

const FC_RUNS = Number(process.env['FC_RUNS']) || 0;
const FC_SEED = process.env['FC_SEED'];
const FC_PATH = process.env['FC_PATH'];

/** fast-check parameters: `runs` unless FC_RUNS overrides it; FC_SEED/FC_PATH replay a reported failure. */
function params<T>(runs: number): fc.Parameters<T> {
  return {
    numRuns: FC_RUNS > 0 ? FC_RUNS : runs,
    includeErrorInReport: true,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_SEED !== undefined && FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

/** A test that cannot hang the runner: a decoder stuck in a loop fails it instead (more time for more FC_RUNS). */
const BOUNDED = { timeout: 60_000 * Math.max(1, FC_RUNS / 2000) };

// ---------------------------------------------------------------------------------------------------------------
// The model: Python values, tagged where JS has no distinct type

interface PyF { float: number }
interface PyB { bytes: Buffer; bytearray: boolean }
interface PyL { list: Py[] }
interface PyT { tuple: Py[] }
interface PyD { dict: [Py, Py][] }
interface PyS { set: Py[]; frozen: boolean }
/** None, bool, int (bigint), str, float, bytes/bytearray, list, tuple, dict, set/frozenset. */
type Py = null | boolean | bigint | string | PyF | PyB | PyL | PyT | PyD | PyS;

const isObj = (m: Py): m is Exclude<Py, null | boolean | bigint | string> => typeof m === 'object' && m !== null;

/** A key telling hashable Python values apart (1 and True are different keys here, as in the decoder's Map). */
function keyId(m: Py): string {
  if (typeof m === 'bigint') return `i${m}`;
  if (typeof m === 'string') return `s${m}`;
  if (m === null || typeof m === 'boolean') return String(m);
  if ('tuple' in m) return `t(${m.tuple.map(keyId).join(',')})`;
  return JSON.stringify(m);
}

/** Keys that would reach a prototype if a decoder assigned them naively. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'polluted', 'length', '0', ''];

/** Single characters, a mix of ASCII, pickle metacharacters, Latin-1, BMP, astral and lone surrogates. */
const char = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '.', '(', 'N', '\n', '\r', '\\', "'", '"', '\x00', '\x1a', '\x7f') },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x100, max: 0xffff }).map((c) => String.fromCharCode(c)) }, // lone surrogates too
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);
const str = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: char, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: char, minLength: 250, maxLength: 300 }) }, // past SHORT_BINUNICODE's 255
);
const int = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: -300n, max: 70_000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 31n) - 2n, max: 2n ** 31n + 1n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }) }, // around the 2^53 number/bigint line
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 2100n), max: 2n ** 2100n }) }, // LONG4-sized
  { weight: 1, arbitrary: fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 255n, 256n, 65535n, 65536n, -1n, 0n) },
);
const float: fc.Arbitrary<PyF> = fc.oneof(fc.double(), fc.constantFrom(0.5, -0, 3, 1e300, 5e-324, NaN, Infinity, -Infinity)).map((x) => ({ float: x }));
const bytes = (bytearray: boolean): fc.Arbitrary<PyB> =>
  fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 250, maxLength: 300 })).map((b) => ({ bytes: Buffer.from(b), bytearray }));
/** Hashable: what a dict key may be (no bools: Python's True == 1 would merge keys the decoder's Map keeps apart). */
const hashable: fc.Arbitrary<Py> = fc.oneof(
  { weight: 5, arbitrary: str },
  { weight: 3, arbitrary: int },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(int, str), { maxLength: 3 }).map((tuple): Py => ({ tuple })) },
);

interface Features {
  /** bytes (protocol 3+) */
  bytes: boolean;
  /** bytearray (protocol 5) */
  bytearray: boolean;
  /** set/frozenset (protocol 4+) */
  sets: boolean;
}

/** Random Python values of bounded size, with what the target protocol (or our protocol-1 writer) can say. */
function pyValue(f: Features): fc.Arbitrary<Py> {
  return fc.letrec<{ value: Py }>((tie) => {
    const leaf: fc.Arbitrary<Py>[] = [fc.constant(null), fc.boolean(), int, str, float];
    if (f.bytes) leaf.push(bytes(false));
    if (f.bytearray) leaf.push(bytes(true));
    const value = tie('value');
    const containers: fc.Arbitrary<Py>[] = [
      fc.array(value, { maxLength: 5 }).map((list): Py => ({ list })),
      fc.array(value, { maxLength: 5 }).map((tuple): Py => ({ tuple })),
      fc.uniqueArray(fc.tuple(fc.oneof(str, fc.constantFrom(...PROTO_KEYS)), value), { maxLength: 5, selector: ([k]) => keyId(k) }).map((dict): Py => ({ dict })),
      fc.uniqueArray(fc.tuple(hashable, value), { maxLength: 4, selector: ([k]) => keyId(k) }).map((dict): Py => ({ dict })),
    ];
    if (f.sets) {
      containers.push(fc.uniqueArray(fc.oneof(int, str), { maxLength: 5, selector: keyId }).chain((set) => fc.boolean().map((frozen): Py => ({ set, frozen }))));
    }
    return {
      value: fc.oneof({ depthSize: 'small', maxDepth: 4, withCrossShrink: true }, ...leaf, ...containers),
    };
  }).value;
}

// ---------------------------------------------------------------------------------------------------------------
// What loads() must return for a model value (see the file comment of src/internal/unpickle.ts)

function normInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function expected(m: Py): unknown {
  if (m === null || typeof m === 'boolean' || typeof m === 'string') return m;
  if (typeof m === 'bigint') return normInt(m);
  if ('float' in m) return m.float;
  if ('bytes' in m) return Buffer.from(m.bytes);
  if ('list' in m) return m.list.map(expected);
  if ('tuple' in m) return m.tuple.map(expected);
  if ('set' in m) return new Set(m.set.map(expected));
  if (m.dict.every(([k]) => typeof k === 'string')) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of m.dict) Object.defineProperty(out, k as string, { value: expected(v), writable: true, enumerable: true, configurable: true });
    return out;
  }
  return new Map(m.dict.map(([k, v]) => [expected(k), expected(v)]));
}

/** The same value as our writer takes it: numbers/bigints, PyFloat, PyTuple, arrays, null-prototype objects, Maps. */
function forWriter(m: Py, seen = new Map<object, unknown>()): unknown {
  if (m === null || typeof m === 'boolean' || typeof m === 'string') return m;
  if (typeof m === 'bigint') return Number.isSafeInteger(Number(m)) && BigInt(Number(m)) === m ? Number(m) : m;
  const done = seen.get(m);
  if (done !== undefined) return done; // shared in the model: shared in JS, so the writer memoizes it
  let out: unknown;
  if ('float' in m) out = new PyFloat(m.float);
  else if ('bytes' in m || 'set' in m) throw new Error('protocol 1 cannot carry bytes or sets natively');
  else if ('list' in m) out = m.list.map((v) => forWriter(v, seen));
  else if ('tuple' in m) out = new PyTuple(m.tuple.map((v) => forWriter(v, seen)));
  else if (m.dict.every(([k]) => typeof k === 'string')) {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of m.dict) Object.defineProperty(o, k as string, { value: forWriter(v, seen), enumerable: true, configurable: true, writable: true });
    out = o;
  } else out = new Map(m.dict.map(([k, v]) => [forWriter(k, seen), forWriter(v, seen)]));
  seen.set(m, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A hand-built protocol 2–5 writer: every choice is one CPython's Unpickler accepts (Lib/pickle.py, _pickle.c)

/** xorshift32, so one fast-check integer drives all of an encoding's choices (reproducible from the seed). */
function chooser(seed: number): (n: number) => number {
  let s = seed | 0 || 0x9e3779b9;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const op = (code: number, ...args: (Buffer | number[])[]): Buffer => Buffer.concat([Buffer.from([code]), ...args.map((a) => Buffer.from(a))]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const line = (code: string, text: string): Buffer => Buffer.from(`${code}${text}\n`, 'latin1');

/** Python's `'surrogatepass'` UTF-8 (a lone surrogate is 3 bytes), independent of the writer's. */
function utf8(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i) as number;
    if (c > 0xffff) i++;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Buffer.from(out);
}

/** pickle's protocol-0 `raw-unicode-escape` for the UNICODE opcode (\, \n, \r escaped as pickle.py does). */
function rawUnicodeEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i) as number;
    if (c > 0xffff) {
      i++;
      out += `\\U${c.toString(16).padStart(8, '0')}`;
    } else if (c > 0xff || c === 0x5c || c === 0x0a || c === 0x0d) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

/** Two's-complement little-endian, as `encode_long`, plus `extra` redundant sign bytes (still valid). */
function longBytes(n: bigint, extra: number): Buffer {
  if (n === 0n && extra === 0) return Buffer.alloc(0);
  const out: number[] = [];
  let v = n;
  for (;;) {
    out.push(Number(v & 0xffn));
    v >>= 8n; // arithmetic shift: -1 stays -1
    const signBit = ((out[out.length - 1] as number) & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  for (let i = 0; i < extra; i++) out.push(n < 0n ? 0xff : 0);
  return Buffer.from(out);
}

/** Float text Python's float() and the decoder both read back exactly (`-0.0`, `inf`, `nan`, shortest repr). */
function floatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Object.is(x, -0) ? '-0.0' : String(x);
}

interface Encoded {
  proto: number;
  /** The opcodes after PROTO, each with its arguments, STOP last: the places a hostile opcode can go. */
  ops: Buffer[];
  /** Model nodes a GET read back from the memo (so they decode to the object decoded first). */
  fetched: Set<object>;
  bytes: Buffer;
}

/** Pickles `m` at protocol `proto` (2–5), making every encoding choice with `pick`. */
function encode(m: Py, proto: number, pick: (n: number) => number): Encoded {
  const ops: Buffer[] = [];
  const memo = new Map<unknown, number>(); // model node (or str value) → memo index
  const fetched = new Set<object>();
  let next = 0;
  const put = (key: unknown): void => {
    const i = next++;
    memo.set(key, i);
    const how = pick(proto >= 4 ? 4 : 3);
    if (how === 3) ops.push(op(0x94)); // MEMOIZE: index len(memo), which is `i` as indices go up by one
    else if (how === 2) ops.push(line('p', String(i))); // PUT
    else if (how === 1 || i > 255) ops.push(op(0x72, u32(i))); // LONG_BINPUT
    else ops.push(op(0x71, [i])); // BINPUT
  };
  const get = (i: number): void => {
    const how = pick(3);
    if (how === 2) ops.push(line('g', String(i))); // GET
    else if (how === 1 || i > 255) ops.push(op(0x6a, u32(i))); // LONG_BINGET
    else ops.push(op(0x68, [i])); // BINGET
  };
  const maybePut = (key: unknown): void => {
    if (pick(3) !== 0) put(key);
  };
  /**
   * Stack-neutral noise CPython accepts: NONE POP, NONE DUP POP POP, MARK … POP_MARK. (Not a bare DUP or POP: CPython
   * refuses DUP right after MARK, and its POP right after MARK pops the mark, which loads() refuses.)
   */
  const noise = (): void => {
    const k = pick(6);
    if (k === 0) ops.push(op(0x4e), op(0x30));
    else if (k === 1) ops.push(op(0x4e), op(0x32), op(0x30), op(0x30));
    else if (k === 2) ops.push(op(0x28), op(0x4e), op(0x88), op(0x31));
  };
  /** MARK items… OPCODE in random batches (APPENDS, SETITEMS, ADDITEMS). */
  const batches = (items: Py[], perItem: number, code: number): void => {
    let i = 0;
    do {
      const n = Math.min(items.length - i, (1 + pick(4)) * perItem);
      ops.push(op(0x28));
      for (const v of items.slice(i, i + n)) save(v);
      ops.push(op(code));
      i += n;
    } while (i < items.length);
  };

  const saveStr = (s: string): void => {
    const seen = memo.get(`s:${s}`);
    if (seen !== undefined && pick(2) === 0) return get(seen);
    const b = utf8(s);
    const how = pick(proto >= 4 ? 6 : 3);
    const latin = [...s].every((c) => c.charCodeAt(0) <= 0xff);
    if (how === 0 || (how === 3 && b.length > 255)) ops.push(op(0x58, u32(b.length), b)); // BINUNICODE
    else if (how === 1) ops.push(Buffer.concat([Buffer.from('V'), Buffer.from(rawUnicodeEscape(s), 'latin1'), Buffer.from('\n')])); // UNICODE
    else if (how === 2 && latin) ops.push(op(0x54, u32(s.length), Buffer.from(s, 'latin1'))); // BINSTRING (decoded as Latin-1)
    else if (how === 2 && /^[\x20-\x7e]*$/.test(s) && !/['\\]/.test(s)) ops.push(line('S', `'${s}'`)); // STRING
    else if (how === 3) ops.push(op(0x8c, [b.length], b)); // SHORT_BINUNICODE
    else if (how === 4) ops.push(op(0x8d, u64(b.length), b)); // BINUNICODE8
    else if (how === 5 && latin && s.length < 256) ops.push(op(0x55, [s.length], Buffer.from(s, 'latin1'))); // SHORT_BINSTRING
    else ops.push(op(0x58, u32(b.length), b));
    maybePut(`s:${s}`);
  };

  const saveInt = (n: bigint): void => {
    const how = pick(6);
    if (how === 0 && n >= 0n && n <= 0xffn) ops.push(op(0x4b, [Number(n)])); // BININT1
    else if (how === 0 && n >= 0n && n <= 0xffffn) ops.push(op(0x4d, [Number(n) & 0xff, Number(n) >> 8])); // BININT2
    else if (how <= 1 && n >= -(2n ** 31n) && n < 2n ** 31n) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(n));
      ops.push(op(0x4a, b)); // BININT
    } else if (how === 2) ops.push(line('I', String(n))); // INT (only I00/I01 mean bools; repr has no leading 0)
    else if (how === 3) ops.push(line('L', `${n}L`)); // LONG
    else {
      const b = longBytes(n, pick(3) === 0 ? 1 + pick(2) : 0);
      if (b.length < 256 && pick(2) === 0) ops.push(op(0x8a, [b.length], b)); // LONG1
      else ops.push(op(0x8b, u32(b.length), b)); // LONG4
    }
  };

  const save = (v: Py): void => {
    if (pick(10) === 0) noise();
    if (v === null) return void ops.push(op(0x4e));
    if (typeof v === 'boolean') return void ops.push(pick(2) === 0 ? op(v ? 0x88 : 0x89) : line('I', v ? '01' : '00'));
    if (typeof v === 'bigint') return saveInt(v);
    if (typeof v === 'string') return saveStr(v);
    const seen = memo.get(v);
    if (seen !== undefined) {
      fetched.add(v);
      return get(seen);
    }
    if ('float' in v) {
      if (pick(2) === 0) {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(v.float);
        ops.push(op(0x47, b)); // BINFLOAT
      } else ops.push(line('F', floatText(v.float))); // FLOAT
      return;
    }
    if ('bytes' in v) {
      const b = v.bytes;
      if (v.bytearray) ops.push(op(0x96, u64(b.length), b)); // BYTEARRAY8
      else {
        const how = pick(proto >= 4 ? 3 : 2);
        if (how === 0 && b.length < 256) ops.push(op(0x43, [b.length], b)); // SHORT_BINBYTES
        else if (how === 2) ops.push(op(0x8e, u64(b.length), b)); // BINBYTES8
        else ops.push(op(0x42, u32(b.length), b)); // BINBYTES
      }
      return maybePut(v);
    }
    if ('list' in v) {
      const how = pick(3);
      if (how === 0) {
        ops.push(op(0x28));
        for (const x of v.list) save(x);
        ops.push(op(0x6c)); // MARK … LIST
        return maybePut(v);
      }
      ops.push(op(0x5d)); // EMPTY_LIST
      maybePut(v);
      if (how === 1) {
        for (const x of v.list) {
          save(x);
          ops.push(op(0x61)); // APPEND
        }
      } else if (v.list.length > 0) batches(v.list, 1, 0x65); // APPENDS
      return;
    }
    if ('tuple' in v) {
      const n = v.tuple.length;
      if (n === 0 && pick(2) === 0) ops.push(op(0x29)); // EMPTY_TUPLE
      else {
        const short = n >= 1 && n <= 3 && pick(2) === 0;
        if (!short) ops.push(op(0x28));
        for (const x of v.tuple) save(x);
        ops.push(op(short ? [0x85, 0x86, 0x87][n - 1] as number : 0x74)); // TUPLE1/2/3, or MARK … TUPLE
      }
      return maybePut(v);
    }
    if ('set' in v) {
      if (v.frozen) {
        ops.push(op(0x28));
        for (const x of v.set) save(x);
        ops.push(op(0x91)); // MARK … FROZENSET
        return maybePut(v);
      }
      ops.push(op(0x8f)); // EMPTY_SET
      maybePut(v);
      if (v.set.length > 0) batches(v.set, 1, 0x90); // ADDITEMS
      return;
    }
    const how = pick(3);
    const flat = v.dict.flat();
    if (how === 0) {
      ops.push(op(0x28));
      for (const x of flat) save(x);
      ops.push(op(0x64)); // MARK … DICT
      return maybePut(v);
    }
    ops.push(op(0x7d)); // EMPTY_DICT
    maybePut(v);
    if (how === 1) {
      for (const [k, x] of v.dict) {
        save(k);
        save(x);
        ops.push(op(0x73)); // SETITEM
      }
    } else if (v.dict.length > 0) batches(flat, 2, 0x75); // SETITEMS
  };

  save(m);
  ops.push(op(0x2e)); // STOP
  return { proto, ops, fetched, bytes: assemble(proto, ops, pick) };
}

/** PROTO, then the opcodes, in FRAMEs (protocol 4+) split at random opcode boundaries or not framed at all. */
function assemble(proto: number, ops: readonly Buffer[], pick: (n: number) => number): Buffer {
  const head = op(0x80, [proto]);
  if (proto < 4 || pick(3) === 0) return Buffer.concat([head, ...ops]);
  const parts: Buffer[] = [head];
  let frame: Buffer[] = [];
  const flush = (): void => {
    const body = Buffer.concat(frame);
    parts.push(op(0x95, u64(body.length)), body);
    frame = [];
  };
  for (const o of ops) {
    frame.push(o);
    if (pick(8) === 0) flush();
  }
  if (frame.length > 0) flush();
  return Buffer.concat(parts);
}

const features = (proto: number): Features => ({ bytes: proto >= 3, bytearray: proto >= 5, sets: proto >= 4 });

/** A model value and its hand-built pickle at a random protocol 2–5. */
const handBuilt = fc
  .integer({ min: 2, max: 5 })
  .chain((proto) => fc.tuple(fc.constant(proto), pyValue(features(proto)), fc.integer()))
  .map(([proto, value, seed]) => ({ value, enc: encode(value, proto, chooser(seed)) }));

/** A model value our protocol-1 writer can carry natively (no bytes, no sets) and its pickle. */
const written = pyValue({ bytes: false, bytearray: false, sets: false }).map((value) => ({ value, bytes: dumps(forWriter(value)) }));

// ---------------------------------------------------------------------------------------------------------------
// Checks

const OBJECT_PROTO_KEYS = Reflect.ownKeys(Object.prototype);
const ARRAY_PROTO_KEYS = Reflect.ownKeys(Array.prototype);

/** Nothing reached a prototype: no new keys on Object/Array.prototype, no inherited `polluted`. */
function assertPrototypesClean(): void {
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(Reflect.ownKeys(Object.prototype), OBJECT_PROTO_KEYS);
  assert.deepEqual(Reflect.ownKeys(Array.prototype), ARRAY_PROTO_KEYS);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
}

/** Every decoded dict is a null-prototype object (or a Map); nothing else but arrays, Sets, Buffers and primitives. */
function assertPlainData(v: unknown, seen = new Set<object>()): void {
  assert.ok(['object', 'boolean', 'number', 'bigint', 'string'].includes(typeof v), `a decoded value is never ${typeof v}`);
  if (typeof v !== 'object' || v === null || seen.has(v)) return;
  seen.add(v);
  if (Buffer.isBuffer(v)) return;
  if (Array.isArray(v) || v instanceof Set) for (const x of v) assertPlainData(x, seen);
  else if (v instanceof Map) {
    for (const [k, x] of v) {
      assertPlainData(k, seen);
      assertPlainData(x, seen);
    }
  }
  else {
    assert.equal(Object.getPrototypeOf(v), null, 'a decoded dict has a null prototype');
    for (const k of Object.keys(v)) assertPlainData((v as Record<string, unknown>)[k], seen);
  }
}

/** loads() either returns plain data or throws UnpicklingError; anything else fails the property. */
function decodesOrRefuses(data: Buffer): 'ok' | 'refused' {
  let out: unknown;
  try {
    out = loads(data);
  } catch (err) {
    if (err instanceof UnpicklingError && err.code === 'ERR_PYLOGGING_UNPICKLING') return 'refused';
    throw new Error(`loads() threw ${String(err)} (not an UnpicklingError) for ${data.toString('base64')}`, { cause: err });
  } finally {
    assertPrototypesClean();
  }
  assertPlainData(out);
  return 'ok';
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const HOSTILE: [name: string, bytes: Buffer][] = [
  ['GLOBAL', Buffer.from('cos\nsystem\n', 'latin1')],
  ['STACK_GLOBAL', Buffer.from([0x93])],
  ['REDUCE', Buffer.from('R')],
  ['BUILD', Buffer.from('b')],
  ['INST', Buffer.from('ios\nsystem\n', 'latin1')],
  ['OBJ', Buffer.from('o')],
  ['NEWOBJ', Buffer.from([0x81])],
  ['NEWOBJ_EX', Buffer.from([0x92])],
  ['PERSID', Buffer.from('Pid\n')],
  ['BINPERSID', Buffer.from('Q')],
  ['EXT1', Buffer.from([0x82, 0x01])],
  ['EXT2', Buffer.from([0x83, 0x01, 0x00])],
  ['EXT4', Buffer.from([0x84, 0x01, 0x00, 0x00, 0x00])],
  ['NEXT_BUFFER', Buffer.from([0x97])],
  ['READONLY_BUFFER', Buffer.from([0x98])],
];

/** Every opcode byte pickle defines (data and code), for random insertions. */
const OPCODES = [...'(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}])'].map((c) => c.charCodeAt(0)).concat([...Array(0x19).keys()].map((i) => 0x80 + i));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'write'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'duplicate'; at: number; len: number; to: number }
  | { kind: 'splice'; at: number; from: Buffer }
  | { kind: 'hostile'; at: number; which: number }
  | { kind: 'opcode'; at: number; code: number; args: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('write' as const), at: fc.nat(), byte: fc.oneof(fc.nat(255), fc.constantFrom(...OPCODES), fc.constantFrom(0x00, 0x7f, 0x80, 0xff)) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }), to: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: written.map((w) => w.bytes) }),
  fc.record({ kind: fc.constant('hostile' as const), at: fc.nat(), which: fc.nat(HOSTILE.length - 1) }),
  fc.record({ kind: fc.constant('opcode' as const), at: fc.nat(), code: fc.constantFrom(...OPCODES), args: fc.uint8Array({ maxLength: 9 }) }),
);

function mutate(data: Buffer, m: Mutation): Buffer {
  const n = data.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return data;
      const b = Buffer.from(data);
      b[m.at % n] = (b[m.at % n] as number) ^ (1 << m.bit);
      return b;
    }
    case 'write': {
      if (n === 0) return data;
      const b = Buffer.from(data);
      b[m.at % n] = m.byte;
      return b;
    }
    case 'truncate':
      return data.subarray(0, at);
    case 'delete':
      return Buffer.concat([data.subarray(0, at), data.subarray(at + m.len)]);
    case 'duplicate': {
      const piece = data.subarray(at, at + m.len);
      const to = m.to % (n + 1);
      return Buffer.concat([data.subarray(0, to), piece, data.subarray(to)]);
    }
    case 'splice': {
      const cut = m.from.subarray(m.at % (m.from.length + 1));
      return Buffer.concat([data.subarray(0, at), cut]);
    }
    case 'hostile':
      return Buffer.concat([data.subarray(0, at), (HOSTILE[m.which] as [string, Buffer])[1], data.subarray(at)]);
    case 'opcode':
      return Buffer.concat([data.subarray(0, at), Buffer.from([m.code]), m.args, data.subarray(at)]);
  }
}

const anyPickle = fc.oneof(
  handBuilt.map((h) => h.enc.bytes),
  written.map((w) => w.bytes),
);

// ---------------------------------------------------------------------------------------------------------------
// Properties

describe('loads() properties (fast-check)', () => {
  test("round trip: our protocol-1 writer's pickles decode to the values written", BOUNDED, () => {
    fc.assert(
      fc.property(written, ({ value, bytes }) => {
        assert.deepStrictEqual(loads(bytes), expected(value));
        assertPrototypesClean();
      }),
      params(500),
    );
  });

  test('round trip: hand-built protocol 2–5 opcode streams decode to the values encoded', BOUNDED, () => {
    fc.assert(
      fc.property(handBuilt, ({ value, enc }) => {
        const out = loads(enc.bytes);
        assert.deepStrictEqual(out, expected(value));
        assertPlainData(out);
        assertPrototypesClean();
      }),
      params(600),
    );
  });

  const isContainer = (v: Py): boolean => isObj(v) && ('list' in v || 'tuple' in v || 'dict' in v || 'set' in v);

  test('shared values stay shared: a container read back with GET is the object decoded first', BOUNDED, () => {
    const hand = fc.integer({ min: 2, max: 5 }).chain((proto) => fc.tuple(fc.constant(proto), pyValue(features(proto)).filter(isContainer), fc.integer()));
    fc.assert(
      fc.property(hand, ([proto, shared, seed]) => {
        const top: Py = { list: [shared, shared] };
        const enc = encode(top, proto, chooser(seed));
        const out = loads(enc.bytes) as unknown[];
        assert.deepStrictEqual(out, expected(top));
        if (enc.fetched.has(shared as object)) assert.equal(out[0], out[1]);
      }),
      params(200),
    );
  });

  test("shared values stay shared through our writer (it memoizes lists, dicts and non-empty tuples, as CPython's)", BOUNDED, () => {
    const viaWriter = pyValue({ bytes: false, bytearray: false, sets: false }).filter((v) => isContainer(v) && !(isObj(v) && 'tuple' in v && v.tuple.length === 0));
    fc.assert(
      fc.property(viaWriter, (shared) => {
        const top: Py = { list: [shared, shared] };
        const out = loads(dumps(forWriter(top))) as unknown[];
        assert.deepStrictEqual(out, expected(top));
        assert.equal(out[0], out[1]);
      }),
      params(200),
    );
  });

  test('every strict prefix of a well-formed pickle is refused with UnpicklingError', BOUNDED, () => {
    fc.assert(
      fc.property(anyPickle, fc.nat(), (bytes, cut) => {
        const prefix = bytes.subarray(0, cut % bytes.length);
        assert.throws(() => loads(prefix), (err: unknown) => err instanceof UnpicklingError);
      }),
      params(600),
    );
  });

  test('a code opcode at any opcode boundary is refused, naming it, whatever came before', BOUNDED, () => {
    fc.assert(
      fc.property(handBuilt, fc.nat(), fc.nat(HOSTILE.length - 1), fc.integer(), ({ enc }, at, which, seed) => {
        const [name, hostile] = HOSTILE[which] as [string, Buffer];
        const ops = [...enc.ops];
        ops.splice(at % ops.length, 0, hostile); // before STOP at the latest
        const bytes = assemble(enc.proto, ops, chooser(seed));
        assert.throws(
          () => loads(bytes),
          (err: unknown) => err instanceof UnpicklingError && err.message === `refused opcode ${name}: this receiver decodes data only`,
        );
        assertPrototypesClean();
      }),
      params(1000),
    );
  });

  test('mutated pickles (flips, writes, truncation, splices, hostile opcodes) return plain data or throw UnpicklingError', BOUNDED, () => {
    const tally = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(anyPickle, fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
        tally[decodesOrRefuses(mutations.reduce(mutate, bytes))]++;
      }),
      params(2000),
    );
    // the mutations must not all be refused at the first byte: some still decode
    assert.ok(tally.ok > 0 && tally.refused > 0, JSON.stringify(tally));
  });

  /** `n` containers nested in one another around a None, built without recursion (list, tuple, dict, set-free). */
  function nested(n: number, pick: (k: number) => number): Buffer {
    const kinds: [open: Buffer[], close: Buffer][] = [
      [[op(0x5d)], op(0x61)], // EMPTY_LIST … APPEND
      [[op(0x28)], op(0x6c)], // MARK … LIST
      [[], op(0x85)], // … TUPLE1
      [[op(0x28)], op(0x74)], // MARK … TUPLE
      [[op(0x7d), op(0x8c, [1], Buffer.from('k'))], op(0x73)], // EMPTY_DICT 'k' … SETITEM
    ];
    const open: Buffer[] = [];
    const close: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const [o, c] = kinds[pick(kinds.length)] as [Buffer[], Buffer];
      open.push(...o);
      close.push(c);
    }
    return Buffer.concat([op(0x80, [4]), ...open, op(0x4e), ...close.reverse(), op(0x2e)]);
  }

  test('nesting: up to maxDepth decodes; deeper (20 000 levels too) is refused with UnpicklingError, never a stack overflow', BOUNDED, () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 3000 })), fc.option(fc.integer({ min: 1, max: 300 })), fc.integer(), (n, maxDepth, seed) => {
        const bytes = nested(n, chooser(seed));
        const limit = maxDepth ?? 100;
        const run = (): unknown => (maxDepth === null ? loads(bytes, { maxBytes: 1 << 20 }) : loads(bytes, { maxDepth, maxBytes: 1 << 20 }));
        // depth counts the edges below the outermost container: n containers are n − 1 deep
        if (n - 1 <= limit) assert.doesNotThrow(run);
        else assert.throws(run, (err: unknown) => err instanceof UnpicklingError && err.message === `nesting deeper than ${limit}`);
      }),
      { ...params<[number, number | null, number]>(120), examples: [[20_000, null, 1], [101, null, 2], [102, null, 3]] },
    );
  });

  test('nesting: a maxDepth as large as the nesting still ends in UnpicklingError, not RangeError', BOUNDED, () => {
    const bytes = nested(20_000, chooser(1));
    try {
      loads(bytes, { maxDepth: 20_000, maxBytes: 1 << 20 });
    } catch (err) {
      assert.ok(err instanceof UnpicklingError, String(err));
    }
  });

  test('random bytes (after a PROTO header or not) return plain data or throw UnpicklingError', BOUNDED, () => {
    const body = fc.array(fc.oneof(fc.constantFrom(...OPCODES), fc.nat(255)), { maxLength: 64 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: 6 })), body, (proto, rest) => {
        decodesOrRefuses(proto === null ? rest : Buffer.concat([Buffer.from([0x80, proto]), rest]));
      }),
      params(3000),
    );
  });

  test('CPython decodes a sample of the hand-built pickles to the same values (python3 is the oracle)', BOUNDED, () => {
    const seed = FC_SEED !== undefined ? Number(FC_SEED) : Date.now() ^ (Math.random() * 0x100000000);
    const sample = fc.sample(handBuilt, { numRuns: FC_RUNS > 0 ? Math.min(FC_RUNS, 2000) : 200, seed });
    const pyNorms = runPython<unknown[]>(
      `import base64, json, math, pickle, struct, sys
def num(x):
    return {'num': 'nan'} if math.isnan(x) else {'num': struct.pack('>d', x).hex()}
def norm(v):
    if v is None or isinstance(v, (bool, str)): return v
    if isinstance(v, int): return num(float(v)) if abs(v) <= 2**53 - 1 else {'__int__': str(v)}
    if isinstance(v, float): return num(v)
    if isinstance(v, (bytes, bytearray)): return {'__bytes__': v.hex()}
    if isinstance(v, (list, tuple)): return [norm(x) for x in v]
    if isinstance(v, (set, frozenset)): return {'__set__': [norm(x) for x in v]}
    if all(isinstance(k, str) for k in v): return {k: norm(x) for k, x in v.items()}
    return {'__map__': [[norm(k), norm(x)] for k, x in v.items()]}
out = []
for b64 in json.load(sys.stdin):
    try: out.append(norm(pickle.loads(base64.b64decode(b64), encoding='latin1')))
    except Exception as e: out.append({'__error__': repr(e)})
print(json.dumps(out))`,
      sample.map((s) => s.enc.bytes.toString('base64')),
    );
    for (const [i, s] of sample.entries()) {
      assert.deepStrictEqual(canon(pyNorms[i]), canon(norm(loads(s.enc.bytes))), `seed ${seed}, sample ${i}: ${s.enc.bytes.toString('base64')}`);
    }
  });
});

/** Our decoded value in the JSON form the python3 script prints. */
function norm(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { num: 'nan' };
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return { num: b.toString('hex') };
  }
  if (typeof v === 'bigint') return { __int__: v.toString() };
  if (Buffer.isBuffer(v)) return { __bytes__: v.toString('hex') };
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Set) return { __set__: [...v].map(norm) };
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [norm(k), norm(x)]) };
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: norm((v as Record<string, unknown>)[k]), enumerable: true, configurable: true, writable: true });
    return out;
  }
  return v;
}

/** Set items in one order on both sides (Python iterates a set in hash order). */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o['__set__'])) return { __set__: (o['__set__'] as unknown[]).map(canon).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: canon(o[k]), enumerable: true, configurable: true, writable: true });
  return out;
}
