/**
 * python-json-logger's `JsonEncoder.default` for JS values, and the datetime text it writes (`isoformat()`).
 */
import { types } from 'node:util';
import { safeStr, str } from '../core/repr.js';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `datetime.fromtimestamp(t, tz=timezone.utc).isoformat()`: `2026-01-05T10:00:00.123457+00:00`, the fraction
 * omitted when the microseconds are 0. The microseconds are rounded half-even, as CPython's `_PyTime_ROUND_HALF_EVEN`
 * rounds `modf(t)`'s fraction × 10⁶.
 */
export function isoformatUtc(t: number): string {
  let sec = Math.trunc(t);
  let us = roundHalfEven((t - sec) * 1e6);
  if (us >= 1e6) {
    us -= 1e6;
    sec += 1;
  } else if (us < 0) {
    us += 1e6;
    sec -= 1;
  }
  return isoformat(sec * 1000, us);
}

/** A Date as an aware UTC datetime's `isoformat()` (JS dates carry milliseconds: `.123000`). */
export function dateIsoformat(d: Date): string | null {
  const ms = d.getTime();
  if (ms !== ms) return null;
  const whole = Math.floor(ms / 1000) * 1000;
  return isoformat(whole, (ms - whole) * 1000);
}

function isoformat(wholeMs: number, us: number): string {
  const d = new Date(wholeMs);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
  let s = `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (us !== 0) s += `.${String(us).padStart(6, '0')}`;
  return `${s}+00:00`;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends .5 up; CPython sends it to the even neighbour.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The default `json_default`: python-json-logger's `JsonEncoder.default`, mapped onto JS values. Called for every
 * value Python's encoder would not write itself (anything but strings, numbers, bigints, booleans, null/undefined,
 * arrays and plain objects); the result is written in its place.
 *
 * | value | becomes | python-json-logger |
 * | --- | --- | --- |
 * | `Date` | `isoformat()` of the UTC datetime, `2026-01-05T10:00:00.123000+00:00`; an invalid Date `"Invalid Date"` | datetime → `isoformat()` |
 * | `Error` | pylogging's `str(err)`: `TypeError: boom` (a custom `toString()` wins) | exception → `str(exc)` |
 * | object with `toJSON()` | what `toJSON('')` returns (Buffer → `{"type": "Buffer", "data": […]}`) | — |
 * | `Map` | written by the encoder itself as a dict, in insertion order (keys coerced like Python dict keys); here, a plain object | — |
 * | `Set` | a list of its values | `str(set)` |
 * | `RegExp` | its source text, `/a+/g` | `str(obj)` |
 * | other class instances | a dict of their own enumerable properties | `str(obj)` |
 * | function, symbol | pylogging's `str()`: `[Function: f]`, `Symbol(x)` | `str(obj)` |
 *
 * @throws what a user `toJSON()` or `toString()` throws; the encoder then falls back to `str()` and a placeholder.
 */
export function jsonEncoderDefault(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return str(value);
  if (types.isProxy(value)) return str(value);
  if (value instanceof Date) return dateIsoformat(value) ?? 'Invalid Date';
  if (value instanceof Error) return str(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(value, '');
  if (value instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of value as Map<unknown, unknown>) o[typeof k === 'string' ? k : dictKey(k)] = v;
    return o;
  }
  if (value instanceof Set) return [...(value as Set<unknown>)];
  if (value instanceof RegExp) return String(value);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    try {
      o[k] = (value as Record<string, unknown>)[k];
    } catch (e) {
      o[k] = `<unreadable: ${safeStr(e)}>`;
    }
  }
  return o;
}

function dictKey(k: unknown): string {
  if (typeof k === 'number') return Number.isSafeInteger(k) ? String(k) : str(k);
  if (k === null || k === undefined) return 'null';
  return str(k);
}
