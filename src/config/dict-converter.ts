/**
 * CPython's `BaseConfigurator` for dictConfig: lazy `ext://` and `cfg://` conversion on access, with CPython's
 * error texts, and the small checks every entry goes through.
 */
import { KeyError, ValueError } from '../core/errors.js';
import { pyRepr, truthy } from './common.js';
import { AttributeError, ModuleNotFoundError, resolveName } from './registry.js';
import type { Gate } from './trust.js';

/** A configuration mapping. */
export type Dict = Record<string, unknown>;

const CONVERT = /^([a-z]+):\/\/(.*)$/;
const WORD = /^\s*([\p{L}\p{N}_]+)\s*/u;
const DOT = /^\.\s*([\p{L}\p{N}_]+)\s*/u;
const INDEX = /^\[([^[\]]*)\]\s*/;
const DIGITS = /^\d+$/;
const IDENT = /^[a-z_][a-z0-9_]*$/i;

export function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** `ValueError("Cannot resolve 'x': …")` around a failed name lookup, as CPython's `BaseConfigurator.resolve`. */
function resolveWrapped(s: string): unknown {
  try {
    return resolveName(s);
  } catch (e) {
    if (e instanceof ModuleNotFoundError || e instanceof AttributeError) {
      throw new ValueError(`Cannot resolve ${pyRepr(s)}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** CPython's `BaseConfigurator`: lazy `ext://` and `cfg://` conversion on access. */
export class Converter {
  constructor(
    readonly config: Dict,
    readonly gate: Gate | null,
  ) {}

  /** Resolves a name the config gave (`ext://`, `class`, `()`, …), once the `allow` option lets it through. */
  resolve(s: string, wrapped = true): unknown {
    this.gate?.(s);
    return wrapped ? resolveWrapped(s) : resolveName(s);
  }

  /** Converts a `prefix://suffix` string; everything else is returned unchanged. */
  convert(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const m = CONVERT.exec(value);
    if (!m) return value;
    if (m[1] === 'ext') return this.resolve(m[2] as string);
    if (m[1] === 'cfg') return this.cfg(m[2] as string);
    return value;
  }

  /** `d.get(key)` with conversion (undefined when absent). @throws {AttributeError} when `d` is not a mapping. */
  get(d: unknown, key: string): unknown {
    if (!isDict(d)) throw new AttributeError(`'${pyTypeName(d)}' object has no attribute 'get'`);
    return Object.hasOwn(d, key) ? this.convert(d[key]) : undefined;
  }

  /** `d[key]` with conversion. @throws {KeyError} when absent. */
  item(d: unknown, key: string | number): unknown {
    if (Array.isArray(d) || typeof d === 'string') {
      if (typeof key !== 'number') throw new TypeError(`${pyTypeName(d)} indices must be integers or slices, not str`);
      if (key >= d.length) throw new RangeError(`${pyTypeName(d)} index out of range`);
      return this.convert(d[key]);
    }
    if (!isDict(d)) throw new TypeError(`'${pyTypeName(d)}' object is not subscriptable`);
    const k = String(key);
    if (typeof key === 'number' || !Object.hasOwn(d, k)) throw new KeyError(pyRepr(key));
    return this.convert(d[k]);
  }

  /** CPython's `cfg_convert`: `handlers.email.toaddrs[0]`, `adict[key with spaces]`. */
  cfg(value: string): unknown {
    let rest = value;
    let m = WORD.exec(rest);
    if (!m) throw new ValueError(`Unable to convert ${pyRepr(value)}`);
    rest = rest.slice(m[0].length);
    let d = this.item(this.config, m[1] as string);
    while (rest) {
      m = DOT.exec(rest);
      if (m) d = this.item(d, m[1] as string);
      else {
        m = INDEX.exec(rest);
        if (m) {
          const idx = m[1] as string;
          if (!DIGITS.test(idx)) d = this.item(d, idx);
          else if (Array.isArray(d) || typeof d === 'string') d = this.item(d, Number(idx));
          else d = this.item(d, Number(idx)); // a mapping indexed by int: KeyError, as in CPython
        }
      }
      if (!m) throw new ValueError(`Unable to convert ${pyRepr(value)} at ${pyRepr(rest)}`);
      rest = rest.slice(m[0].length);
    }
    return d;
  }
}

/** Python's `valid_ident`. @throws {ValueError} `Not a valid Python identifier: '9'`. */
export function validIdent(s: string): void {
  if (!IDENT.test(s)) throw new ValueError(`Not a valid Python identifier: ${pyRepr(s)}`);
}

export function keysOf(d: unknown, what: string): string[] {
  if (d === undefined || d === null) return [];
  if (!isDict(d)) throw new TypeError(`${what} must be a mapping, got ${pyTypeName(d)}`);
  return Object.keys(d);
}

export function isQueueLike(q: unknown): boolean {
  const o = q as { put_nowait?: unknown; get?: unknown } | null;
  return o !== null && typeof o === 'object' && typeof o.put_nowait === 'function' && typeof o.get === 'function';
}

export function setProps(target: unknown, props: unknown): void {
  if (!truthy(props)) return;
  if (!isDict(props)) throw new AttributeError(`'${pyTypeName(props)}' object has no attribute 'items'`);
  for (const [k, v] of Object.entries(props)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new ValueError(`Refusing to set ${k}`);
    (target as Dict)[k] = v;
  }
}
