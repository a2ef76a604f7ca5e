/**
 * Closed options objects (SPEC: "an unknown key is an error naming the key, never silently ignored"). Python rejects
 * an unknown keyword argument with a `TypeError`; a JavaScript options object would otherwise drop it without a
 * word (`new QueueListener(q, h, { respect_handler_level: true })` did nothing). One checker for every class, with
 * the right name suggested: the camelCase of a Python name, a different case, or a near miss.
 */

/** `Exclude<keyof T, listed>` is empty, or the type names the missing keys. */
type Exhaustive<T, K extends readonly PropertyKey[]> = [Exclude<keyof T, K[number]>] extends [never]
  ? K
  : { 'option keys missing from the list': Exclude<keyof T, K[number]> };

/**
 * The keys of options type `T`, checked by the compiler both ways: every listed key is an option, and every option
 * is listed, so the list cannot drift from the interface.
 *
 * @example
 * ```ts
 * const KEYS = optionKeys<MemoryHandlerOptions>()(['flushLevel', 'target', 'flushOnClose']);
 * ```
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & Exhaustive<T, K>): readonly string[] => keys;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best >= limit) return limit;
    prev = cur;
  }
  return prev[b.length] as number;
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The known key a mistyped `key` most likely meant: its camelCase, a different case, or within 2 edits. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const direct = known.find((k) => k === camel(key) || k.toLowerCase() === lower);
  if (direct !== undefined) return direct;
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/**
 * Throws unless `options` is undefined or an object whose own keys are all in `known`.
 * @throws {TypeError} `RotatingFileHandler: unknown option 'maxbytes' (did you mean 'maxBytes'?)`, or
 * `…: options must be an object, got …`.
 */
export function checkOptions(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
    throw new TypeError(`${owner}: options must be an object, got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = closestKey(key, known);
    throw new TypeError(`${owner}: unknown option '${key}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`);
  }
}

// CPython's "Did you mean" (Python/suggestions.c, 3.12+): Levenshtein where a change of case costs 1 and any other
// edit 2, and a candidate is suggested only within (len(a) + len(b) + 3) * 2 / 6 of the name.
const MOVE_COST = 2;
const CASE_COST = 1;

function substitutionCost(a: string, b: string): number {
  if (a === b) return 0;
  return a.toLowerCase() === b.toLowerCase() ? CASE_COST : MOVE_COST;
}

function pyLevenshtein(a: string, b: string, maxCost: number): number {
  let buffer = Array.from({ length: b.length + 1 }, (_, j) => j * MOVE_COST);
  for (let i = 1; i <= a.length; i++) {
    const next = [i * MOVE_COST];
    let best = next[0] as number;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        (buffer[j] as number) + MOVE_COST,
        (next[j - 1] as number) + MOVE_COST,
        (buffer[j - 1] as number) + substitutionCost(a[i - 1] as string, b[j - 1] as string),
      );
      next.push(v);
      if (v < best) best = v;
    }
    if (best > maxCost) return maxCost + 1;
    buffer = next;
  }
  return buffer[b.length] as number;
}

/** The name CPython 3.12+ would suggest for `name` among `candidates` (`… Did you mean 'exc_info'?`), if any. */
export function pythonSuggestion(name: string, candidates: readonly string[]): string | undefined {
  let suggestion: string | undefined;
  let distance = Infinity;
  for (const item of candidates) {
    if (item === name) continue;
    const max = Math.min(Math.floor(((name.length + item.length + 3) * MOVE_COST) / 6), distance - 1);
    const d = pyLevenshtein(name, item, max);
    if (d > max) continue;
    if (suggestion === undefined || d < distance) {
      suggestion = item;
      distance = d;
    }
  }
  return suggestion;
}
