/**
 * Python's keyword arguments of a logging call (`exc_info`, `stack_info`, `stacklevel`, `extra`), made typed and
 * unambiguous: they travel in a {@link Keywords} object that only {@link kw} creates, as the call's last argument.
 *
 * ```ts
 * log.error('upload of %s failed', name, kw({ exc_info: err, extra: { user } }));
 * ```
 *
 * An ordinary argument can never be mistaken for options (a plain object, even `{ exc_info: … }`, stays a
 * `%s`/`%(key)s` argument), and checking for them costs one `instanceof` on the last argument.
 */

/** The keyword arguments a logging call accepts, with Python's names. */
export interface LogKeywords {
  /**
   * An exception to attach: the caught value (usually an `Error`), or `true` for "the current exception" (JS has
   * none: the record gets Python's `NoneType: None` text). `exception()` defaults this to `true`.
   */
  exc_info?: unknown;
  /** Attach the caller's stack (`Stack (most recent call last):` …) to the record. */
  stack_info?: boolean;
  /** Which frame counts as the caller: 1 is the line that called the logger, 2 its caller, and so on. */
  stacklevel?: number;
  /** Attributes added to the record; a key that already exists on the record throws `KeyError`. */
  extra?: Readonly<Record<string, unknown>> | null;
}

/** The marker class for a call's keyword arguments. Create it with {@link kw}. */
export class Keywords implements LogKeywords {
  readonly exc_info?: unknown;
  readonly stack_info?: boolean;
  readonly stacklevel?: number;
  readonly extra?: Readonly<Record<string, unknown>> | null;
  /**
   * A key that is none of the four, as given (`exc_inf`): the logging call reports Python's `TypeError: … got an
   * unexpected keyword argument` and still logs the record. Absent when every key is known.
   */
  declare readonly unexpected?: string;

  constructor(keywords: LogKeywords) {
    if (keywords.exc_info !== undefined) this.exc_info = keywords.exc_info;
    if (keywords.stack_info !== undefined) this.stack_info = keywords.stack_info;
    if (keywords.stacklevel !== undefined) this.stacklevel = keywords.stacklevel;
    if (keywords.extra !== undefined) this.extra = keywords.extra;
    // Python raises TypeError for an unknown keyword; a JavaScript object would drop it without a word.
    for (const key in keywords) {
      if (key !== 'exc_info' && key !== 'stack_info' && key !== 'stacklevel' && key !== 'extra') {
        Object.defineProperty(this, 'unexpected', { value: key });
        break;
      }
    }
  }
}

/**
 * True when `v` is a call's keyword arguments. The common last argument is a string or a number: those never reach
 * `instanceof`, which V8 does not reduce for a class bound at module level and runs as a generic lookup of
 * `Symbol.hasInstance`. measured (Node 20.20, perf on a 3M-record FileHandler run): `InstanceOf` and its
 * `GetProperty` were 2.1 % of the logging call.
 */
export function isKeywords(v: unknown): v is Keywords {
  return typeof v === 'object' && v !== null && v instanceof Keywords;
}

/**
 * Wraps Python's keyword arguments for a logging call; pass the result as the call's last argument.
 * @example log.exception('job %s failed', id, kw({ exc_info: err }))
 */
export function kw(keywords: LogKeywords): Keywords {
  return new Keywords(keywords);
}
