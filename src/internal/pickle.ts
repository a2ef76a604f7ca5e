/**
 * A protocol-1 pickle writer: the bytes CPython's `pickle.dumps(d, 1)` produces for a log record's attribute dict
 * (REFERENCE §3.5), so SocketHandler/DatagramHandler interoperate with CPython receivers byte for byte.
 *
 * Opcodes written (CPython 3.13 `Modules/_pickle.c`, protocol 1): `}` EMPTY_DICT, `]` EMPTY_LIST, `)` EMPTY_TUPLE,
 * `(` MARK, `u` SETITEMS / `s` SETITEM, `e` APPENDS / `a` APPEND, `t` TUPLE, `X` BINUNICODE, `K`/`M`/`J`
 * BININT1/2/4, `L…L\n` LONG (ints beyond int32), `I01\n`/`I00\n` (bools), `G` BINFLOAT, `N` None, `q`/`r`
 * BINPUT/LONG_BINPUT, `h`/`j` BINGET/LONG_BINGET, `.` STOP.
 *
 * JS cannot say which strings are "the same object", which decides where CPython writes BINGET. We model it:
 * strings CPython always shares (the empty string and one-character Latin-1 strings are singletons in CPython) are
 * memoized by value; a {@link PyStr} box marks one string object that several fields share (a record's
 * `pathname`/`filename`/`module` when `os.path` returned its argument unchanged); every other string is a fresh
 * object. Containers are memoized by JS identity, so shared and cyclic values pickle as CPython's do.
 *
 * Numbers: a safe integer (|n| ≤ 2^53 − 1) is an int, any other number a float; {@link PyFloat} forces a float.
 *
 * Values Python could not receive degrade instead of throwing (STYLE §6): `undefined` → None; a bigint → int;
 * `Map` → dict, `Set` → list; a `Date` → its ISO text; a typed array → a list of ints; anything else (functions,
 * symbols, class instances without a plain shape, errors) → its `%s` text. Nesting deeper than
 * {@link MAX_DEPTH} is cut to its `%s` text too.
 */
import { types } from 'node:util';
import { asciiPrefix } from './ascii.js';
import { pyStr } from '../core/repr.js';

/** A float whatever its value: `new PyFloat(3)` pickles as `3.0`, where a bare `3` pickles as the int 3. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A tuple (`(1, 2)`); a bare array pickles as a list. */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** One Python `str` object: every place holding the same box pickles as a reference to the first (BINGET). */
export class PyStr {
  constructor(readonly value: string) {}
}

/**
 * A dict given as its entries, in order: pickles exactly as a plain object with those keys would, without building
 * one (SocketHandler's record dict; measured below at {@link dumpsFramed}).
 */
export class PyDict {
  constructor(readonly entries: readonly (readonly [unknown, unknown])[]) {}
}

/** Nesting kept before a value is written as its `%s` text (CPython raises RecursionError near 1000). */
export const MAX_DEPTH = 200;

// pickle.py's opcodes (those exported are shared with pickle-record.ts)
export const MARK = 0x28; // (
export const STOP = 0x2e; // .
export const BININT = 0x4a; // J
export const BININT1 = 0x4b; // K
export const BININT2 = 0x4d; // M
export const NONE = 0x4e; // N
export const BINUNICODE = 0x58; // X
const APPEND = 0x61; // a
const APPENDS = 0x65; // e
export const BINGET = 0x68; // h
const LONG_BINGET = 0x6a; // j
export const BINPUT = 0x71; // q
const LONG_BINPUT = 0x72; // r
export const SETITEM = 0x73; // s
const TUPLE = 0x74; // t
export const SETITEMS = 0x75; // u
export const EMPTY_DICT = 0x7d; // }
const EMPTY_LIST = 0x5d; // ]
const EMPTY_TUPLE = 0x29; // )
export const BINFLOAT = 0x47; // G
const BATCHSIZE = 1000; // _pickle.c BATCHSIZE

/** A lone surrogate, which pickle's UTF-8 (`surrogatepass`) writes as 3 bytes where Node would write U+FFFD. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A growable byte buffer. In slab mode (`slab` true) the value being pickled starts at `start`, after earlier
 * pickles that are not to be touched: growing moves only the bytes from `start` on into a fresh slab (at 0), so
 * `len` changes too; the old slab is left as it is (views of it stay valid).
 */
class Out {
  len = 0;
  start = 0;
  constructor(
    public buf: Buffer,
    readonly slab = false,
  ) {}

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const used = this.len - this.start;
    let size = this.slab ? SLAB_SIZE : this.buf.length * 2;
    while (size < used + n) size *= 2;
    const next = this.slab ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.len);
    this.buf = next;
    this.len = used;
    this.start = 0;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  u32(n: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(n, this.len);
    this.len += 4;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }
}

/** Python's `'surrogatepass'` UTF-8, which pickle uses for `str`: lone surrogates become 3-byte sequences. */
function utf8(s: string): Buffer {
  if (!LONE_SURROGATE.test(s)) return Buffer.from(s, 'utf8');
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i) as number;
    if (c > 0xffff) i++;
    if (c < 0x80) parts.push(c);
    else if (c < 0x800) parts.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) parts.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else parts.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Buffer.from(parts);
}

/** '' and one Latin-1 character: CPython keeps one object per value (unicode_result()), so pickle memoizes by value. */
export function singleton(s: string): boolean {
  return s.length === 0 || (s.length === 1 && s.charCodeAt(0) < 256);
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

class Pickler {
  constructor(readonly out: Out) {}
  /** CPython's memo: object → index. Strings CPython shares are keyed by value (see the file comment). */
  readonly #memo = new Map<unknown, number>();
  readonly #strMemo = new Map<string, number>();
  /** Objects memoized so far: the next memo index. */
  #count = 0;

  #put(key: unknown): void {
    this.#memo.set(key, this.#count);
    this.#op(this.#count++, BINPUT, LONG_BINPUT);
  }

  #op(idx: number, short: number, long: number): void {
    if (idx < 256) {
      this.out.byte(short);
      this.out.byte(idx);
    } else {
      this.out.byte(long);
      this.out.u32(idx);
    }
  }

  #get(idx: number): void {
    this.#op(idx, BINGET, LONG_BINGET);
  }

  save(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        return this.#str(v, null);
      case 'number':
        // A number beyond 2^53 is no longer exact in JS, and -0 is no int: Python gets either as the float it is.
        return Number.isSafeInteger(v) && !Object.is(v, -0) ? this.#int(v) : this.#float(v);
      case 'boolean':
        return this.out.ascii(v ? 'I01\n' : 'I00\n');
      case 'bigint':
        return this.#bigint(v);
      case 'undefined':
        return this.out.byte(NONE);
      case 'object':
        if (v === null) return this.out.byte(NONE);
        return this.#object(v, depth);
      default:
        return this.#str(pyStr(v), null);
    }
  }

  #object(v: object, depth: number): void {
    if (v instanceof PyStr) return this.#str(v.value, v);
    if (v instanceof PyFloat) return this.#float(v.value);
    const seen = this.#memo.get(v);
    if (seen !== undefined) return this.#get(seen);
    if (depth >= MAX_DEPTH) return this.#str(pyStr(v), null);
    if (v instanceof PyTuple) return this.#tuple(v, depth);
    if (v instanceof PyDict) return this.#dict(v, v.entries, depth);
    if (types.isProxy(v)) return this.#str(pyStr(v), null); // its traps may throw or lie
    let items: unknown[] | null = null;
    let entries: [unknown, unknown][] | null = null;
    try {
      // Read everything first: a throwing getter then degrades this value before any byte of it is written.
      if (Array.isArray(v)) items = Array.from(v as unknown[]);
      else if (v instanceof Map) entries = [...(v as Map<unknown, unknown>)];
      else if (v instanceof Set) items = [...(v as Set<unknown>)];
      else if (v instanceof Date) return this.#str(Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString(), null);
      else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) items = Array.from(v as unknown as ArrayLike<number>);
      else if (isPlainObject(v)) entries = Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
    } catch {
      items = entries = null;
    }
    if (items !== null) return this.#list(v, items, depth);
    if (entries !== null) return this.#dict(v, entries, depth);
    return this.#str(pyStr(v), null);
  }

  #str(s: string, box: PyStr | null): void {
    if (box !== null) {
      const seen = this.#memo.get(box);
      if (seen !== undefined) return this.#get(seen);
    }
    const single = singleton(s);
    if (single) {
      const seen = this.#strMemo.get(s);
      if (seen !== undefined) {
        if (box !== null) this.#memo.set(box, seen);
        return this.#get(seen);
      }
    }
    // measured (Node 20.20, SocketHandler.makePickle of a 21-field record, medians of 3 interleaved runs): encoding
    // in place, with a JS loop for short ASCII strings (every field name and most values), instead of Buffer.from(s)
    // and a copy per string, plus the reused scratch buffer below: 12.9 µs → 5.8 µs per record.
    const o = this.out;
    const n = s.length;
    o.reserve(5 + 3 * n); // UTF-8 needs at most 3 bytes per UTF-16 unit
    const buf = o.buf;
    const at = o.len + 5;
    const i = asciiPrefix(buf, at, s);
    let size: number;
    if (i === n) size = n;
    else if (!LONE_SURROGATE.test(s)) size = buf.write(s, at, 'utf8');
    else {
      const bytes = utf8(s);
      o.reserve(5 + bytes.length);
      bytes.copy(o.buf, at);
      size = bytes.length;
    }
    o.buf[o.len] = BINUNICODE;
    o.buf.writeUInt32LE(size, o.len + 1);
    o.len = at + size;
    const idx = this.#count++; // a fresh string object is memoized but never looked up again
    if (single) this.#strMemo.set(s, idx);
    if (box !== null) this.#memo.set(box, idx);
    this.#op(idx, BINPUT, LONG_BINPUT);
  }

  #int(n: number): void {
    const o = this.out;
    if (n >= 0 && n <= 0xff) {
      o.byte(BININT1);
      o.byte(n);
    } else if (n >= 0 && n <= 0xffff) {
      o.byte(BININT2);
      o.reserve(2);
      o.buf.writeUInt16LE(n, o.len);
      o.len += 2;
    } else if (n >= -0x80000000 && n <= 0x7fffffff) {
      o.byte(BININT);
      o.reserve(4);
      o.buf.writeInt32LE(n, o.len);
      o.len += 4;
    } else {
      o.ascii(`L${BigInt(n).toString()}L\n`); // protocol 0/1 LONG: repr(int) + 'L'
    }
  }

  #bigint(n: bigint): void {
    if (n >= -0x80000000n && n <= 0x7fffffffn) this.#int(Number(n));
    else this.out.ascii(`L${n.toString()}L\n`);
  }

  #float(n: number): void {
    this.out.byte(BINFLOAT);
    this.out.reserve(8);
    this.out.buf.writeDoubleBE(n, this.out.len);
    this.out.len += 8;
  }

  #tuple(t: PyTuple, depth: number): void {
    if (t.items.length === 0) return this.out.byte(EMPTY_TUPLE); // not memoized (save_tuple)
    this.out.byte(MARK);
    for (const item of t.items) this.save(item, depth + 1);
    const seen = this.#memo.get(t);
    if (seen !== undefined) {
      // a tuple reached from inside itself: CPython's POP_MARK + BINGET
      this.out.byte(0x31);
      return this.#get(seen);
    }
    this.out.byte(TUPLE);
    this.#put(t);
  }

  #list(key: object, items: readonly unknown[], depth: number): void {
    this.out.byte(EMPTY_LIST);
    this.#put(key);
    const n = items.length;
    if (n === 0) return;
    if (n === 1) {
      this.save(items[0], depth + 1);
      return this.out.byte(APPEND);
    }
    // batch_list_exact: MARK … APPENDS per 1000 items
    for (let i = 0; i < n; ) {
      this.out.byte(MARK);
      const end = Math.min(i + BATCHSIZE, n);
      for (; i < end; i++) this.save(items[i], depth + 1);
      this.out.byte(APPENDS);
    }
  }

  #dict(key: object, entries: readonly (readonly [unknown, unknown])[], depth: number): void {
    this.out.byte(EMPTY_DICT);
    this.#put(key);
    const n = entries.length;
    if (n === 0) return;
    if (n === 1) {
      const [k, v] = entries[0] as readonly [unknown, unknown];
      this.save(k, depth + 1);
      this.save(v, depth + 1);
      return this.out.byte(SETITEM);
    }
    // batch_dict_exact: MARK … SETITEMS per 1000 pairs; a full last batch is followed by an empty one
    let i = 0;
    let inBatch: number;
    do {
      this.out.byte(MARK);
      inBatch = 0;
      for (; i < n && inBatch < BATCHSIZE; i++, inBatch++) {
        const [k, v] = entries[i] as readonly [unknown, unknown];
        this.save(k, depth + 1);
        this.save(v, depth + 1);
      }
      this.out.byte(SETITEMS);
    } while (inBatch === BATCHSIZE);
  }
}

/**
 * The buffer pickles are built in, reused from one call to the next; null while a call uses it (a nested call, from
 * a user `toString()` that logs, builds in a buffer of its own).
 * measured (Node 20.20, --cpu-prof of 1M makePickle calls): allocation (createUnsafeBuffer, FastBuffer: 12 %) and
 * GC (13 %) led the profile; a buffer per string and a fresh 1 KiB one per pickle were most of it. Building in a
 * shared slab and returning views of it (no copy) measured slower: 2.7-3.5 µs per makePickle against 2.4-2.8 µs.
 * (That is still so for {@link dumps}/{@link dumpsFramed}, which return a standalone copy; SocketHandler's own
 * emit path uses {@link dumpsFramedShared}, measured faster end to end: see there.)
 */
let scratch: Buffer | null = Buffer.allocUnsafeSlow(16 * 1024);
const SCRATCH_MAX = 1024 * 1024;

function pickle(value: unknown, head: number): Buffer {
  const own = scratch;
  scratch = null;
  const p = new Pickler(new Out(own ?? Buffer.allocUnsafe(1024)));
  try {
    p.out.len = head;
    p.save(value, 0);
    p.out.byte(STOP);
    const len = p.out.len;
    const result = Buffer.allocUnsafe(len);
    p.out.buf.copy(result, 0, 0, len);
    if (head === 4) result.writeUInt32BE(len - 4, 0);
    return result;
  } finally {
    // keep the grown buffer unless one huge value grew it beyond reason
    if (own !== null) scratch = p.out.buf.length <= SCRATCH_MAX ? p.out.buf : own;
  }
}

/**
 * The slab {@link dumpsFramedShared} pickles into, and how much of it earlier pickles hold (never written again);
 * `slabBusy` while a call uses it (a nested call gets a fresh buffer from {@link dumpsFramed}).
 * measured (Node 20.20, 200k records through SocketHandler to a local TCP receiver, 20k warm-up, 7 interleaved
 * runs on a shared 2-CPU machine, median records/s): scratch buffer + a fresh Buffer per record 125 k; slab of
 * 64 KiB 137 k, 120 KiB 135 k, 256 KiB 127 k (80-136 k), 1 MiB 131 k (5 runs). Likely (not verified: page-fault
 * counts were within noise) because glibc mmaps blocks of 128 KiB and more, while smaller ones reuse freed heap.
 */
export const SLAB_SIZE = 64 * 1024;

/**
 * @internal The slab's state, shared with the record fast path (pickle-record.ts) so that its pickles and these are
 * adjacent views of one slab (SocketHandler writes adjacent views as one region).
 */
export const shared: { slab: Buffer | null; used: number; busy: boolean } = { slab: null, used: 0, busy: false };

/**
 * {@link dumpsFramed} into a shared slab: returns a view of it (no per-record allocation of bytes, no copy).
 * Consecutive calls return adjacent views of one slab until it fills, so a run of them can be written as one
 * region. The slab is never written again where a view was returned, so every view stays valid and unchanged.
 */
export function dumpsFramedShared(value: unknown): Buffer {
  if (shared.busy) return pickle(value, 4); // nested (a user toString() that logs): a buffer of its own
  shared.busy = true;
  let own = shared.slab;
  let from = shared.used;
  if (own === null || own.length - from < 64) {
    own = Buffer.allocUnsafeSlow(SLAB_SIZE);
    from = 0;
  }
  const out = new Out(own, true);
  out.start = from;
  out.len = from + 4;
  let end = -1;
  try {
    new Pickler(out).save(value, 0);
    out.byte(STOP);
    end = out.len;
    out.buf.writeUInt32BE(end - out.start - 4, out.start);
    return out.buf.subarray(out.start, end);
  } finally {
    shared.busy = false;
    // a failed pickle's bytes are simply overwritten by the next one
    shared.slab = out.buf;
    shared.used = end >= 0 ? end : out.buf === own ? from : 0;
    keepSlabSane();
  }
}

/** @internal A slab grown beyond reason by one huge value is not kept (its views stay valid). */
export function keepSlabSane(): void {
  if (shared.slab !== null && shared.slab.length > 4 * SLAB_SIZE) {
    shared.slab = null;
    shared.used = 0;
  }
}

/**
 * Gives back the space of `view`, the latest {@link dumpsFramedShared} result, that nothing holds (a record the
 * backlog dropped): the next pickle reuses it, so a few records accepted between many dropped ones do not each pin
 * a slab of their own. Does nothing for any other buffer.
 */
export function releaseShared(view: Buffer): void {
  const slab = shared.slab;
  if (shared.busy || slab === null || view.buffer !== slab.buffer) return;
  const start = view.byteOffset - slab.byteOffset;
  if (start + view.length === shared.used) shared.used = start;
}

/**
 * `pickle.dumps(value, 1)`. Never throws for any input: what Python could not receive degrades (see the file
 * comment). Returns a fresh Buffer.
 */
export function dumps(value: unknown): Buffer {
  return pickle(value, 0);
}

/**
 * CPython's SocketHandler frame: `struct.pack('>L', len(s)) + s` with `s = pickle.dumps(value, 1)`, in one buffer
 * (no second allocation and copy for the length prefix).
 */
export function dumpsFramed(value: unknown): Buffer {
  return pickle(value, 4);
}
