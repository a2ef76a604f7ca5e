/**
 * Python's `urllib.parse.urlencode` / `quote_plus`, and Python's `str()` of JS values as a Python peer reads them
 * (SPEC point 6: `null`/`undefined` are `None` in HTTP forms).
 */
import { Buffer } from 'node:buffer';
import { repr, str } from '../core/repr.js';

// Lib/urllib/parse.py `_ALWAYS_SAFE`: letters, digits and `_.-~` are never quoted (RFC 3986 unreserved).
const ALWAYS_SAFE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~') ALWAYS_SAFE[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/**
 * Python's `quote_plus(s)` with `safe=''`: UTF-8, every byte outside `[A-Za-z0-9_.~-]` as `%XX` (upper-case hex),
 * space as `+`. Lone surrogates, which Python's strict UTF-8 codec rejects, become U+FFFD.
 */
export function quotePlus(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ALWAYS_SAFE[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b < 128 && ALWAYS_SAFE[b] === 1) out += String.fromCharCode(b);
    else if (b === 32) out += '+';
    else out += `%${HEX[b >> 4] as string}${HEX[b & 15] as string}`;
  }
  return out;
}

/**
 * Python's `urlencode(mapping)` (`doseq=False`): `quote_plus(str(k)) + '=' + quote_plus(str(v))` joined by `&`, in
 * the mapping's insertion order. Values go through {@link pyStr}.
 */
export function urlencode(fields: Readonly<Record<string, unknown>> | Iterable<readonly [string, unknown]>): string {
  const pairs: Iterable<readonly [string, unknown]> =
    Symbol.iterator in fields ? (fields) : Object.entries(fields);
  const out: string[] = [];
  for (const [k, v] of pairs) out.push(`${quotePlus(k)}=${quotePlus(pyStr(v))}`);
  return out.join('&');
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Python's `str()` of a JS value as a Python peer would have it: strings as they are, `null`/`undefined` → `None`,
 * booleans → `True`/`False`, numbers as Python's int/float `str()`, arrays → a list `[1, 'a']`, plain objects → a
 * dict `{'k': 'v'}`; anything else as pylogging's `%s` ({@link str}). Never throws: a value whose own `toString()`
 * throws renders as `<unprintable X>`.
 */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value, 0);
}

/** Python's `repr()` with containers rendered as Python lists/dicts. */
export function pyRepr(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value !== 'object') return repr(value);
  if (depth > 4) return '...';
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, depth + 1)).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${repr(k)}: ${pyRepr(v, depth + 1)}`)
      .join(', ')}}`;
  }
  try {
    return str(value);
  } catch {
    return `<unprintable ${value.constructor?.name ?? 'object'}>`;
  }
}

/** Python's `str(tuple(args))`: `('a',)`, `(1, 2)`, `()`; a mapping renders as a dict, `None` as `None`. */
export function pyTupleStr(args: unknown): string {
  if (!Array.isArray(args)) return pyStr(args);
  const items = args.map((a) => pyRepr(a, 1));
  return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
}
