/**
 * A data-only unpickler for the receiver: decodes what CPython's SocketHandler/DatagramHandler send (and any pickle of
 * plain data, protocols 0–5) and refuses everything that would name code.
 *
 * Why our own and not an npm parser: a receiver faces the network, so the decoder must refuse GLOBAL/REDUCE/BUILD/…
 * rather than build placeholder objects, bound its input, nesting and integer sizes, and never let a key reach a
 * prototype. The parsers on npm (`pickleparser`, `jpickle`) resolve globals through a registry and build plain `{}`
 * objects; this is about 400 lines and has none of that surface.
 *
 * What each Python value becomes: None → `null`; bool → boolean; int → number when safe (|n| ≤ 2^53 − 1), else
 * bigint; float → number; str → string; bytes/bytearray → Buffer; list and tuple → Array; set/frozenset → Set;
 * dict → a null-prototype object when every key is a str (keys such as `__proto__` stay plain data), else a Map.
 * Shared and cyclic references are kept (one JS object per Python object).
 */
import { TextDecoder } from 'node:util';

/** Why a pickle was refused. Stable: branch on `code`. */
export class UnpicklingError extends Error {
  /** `'UnpicklingError'`, the name of Python's `pickle.UnpicklingError`. */
  override name = 'UnpicklingError';
  /** `'ERR_PYLOGGING_UNPICKLING'`: the same for every refusal; the message says which rule the pickle broke. */
  readonly code = 'ERR_PYLOGGING_UNPICKLING';
}

/** Bounds for {@link loads}. */
export interface UnpickleOptions {
  /** Largest input accepted, in bytes. @default 1 MiB */
  maxBytes?: number;
  /** Deepest container nesting accepted. @default 100 */
  maxDepth?: number;
}

// Python 3.11+'s sys.int_info.default_max_str_digits: text ints longer than this are refused (CVE-2020-10735).
const MAX_INT_DIGITS = 4300;
const MAX_LONG_BYTES = 1800; // the binary size of a 4300-digit int

/** Opcodes that would import, call or look up objects: refused whatever their arguments. */
const CODE_OPCODES: Readonly<Record<number, string>> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

/** A dict while it is being built: keys may still change type, and memo references must stay stable. */
class PyDict {
  readonly map = new Map<unknown, unknown>();
}
/** A list (`kind` 'list') or tuple being built. */
class PyList {
  constructor(
    readonly items: unknown[],
    readonly tuple: boolean,
  ) {}
}
class PySet {
  constructor(
    readonly items: Set<unknown>,
    readonly frozen: boolean,
  ) {}
}

function fail(msg: string): never {
  throw new UnpicklingError(msg);
}

/** Python refuses lists, dicts and sets as dict keys or set items (`TypeError: unhashable type`). */
function hashable(k: unknown): unknown {
  if (k instanceof PyDict || (k instanceof PySet && !k.frozen) || (k instanceof PyList && !k.tuple)) {
    fail('unhashable type as a dict key or set item');
  }
  return k;
}

class Reader {
  pos = 0;
  readonly stack: unknown[] = [];
  readonly marks: number[] = [];
  readonly memo = new Map<number, unknown>();

  constructor(readonly buf: Buffer) {}

  need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) fail('pickle data was truncated');
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.buf[this.need(1)] as number;
  }
  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  u64(): number {
    const at = this.need(8);
    const v = this.buf.readBigUInt64LE(at);
    if (v > BigInt(this.buf.length)) fail('pickle data was truncated');
    return Number(v);
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) fail('pickle data was truncated');
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  pop(): unknown {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) fail('unpickling stack underflow');
    return this.stack.pop();
  }
  top(): unknown {
    if (this.stack.length === 0) fail('unpickling stack underflow');
    return this.stack[this.stack.length - 1];
  }
  popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) fail('could not find MARK');
    return this.stack.splice(m);
  }
}

function textInt(s: string, bools: boolean): number | bigint | boolean {
  if (bools && s === '01') return true; // protocol 0/1 write bools as INT 01/00
  if (bools && s === '00') return false;
  const t = s.endsWith('L') ? s.slice(0, -1) : s;
  if (!/^[+-]?\d+$/.test(t) || t.replace(/^[+-]/, '').length > MAX_INT_DIGITS) fail(`invalid literal for int(): ${t.slice(0, 40)}`);
  return normInt(BigInt(t));
}

function normInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function binLong(b: Buffer): number | bigint {
  if (b.length === 0) return 0;
  if (b.length > MAX_LONG_BYTES) fail('int too large');
  let n = BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
  if (((b[b.length - 1] as number) & 0x80) !== 0) n -= 1n << BigInt(b.length * 8);
  return normInt(n);
}

/** Python's string-literal escapes, for protocol 0's `S'…'` (Python 2 str, decoded as Latin-1). */
function pyStringLiteral(s: string): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('the STRING opcode argument must be quoted');
  const body = s.slice(1, -1);
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return simple[e] ?? m;
  });
}

/** raw-unicode-escape, for protocol 0's `V…` (only `\uXXXX` and `\UXXXXXXXX` are escapes). */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u?: string, U?: string) => {
    const cp = parseInt((u ?? U) as string, 16);
    if (cp > 0x10ffff) fail('\\U escape out of range');
    return String.fromCodePoint(cp);
  });
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Python's UTF-8 decoding with `'surrogatepass'`: lone surrogates are kept, other invalid bytes refused. */
function utf8(b: Buffer): string {
  const s = b.toString('utf8');
  if (!s.includes('\uFFFD')) return s;
  const dec = STRICT_UTF8;
  try {
    return dec.decode(b);
  } catch {
    // CPython's BINUNICODE uses 'surrogatepass': ED A0 80…ED BF BF stand for U+D800…U+DFFF.
    const masked = Buffer.from(b);
    let out = '';
    let start = 0;
    for (let i = 0; i + 2 < masked.length; i++) {
      if (masked[i] === 0xed && ((masked[i + 1] as number) & 0xe0) === 0xa0 && ((masked[i + 2] as number) & 0xc0) === 0x80) {
        out += decodeStrict(dec, masked.subarray(start, i));
        out += String.fromCharCode(0xd000 | (((masked[i + 1] as number) & 0x3f) << 6) | ((masked[i + 2] as number) & 0x3f));
        i += 2;
        start = i + 1;
      }
    }
    return out + decodeStrict(dec, masked.subarray(start));
  }
}

function decodeStrict(dec: TextDecoder, b: Uint8Array): string {
  try {
    return dec.decode(b);
  } catch {
    fail("'utf-8' codec can't decode the string");
  }
}

function float(s: string): number {
  const t = s.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) fail(`could not convert string to float: ${t.slice(0, 40)}`);
  return Number(t);
}

/**
 * `pickle.loads(data)` for data only: refuses (with {@link UnpicklingError}) any opcode that names code, malformed or
 * truncated input, input over `maxBytes`, nesting over `maxDepth`, and ints over 4300 digits. Bytes after STOP are
 * ignored, as CPython ignores them.
 */
export function loads(data: Uint8Array, options: UnpickleOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const maxDepth = options.maxDepth ?? 100;
  if (data.length > maxBytes) fail(`pickle of ${data.length} bytes is over the limit of ${maxBytes}`);
  const r = new Reader(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length));
  const { stack, memo } = r;
  const push = (v: unknown): void => void stack.push(v);
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x2e: { // STOP
        if (stack.length !== 1 || r.marks.length) fail('unpickling stack is not a single value at STOP');
        try {
          return convert(stack[0], maxDepth);
        } catch (err) {
          // A maxDepth set beyond what the JS stack holds: refuse the pickle, never a RangeError to the caller.
          if (err instanceof RangeError && /call stack/i.test(err.message)) fail(`nesting deeper than the stack allows`);
          throw err;
        }
      }
      case 0x80: { // PROTO
        const v = r.u8();
        if (v > 5) fail(`unsupported pickle protocol: ${v}`);
        break;
      }
      case 0x95: { // FRAME: length must fit in what is left
        const n = r.u64();
        if (r.pos + n > r.buf.length) fail('pickle exhausted before end of frame');
        break;
      }
      case 0x28: r.marks.push(stack.length); break; // MARK
      case 0x30: r.pop(); break; // POP
      case 0x31: r.popMark(); break; // POP_MARK
      case 0x32: push(r.top()); break; // DUP
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x49: push(textInt(r.line(), true)); break; // INT
      case 0x4c: push(textInt(r.line(), false)); break; // LONG
      case 0x4a: push(r.buf.readInt32LE(r.need(4))); break; // BININT
      case 0x4b: push(r.u8()); break; // BININT1
      case 0x4d: push(r.u16()); break; // BININT2
      case 0x8a: push(binLong(r.bytes(r.u8()))); break; // LONG1
      case 0x8b: push(binLong(r.bytes(r.buf.readInt32LE(r.need(4))))); break; // LONG4
      case 0x46: push(float(r.line())); break; // FLOAT
      case 0x47: push(r.buf.readDoubleBE(r.need(8))); break; // BINFLOAT
      case 0x53: push(pyStringLiteral(r.line())); break; // STRING (py2 str, as Latin-1)
      case 0x54: push(r.bytes(r.buf.readInt32LE(r.need(4))).toString('latin1')); break; // BINSTRING
      case 0x55: push(r.bytes(r.u8()).toString('latin1')); break; // SHORT_BINSTRING
      case 0x56: push(rawUnicodeEscape(r.line())); break; // UNICODE (latin-1 + \u escapes)
      case 0x58: push(utf8(r.bytes(r.u32()))); break; // BINUNICODE
      case 0x8c: push(utf8(r.bytes(r.u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8(r.bytes(r.u64()))); break; // BINUNICODE8
      case 0x42: push(Buffer.from(r.bytes(r.u32()))); break; // BINBYTES
      case 0x43: push(Buffer.from(r.bytes(r.u8()))); break; // SHORT_BINBYTES
      case 0x8e: push(Buffer.from(r.bytes(r.u64()))); break; // BINBYTES8
      case 0x96: push(Buffer.from(r.bytes(r.u64()))); break; // BYTEARRAY8
      case 0x5d: push(new PyList([], false)); break; // EMPTY_LIST
      case 0x29: push(new PyList([], true)); break; // EMPTY_TUPLE
      case 0x7d: push(new PyDict()); break; // EMPTY_DICT
      case 0x8f: push(new PySet(new Set(), false)); break; // EMPTY_SET
      case 0x6c: push(new PyList(r.popMark(), false)); break; // LIST
      case 0x74: push(new PyList(r.popMark(), true)); break; // TUPLE
      case 0x85: push(new PyList([r.pop()], true)); break; // TUPLE1
      case 0x86: { const b = r.pop(); push(new PyList([r.pop(), b], true)); break; } // TUPLE2
      case 0x87: { const c = r.pop(); const b = r.pop(); push(new PyList([r.pop(), b, c], true)); break; } // TUPLE3
      case 0x91: push(new PySet(new Set(r.popMark().map(hashable)), true)); break; // FROZENSET
      case 0x64: { // DICT
        const items = r.popMark();
        if (items.length % 2) fail('odd number of items for DICT');
        const d = new PyDict();
        for (let i = 0; i < items.length; i += 2) d.map.set(hashable(items[i]), items[i + 1]);
        push(d);
        break;
      }
      case 0x61: { // APPEND
        const v = r.pop();
        const l = r.top();
        if (!(l instanceof PyList) || l.tuple) fail('APPEND to a non-list');
        l.items.push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = r.popMark();
        const l = r.top();
        if (!(l instanceof PyList) || l.tuple) fail('APPENDS to a non-list');
        for (const v of items) l.items.push(v);
        break;
      }
      case 0x73: { // SETITEM
        const v = r.pop();
        const k = r.pop();
        const d = r.top();
        if (!(d instanceof PyDict)) fail('SETITEM on a non-dict');
        d.map.set(hashable(k), v);
        break;
      }
      case 0x75: { // SETITEMS
        const items = r.popMark();
        const d = r.top();
        if (!(d instanceof PyDict) || items.length % 2) fail('SETITEMS on a non-dict');
        for (let i = 0; i < items.length; i += 2) d.map.set(hashable(items[i]), items[i + 1]);
        break;
      }
      case 0x90: { // ADDITEMS
        const items = r.popMark();
        const s = r.top();
        if (!(s instanceof PySet) || s.frozen) fail('ADDITEMS on a non-set');
        for (const v of items) s.items.add(hashable(v));
        break;
      }
      case 0x67: memoGet(memo, memoIndex(r.line()), push); break; // GET
      case 0x68: memoGet(memo, r.u8(), push); break; // BINGET
      case 0x6a: memoGet(memo, r.u32(), push); break; // LONG_BINGET
      case 0x70: memo.set(memoIndex(r.line()), r.top()); break; // PUT
      case 0x71: memo.set(r.u8(), r.top()); break; // BINPUT
      case 0x72: memo.set(r.u32(), r.top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, r.top()); break; // MEMOIZE
      default: {
        const name = CODE_OPCODES[op];
        fail(name ? `refused opcode ${name}: this receiver decodes data only` : `invalid load key, '\\x${op.toString(16).padStart(2, '0')}'`);
      }
    }
  }
}

function memoIndex(s: string): number {
  if (!/^\d{1,9}$/.test(s)) fail('invalid memo index');
  return Number(s);
}

function memoGet(memo: Map<number, unknown>, i: number, push: (v: unknown) => void): void {
  if (!memo.has(i)) fail(`memo value not found at index ${i}`);
  push(memo.get(i));
}

/** Turns the build-time wrappers into JS values, keeping sharing and cycles; refuses nesting over `maxDepth`. */
function convert(root: unknown, maxDepth: number): unknown {
  const done = new Map<object, unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth}`);
    if (v instanceof PyList) {
      const out: unknown[] = [];
      done.set(v, out);
      for (const item of v.items) out.push(walk(item, depth + 1));
      return out;
    }
    if (v instanceof PySet) {
      const out = new Set<unknown>();
      done.set(v, out);
      for (const item of v.items) out.add(walk(item, depth + 1));
      return out;
    }
    if (v instanceof PyDict) {
      let allStr = true;
      for (const k of v.map.keys()) if (typeof k !== 'string') allStr = false;
      if (allStr) {
        const out = Object.create(null) as Record<string, unknown>;
        done.set(v, out);
        for (const [k, val] of v.map) {
          Object.defineProperty(out, k as string, { value: walk(val, depth + 1), writable: true, enumerable: true, configurable: true });
        }
        return out;
      }
      const out = new Map<unknown, unknown>();
      done.set(v, out);
      for (const [k, val] of v.map) out.set(walk(k, depth + 1), walk(val, depth + 1));
      return out;
    }
    return v;
  };
  return walk(root, 0);
}
