/**
 * Whether this process may compile code from strings, decided once.
 *
 * Seven hot paths (the `%` style's renderer, the format cache's field checks, ColoredFormatter's record copy,
 * JsonFormatter's extra-attribute check, the SocketHandler frame writer, the worker codec's encoder and decoder)
 * compile a function per format or record shape with `new Function`, for monomorphic named property loads. Under `node --disallow-code-generation-from-strings`
 * (or in a context created without code generation) `new Function` throws `EvalError`, so each site also has an
 * interpreted version with the same output. The site chooses between them when it builds its function (at
 * configuration time, or once per new record shape), never per record.
 */

/** True when `new Function` works here; tested once, by compiling a trivial body. */
function probe(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body: the probe itself
    return (new Function('return 1') as () => unknown)() === 1;
  } catch {
    return false;
  }
}

const allowed = probe();
let forced: boolean | null = null;
/** Caches of compiled functions, emptied when tests switch paths (see {@link _setInterpreted}). */
const resets: (() => void)[] = [];

/**
 * `new Function(...params, body)`, or null when code generation is refused (the caller then builds its interpreted
 * version). `body` must be built from JSON string literals and numbers only: no caller text is ever code.
 */
export function compileFunction<T>(params: readonly string[], body: string): T | null {
  if (!(forced === null ? allowed : !forced)) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- every caller builds its body from literals only
    return new Function(...params, body) as T;
  } catch (err) {
    // Refused after the probe passed (a context without code generation): interpret, as when refused from the start.
    if (err instanceof EvalError) return null;
    throw err;
  }
}

/** True when {@link compileFunction} compiles (it may still return null in a context that refuses). */
export function codegenAllowed(): boolean {
  return forced === null ? allowed : !forced;
}

/** Registers a cache of compiled functions to empty when {@link _setInterpreted} switches paths. */
export function onCodegenSwitch(reset: () => void): void {
  resets.push(reset);
}

/**
 * @internal Tests only: `true` makes every site build its interpreted version from now on, as under
 * `--disallow-code-generation-from-strings`; `false` compiles again (when the process allows it); `null` restores
 * the probe's answer. Formatters and encoders built before keep the functions they chose.
 */
export function _setInterpreted(on: boolean | null): void {
  forced = on === null ? null : on || !allowed;
  for (const reset of resets) reset();
}
