/**
 * Python's `json.dumps(obj, default=…, indent=…, ensure_ascii=…)` for JS values, byte for byte: `", "` and `": "`
 * separators (`","` once an indent is given), `\uXXXX` escapes of everything outside printable ASCII under
 * `ensure_ascii` (UTF-16 code units, so astral characters become surrogate pairs, as CPython writes them), floats as
 * `float.__repr__`, and `NaN`/`Infinity`/`-Infinity`.
 *
 * Unlike `json.dumps` it never throws: a circular reference, a throwing getter, a throwing `toJSON` or `default`
 * each become a placeholder string in place of the one value, and the rest of the object is written.
 */
import { floatRepr } from '../core/float-format.js';
import { safeStr, unprintable } from '../core/repr.js';
import { isoformatUtc, jsonEncoderDefault } from './json-default.js';

/** The `default` hook: returns a serialisable stand-in for a value JSON cannot hold (Python's `default=`). */
export type JsonDefault = (value: unknown) => unknown;

/** How {@link encodeJson} writes: CPython's `json.dumps` keyword arguments. */
export interface EncodeOptions {
  /** `indent`: null for one line; a number of spaces or a string per level. */
  readonly indent: string | null;
  /** `ensure_ascii`. */
  readonly ensureAscii: boolean;
  /** `default`. */
  readonly default: JsonDefault;
}

const HEX = '0123456789abcdef';

function u4(c: number): string {
  return `\\u${HEX[(c >>> 12) & 15] as string}${HEX[(c >>> 8) & 15] as string}${HEX[(c >>> 4) & 15] as string}${HEX[c & 15] as string}`;
}

/** CPython's `ESCAPE_DCT` short forms; every other escaped unit is `\u00XX` (lowercase hex). */
function shortEscape(c: number): string | null {
  switch (c) {
    case 34:
      return '\\"';
    case 92:
      return '\\\\';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    default:
      return null;
  }
}

function escapeSlow(s: string, ensureAscii: boolean): string {
  return `"${escapeBody(s, ensureAscii)}"`;
}

/** The escaped text of `s` without the quotes (escaping is per character, so pieces can be escaped apart). */
export function escapeBody(s: string, ensureAscii: boolean): string {
  if (!(ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(s)) return s;
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92 && (c < 127 || !ensureAscii)) continue;
    out += s.slice(start, i) + (shortEscape(c) ?? u4(c));
    start = i + 1;
  }
  return out + s.slice(start);
}

/**
 * A JSON string literal as CPython's encoder writes it (`py_encode_basestring_ascii` or `py_encode_basestring`).
 * measured (Node 20.20, 30-char ASCII strings, CPU time): a regex test and a concatenation 36–41 ns; a char-code
 * loop 67–75 ns; JSON.stringify 110–115 ns.
 */
export function encodeString(s: string, ensureAscii: boolean): string {
  return (ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(s) ? escapeSlow(s, ensureAscii) : `"${s}"`;
}

// eslint-disable-next-line no-control-regex -- CPython escapes exactly U+0000–U+001F, quote and backslash
export const NEEDS_ESCAPE = /[\x00-\x1f"\\]/;
export const NEEDS_ESCAPE_ASCII = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/**
 * A JS number as a Python value: an integer-valued number is a Python int (every digit, `10000000000000000`), any
 * other a Python float (`0.1`, `1e-05`, `NaN`, `Infinity`); `-0` is the float `-0.0` (as `repr()` in pylogging).
 */
export function encodeNumber(n: number): string {
  if (Number.isSafeInteger(n)) return n === 0 && 1 / n < 0 ? '-0.0' : String(n);
  if (n !== n) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) return BigInt(n).toString();
  return floatRepr(n);
}

/** CPython's dict-key coercion: str stays, float → repr, True → "true", None → "null", int → digits. */
function keyText(k: unknown): string {
  switch (typeof k) {
    case 'string':
      return k;
    case 'number':
      return encodeNumber(k);
    case 'bigint':
      return k.toString();
    case 'boolean':
      return k ? 'true' : 'false';
    case 'undefined':
      return 'null';
    default:
      if (k === null) return 'null';
      return safeStr(k);
  }
}

/** True for the values Python's encoder handles itself: dicts (plain objects), lists (arrays) and scalars. */
function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * One encoder run: the stack of containers being written (CPython's `markers`, for circular references) and the
 * options.
 */
class Encoder {
  readonly #o: EncodeOptions;
  readonly #stack: object[] = [];

  constructor(o: EncodeOptions) {
    this.#o = o;
  }

  value(v: unknown, level: number): string {
    switch (typeof v) {
      case 'string':
        return encodeString(v, this.#o.ensureAscii);
      case 'number':
        return encodeNumber(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return v.toString(); // a Python int: every digit
      case 'undefined':
        return 'null';
      case 'object':
        if (v === null) return 'null';
        if (Array.isArray(v)) return this.#guard(v, () => this.#list(v as unknown[], level));
        if (isPlainObject(v)) return this.#guard(v, () => this.#dict(v, level));
        // A Map is JS's dict: written in insertion order (a plain object would move integer-like keys first).
        if (v instanceof Map) return this.#guard(v, () => this.entries(v as Map<unknown, unknown>, level));
        return this.#viaDefault(v, level);
      default:
        return this.#viaDefault(v, level);
    }
  }

  /** Writes `default(v)` in place of `v`; a default that returns `v` itself (or throws) gets `str(v)`. */
  #viaDefault(v: unknown, level: number): string {
    let r: unknown;
    try {
      r = this.#o.default(v);
    } catch {
      try {
        r = jsonEncoderDefault(v);
      } catch {
        r = safeStr(v);
      }
    }
    if (r === v || (typeof r === 'object' && r !== null && this.#stack.includes(r))) r = safeStr(v);
    if (typeof r === 'object' && r !== null && !Array.isArray(r) && !isPlainObject(r)) {
      // A default returning another non-JSON object: one more round, then str(), so it cannot loop forever.
      const again = (() => {
        try {
          return jsonEncoderDefault(r);
        } catch {
          return safeStr(r);
        }
      })();
      r = typeof again === 'object' && again !== null && !Array.isArray(again) && !isPlainObject(again) ? safeStr(again) : again;
    }
    if (typeof r === 'function' || typeof r === 'symbol') r = safeStr(r);
    return this.value(r, level);
  }

  #guard(v: object, write: () => string): string {
    if (this.#stack.includes(v)) return encodeString('[Circular]', this.#o.ensureAscii);
    this.#stack.push(v);
    try {
      return write();
    } catch {
      // A revoked Proxy, a stack overflow on absurd nesting: this one value degrades, the record survives.
      return encodeString(unprintable(v), this.#o.ensureAscii);
    } finally {
      this.#stack.pop();
    }
  }

  #list(a: readonly unknown[], level: number): string {
    const n = a.length;
    if (n === 0) return '[]';
    const ind = this.#o.indent;
    let out: string;
    let sep: string;
    let close: string;
    if (ind === null) {
      out = '[';
      sep = ', ';
      close = ']';
    } else {
      const inner = `\n${ind.repeat(level + 1)}`;
      out = `[${inner}`;
      sep = `,${inner}`;
      close = `\n${ind.repeat(level)}]`;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) out += sep;
      out += this.value(this.#read(a, i), level + 1);
    }
    return out + close;
  }

  #dict(o: object, level: number): string {
    const keys = Object.keys(o);
    if (keys.length === 0) return '{}';
    return this.entries(
      keys.map((k) => [k, this.#read(o, k)] as const),
      level,
    );
  }

  /** Reads a property; a throwing getter yields a placeholder for that value alone. */
  #read(o: object, k: string | number): unknown {
    try {
      return (o as Record<string | number, unknown>)[k];
    } catch (e) {
      return `<unreadable: ${safeStr(e)}>`;
    }
  }

  /** A dict written from its entries in order (the keys coerced as CPython coerces dict keys). */
  entries(entries: Iterable<readonly [unknown, unknown]>, level: number): string {
    const ind = this.#o.indent;
    const ea = this.#o.ensureAscii;
    let out: string;
    let sep: string;
    let close: string;
    if (ind === null) {
      out = '{';
      sep = ', ';
      close = '}';
    } else {
      const inner = `\n${ind.repeat(level + 1)}`;
      out = `{${inner}`;
      sep = `,${inner}`;
      close = `\n${ind.repeat(level)}}`;
    }
    let first = true;
    for (const [k, v] of entries) {
      if (!first) out += sep;
      first = false;
      out += `${encodeString(keyText(k), ea)}: ${this.value(v, level + 1)}`;
    }
    return first ? '{}' : out + close;
  }

  /** A Map, as a dict in insertion order (circular references guarded like any container). */
  map(m: ReadonlyMap<unknown, unknown>, level: number): string {
    return this.#guard(m, () => this.entries(m, level));
  }
}

/** `json.dumps(value, …)` for a value nested `level` deep (indentation); never throws. */
export function encodeJson(value: unknown, o: EncodeOptions, level = 0): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, o.ensureAscii);
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
  }
  try {
    return new Encoder(o).value(value, level);
  } catch {
    return encodeString(unprintable(value), o.ensureAscii);
  }
}

/**
 * `json.dumps(dict)` for the formatter's ordered log data, a Map (so integer-like keys keep their place, as in a
 * Python dict). Never throws: a value that cannot be written becomes a placeholder string.
 */
export function encodeLogData(data: ReadonlyMap<unknown, unknown>, o: EncodeOptions): string {
  try {
    return new Encoder(o).map(data, 0);
  } catch {
    const safe = new Map<unknown, unknown>();
    for (const k of data.keys()) safe.set(k, unprintable(data.get(k)));
    return new Encoder(o).map(safe, 0);
  }
}

export { isoformatUtc };
