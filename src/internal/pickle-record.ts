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
 * measured (Node 20.20, 2-CPU VM): the general pickler's string writes were 29–30 % of SocketHandler's thread and
 * building the entry list 8 % (--cpu-prof, 400k records to a local receiver). A frame of the bench's record
 * (getMessage included, 100k records, 7 rounds, two runs each) took 1.25–1.3 µs through a first version of this
 * path that looped over the shape's tables, and 0.70–0.85 µs through the generated writers below. Tested byte for
 * byte against the general path (test/internal/pickle-record.test.ts).
 */
import type { LogRecord } from '../core/record.js';
import { compileFunction, onCodegenSwitch } from './codegen.js';
import { hasOwnKeys } from './own-keys.js';
import { asciiPrefix } from './ascii.js';
import {
  BINFLOAT,
  BINGET,
  BININT,
  BININT1,
  BININT2,
  BINPUT,
  BINUNICODE,
  EMPTY_DICT,
  keepSlabSane,
  LONE_SURROGATE,
  MARK,
  NONE,
  SETITEM,
  SETITEMS,
  shared,
  singleton,
  SLAB_SIZE,
  STOP,
} from './pickle.js';

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
  /** The record's key list this shape was compiled for. */
  keys: readonly string[];
  /** Whether the handler's pathname/filename/module sharing applies (both of the first two are keys). */
  boxed: boolean;
  hasModule: boolean;
  /** False when this path cannot write it (a key CPython memoizes by value, too many entries). */
  fast: boolean;
  /** The generated writer (see {@link generate}). */
  write: FrameWriter;
  /** Bytes the frame takes at most besides its strings' characters (keys, memo indexes, numbers). */
  fixed: number;
}

/**
 * A message still to merge, as core/record.ts's `pendingMerge` gives it: the template's literal pieces (`%%` folded)
 * and, between them, 115 (`%s`) or 100 (`%d`) per argument; the arguments are the record's `args`.
 */
export interface PendingMessage {
  readonly lits: readonly string[];
  readonly convs: readonly number[];
}

/**
 * Writes the dict's bytes from `p` (after the frame's length) and returns where they end. `msg`: the merged message,
 * or its template, written from the pieces and the record's `args`. `boxes`: bit 1, 2, 4 when pathname, filename,
 * module are the shared str.
 */
type FrameWriter = (w: Writer, b: Buffer, dv: DataView, p: number, r: object, msg: string | PendingMessage, boxes: number) => number;

const MAX_SHAPES = 256;
const shapes = new Map<string, Shape>();
let lastShape: Shape | null = null;
onCodegenSwitch(() => {
  shapes.clear();
  lastShape = null;
});

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
  const fast = written.length < 120 && !written.some((k) => singleton(k) || LONE_SURROGATE.test(k));
  return {
    write: fast ? generate(keys, kinds, tail, parts) : () => -1,
    fixed: 16 + parts.reduce((n, b) => n + b.length, 0) + written.length * 11,
    keys,
    boxed,
    hasModule: boxed && keys.includes('module'),
    // A key CPython memoizes by value, or one with a lone surrogate (the general path's surrogatepass), goes slow;
    // under 120 entries every memo index fits BINPUT's one byte (1 + 2 per entry) and one MARK…SETITEMS batch.
    fast,
  };
}

/** One dict entry of the frame: its kind and the record key its value is read from (null: not read). */
interface Entry {
  kind: Kind;
  key: string | null;
  /** The key's `X len utf-8` bytes. */
  bytes: Buffer;
}

/**
 * One function per shape: the keys' bytes are constants in its code (written 4 at a time), each value is read with
 * a named property load (one record map, not a megamorphic `r[key]` or an Object.values array) and written by its
 * kind, and the memo counter is a local. Keys enter the code only as numbers (their bytes) and JSON string literals.
 * When code generation is refused, {@link interpret} writes the same bytes.
 */
function generate(names: readonly string[], kinds: readonly Kind[], tail: readonly Kind[], keys: readonly Buffer[]): FrameWriter {
  const entries: Entry[] = [];
  kinds.forEach((kind, i) => {
    if (kind !== Kind.Skip) {
      const key = kind === Kind.Msg || kind === Kind.None ? null : (names[i] as string);
      entries.push({ kind, key, bytes: keys[entries.length] as Buffer });
    }
  });
  for (const kind of tail) entries.push({ kind, key: null, bytes: keys[entries.length] as Buffer });
  const many = entries.length !== 1;
  let state = '';
  let body = `let c = 1, box = -1, v;\nb[p] = ${EMPTY_DICT}; b[p + 1] = ${BINPUT}; b[p + 2] = 0;\n`;
  body += many ? `b[p + 3] = ${MARK}; p += 4;\n` : 'p += 3;\n';
  let segments = 0;
  for (let i = 0; i < entries.length; ) {
    // A run of entries whose values repeat from record to record (all but msg and the times): see repeats().
    let j = i;
    while (j < entries.length && repeats(entries[j] as Entry)) j++;
    if (j - i >= 2) {
      const k = segments++;
      const run = entries.slice(i, j);
      const read = run.map((e, n) => (e.key === null ? null : `a${k}_${n}`));
      const held = read.filter((x): x is string => x !== null);
      state += `let s${k}c = -1, s${k}b = -1, s${k}box0 = -2, s${k}end = 0, s${k}box = -1, s${k}bytes = null, s${k}words = null${held.map((x) => `, ${x}s = null`).join('')};\n`;
      body += run.map((e, n) => (e.key === null ? '' : `const ${read[n] as string} = r[${JSON.stringify(e.key)}];\n`)).join('');
      const same = [`c === s${k}c`, `boxes === s${k}b`, `box === s${k}box0`, ...held.map((x) => `${x} === ${x}s && (${x} !== 0 || 1 / ${x} === 1 / ${x}s)`)];
      body += `if (${same.join(' && ')}) { p = w.copy(b, dv, p, s${k}bytes, s${k}words); c = s${k}end; box = s${k}box; }\n`;
      body += `else {\nconst c0 = c, p0 = p, box0 = box;\n`;
      run.forEach((e, n) => (body += writeEntry(e, read[n] ?? null)));
      body += `s${k}c = c0; s${k}b = boxes; s${k}box0 = box0; s${k}end = c; s${k}box = box; s${k}bytes = w.bytes(b, p0, p); s${k}words = new Uint32Array(s${k}bytes.buffer); `;
      body += `${held.map((x) => `${x}s = ${x};`).join(' ')}\n}\n`;
      i = j;
    } else {
      body += writeEntry(entries[i] as Entry, null);
      i++;
    }
  }
  body += `b[p] = ${many ? SETITEMS : SETITEM}; b[p + 1] = ${STOP};\nreturn p + 2;\n`;
  const make = compileFunction<() => FrameWriter>([], `${state}return function (w, b, dv, p, r, msg, boxes) {\n${body}};`);
  return make === null ? interpret(entries, many) : make();
}

/**
 * Whether an entry's bytes usually repeat from one record to the next: all but the message and the three times.
 * A run of two or more such entries is written once and then copied while its values (`-0` told from `0`), the memo
 * counter and the path sharing at its start stay the same: the bytes are then the same, as each entry's bytes follow
 * from those alone. A run that changed is written as before and kept again (two small allocations), so records
 * alternating between two levels pay that on each. measured (Node 20.20, `dumpsRecordInto` of the bench's record,
 * one process, 8 interleaved rounds of 1M): 1,414 → 942 ns a frame into an ArrayBuffer, 1,510 → 985 ns into a
 * SharedArrayBuffer (thread mode's ring).
 */
function repeats(e: Entry): boolean {
  return e.kind !== Kind.Msg && e.kind !== Kind.Float;
}

/**
 * The code that writes one entry: the key's bytes (constants, 4 at a time), its memo index, then the value by its
 * kind. `local` names a variable already holding the value (read before a cached run), else it is read here.
 */
function writeEntry({ kind, key: name, bytes: key }: Entry, local: string | null): string {
  const get = local ?? `r[${JSON.stringify(name)}]`; // a JSON string literal, never code
  let body = '';
  let i = 0;
  for (; i + 4 <= key.length; i += 4) body += `dv.setUint32(p + ${i}, ${key.readUInt32LE(i)}, true); `;
  for (; i < key.length; i++) body += `b[p + ${i}] = ${key[i] as number}; `;
  body += `b[p + ${key.length}] = ${BINPUT}; b[p + ${key.length + 1}] = c++; p += ${key.length + 2};\n`;
  const value = `if (typeof v === 'string') p = w.s(b, dv, p, v, c++); else p = w.v(b, dv, p, v);\n`;
  const boxed = (bit: number): string =>
    `v = ${get};\nif (boxes & ${bit}) { if (box < 0) { box = c; p = w.s(b, dv, p, v, c++); } ` +
    `else { b[p] = ${BINGET}; b[p + 1] = box; p += 2; } }\nelse ${value}`;
  switch (kind) {
    case Kind.Msg:
      return body + `p = typeof msg === 'string' ? w.s(b, dv, p, msg, c++) : w.m(b, dv, p, msg, r["args"], c++);\n`;
    case Kind.None:
      return body + `b[p++] = ${NONE};\n`;
    case Kind.Float:
      body += `v = ${get};\nif (typeof v === 'number') { b[p] = ${BINFLOAT}; dv.setFloat64(p + 1, v, false); p += 9; }\n`;
      return body + `else ${value}`;
    case Kind.Path:
      return body + boxed(1);
    case Kind.File:
      return body + boxed(2);
    case Kind.Module:
      return body + boxed(4);
    default:
      return body + `v = ${get};\n${value}`;
  }
}

/** The bit of `boxes` that says whether a Path/File/Module entry is the shared str; 0 for other kinds. */
const BOX_BITS: Partial<Record<Kind, number>> = { [Kind.Path]: 1, [Kind.File]: 2, [Kind.Module]: 4 };

/** The writer {@link generate} compiles, as a loop over the entries: the same bytes, in the same order. */
function interpret(entries: readonly Entry[], many: boolean): FrameWriter {
  return (w, b, dv, p, record, msg, boxes) => {
    const r = record as Record<string, unknown>;
    let c = 1;
    let box = -1;
    b[p] = EMPTY_DICT;
    b[p + 1] = BINPUT;
    b[p + 2] = 0;
    if (many) b[p + 3] = MARK;
    p += many ? 4 : 3;
    for (const { kind, key, bytes } of entries) {
      bytes.copy(b, p);
      b[p + bytes.length] = BINPUT;
      b[p + bytes.length + 1] = c++;
      p += bytes.length + 2;
      if (kind === Kind.Msg) {
        p = typeof msg === 'string' ? w.s(b, dv, p, msg, c++) : w.m(b, dv, p, msg, r['args'], c++);
        continue;
      }
      if (kind === Kind.None) {
        b[p++] = NONE;
        continue;
      }
      const v = r[key as string];
      const bit = BOX_BITS[kind] ?? 0;
      if (boxes & bit) {
        if (box < 0) {
          box = c;
          p = w.s(b, dv, p, v as string, c++);
        } else {
          b[p] = BINGET;
          b[p + 1] = box;
          p += 2;
        }
      } else if (kind === Kind.Float && typeof v === 'number') {
        b[p] = BINFLOAT;
        dv.setFloat64(p + 1, v, false);
        p += 9;
      } else if (typeof v === 'string') {
        p = w.s(b, dv, p, v, c++);
      } else {
        p = w.v(b, dv, p, v);
      }
    }
    b[p] = many ? SETITEMS : SETITEM;
    b[p + 1] = STOP;
    return p + 2;
  };
}

function shapeOf(record: object): Shape {
  const last = lastShape;
  if (last !== null && hasOwnKeys(record, last.keys)) return last;
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
/** Thrown by a string write that would not fit: the frame is written again in a larger slab. */
const GROW = new Error('pickle-record: the frame needs a larger slab');

/** True where a Uint32Array reads bytes little-endian (x86, ARM); false on big-endian hosts (s390x). */
const NATIVE_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** What the generated writers call for values that are not constants. */
class Writer {
  /** Room a string write leaves for the rest of the frame: the shape's `fixed`. */
  reserve = 0;
  /** Where the frame must end by: the slab's length, or the end of the room in a ring. */
  limit = 0;

  /** A str: `X`, its UTF-8 length and bytes, then BINPUT `c` (under 256: the shape has few entries). */
  s(b: Buffer, dv: DataView, p: number, s: string, c: number): number {
    const n = s.length;
    if (n <= 1 && singleton(s)) throw SLOW;
    const at = p + 5;
    if (at + 3 * n + this.reserve > this.limit) throw GROW;
    let size = n;
    if (asciiPrefix(b, at, s) !== n) {
      if (LONE_SURROGATE.test(s)) throw SLOW;
      size = b.write(s, at, 'utf8');
    }
    b[p] = BINUNICODE;
    dv.setUint32(p + 1, size, true);
    b[at + size] = BINPUT;
    b[at + size + 1] = c;
    return at + size + 2;
  }

  /**
   * The str `getMessage()` returns for template `t` and `args` (bare `%s` of strings, `%d` of safe integers), written
   * from the pieces: the bytes {@link s} writes for the merged text, without making it. Anything else the template or
   * the arguments turn out to be (a getter changed them) is the general path's, as is a merged text of 3 bytes or less
   * (it may be one of CPython's 0/1-character singletons) and a piece with a lone surrogate (two pieces may pair up).
   *
   * Why: the merge is a rope; writing it made V8 flatten it, then the copy read it through the rope. measured (Node
   * 20.20, 2-CPU VM, the bench's record): `dumpsRecordInto` alone 972 → 752 and 815 → 613 ns a frame (a flat message
   * of the same text: 589 and 488); SocketHandler thread mode's logging thread, one process with the build before,
   * 30 alternating rounds of 100k calls, six runs: the paired median ratio of CPU time 0.907–0.960.
   */
  m(b: Buffer, dv: DataView, p: number, t: PendingMessage, args: unknown, c: number): number {
    const lits = t.lits;
    const convs = t.convs;
    if (!Array.isArray(args) || args.length !== convs.length) throw SLOW;
    const at = p + 5;
    let q = this.piece(b, at, lits[0] as string);
    for (let i = 0; i < convs.length; i++) {
      const v: unknown = args[i];
      if (convs[i] === 115) {
        if (typeof v !== 'string') throw SLOW;
        q = this.piece(b, q, v);
      } else {
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw SLOW;
        q = this.int(b, q, v);
      }
      q = this.piece(b, q, lits[i + 1] as string);
    }
    const size = q - at;
    if (size <= 3) throw SLOW;
    b[p] = BINUNICODE;
    dv.setUint32(p + 1, size, true);
    b[q] = BINPUT;
    b[q + 1] = c;
    return q + 2;
  }

  /** A piece of a merged str: its UTF-8 bytes at `q`; returns where they end. */
  piece(b: Buffer, q: number, s: string): number {
    const n = s.length;
    if (q + 3 * n + this.reserve > this.limit) throw GROW;
    if (asciiPrefix(b, q, s) === n) return q + n;
    if (LONE_SURROGATE.test(s)) throw SLOW;
    return q + b.write(s, q, 'utf8');
  }

  /**
   * `String(v)` of a safe integer as ASCII digits at `q` (`-0` is `0`). In 32-bit integer arithmetic: a digit loop on
   * doubles (`v % 10` once `v / 10` made one) calls the C library's `fmod` for every digit. measured (perf of thread
   * mode's logging thread, the bench's record): {@link m}'s self time 15.6 → 14.5 % of the thread's samples. Beyond
   * 32 bits, `String(v)` (no exponent below 2 ** 53).
   */
  int(b: Buffer, q: number, v: number): number {
    if (v > 0x7fffffff || v < -0x7fffffff) return this.piece(b, q, String(v));
    if (q + 11 + this.reserve > this.limit) throw GROW;
    let x = v | 0;
    if (x < 0) {
      b[q++] = 0x2d;
      x = -x;
    }
    let n = 1;
    for (let y = x; y >= 10; y = (y / 10) | 0) n++;
    for (let i = q + n - 1; i >= q; i--) {
      const y = (x / 10) | 0;
      b[i] = 0x30 + x - y * 10;
      x = y;
    }
    return q + n;
  }

  /**
   * Writes a cached run's `bytes` at `p` (`words`: the same bytes, 4 at a time in this machine's byte order, hence
   * {@link NATIVE_LE}); returns where they end. A loop, not
   * `b.set()`: into a ring on a SharedArrayBuffer, V8 copies with a relaxed memmove that was 27 % of a frame (perf).
   */
  copy(b: Buffer, dv: DataView, p: number, bytes: Uint8Array, words: Uint32Array): number {
    const n = bytes.length;
    if (p + n + this.reserve > this.limit) throw GROW;
    const whole = n >> 2;
    for (let i = 0; i < whole; i++) dv.setUint32(p + 4 * i, words[i] as number, NATIVE_LE);
    for (let i = whole * 4; i < n; i++) b[p + i] = bytes[i] as number;
    return p + n;
  }

  /** A copy of `b`'s bytes from `start` to `end`, on a buffer of whole 4-byte words (see {@link copy}). */
  bytes(b: Buffer, start: number, end: number): Uint8Array {
    const out = new Uint8Array(new ArrayBuffer((end - start + 3) & ~3), 0, end - start);
    for (let i = start; i < end; i++) out[i - start] = b[i] as number;
    return out;
  }

  /** Anything but a str: a number, a boolean, null or undefined; otherwise the general path. */
  v(b: Buffer, dv: DataView, p: number, v: unknown): number {
    switch (typeof v) {
      case 'number':
        if (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0)) { // -0 is a float: Python reads -0.0
          b[p] = BINFLOAT;
          dv.setFloat64(p + 1, v, false);
          return p + 9;
        }
        if (v >= 0 && v <= 0xff) {
          b[p] = BININT1;
          b[p + 1] = v;
          return p + 2;
        }
        if (v >= 0 && v <= 0xffff) {
          b[p] = BININT2;
          dv.setUint16(p + 1, v, true);
          return p + 3;
        }
        if (v >= -0x80000000 && v <= 0x7fffffff) {
          b[p] = BININT;
          dv.setInt32(p + 1, v, true);
          return p + 5;
        }
        throw SLOW; // protocol 1 LONG text
      case 'boolean':
        b[p] = 0x49; // I01\n / I00\n
        b[p + 1] = 0x30;
        b[p + 2] = v ? 0x31 : 0x30;
        b[p + 3] = 0x0a;
        return p + 4;
      case 'undefined':
        b[p] = NONE;
        return p + 1;
      case 'object':
        if (v === null) {
          b[p] = NONE;
          return p + 1;
        }
        throw SLOW;
      default:
        throw SLOW;
    }
  }
}

const w = new Writer();
/** A DataView of the slab last written to. */
let slabOfView: Buffer | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/** The last pathname/filename/module seen and the sharing decided for them (bits 1, 2, 4). */
let lastPath: unknown = null;
let lastFile: unknown = null;
let lastModule: unknown = null;
let lastBoxes = 0;

/** The handler's shareLikeOsPath (socket.ts), decided once per distinct (pathname, filename, module). */
function boxesOf(pathname: unknown, filename: unknown, module: unknown): number {
  if (pathname === lastPath && filename === lastFile && module === lastModule) return lastBoxes;
  let boxes = 0;
  if (typeof pathname === 'string' && typeof filename === 'string') {
    boxes = 2;
    if (filename === pathname && !pathname.includes('/')) boxes |= 1;
    if (module === filename && !filename.replace(/^\.+/, '').includes('.')) boxes |= 4;
  }
  lastPath = pathname;
  lastFile = filename;
  lastModule = module;
  return (lastBoxes = boxes);
}

/**
 * The frame `dumpsFramedShared(dict)` would return for SocketHandler's record dict of `record`, as a view of the
 * shared slab. Calls `record.getMessage()` first (unless the caller made the message: `made`), then reads the
 * values. When this record needs the general path, nothing is written and the result is the message (to hand to it:
 * getMessage() is not called twice), or null when the message was not made yet. `made` may also be the message's
 * template (core/record.ts's `pendingMerge`), written from its pieces as in {@link dumpsRecordInto}; the result is
 * then null when the frame was not written (the caller makes the message and tries again).
 *
 * Differs from CPython only in an order nobody can see without a `__str__` that edits the record being logged:
 * CPython copies the record's dict, then calls getMessage().
 * @throws What `getMessage()` throws.
 */
export function dumpsRecordShared(record: LogRecord, made: string | PendingMessage | null = null): Buffer | string | null {
  const pending = typeof made === 'object' ? null : made;
  if (shared.busy) return pending;
  const shape = shapeOf(record);
  if (!shape.fast) return pending;
  const msg = made ?? record.getMessage();
  if (shared.busy) return typeof msg === 'string' ? msg : null;
  const boxes = boxesFor(shape, record);
  let slab = shared.slab;
  let start = shared.used;
  w.reserve = shape.fixed;
  let size = SLAB_SIZE;
  // a template's merged length is not known until written: a piece that does not fit throws GROW (below)
  const chars = typeof msg === 'string' ? msg.length : 0;
  for (;;) {
    if (slab === null || slab.length - start < shape.fixed + 3 * chars) {
      while (size < 2 * (shape.fixed + 3 * chars)) size *= 2;
      slab = Buffer.allocUnsafeSlow(size);
      start = 0;
    }
    const b: Buffer = slab;
    if (b !== slabOfView) {
      slabOfView = b;
      view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    w.limit = b.length;
    // busy: a getter on the record runs user code, which may log; a nested pickle then takes its own buffer
    shared.busy = true;
    try {
      const end = shape.write(w, b, view, start + 4, record, msg, boxes);
      b.writeUInt32BE(end - start - 4, start);
      shared.slab = b;
      shared.used = end;
      keepSlabSane();
      return b.subarray(start, end);
    } catch (err) {
      if (err === SLOW) return typeof msg === 'string' ? msg : null;
      if (err !== GROW) throw err;
      // a long string: a fresh slab, then one twice as large each time it still does not fit
      if (start === 0) size = b.length * 2;
      slab = null;
    } finally {
      shared.busy = false;
    }
  }
}

function boxesFor(shape: Shape, record: LogRecord): number {
  if (!shape.boxed) return 0;
  const r = record as unknown as Record<string, unknown>;
  return boxesOf(r['pathname'], r['filename'], shape.hasModule ? r['module'] : undefined);
}

/** {@link dumpsRecordInto}: the frame does not fit in the room given. */
export const NO_ROOM = -1;
/** {@link dumpsRecordInto}: this record needs the general path. */
export const GENERAL = -2;

/**
 * The same frame as {@link dumpsRecordShared}, written in place into `b` (viewed by `dv`) from `start`, ending before
 * `limit`: SocketHandler's thread mode writes it straight into the shared ring instead of copying it there.
 * `msg` is the record's message, made by the caller, or its template (core/record.ts's `pendingMerge`), merged as it
 * is written. Returns where the frame ends, {@link NO_ROOM} or {@link GENERAL} (nothing written that counts, either
 * way; after a template, the caller makes the message and tries again: the merged text may be what needs the rest).
 */
export function dumpsRecordInto(record: LogRecord, msg: string | PendingMessage, b: Buffer, dv: DataView, start: number, limit: number): number {
  if (shared.busy) return GENERAL;
  const shape = shapeOf(record);
  if (!shape.fast) return GENERAL;
  if (limit - start < shape.fixed + (typeof msg === 'string' ? 3 * msg.length : 0) + 4) return NO_ROOM;
  const boxes = boxesFor(shape, record);
  w.reserve = shape.fixed;
  w.limit = limit;
  shared.busy = true; // as above: a nested pickle takes its own buffer
  try {
    const end = shape.write(w, b, dv, start + 4, record, msg, boxes);
    dv.setUint32(start, end - start - 4, false);
    return end;
  } catch (err) {
    if (err === SLOW) return GENERAL;
    if (err === GROW) return NO_ROOM;
    throw err;
  } finally {
    shared.busy = false;
  }
}
