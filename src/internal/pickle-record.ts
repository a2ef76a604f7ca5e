/**
 * SocketHandler's fast path: the frame `makePickle(record)` produces (pickle.ts via the handler's record dict), for
 * the records nearly every program logs, written straight from the record into the shared slab.
 *
 * The general pickler saves a list of `[key, value]` entries, one value at a time, through a memo map and growable
 * buffer calls. For a record whose values are strings, numbers, booleans, null or undefined, the bytes follow from
 * the record's key list (a "shape", compiled once: each key's `X len utf-8` bytes, what CPython's dict() + the
 * `msg`/`args`/`exc_info`/`message` edits do to each key) and the values: strings take the next memo index, numbers
 * are not memoized, and the `pathname`/`filename`/`module` sharing (pickle.ts: PyStr) is decided per record as the
 * handler decides it. Anything else (a nested object, a bigint, a 0/1-character string, which CPython memoizes by
 * value, a lone surrogate, an int beyond 32 bits) returns null and the general path runs: same bytes, slower.
 *
 * measured (Node 20.20, 2-CPU VM, --cpu-prof of 400k records through SocketHandler to a local receiver): the
 * general pickler's string writes were 29–30 % of the thread and building the entry list 8 %; see the commit for the
 * figures with this path. Tested byte for byte against the general path (test/internal/pickle-record.test.ts).
 */
import type { LogRecord } from '../core/record.js';
import { keepSlabSane, shared, SLAB_SIZE } from './pickle.js';

const MARK = 0x28;
const STOP = 0x2e;
const BININT = 0x4a;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const NONE = 0x4e;
const BINUNICODE = 0x58;
const BINGET = 0x68;
const LONG_BINGET = 0x6a;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const SETITEM = 0x73;
const SETITEMS = 0x75;
const EMPTY_DICT = 0x7d;
const BINFLOAT = 0x47;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What the handler's record dict does with one key's value. */
const enum Kind {
  /** The record's value, as is. */
  Value,
  /** `message`: left out (bpo-25685). */
  Skip,
  /** `msg`: the merged message. */
  Msg,
  /** `args`, `exc_info`: None. */
  None,
  /** `created`, `msecs`, `relativeCreated`: a float when a number. */
  Float,
  /** `pathname`, `filename`, `module` when both of the first two are keys: maybe one shared str (PyStr). */
  Path,
  File,
  Module,
}

interface Shape {
  keys: readonly string[];
  kinds: readonly Kind[];
  /** Each written key's bytes `X len utf-8`, back to back; key i is bytes `[at[i], at[i + 1])`. */
  keyBytes: Uint8Array;
  at: readonly number[];
  /** Keys appended after the record's own (CPython's `d['msg'] = …` etc. for a record that lacks them). */
  tail: readonly Kind[];
  /** Where the Path/File/Module values are in `Object.values(record)` (-1: not a key). */
  p: number;
  f: number;
  m: number;
  /** Entries in the dict. */
  entries: number;
  /** False when this path cannot write it (a key CPython memoizes by value, 1000+ entries). */
  fast: boolean;
}

const MAX_SHAPES = 256;
const shapes = new Map<string, Shape>();
let lastShape: Shape | null = null;

/** True when `Object.keys(o)` would equal `keys`, without making the list. */
function hasKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    if (k !== keys[i] || !Object.prototype.hasOwnProperty.call(o, k)) return false;
    i++;
  }
  return i === keys.length;
}

/** '' and one Latin-1 character: CPython shares one object per value, so the pickler memoizes them by value. */
function singleton(s: string): boolean {
  return s.length === 0 || (s.length === 1 && s.charCodeAt(0) < 256);
}

function compile(keys: readonly string[]): Shape {
  const boxed = keys.includes('pathname') && keys.includes('filename');
  const kinds = keys.map((k): Kind => {
    switch (k) {
      case 'message':
        return Kind.Skip;
      case 'msg':
        return Kind.Msg;
      case 'args':
      case 'exc_info':
        return Kind.None;
      case 'created':
      case 'msecs':
      case 'relativeCreated':
        return Kind.Float;
      case 'pathname':
        return boxed ? Kind.Path : Kind.Value;
      case 'filename':
        return boxed ? Kind.File : Kind.Value;
      case 'module':
        return boxed ? Kind.Module : Kind.Value;
      default:
        return Kind.Value;
    }
  });
  const tail: Kind[] = [];
  const tailKeys: string[] = [];
  for (const [k, kind] of [['msg', Kind.Msg], ['args', Kind.None], ['exc_info', Kind.None]] as const) {
    if (!keys.includes(k)) {
      tail.push(kind);
      tailKeys.push(k);
    }
  }
  const written = [...keys.filter((_, i) => kinds[i] !== Kind.Skip), ...tailKeys];
  const parts = written.map((k) => {
    const utf8 = Buffer.from(k, 'utf8');
    const b = Buffer.alloc(5 + utf8.length);
    b[0] = BINUNICODE;
    b.writeUInt32LE(utf8.length, 1);
    utf8.copy(b, 5);
    return b;
  });
  const at = [0];
  for (const b of parts) at.push((at[at.length - 1] as number) + b.length);
  return {
    keys,
    kinds,
    keyBytes: new Uint8Array(Buffer.concat(parts)),
    at,
    tail,
    p: kinds.indexOf(Kind.Path),
    f: kinds.indexOf(Kind.File),
    m: kinds.indexOf(Kind.Module),
    entries: written.length,
    // a key CPython memoizes by value, or one with a lone surrogate (the general path's surrogatepass), goes slow
    fast: written.length < 1000 && !written.some((k) => singleton(k) || LONE_SURROGATE.test(k)),
  };
}

function shapeOf(record: object): Shape {
  const last = lastShape;
  if (last !== null && hasKeys(record, last.keys)) return last;
  const keys = Object.keys(record);
  const id = JSON.stringify(keys);
  let shape = shapes.get(id);
  if (shape === undefined) {
    shape = compile(keys);
    if (shapes.size < MAX_SHAPES) shapes.set(id, shape);
  }
  lastShape = shape;
  return shape;
}

/**
 * Thrown inside {@link Writer} when the record needs the general path; never escapes this module. One instance,
 * made once: throwing it captures no stack.
 */
const SLOW = new Error('pickle-record: this record takes the general path');

/**
 * Writes one frame into `buf` from `start` (the caller made room for the worst case: see {@link worstCase}).
 */
class Writer {
  buf: Buffer = Buffer.alloc(0);
  p = 0;
  /** Strings memoized so far (the dict took index 0). */
  count = 1;
  /** Memo index of the shared pathname/filename/module str once written, else -1. */
  box = -1;

  put(idx: number): void {
    const b = this.buf;
    if (idx < 256) {
      b[this.p] = BINPUT;
      b[this.p + 1] = idx;
      this.p += 2;
    } else {
      b[this.p] = LONG_BINPUT;
      b.writeUInt32LE(idx, this.p + 1);
      this.p += 5;
    }
  }

  key(shape: Shape, i: number): void {
    const b = this.buf;
    const src = shape.keyBytes;
    let p = this.p;
    for (let j = shape.at[i] as number, end = shape.at[i + 1] as number; j < end; j++) b[p++] = src[j] as number;
    this.p = p;
    this.put(this.count++);
  }

  str(s: string): void {
    const n = s.length;
    if (n <= 1 && singleton(s)) throw SLOW;
    const b = this.buf;
    const at = this.p + 5;
    let i = 0;
    if (n <= 64) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
    }
    let size = n;
    if (i !== n) {
      if (LONE_SURROGATE.test(s)) throw SLOW;
      size = b.write(s, at, 'utf8');
    }
    b[this.p] = BINUNICODE;
    b.writeUInt32LE(size, this.p + 1);
    this.p = at + size;
    this.put(this.count++);
  }

  /** A boxed str: the first one written, the others a reference to it. */
  shared(s: string): void {
    if (this.box < 0) {
      this.box = this.count;
      this.str(s);
      return;
    }
    const b = this.buf;
    if (this.box < 256) {
      b[this.p] = BINGET;
      b[this.p + 1] = this.box;
      this.p += 2;
    } else {
      b[this.p] = LONG_BINGET;
      b.writeUInt32LE(this.box, this.p + 1);
      this.p += 5;
    }
  }

  float(v: number): void {
    this.buf[this.p] = BINFLOAT;
    this.buf.writeDoubleBE(v, this.p + 1);
    this.p += 9;
  }

  value(v: unknown): void {
    const b = this.buf;
    switch (typeof v) {
      case 'string':
        this.str(v);
        return;
      case 'number':
        if (!Number.isSafeInteger(v)) {
          this.float(v);
        } else if (v >= 0 && v <= 0xff) {
          b[this.p] = BININT1;
          b[this.p + 1] = v;
          this.p += 2;
        } else if (v >= 0 && v <= 0xffff) {
          b[this.p] = BININT2;
          b[this.p + 1] = v & 0xff;
          b[this.p + 2] = v >>> 8;
          this.p += 3;
        } else if (v >= -0x80000000 && v <= 0x7fffffff) {
          b[this.p] = BININT;
          b.writeInt32LE(v, this.p + 1);
          this.p += 5;
        } else {
          throw SLOW; // protocol 1 LONG text
        }
        return;
      case 'boolean':
        b[this.p] = 0x49; // I01\n / I00\n
        b[this.p + 1] = 0x30;
        b[this.p + 2] = v ? 0x31 : 0x30;
        b[this.p + 3] = 0x0a;
        this.p += 4;
        return;
      case 'undefined':
        b[this.p++] = NONE;
        return;
      case 'object':
        if (v === null) {
          b[this.p++] = NONE;
          return;
        }
        throw SLOW;
      default:
        throw SLOW;
    }
  }
}

const w = new Writer();

/** Bytes the frame may take at most, or -1 when a value rules this path out (an object, e.g. nested extra). */
function worstCase(shape: Shape, values: readonly unknown[], msg: string): number {
  // per entry: its key (bytes + a 5-byte BINPUT) and a value of at most 10 bytes besides a string's characters
  let n = 4 + 3 + 2 + shape.keyBytes.length + shape.entries * 15 + 3 * msg.length;
  const kinds = shape.kinds;
  for (let i = 0; i < values.length; i++) {
    const kind = kinds[i];
    if (kind === Kind.Skip || kind === Kind.Msg || kind === Kind.None) continue; // not the record's value
    const v = values[i];
    if (typeof v === 'string') n += 3 * v.length;
    else if (typeof v === 'object' && v !== null) return -1;
  }
  return n;
}

/**
 * The frame `dumpsFramedShared(dict)` would return for SocketHandler's record dict of `record`, as a view of the
 * shared slab. Reads the record's values, then calls `record.getMessage()` (CPython: `dict(record.__dict__)`, then
 * `getMessage()`). When this record needs the general path, nothing is written and the result is the message
 * (to hand to it: getMessage() is not called twice), or null when the message was not made yet.
 * @throws What `getMessage()` throws.
 */
export function dumpsRecordShared(record: LogRecord): Buffer | string | null {
  if (shared.busy) return null;
  const shape = shapeOf(record);
  if (!shape.fast) return null;
  const values = Object.values(record);
  const msg = record.getMessage();
  if (shared.busy || values.length !== shape.keys.length) return msg; // a getter changed the record meanwhile
  const worst = worstCase(shape, values, msg);
  if (worst < 0) return msg;
  let slab = shared.slab;
  let start = shared.used;
  if (slab === null || slab.length - start < worst) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, worst));
    start = 0;
  }
  // pathname/filename/module: the handler's shareLikeOsPath, decided on this record's values
  let boxP = false;
  let boxF = false;
  let boxM = false;
  if (shape.p >= 0 && shape.f >= 0) {
    const pathname = values[shape.p];
    const filename = values[shape.f];
    if (typeof pathname === 'string' && typeof filename === 'string') {
      boxF = true;
      boxP = filename === pathname && !pathname.includes('/');
      boxM = shape.m >= 0 && values[shape.m] === filename && !filename.replace(/^\.+/, '').includes('.');
    }
  }
  w.buf = slab;
  w.p = start + 4;
  w.count = 1;
  w.box = -1;
  try {
    slab[w.p++] = EMPTY_DICT;
    w.put(0);
    const many = shape.entries !== 1;
    if (many) slab[w.p++] = MARK;
    const kinds = shape.kinds;
    let k = 0; // written key index
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i] as Kind;
      if (kind === Kind.Skip) continue;
      w.key(shape, k++);
      const v = values[i];
      switch (kind) {
        case Kind.Msg:
          w.str(msg);
          break;
        case Kind.None:
          slab[w.p++] = NONE;
          break;
        case Kind.Float:
          if (typeof v === 'number') w.float(v);
          else w.value(v);
          break;
        case Kind.Path:
          if (boxP) w.shared(v as string);
          else w.value(v);
          break;
        case Kind.File:
          if (boxF) w.shared(v as string);
          else w.value(v);
          break;
        case Kind.Module:
          if (boxM) w.shared(v as string);
          else w.value(v);
          break;
        default:
          w.value(v);
      }
    }
    for (const kind of shape.tail) {
      w.key(shape, k++);
      if (kind === Kind.Msg) w.str(msg);
      else slab[w.p++] = NONE;
    }
    slab[w.p++] = many ? SETITEMS : SETITEM;
    slab[w.p++] = STOP;
  } catch (err) {
    if (err === SLOW) return msg;
    throw err;
  }
  const end = w.p;
  slab.writeUInt32BE(end - start - 4, start);
  shared.slab = slab;
  shared.used = end;
  keepSlabSane();
  return slab.subarray(start, end);
}
