/**
 * Python's `factory(*args, **kwargs)` for dictConfig and fileConfig: the arguments are bound to the class's Python
 * signature (its `static pySignature`, declared beside its constructor) exactly as CPython binds them, with CPython's
 * `TypeError` texts, then mapped onto our constructor.
 */
import type { PyConstructible, PySignature } from '../core/py-signature.js';
import { resolveName } from './registry.js';

/**
 * The Python signature `C` declares or inherits, or null: a class with none (or with `static pySignature = null`)
 * is called with one keyword-arguments object.
 */
export function signatureOf(C: unknown): PySignature | null {
  if (typeof C !== 'function') return null;
  const sig = (C as { pySignature?: unknown }).pySignature;
  return sig !== null && typeof sig === 'object' && Array.isArray((sig as PySignature).params) ? (sig as PySignature) : null;
}

/**
 * True for a class (called with `new`), false for an ordinary or arrow function. A class's `prototype` is
 * read-only (ECMAScript's ClassDefinitionEvaluation makes it so), an ordinary function's is writable, and an arrow
 * function or method has none.
 */
export function isClass(f: unknown): f is PyConstructible {
  return typeof f === 'function' && Object.getOwnPropertyDescriptor(f, 'prototype')?.writable === false;
}

function listNames(names: readonly string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0] as string} and ${q[1] as string}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1] as string}`;
}

/**
 * Binds Python-style `args`/`kwargs` to `sig` exactly as CPython does.
 * @throws {TypeError} CPython's texts: `FileHandler.__init__() missing 1 required positional argument: 'filename'`,
 * `… got an unexpected keyword argument 'foo'`, `… takes from 1 to 2 positional arguments but 3 were given`,
 * `… got multiple values for argument 'mode'`.
 */
export function bindArgs(
  sig: PySignature,
  fname: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): { kw: Record<string, unknown>; rest: unknown[] } {
  const kw: Record<string, unknown> = {};
  const n = sig.params.length;
  const required = sig.required ?? 0;
  if (args.length > n && !sig.varargs) {
    const takes =
      required === n
        ? `takes ${n + 1} positional argument${n + 1 === 1 ? '' : 's'}`
        : `takes from ${required + 1} to ${n + 1} positional arguments`;
    throw new TypeError(`${fname}() ${takes} but ${args.length + 1} were given`);
  }
  args.slice(0, n).forEach((a, i) => (kw[sig.params[i] as string] = a));
  const rest = args.slice(n);
  const kwonly = sig.kwonly ?? [];
  for (const [k, v] of Object.entries(kwargs)) {
    if (!sig.params.includes(k) && !kwonly.includes(k)) {
      throw new TypeError(`${fname}() got an unexpected keyword argument '${k}'`);
    }
    if (Object.hasOwn(kw, k)) throw new TypeError(`${fname}() got multiple values for argument '${k}'`);
    kw[k] = v;
  }
  const missing = sig.params.slice(0, required).filter((p) => !Object.hasOwn(kw, p));
  if (missing.length) {
    throw new TypeError(
      `${fname}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${listNames(missing)}`,
    );
  }
  return { kw, rest };
}

/** `respect_handler_level` → `respectHandlerLevel`; camelCase names stay as they are. */
function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** {@link PySignature}'s default call: positional parameters, `*args`, then one options object of the others. */
function callDefault(sig: PySignature, C: PyConstructible, kw: Readonly<Record<string, unknown>>, rest: unknown[]): unknown {
  const positional = sig.positional ?? sig.params.length;
  const named = [...sig.params.slice(positional), ...(sig.kwonly ?? [])];
  const args: unknown[] = [...sig.params.slice(0, positional).map((p) => kw[p]), ...rest];
  if (named.length === 0) return new C(...args);
  const options: Record<string, unknown> = {};
  for (const p of named) if (Object.hasOwn(kw, p)) options[camel(p)] = kw[p];
  return new C(...args, options);
}

/**
 * Python's `factory(*args, **kwargs)` for a config: a class with a Python signature (declared or inherited) binds
 * the arguments to it and is built with our constructor; any other class is called as `new C(...args, kwargs)` and
 * any other function as `f(...args, kwargs)`, `kwargs` being one object with the config's keys unchanged (in
 * dictConfig `args` is always empty, so such a class receives exactly one options object).
 */
export function construct(factory: unknown, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown {
  if (typeof factory !== 'function') {
    throw new TypeError(`'${factory === null ? 'NoneType' : typeof factory}' object is not callable`);
  }
  const sig = signatureOf(factory);
  if (sig) {
    const { kw, rest } = bindArgs(sig, `${factory.name}.__init__`, args, kwargs);
    const C = factory as PyConstructible;
    return sig.build ? sig.build(C, kw, rest, resolveName) : callDefault(sig, C, kw, rest);
  }
  const callArgs = args.length && !Object.keys(kwargs).length ? [...args] : [...args, kwargs];
  if (isClass(factory)) return new factory(...callArgs);
  return (factory as (...a: unknown[]) => unknown)(...callArgs);
}
