/**
 * Worker thread: the record codec's decoder (see record-codec.ts): a binary ring entry back into a LogRecord.
 */
import { LogRecord, mergeMessage } from '../core/record.js';
import { compileFunction } from './codegen.js';
import {
  // in the order of their values: the table the switch below reads
  E_SHAPE, E_STRING, E_RECORD, E_DEFERRED,
  T_NULL, T_TRUE, T_FALSE, T_I32, T_F64, T_ASCII, T_UTF8, T_UTF16, T_REF, T_AGAIN, T_JSON, T_I8, T_I16, T_REF8, T_ASCII8,
  T_LIST8,
  type CodecTables,
} from './record-codec.js';

type ShapeReader = (d: RecordDecoder) => LogRecord;

/**
 * A constructor per shape whose `prototype` is `LogRecord.prototype`: `function ReadRecord(d) { this["name"] =
 * d._v(); … }` (values in key order). A key the prototype chain would intercept (`__proto__`, an accessor, a
 * read-only property) is defined with `Object.defineProperty` instead, so every key is an own data property, as
 * JSON.parse makes it.
 *
 * measured (Node 20.20, --allow-natives-syntax %HaveSameMap): objects given their prototype by
 * Object.setPrototypeOf or a `{ __proto__: P }` literal get a new map for every property added later, and
 * Formatter.format adds `asctime`: one map per record, 35 % of the worker's time in scavenges promoting 4 MB each
 * (--trace-gc), 3.7 µs a format. Objects made by `new` share one transition: 1.6 µs a format, no promotion.
 *
 * The common values are read in the constructor itself, with the position in a local: an interned string, a null,
 * a float, a small integer, a short ASCII string; anything else through `d._v()`, which reads the same bytes.
 * measured (Node 20.20, 2-CPU VM, perf of a worker writing the bench's records to a file): `_v`, called once per
 * value, was 22 % of the worker's time.
 */
function makeReader(keys: readonly string[]): ShapeReader {
  let body = 'const u = d._u8, dv = d._dv, s = d._strings;\nlet p = d._p, t, n;\n';
  for (const k of keys) {
    const key = JSON.stringify(k);
    if (interceptedKey(k)) {
      body += `d._p = p;\nObject.defineProperty(this, ${key}, { value: d._v(), writable: true, enumerable: true, configurable: true });\np = d._p;\n`;
      continue;
    }
    const set = `this[${key}] = `;
    body += `t = u[p];\n`;
    body += `if (t === ${T_REF8}) { ${set}s[u[p + 1]]; p += 2; }\n`;
    body += `else if (t === ${T_NULL}) { ${set}null; p += 1; }\n`;
    body += `else if (t === ${T_F64}) { ${set}dv.getFloat64(p + 1, true); p += 9; }\n`;
    body += `else if (t === ${T_I8}) { ${set}dv.getInt8(p + 1); p += 2; }\n`;
    body += `else if (t === ${T_ASCII8}) { n = p + 2 + u[p + 1]; ${set}d._last = u.toString('latin1', p + 2, n); p = n; }\n`;
    body += `else { d._p = p; ${set}d._v(); p = d._p; }\n`;
  }
  body += 'd._p = p;\n';
  type Ctor = new (d: RecordDecoder) => LogRecord;
  const make = compileFunction<() => Ctor>([], `return function ReadRecord(d) {\n${body}};`);
  const Ctor = make === null ? interpretedReader(keys) : make();
  Ctor.prototype = LogRecord.prototype;
  return (d) => new Ctor(d);
}

/**
 * The constructor {@link makeReader} compiles, as a loop over the keys (code generation refused): the same own
 * properties in the same order, and records made by `new`, so they share one map transition as the compiled ones do.
 */
function interpretedReader(keys: readonly string[]): new (d: RecordDecoder) => LogRecord {
  const intercepted = keys.map(interceptedKey);
  // A `function`, not a class: its `prototype` is writable, as the compiled ReadRecord's is.
  return function ReadRecord(this: Record<string, unknown>, d: RecordDecoder): void {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (intercepted[i] === true) {
        Object.defineProperty(this, key, { value: d._v(), writable: true, enumerable: true, configurable: true });
      } else {
        this[key] = d._v();
      }
    }
  } as unknown as new (d: RecordDecoder) => LogRecord;
}

/** True when `this[key] = v` on a new record would not simply define an own data property. */
function interceptedKey(key: string): boolean {
  if (key === '__proto__') return true;
  for (let o: object | null = LogRecord.prototype; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return d.writable !== true;
  }
  return false;
}

/** Worker thread: rebuilds records from the entries of a {@link RecordEncoder}. */
export class RecordDecoder {
  #shapes: (ShapeReader | undefined)[] = [];
  /** @internal The interned strings (the generated readers index it). */
  _strings: string[] = [];
  /** @internal The entry being decoded, as bytes and as a DataView, and the read position in it. */
  _u8: Buffer = Buffer.alloc(0);
  /** @internal */
  _dv: DataView = new DataView(new ArrayBuffer(0));
  /** @internal */
  _p = 0;
  /** @internal The last literal string read (`T_AGAIN` repeats it). */
  _last: string | null = null;

  constructor(tables: CodecTables = { shapes: [], strings: [] }) {
    tables.shapes.forEach((keys, id) => (this.#shapes[id] = makeReader(keys)));
    this._strings = [...tables.strings];
  }

  /** The record in bytes `[start, end)` of `u8` (`dv` views the same memory). */
  decode(u8: Buffer, dv: DataView, start: number, end: number): LogRecord {
    this._u8 = u8;
    this._dv = dv;
    let p = start;
    while (p < end) {
      const kind = u8[p] as number;
      const id = dv.getUint32(p + 1, true);
      if (kind === E_RECORD || kind === E_DEFERRED) {
        const read = this.#shapes[id];
        if (read === undefined) throw new Error(`pylogging worker: record of unknown shape ${id}`);
        this._p = p + 5;
        this._last = null;
        const r = read(this);
        // QueueHandler.prepare's copy, merged here with the same function getMessage() uses (record-codec.ts).
        if (kind === E_DEFERRED) {
          r.msg = r.message = mergeMessage(r.msg as string, r.args as unknown[]);
          r.args = null;
        }
        return r;
      }
      const n = dv.getUint32(p + 5, true);
      const json = u8.toString('utf8', p + 9, p + 9 + n);
      if (kind === E_SHAPE) this.#shapes[id] = makeReader(JSON.parse(json) as string[]);
      else if (kind === E_STRING) this._strings[id] = JSON.parse(json) as string;
      else throw new Error(`pylogging worker: bad ring entry (kind ${kind})`);
      p += 9 + n;
    }
    throw new Error('pylogging worker: ring entry without a record');
  }

  /** @internal Called by the generated shape readers: the next value. */
  _v(): unknown {
    const u8 = this._u8;
    const p = this._p;
    const tag = u8[p];
    switch (tag) {
      case T_NULL:
        this._p = p + 1;
        return null;
      case T_TRUE:
        this._p = p + 1;
        return true;
      case T_FALSE:
        this._p = p + 1;
        return false;
      case T_I32:
        this._p = p + 5;
        return this._dv.getInt32(p + 1, true);
      case T_F64:
        this._p = p + 9;
        return this._dv.getFloat64(p + 1, true);
      case T_REF:
        this._p = p + 5;
        return this._strings[this._dv.getUint32(p + 1, true)];
      case T_REF8:
        this._p = p + 2;
        return this._strings[u8[p + 1] as number];
      case T_I8:
        this._p = p + 2;
        return this._dv.getInt8(p + 1);
      case T_I16:
        this._p = p + 3;
        return this._dv.getInt16(p + 1, true);
      case T_ASCII8: {
        const a = p + 2;
        const end = a + (u8[p + 1] as number);
        this._p = end;
        return (this._last = u8.toString('latin1', a, end));
      }
      case T_AGAIN:
        this._p = p + 1;
        return this._last;
      case T_LIST8: {
        const list: unknown[] = [];
        this._p = p + 2;
        for (let i = u8[p + 1] as number; i > 0; i--) list.push(this._v());
        return list;
      }
      default: {
        const n = this._dv.getUint32(p + 1, true);
        const a = p + 5;
        this._p = a + n;
        if (tag === T_ASCII) return (this._last = u8.toString('latin1', a, a + n));
        if (tag === T_UTF8) return (this._last = u8.toString('utf8', a, a + n));
        if (tag === T_UTF16) return (this._last = u8.toString('utf16le', a, a + n));
        if (tag === T_JSON) return JSON.parse(u8.toString('utf8', a, a + n)) as unknown;
        throw new Error(`pylogging worker: bad value tag ${String(tag)}`);
      }
    }
  }
}
