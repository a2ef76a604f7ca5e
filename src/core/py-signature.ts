/**
 * A class's Python signature, declared beside its constructor as `static pySignature`, so `dictConfig` and
 * `fileConfig` bind Python's keyword arguments exactly as CPython would before calling our constructor.
 */

/** A class `dictConfig`/`fileConfig` can build: any constructor. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PyConstructible = new (...args: any[]) => unknown;

/**
 * How a Python constructor binds its arguments, and how the bound values become our constructor call. Declared on a
 * class as `static pySignature`, next to its constructor; subclasses inherit it with the constructor. A subclass
 * whose constructor takes something else declares its own, or `null` to be called as `new C(kwargs)` with one
 * object of the configuration's keys.
 *
 * Without `build`, the class is called as `new C(p1, …, pN, ...extraPositionals, options)`: the first `positional`
 * parameters in order (absent ones `undefined`), then Python's `*args`, then one options object holding the other
 * parameters and the keyword-only ones that were given, under camelCased names (`respect_handler_level` →
 * `respectHandlerLevel`). The options object is left out when the signature has no such parameters.
 */
export interface PySignature {
  /** Python's positional-or-keyword parameters, in order (`['filename', 'mode', 'encoding', 'delay', 'errors']`). */
  readonly params: readonly string[];
  /** How many of `params` have no default in Python. @default 0 */
  readonly required?: number;
  /** Keyword-only parameters (after `*` or `*args`); pylogging's own additions go here too. */
  readonly kwonly?: readonly string[];
  /** True when the Python signature has `*args` (QueueListener's `*handlers`). */
  readonly varargs?: boolean;
  /** How many of `params` our constructor takes as positional arguments. @default params.length */
  readonly positional?: number;
  /**
   * Builds the object when the default call does not fit. `kw` holds the bound arguments under Python's names
   * (absent ones omitted), `rest` the extra positionals, `resolve` looks up a dotted name or `"<module>#<export>"`
   * as the configuration would.
   */
  build?(
    C: PyConstructible,
    kw: Readonly<Record<string, unknown>>,
    rest: unknown[],
    resolve: (name: string) => unknown,
  ): unknown;
}

/** The keys of `kw` among `names`, copied under our names (`{ log_colors: 'logColors' }`), present ones only. */
export function pyOptions(
  kw: Readonly<Record<string, unknown>>,
  names: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [py, ours] of Object.entries(names)) if (Object.hasOwn(kw, py)) out[ours] = kw[py];
  return out;
}
