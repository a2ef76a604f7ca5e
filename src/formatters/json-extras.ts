/**
 * JsonFormatter's check for extra attributes, compiled once per formatter: most records carry only the standard
 * LogRecord keys, and proving that by counting them is cheaper than reading each one.
 */
import { compileFunction } from '../internal/codegen.js';

/**
 * True when the record's enumerable keys are exactly the standard ones (`RECORD_KEYS`, and `message`/`asctime` when
 * present), so it has no extra attribute to write. It counts the keys rather than reading them, and checks each
 * standard key with `in`, which a stable record shape folds into one shape check. measured (Node 20.20, 2-CPU VM,
 * FileHandler + JsonFormatter, one process, CPU time, 15 interleaved rounds against the unchanged formatter): the
 * walk comparing each key with its expected one cost 3–5 % of the whole logging call (each key string is read to
 * compare it, and the write system call before leaves them out of the caches); counting, 1–2 %.
 *
 * Not exact in one case: a standard key that is present but not enumerated (made non-enumerable with
 * `Object.defineProperty`, or deleted while a prototype holds a non-enumerable property of that name) while an extra
 * key is present would hide the extra. Null when code generation is refused (the caller walks the keys).
 */
export function compileNoExtras(standard: readonly string[]): ((record: object) => boolean) | null {
  const has = standard.map((k) => `${JSON.stringify(k)} in r`).join(' && ');
  return compileFunction<(record: object) => boolean>(
    ['r'],
    `if (!(${has})) return false;\nlet want = ${standard.length};\nif ("message" in r) want++;\nif ("asctime" in r) want++;\n` +
      `let n = 0;\nfor (const k in r) n++;\nreturn n === want;`,
  );
}
