/**
 * Logging thread: the record codec's encoder (see record-codec.ts): a prepared record into a binary ring entry.
 */
import { asciiPrefix } from './ascii.js';
import { compileFunction, onCodegenSwitch } from './codegen.js';
import { hasOwnKeys } from './own-keys.js';
import {
  E_DEFERRED,
  E_RECORD,
  E_SHAPE,
  E_STRING,
  T_AGAIN,
  T_ASCII,
  T_ASCII8,
  T_F64,
  T_FALSE,
  T_I16,
  T_I32,
  T_I8,
  T_JSON,
  T_LIST8,
  T_NULL,
  T_REF,
  T_REF8,
  T_TRUE,
  T_UTF16,
  T_UTF8,
  type CodecTables,
} from './record-codec.js';

/** Keys whose string values are interned: the same few strings come back record after record. */
const INTERNED: ReadonlySet<string> = new Set([
  'name', 'levelname', 'pathname', 'filename', 'module', 'funcName', 'threadName', 'processName', 'taskName',
]);
const MAX_SHAPES = 1024;
const MAX_STRINGS = 16384;
const MAX_INTERNED_LENGTH = 1024;

/** `c` is the encoder's own memory for this shape: per interned key, its last string and that string's id. */
type ShapeWriter = (r: Record<string, unknown>, e: RecordEncoder, msg: string, c: unknown[]) => void;

interface EncShape {
  id: number;
  keys: readonly string[];
  write: ShapeWriter;
  /** The writers' memory (see {@link ShapeWriter}): this encoder's ids, so it is per encoder. */
  cache: unknown[];
  /** Writes the record as QueueHandler.prepare's copy would be; null when the record lacks one of those keys. */
  writePrepared: ShapeWriter | null;
  /** Writes the same copy with its merge left to the worker (`E_DEFERRED`); null until first needed. */
  writeDeferred: ShapeWriter | null;
  /** The shape of this one's prepared copy (its keys and `message`), once a record of it was deferred. */
  deferredTo: EncShape | null;
}

/** What QueueHandler.prepare sets on its copy: `msg` and `message` to the formatted text, the rest to null. */
const PREPARED: ReadonlySet<string> = new Set(['msg', 'message', 'args', 'exc_info', 'exc_text', 'stack_info']);

/** `String.prototype.isWellFormed` (ES2024, in Node 20): typed here because the project's `lib` is ES2022. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Logging thread: turns a record into a binary entry in {@link RecordEncoder.buf}. Not reentrant: a record whose
 * `toJSON` logs goes as JSON.
 */
export class RecordEncoder {
  /** The encoded entry: bytes `[0, n)` after `encode()` returned `n`. */
  buf: Buffer = Buffer.allocUnsafeSlow(4096);
  /** @internal `buf` as a DataView (the generated shape writers use it). */
  _dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  /** @internal The write position in `buf` (the generated shape writers keep it in a local and store it back). */
  _p = 0;
  #fail = false;
  #busy = false;
  /** The last literal string of the record being encoded (`message` repeats `msg`). */
  #last: string | null = null;
  #shapes: EncShape[] = [];
  #shapeIds = new Map<string, EncShape>();
  #lastShape: EncShape | null = null;
  #strings: string[] = [];
  #stringIds = new Map<string, number>();
  #sentShapes = 0;
  #sentStrings = 0;

  /**
   * Encodes `record` into `buf` and returns the entry's length, or -1 when the record must go as JSON. New table
   * entries are pending until {@link commit} (the entry reached the ring) or {@link rollback} (it did not).
   */
  encode(record: object): number {
    return this.#encode(record, null, false);
  }

  /**
   * Encodes what `preparedCopy(record, msg)` (QueueHandler.prepare) would return, without making the copy: the same
   * bytes. Returns -1 when the copy must be made and go through {@link encode}.
   */
  encodePrepared(record: object, msg: string): number {
    return this.#encode(record, msg, false);
  }

  /**
   * Encodes what `preparedCopy(record, record.getMessage())` would return, as an `E_DEFERRED` entry: the template and
   * the arguments instead of their merge, which the worker makes (record-codec.ts). The caller checks that the worker's
   * merge gives what `getMessage()` would (RingQueue's `deferrable`); this returns -1, encoding nothing, only when the
   * codec cannot carry the record that way: `msg` not a string, or not 1–255 `args`.
   */
  encodeDeferred(record: object): number {
    const { msg, args } = record as { msg?: unknown; args?: unknown };
    if (typeof msg !== 'string' || !Array.isArray(args) || args.length === 0 || args.length > 255) return -1;
    return this.#encode(record, null, true);
  }

  #encode(record: object, msg: string | null, deferred: boolean): number {
    // A string or an array (a custom prepare()) goes as JSON, as before.
    if (this.#busy || typeof record !== 'object' || record === null || Array.isArray(record) || 'toJSON' in record) {
      return -1;
    }
    this.#busy = true;
    try {
      let shape = this.#shape(record);
      if (deferred && shape !== null) shape = this.#deferredShape(shape);
      if (shape === null || (msg !== null && shape.writePrepared === null)) return -1;
      this._p = 0;
      this.#fail = false;
      this.#last = null;
      // Every shape made since the last commit, not only this record's: commit() counts them all as sent (a deferred
      // record makes its own shape and its prepared copy's; a refused record may have left one behind).
      for (let id = this.#sentShapes; id < this.#shapes.length; id++) {
        this.#define(E_SHAPE, id, JSON.stringify((this.#shapes[id] as EncShape).keys));
      }
      const mark = this._p;
      this._room(5);
      this.buf[this._p] = deferred ? E_DEFERRED : E_RECORD;
      this._dv.setUint32(this._p + 1, shape.id, true);
      this._p += 5;
      const before = this.#strings.length;
      const r = record as Record<string, unknown>;
      if (deferred) (shape.writeDeferred as ShapeWriter)(r, this, '', shape.cache);
      else if (msg === null) shape.write(r, this, '', shape.cache);
      else (shape.writePrepared as ShapeWriter)(r, this, msg, shape.cache);
      if (this.#fail) {
        this.rollback();
        return -1;
      }
      if (this.#strings.length > before) {
        // Strings interned while writing the values: define them ahead of the record. Rare (once per string).
        const values = Buffer.from(this.buf.subarray(mark, this._p));
        this._p = mark;
        for (let i = before; i < this.#strings.length; i++) this.#define(E_STRING, i, JSON.stringify(this.#strings[i]));
        this._room(values.length);
        values.copy(this.buf, this._p);
        this._p += values.length;
      }
      return this._p;
    } catch (err) {
      this.rollback(); // e.g. String(v) of an object without toString
      throw err;
    } finally {
      this.#busy = false;
    }
  }

  /** The last encoded entry reached the ring: its definitions count as sent. */
  commit(): void {
    this.#sentShapes = this.#shapes.length;
    this.#sentStrings = this.#strings.length;
  }

  /** The last encoded entry was dropped: forget the definitions it carried, so a later entry sends them again. */
  rollback(): void {
    for (let i = this.#sentShapes; i < this.#shapes.length; i++) {
      this.#shapeIds.delete(JSON.stringify(this.#shapes[i]?.keys));
    }
    this.#shapes.length = this.#sentShapes;
    if (this.#lastShape !== null && this.#lastShape.id >= this.#sentShapes) this.#lastShape = null;
    for (let i = this.#sentStrings; i < this.#strings.length; i++) this.#stringIds.delete(this.#strings[i] as string);
    this.#strings.length = this.#sentStrings;
  }

  /** The tables sent so far, for a worker that starts reading the ring in the middle. */
  tables(): CodecTables {
    return {
      shapes: this.#shapes.slice(0, this.#sentShapes).map((s) => [...s.keys]),
      strings: this.#strings.slice(0, this.#sentStrings),
    };
  }

  #shape(record: object): EncShape | null {
    const last = this.#lastShape;
    if (last !== null && hasOwnKeys(record, last.keys)) return last;
    const shape = this.#shapeOf(Object.keys(record));
    if (shape !== null) this.#lastShape = shape;
    return shape;
  }

  /** The shape with these keys, made if new; null when the table is full. */
  #shapeOf(keys: readonly string[]): EncShape | null {
    const id = JSON.stringify(keys);
    let shape = this.#shapeIds.get(id);
    if (shape === undefined) {
      if (this.#shapes.length >= MAX_SHAPES) return null;
      const prepared = [...PREPARED].every((k) => keys.includes(k));
      shape = {
        id: this.#shapes.length,
        keys,
        write: writerFor(keys, 'record'),
        cache: keys.flatMap(() => [null, -1]),
        writePrepared: prepared ? writerFor(keys, 'prepared') : null,
        writeDeferred: null,
        deferredTo: null,
      };
      this.#shapes.push(shape);
      this.#shapeIds.set(id, shape);
    }
    return shape;
  }

  /**
   * The shape of `shape`'s prepared copy: its keys, and `message` last when it has none (as `preparedCopy` adds it);
   * null when that shape cannot be made or lacks a prepared key. Kept on `shape` while it is in the table (a rollback
   * can remove it).
   */
  #deferredShape(shape: EncShape): EncShape | null {
    let to = shape.deferredTo;
    if (to === null || this.#shapes[to.id] !== to) {
      to = shape.keys.includes('message') ? shape : this.#shapeOf([...shape.keys, 'message']);
      if (to === null || to.writePrepared === null) return null;
      to.writeDeferred ??= writerFor(to.keys, 'deferred'); // made on first use: most shapes never need it
      shape.deferredTo = to;
    }
    return to;
  }

  #define(kind: number, id: number, json: string): void {
    this._room(9 + json.length * 3);
    const p = this._p;
    this.buf[p] = kind;
    this._dv.setUint32(p + 1, id, true);
    const n = this.buf.write(json, p + 9, 'utf8');
    this._dv.setUint32(p + 5, n, true);
    this._p = p + 9 + n;
  }

  /** @internal Makes room for `n` more bytes at `_p` (may replace `buf` and `_dv`). */
  _room(n: number): void {
    if (this._p + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this._p + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this._p);
    this.buf = next;
    this._dv = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /** @internal Table entries below this are sent: a shape writer's cached id is still valid if it is below it. */
  get _sent(): number {
    return this.#sentStrings;
  }

  /**
   * @internal Called by the generated shape writers: one value of an interned key. Returns the string's id, or -1
   * when the value went as a literal.
   */
  _i(v: unknown): number {
    if (typeof v !== 'string' || v.length > MAX_INTERNED_LENGTH) {
      this._v(v);
      return -1;
    }
    let id = this.#stringIds.get(v);
    if (id === undefined) {
      if (this.#strings.length >= MAX_STRINGS) {
        this._v(v);
        return -1;
      }
      id = this.#strings.length;
      this.#strings.push(v);
      this.#stringIds.set(v, id);
    }
    this._ref(id);
    return id;
  }

  /** @internal Called by the generated shape writers: a reference to interned string `id`. */
  _ref(id: number): void {
    this._room(5);
    if (id < 256) {
      this.buf[this._p] = T_REF8;
      this.buf[this._p + 1] = id;
      this._p += 2;
    } else {
      this.buf[this._p] = T_REF;
      this._dv.setUint32(this._p + 1, id, true);
      this._p += 5;
    }
  }

  /**
   * @internal Called by the generated shape writers: number `v` at `p` (the caller made room for 9 bytes); returns
   * the position after it.
   */
  _n(v: number, p: number): number {
    const b = this.buf;
    if ((v | 0) === v) {
      // -0 lands here and becomes 0, as through JSON.
      if (v >= -128 && v < 128) {
        b[p] = T_I8;
        b[p + 1] = v & 0xff;
        return p + 2;
      }
      if (v >= -32768 && v < 32768) {
        b[p] = T_I16;
        this._dv.setInt16(p + 1, v, true);
        return p + 3;
      }
      b[p] = T_I32;
      this._dv.setInt32(p + 1, v, true);
      return p + 5;
    }
    if (Number.isFinite(v)) {
      b[p] = T_F64;
      this._dv.setFloat64(p + 1, v, true);
      return p + 9;
    }
    b[p] = T_NULL; // NaN and ±Infinity are JSON's null
    return p + 1;
  }

  /** @internal Called by the generated shape writers: one value, as `JSON.stringify(record)` would give it. */
  _v(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.#string(v);
        return;
      case 'number':
        this._room(9);
        this._p = this._n(v, this._p);
        return;
      case 'boolean':
        this._room(1);
        this.buf[this._p++] = v ? T_TRUE : T_FALSE;
        return;
      case 'bigint':
        this.#string(String(v)); // serialize()'s fallback for what JSON.stringify refuses
        return;
      case 'object': {
        if (v === null) {
          this._room(1);
          this.buf[this._p++] = T_NULL;
          return;
        }
        // JSON.stringify(record) would call toJSON(key); JSON.stringify(v) calls toJSON(''): leave those to JSON.
        if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
          this.#fail = true;
          return;
        }
        let json: string | undefined;
        try {
          json = JSON.stringify(v);
        } catch {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- serialize()'s fallback, as the JSON path does
          this.#string(String(v));
          return;
        }
        if (json === undefined) {
          this.#fail = true;
          return;
        }
        this.#text(T_JSON, json);
        return;
      }
      default:
        this.#fail = true; // undefined, a function or a symbol: JSON leaves the key out
    }
  }

  /** @internal Called by the generated deferred writers: a record's `args` (strings and integers, at most 255). */
  _a(list: readonly unknown[]): void {
    this._room(2);
    this.buf[this._p] = T_LIST8;
    this.buf[this._p + 1] = list.length;
    this._p += 2;
    for (let i = 0; i < list.length; i++) this._v(list[i]);
  }

  #string(s: string): void {
    if (s === this.#last) {
      this._room(1);
      this.buf[this._p++] = T_AGAIN;
      return;
    }
    this.#last = s;
    const len = s.length;
    if (len < 256) {
      // Short strings (most) are written at once after a 1-byte length: ASCII ones by asciiPrefix (up to 64
      // characters), else by Buffer#write, where as many UTF-8 bytes as code units means ASCII too, and ASCII needs
      // no isWellFormed() scan. Otherwise the bytes move 3 on for a 4-byte length (rare).
      this._room(5 + len * 3);
      const p = this._p;
      const n = asciiPrefix(this.buf, p + 2, s) === len ? len : this.buf.write(s, p + 2, 'utf8');
      if (n === len) {
        this.buf[p] = T_ASCII8;
        this.buf[p + 1] = n;
        this._p = p + 2 + n;
        return;
      }
      if (isWellFormed(s)) {
        this.buf.copy(this.buf, p + 5, p + 2, p + 2 + n);
        this.buf[p] = T_UTF8;
        this._dv.setUint32(p + 1, n, true);
        this._p = p + 5 + n;
        return;
      }
    } else if (isWellFormed(s)) {
      this.#text(T_UTF8, s);
      return;
    }
    // A lone surrogate would become U+FFFD in UTF-8: keep the UTF-16 code units, as JSON's \udXXX escapes do.
    this._room(5 + len * 2);
    const n = this.buf.write(s, this._p + 5, 'utf16le');
    this.buf[this._p] = T_UTF16;
    this._dv.setUint32(this._p + 1, n, true);
    this._p += 5 + n;
  }

  /** A long string (`T_UTF8`, 256 code units or more) or JSON text, after a 4-byte length. */
  #text(tag: number, s: string): void {
    this._room(5 + s.length * 3);
    const p = this._p;
    const n = this.buf.write(s, p + 5, 'utf8');
    // measured (Node 20.20): 'latin1' decodes a 21-byte message in 0.08 µs, 'utf8' in 0.09 µs; n === length: ASCII.
    this.buf[p] = tag === T_UTF8 && n === s.length ? T_ASCII : tag;
    this._dv.setUint32(p + 1, n, true);
    this._p = p + 5 + n;
  }
}

/**
 * One function per shape, with a named property load per key (`r["name"]`), so V8 sees one record map instead of a
 * megamorphic `r[key]`. Keys are embedded as JSON string literals, never as code.
 *
 * The common values are written in the function itself, with the position in a local and one room check for all of
 * them: a number (`e._n`), a null, a repeated interned string (the last string of the key and its id: a repeat costs
 * one comparison instead of a Map lookup; an id is good while it is below `e._sent`, a rolled-back definition is
 * not). Anything else goes through `e._v`/`e._i`, after which room for the rest is checked again.
 * measured (Node 20.20, the bench's 22-field record, encodePrepared alone, 5 rounds of 500k): 270–310 ns a record
 * calling `e._v` and `e._ref` per value, 175–200 ns with the inline paths.
 */
type Kind = 'msg' | 'null' | 'interned' | 'args' | 'value';
/**
 * What a writer writes: the record as it is, QueueHandler.prepare's copy of it (`msg` and `message` from the
 * writer's `msg` argument; `args`, `exc_info`, `exc_text` and `stack_info` null), or that copy with the merge left
 * to the worker (`msg` the template, interned like a logger name; `args` the values; `message` null until the worker
 * merges).
 */
type WriterMode = 'record' | 'prepared' | 'deferred';

function kindOf(key: string, mode: WriterMode): Kind {
  if (mode !== 'record' && PREPARED.has(key)) {
    if (mode === 'prepared') return key === 'msg' || key === 'message' ? 'msg' : 'null';
    return key === 'msg' ? 'interned' : key === 'args' ? 'args' : 'null';
  }
  return INTERNED.has(key) ? 'interned' : 'value';
}

function makeWriter(keys: readonly string[], mode: WriterMode): ShapeWriter {
  const kinds = keys.map((k) => kindOf(k, mode));
  // worst case of the inline paths
  const cost: Record<Kind, number> = { msg: 0, null: 1, interned: 5, args: 0, value: 9 };
  const after: number[] = []; // bytes the inline paths of the keys after key i may need
  let total = 0;
  for (let i = keys.length - 1; i >= 0; i--) {
    after[i] = total;
    total += cost[kinds[i] as Kind];
  }
  const slow = (call: string, i: number): string =>
    `e._p = p; ${call}; b = e.buf; p = e._p; if (p + ${after[i]} > b.length) { e._room(${after[i]}); b = e.buf; }`;
  let body = `let b = e.buf, p = e._p, v, n;\nif (p + ${total} > b.length) { e._room(${total}); b = e.buf; }\n`;
  keys.forEach((k, i) => {
    const get = `r[${JSON.stringify(k)}]`;
    switch (kinds[i]) {
      case 'msg':
        body += `${slow('e._v(msg)', i)}\n`;
        break;
      case 'null':
        body += `b[p++] = ${T_NULL};\n`;
        break;
      case 'args':
        body += `${slow(`e._a(${get})`, i)}\n`;
        break;
      case 'interned': {
        const s = `c[${2 * i}]`;
        const id = `c[${2 * i + 1}]`;
        body += `v = ${get};\nif (v === ${s} && (n = ${id}) >= 0 && n < e._sent) {\n`;
        body += `  if (n < 256) { b[p] = ${T_REF8}; b[p + 1] = n; p += 2; }\n`;
        body += `  else { b[p] = ${T_REF}; e._dv.setUint32(p + 1, n, true); p += 5; }\n`;
        body += `} else { ${slow(`${id} = e._i(v)`, i)} ${s} = v; }\n`;
        break;
      }
      default:
        body += `v = ${get};\nif (typeof v === 'number') p = e._n(v, p);\nelse if (v === null) b[p++] = ${T_NULL};\n`;
        body += `else { ${slow('e._v(v)', i)} }\n`;
    }
  });
  body += 'e._p = p;\n';
  const make = compileFunction<() => ShapeWriter>([], `return function writeRecord(r, e, msg, c) {\n${body}};`);
  return make === null ? interpretWriter(keys, kinds) : make();
}

/**
 * The writer {@link makeWriter} compiles, as a loop over the keys (code generation refused): every value through
 * the encoder's own methods, which write the same bytes as the inline paths (an interned string found in the table
 * is the same reference the memory in `c` gives).
 */
function interpretWriter(keys: readonly string[], kinds: readonly Kind[]): ShapeWriter {
  return (r, e, msg, c) => {
    for (let i = 0; i < keys.length; i++) {
      switch (kinds[i]) {
        case 'msg':
          e._v(msg);
          break;
        case 'null':
          e._v(null);
          break;
        case 'args':
          e._a(r[keys[i] as string] as unknown[]);
          break;
        case 'interned': {
          const v = r[keys[i] as string];
          c[2 * i + 1] = e._i(v);
          c[2 * i] = v;
          break;
        }
        default:
          e._v(r[keys[i] as string]);
      }
    }
  };
}

/**
 * Writers are shared by every encoder (their memory is the `c` argument): a listener started later, or a second
 * one, reuses code V8 has already optimised instead of running a new function in the interpreter until it warms
 * up. Bounded like the shape table.
 */
const writers = new Map<string, ShapeWriter>();
onCodegenSwitch(() => writers.clear());

function writerFor(keys: readonly string[], mode: WriterMode): ShapeWriter {
  const id = `${mode[0] as string}${JSON.stringify(keys)}`;
  let w = writers.get(id);
  if (w === undefined) {
    w = makeWriter(keys, mode);
    if (writers.size < MAX_SHAPES) writers.set(id, w);
  }
  return w;
}
