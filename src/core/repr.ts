/**
 * How JS values render inside Python formatting: `str()` for `%s`, `repr()` for `%r`, `ascii()` for `%a`.
 *
 * SPEC "Values in messages": `%s` gives what a JS developer expects (`String(x)` for primitives, a compact
 * inspection for objects, never `[object Object]`); `%r` gives a Python repr for strings, numbers and booleans.
 * Our own inspection degrades to a placeholder rather than fail; a user `toString()` that throws propagates, as a
 * raising `__str__` does in CPython, so the caller can route it to `handleError` [STYLE §6].
 */
import { Buffer } from 'node:buffer';
import { inspect, types } from 'node:util';

import { floatRepr } from './float-format.js';

// floatRepr lives with the other float formatting; it stays importable from here, where repr() uses it.
export { floatRepr } from './float-format.js';

// One line whatever the nesting: `compact: true` never breaks an object that fits breakLength, and nothing is
// longer than Infinity. depth 4 keeps a stray huge object from costing a whole heap walk per record.
const INSPECT_OPTIONS = { breakLength: Infinity, compact: true, depth: 4 } as const;

// The toString() every object inherits from a built-in. Calling one of these gives `[object Object]`, `1,2` or a
// Buffer decoded as text, none of which is what a reader wants; anything else is the user's own rendering.
const BUILTIN_TO_STRINGS: ReadonlySet<unknown> = new Set(
  // Array's is also %TypedArray%'s.
  [Object, Array, Function, Error, Date, RegExp, Number, String, Boolean, Symbol, BigInt, Buffer].map(
    (ctor): unknown => Object.getOwnPropertyDescriptor(ctor.prototype, 'toString')?.value,
  ),
);

// Python's str.isprintable() is false for these general categories (and true for ' ', the one Zs exception).
// Differs from CPython: the categories come from Node's ICU, whose Unicode version may be newer than CPython's.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

const HEX = '0123456789abcdef';

/**
 * Python's `str()` for a JS value, as `%s` shows it.
 *
 * Primitives render as `String(x)` (`true`, `null`, `undefined`, `3`, `1e+21`); an object with its own
 * `toString()` gets it called; an `Error` is `name: message`; a `Date` is its ISO string; anything else is a
 * one-line `util.inspect`, or `<unprintable Foo>` if inspection itself throws.
 *
 * Differs from CPython: SPEC point 6 governs, so `str(true)` is `'true'` and `str(1e16)` is `'10000000000000000'`.
 *
 * @throws whatever a user-defined `toString()` throws (CPython propagates a raising `__str__` likewise).
 */
export function str(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
    case 'symbol':
      return String(value);
    default:
      if (value === null) return 'null';
      return objectStr(value as object);
  }
}

function objectStr(value: object): string {
  // A Proxy's traps may throw or lie; inspect() reads its target without running them.
  if (types.isProxy(value)) return inspectSafely(value);
  const toString = (value as { toString?: unknown }).toString;
  if (typeof toString === 'function' && !BUILTIN_TO_STRINGS.has(toString)) {
    return String(toString.call(value));
  }
  if (value instanceof Error) return `${String(value.name)}: ${String(value.message)}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return inspectSafely(value);
}

function inspectSafely(value: unknown): string {
  try {
    return inspect(value, INSPECT_OPTIONS);
  } catch {
    // A throwing [util.inspect.custom] or a revoked target: our rendering adds no failure of its own [STYLE §6].
    return unprintable(value);
  }
}

/**
 * {@link str} that never throws, for text that must come out whatever the value (JSON fields, error reports): a value
 * whose rendering fails becomes {@link unprintable}'s `<unprintable Foo>`.
 */
export function safeStr(value: unknown): string {
  try {
    return str(value);
  } catch {
    return unprintable(value);
  }
}

/** The placeholder for a value that cannot be rendered: `<unprintable Foo>`, naming its class. Never throws. */
export function unprintable(value: unknown): string {
  return `<unprintable ${typeLabel(value)}>`;
}

function typeLabel(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  if (types.isProxy(value)) return 'Proxy';
  try {
    const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
    const ctor = proto?.constructor;
    if (typeof ctor === 'function' && ctor.name !== '') return ctor.name;
  } catch {
    // a throwing `constructor` getter: the generic label will do
  }
  return 'Object';
}

/**
 * Python's `repr()` for a JS value, as `%r` shows it.
 *
 * Strings get CPython's quoting and escapes (`'abc'`, `"it's"`, `'\n'`, printable non-ASCII kept); an
 * integer-valued number is a Python int (`3`), any other number a Python float ({@link floatRepr}: `0.1`,
 * `1e-05`, `inf`, `nan`), and `-0` is `-0.0`; booleans are `True`/`False`, `null`/`undefined` are `None`, a bigint
 * is its digits. An `Error` renders like a Python exception, `Error('boom')`; a Buffer or Uint8Array as Python
 * bytes (`b'ab'`); an Array as a list (`[1, 'a']`), a
 * plain object or a Map as a dict (`{'a': 1, 'b': [True, None]}`), a Set as a set, and an object with a
 * {@link pyRepr} method (handlers, loggers, records) as that method says (`<NullHandler (NOTSET)>`). Other
 * objects get the inspection {@link str} falls back to (a user `toString()` is not consulted, as Python's repr
 * ignores `__str__`).
 */
export function repr(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return stringRepr(value, false);
    case 'number':
      return numberRepr(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return 'None';
    case 'bigint':
    case 'symbol':
      return String(value);
    default:
      if (value === null) return 'None';
      return objectRepr(value as object, []);
  }
}

/**
 * A method that gives an object's Python repr, as `__repr__` does: `%r` and every error text that shows a value
 * call it. pylogging's Handler, Logger, LoggerAdapter and LogRecord implement it (`<FileHandler /app.log (INFO)>`);
 * a class of yours may too.
 *
 * @example
 * ```ts
 * import { pyRepr } from 'pylogging';
 * class User {
 *   constructor(readonly id: number) {}
 *   [pyRepr](): string { return `User(${this.id})`; }
 * }
 * ```
 */
export const pyRepr: unique symbol = Symbol.for('pylogging.repr');

// Deeper than this, a value is shown as `...`: Python has no limit but its own recursion limit; ours keeps a
// pathological structure from costing the stack.
const MAX_DEPTH = 100;

/**
 * Python's repr where Python has one for the JS shape: a `pyRepr` method, an Error as an exception, an Array as a
 * list, a plain object or a Map as a dict, a Set as a set (recursion shown as `[...]`/`{...}`, as CPython's
 * `Py_ReprEnter` does). Anything else gets the one-line inspection.
 */
function objectRepr(value: object, seen: object[]): string {
  // A Proxy's traps may throw or lie; inspect() reads its target without running them.
  if (types.isProxy(value)) return inspectSafely(value);
  const own = (value as { [pyRepr]?: unknown })[pyRepr];
  if (typeof own === 'function') return String(own.call(value));
  if (value instanceof Error) return `${String(value.name)}(${repr(value.message)})`;
  if (value instanceof Uint8Array) return bytesRepr(value);
  const isArray = Array.isArray(value);
  const proto: unknown = Object.getPrototypeOf(value);
  const isDict = proto === Object.prototype || proto === null;
  const isMap = value instanceof Map;
  const isSet = value instanceof Set;
  if (!isArray && !isDict && !isMap && !isSet) return inspectSafely(value);
  if (seen.includes(value)) return isArray ? '[...]' : '{...}';
  if (seen.length >= MAX_DEPTH) return '...';
  seen.push(value);
  try {
    const item = (v: unknown): string => (typeof v === 'object' && v !== null ? objectRepr(v, seen) : repr(v));
    if (isArray) return `[${(value as unknown[]).map(item).join(', ')}]`;
    if (isSet) return value.size === 0 ? 'set()' : `{${[...value].map(item).join(', ')}}`;
    const entries: string[] = [];
    if (isMap) for (const [k, v] of value) entries.push(`${item(k)}: ${item(v)}`);
    else for (const k of Object.keys(value)) entries.push(`${repr(k)}: ${item((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(', ')}}`;
  } finally {
    seen.pop();
  }
}

/** CPython's `bytes_repr` (Objects/bytesobject.c): `b'ab'`, `b"it's"`, a control byte as `\xNN`. */
function bytesRepr(b: Uint8Array): string {
  const quote = b.includes(39) && !b.includes(34) ? 34 : 39;
  let out = quote === 34 ? 'b"' : "b'";
  for (const c of b) {
    if (c === quote || c === 92) out += `\\${String.fromCharCode(c)}`;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 32 || c >= 127) out += hexEscape(c);
    else out += String.fromCharCode(c);
  }
  return out + (quote === 34 ? '"' : "'");
}

/**
 * Python's `str()` of a JS value as a Python peer reads it, where SPEC point 6 says `None` (HTTP form fields, config
 * texts, pickled text): a string as it is, a container or a primitive as its {@link repr} (`None`, `True`,
 * `{'a': 1, 'b': [True, None]}`, `b'ab'`), and any other object as its {@link str} (its own `toString()`, an
 * Error's `name: message`, a Date's ISO string), as Python's `str()` calls `__str__`. Never throws: a value whose
 * rendering fails becomes `<unprintable Foo>`.
 */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (typeof value !== 'object' || value === null || types.isProxy(value) || isContainer(value)) return repr(value);
    return str(value);
  } catch {
    return unprintable(value);
  }
}

function isContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set || value instanceof Uint8Array) return true;
  if ((value as { [pyRepr]?: unknown })[pyRepr] !== undefined) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Python's `repr()` of a tuple, for a record's `args`: `('a',)`, `(1, 2)`, `()`.
 *
 * @throws what {@link repr} of an item throws (a raising `__repr__` propagates in CPython too).
 */
export function tupleRepr(items: readonly unknown[]): string {
  const parts = items.map((v) => repr(v));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

/**
 * Python's `ascii()`: {@link repr} with every non-ASCII character escaped as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
 */
export function ascii(value: unknown): string {
  if (typeof value === 'string') return stringRepr(value, true);
  return escapeNonAscii(repr(value));
}

/**
 * {@link repr} that never throws, for error reports: a value whose rendering fails becomes `<unprintable Foo>`.
 */
export function safeRepr(value: unknown): string {
  try {
    return repr(value);
  } catch {
    return unprintable(value);
  }
}

function numberRepr(n: number): string {
  if (Object.is(n, -0)) return '-0.0';
  if (!Number.isInteger(n)) return floatRepr(n);
  // A Python int prints every digit; String() prints only the shortest round-trip digits beyond 2^53.
  return n <= Number.MAX_SAFE_INTEGER && n >= -Number.MAX_SAFE_INTEGER ? String(n) : BigInt(n).toString();
}

/** CPython's `unicode_repr` (Objects/unicodeobject.c), plus `backslashreplace` for non-ASCII when `asciiOnly`. */
function stringRepr(s: string, asciiOnly: boolean): string {
  let hasSingle = false;
  let hasDouble = false;
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 39) hasSingle = true;
    else if (c === 34) hasDouble = true;
    else if (c < 32 || c >= 127 || c === 92) plain = false;
  }
  // CPython: double quotes only when the text has a single quote and no double quote.
  const quote = hasSingle && !hasDouble ? 34 : 39;
  const q = quote === 34 ? '"' : "'";
  if (plain && !(hasSingle && hasDouble)) return q + s + q;
  let out = q;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 92 && c !== quote) continue;
    let esc: string | undefined;
    let width = 1;
    if (c === quote || c === 92) esc = `\\${s[i] as string}`;
    else if (c === 9) esc = '\\t';
    else if (c === 10) esc = '\\n';
    else if (c === 13) esc = '\\r';
    else if (c < 32 || c === 127) esc = hexEscape(c);
    else {
      const cp = s.codePointAt(i) as number;
      width = cp > 0xffff ? 2 : 1;
      if (asciiOnly || NON_PRINTABLE.test(String.fromCodePoint(cp))) esc = hexEscape(cp);
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + width;
    }
    i += width - 1;
  }
  return out + s.slice(start) + q;
}

function escapeNonAscii(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) < 128) continue;
    const cp = s.codePointAt(i) as number;
    out += s.slice(start, i) + hexEscape(cp);
    if (cp > 0xffff) i++;
    start = i + 1;
  }
  return start === 0 ? s : out + s.slice(start);
}

/** `\xNN`, `\uNNNN` or `\UNNNNNNNN`, lowercase hex, as CPython writes them. */
function hexEscape(cp: number): string {
  const digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
  let h = '';
  for (let k = digits - 1; k >= 0; k--) h += HEX[(cp >>> (4 * k)) & 15] as string;
  return (digits === 2 ? '\\x' : digits === 4 ? '\\u' : '\\U') + h;
}
