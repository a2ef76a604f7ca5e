/**
 * The message and its JSON text in one step, for the common call `log.info('took %d ms for %s', 7, 'alice')`.
 *
 * Checking a freshly merged message for characters JSON must escape makes V8 flatten the concatenation first.
 * measured (Node 20.20, a 30-char message, CPU time): 120–220 ns on top of the 40–55 ns merge, more than the rest
 * of the JSON line. Escaping is per character, so the pieces are checked instead: the message's literals once per
 * message (cached), then each argument (short and already flat). The merge is `fastMerge`'s in core/record.ts,
 * the same concatenation, for the same narrow case: bare `%s` of strings, `%d` of safe integers, `%%`.
 */
import { compileMessage, intText, LogRecord } from '../core/record.js';
import { escapeBody, NEEDS_ESCAPE, NEEDS_ESCAPE_ASCII } from './json-encode.js';
import { templateCache } from '../internal/template-cache.js';

interface Template {
  /** Literal text between conversions (`%%` folded). */
  readonly lits: readonly string[];
  /** The same, escaped for a JSON string under each ensure_ascii setting. */
  readonly json: readonly string[];
  readonly jsonAscii: readonly string[];
  /** 115 (`s`) or 100 (`d`) per conversion. */
  readonly convs: readonly number[];
  /** True when no literal needs an escape under ensure_ascii (then neither without it). */
  readonly plain: boolean;
  /** Per conversion, the last string argument found to need no escape (arguments such as a user name repeat). */
  readonly clean: (string | null)[];
}

/** The record's message template (the same parse `getMessage` uses), with each literal escaped both ways. */
function compile(msg: string): Template | null {
  const base = compileMessage(msg);
  if (base === null) return null;
  const lits = base.lits;
  const convs = base.convs;
  const jsonAscii = lits.map((l) => escapeBody(l, true));
  return { lits, convs, json: lits.map((l) => escapeBody(l, false)), jsonAscii, plain: jsonAscii.every((j, i) => j === lits[i]), clean: convs.map(() => null) };
}

const templateOf = templateCache(compile);

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared with the record's, never called alone
const getMessage = LogRecord.prototype.getMessage;

/**
 * Sets `record.message` as `getMessage()` would and returns its JSON string literal, or returns null (leaving the
 * record alone) when the call is not the narrow common case; the caller then uses `getMessage()`.
 */
export function mergeMessageJson(record: LogRecord, ensureAscii: boolean): string | null {
  const msg = record.msg;
  const args = record.args;
  if (typeof msg !== 'string' || !Array.isArray(args) || record.getMessage !== getMessage) return null;
  if (args.length === 0) return null;
  const t = templateOf(msg);
  if (t === null || t.convs.length !== args.length) return null;
  // Build the message; while every piece needs no escape its JSON text is the same characters, so only a message
  // with something to escape pays for a second concatenation.
  const lits = t.lits;
  const convs = t.convs;
  let m = lits[0] as string;
  let plain = t.plain;
  for (let i = 0; i < args.length; i++) {
    const v: unknown = args[i];
    if (convs[i] === 115) {
      if (typeof v !== 'string') return null;
      if (plain && v !== t.clean[i]) {
        if ((ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(v)) plain = false;
        else if (ensureAscii) t.clean[i] = v;
      }
      m += v;
    } else {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return null;
      m += intText(v);
    }
    m += lits[i + 1] as string;
  }
  record.message = m;
  if (plain) return `"${m}"`;
  const json = ensureAscii ? t.jsonAscii : t.json;
  let j = json[0] as string;
  for (let i = 0; i < args.length; i++) {
    const v = args[i] as string | number;
    j += (typeof v === 'string' ? escapeBody(v, ensureAscii) : intText(v)) + (json[i + 1] as string);
  }
  return `"${j}"`;
}
