/**
 * Small helpers of JsonFormatter: Python's view of JS values (dict, truthiness), reads that cannot throw, and the
 * flattening of cached text.
 */
import { safeStr } from '../core/repr.js';

/** Python's `isinstance(x, dict)` for a JS value: a plain object (a Proxy whose trap throws is not one). */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  try {
    if (Array.isArray(v)) return false;
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

/** `Object.keys`, or none when a Proxy's `ownKeys` trap throws: the record is written without those fields. */
export function keysOf(o: object): string[] {
  try {
    return Object.keys(o);
  } catch {
    return [];
  }
}

/** Python's truthiness of a dict value (`not message_dict.get('exc_info')`). */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || v === 0n) return false;
  if (typeof v === 'number') return true; // NaN is truthy in Python
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isDict(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

/** True when `%`-merging `text` reads its argument: it has a conversion other than `%%`. */
export function readsArgs(text: string): boolean {
  for (let p = text.indexOf('%'); p !== -1; p = text.indexOf('%', p + 2)) {
    if (text.charCodeAt(p + 1) !== 37) return true;
  }
  return false;
}

/**
 * Makes V8 store `s` as one flat string (a number conversion flattens a concatenation in place), so later
 * concatenations that include it, and the final write, copy it in one piece.
 */
export function flatten(s: string): string {
  FLAT.n = +s;
  return s;
}
// The conversion's result is stored, so the optimiser cannot drop the conversion as dead code.
const FLAT = { n: 0 };

/** Reads one field of a user object; a throwing getter becomes a placeholder value for that field alone. */
export function readField(o: object, k: string): unknown {
  try {
    return (o as Record<string, unknown>)[k];
  } catch (e) {
    return `<unreadable: ${safeStr(e)}>`;
  }
}
