/**
 * The text a Formatter last produced, reused when handlers sharing the formatter format the same record again.
 *
 * CPython formats once per handler. The text is a function of the record's fields and the formatter's settings, so
 * a second format of an unchanged record gives the same text: only the speed changes. "Unchanged" is checked
 * exactly on every reuse, against a snapshot taken when the text was made: the message's `msg` and the identity of
 * `args` and of each argument, `created`/`msecs`, each field the format reads, the absence of exception and stack
 * text, and the formatter's time settings and methods. Only records whose inputs are primitives (strings, numbers,
 * …) are remembered, so nothing the snapshot refers to can change behind its back; a filter that returns a modified
 * copy (3.12) or a `QueueHandler.prepare` copy is another object and is formatted afresh.
 */
import { LogRecord } from './record.js';
import { compileFunction } from '../internal/codegen.js';
import type { FormatStyle } from './format-styles.js';
import type { Converter, Formatter } from './formatter.js';

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
const defaultGetMessage = LogRecord.prototype.getMessage;

function primitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && v !== undefined);
}

/**
 * `Object.is` for values a snapshot holds, except that NaN never matches (the text is simply made again). Each type
 * has its own `===`, so each comparison's type feedback stays monomorphic. measured (Node 20.20, 8 handlers to null
 * sinks): one `a === b` seeing strings and numbers was a generic comparison, ~60 % of the reuse check.
 */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string') return typeof b === 'string' && a === b;
  if (typeof a === 'number') return typeof b === 'number' && a === b && (a !== 0 || 1 / a === 1 / b);
  return a === b;
}

/** Copies the fields into `vals`; false when one is not a primitive. */
type Snapshot = (record: LogRecord, vals: unknown[]) => boolean;
/** True when every field still holds its value in `vals`. */
type Compare = (record: LogRecord, vals: readonly unknown[]) => boolean;

/**
 * The snapshot and compare functions for `keys`, with one named (monomorphic) property load per field, as the `%`
 * style's renderer does; loops over keyed loads when code generation is refused. measured (Node 20.20, 8
 * handlers to null sinks): the keyed loads made the check 30 % of the profile.
 */
function fieldFunctions(keys: readonly string[]): { snapshot: Snapshot; compare: Compare } {
  // A JSON string is a JS string literal: no code can be injected.
  const loads = keys.map((k) => `r[${JSON.stringify(k)}]`);
  const snap = loads.map((l, i) => `x = ${l};\nif (!primitive(x)) return false;\nv[${i}] = x;\n`).join('');
  const cmp = loads.map((l, i) => `same(${l}, v[${i}])`).join(' && ') || 'true';
  const make = compileFunction<(p: typeof primitive, s: typeof same) => [Snapshot, Compare]>(
    ['primitive', 'same'],
    `return [function snapshot(r, v) {\nlet x;\n${snap}return true;\n}, function compare(r, v) {\nreturn ${cmp};\n}];`,
  );
  if (make !== null) {
    const [snapshot, compare] = make(primitive, same);
    return { snapshot, compare };
  }
  return {
    snapshot: (r, v) => {
      for (let i = 0; i < keys.length; i++) {
        const x = r[keys[i] as string];
        if (!primitive(x)) return false; // undefined too: the formatter's defaults (a mutable object) would be read
        v[i] = x;
      }
      return true;
    },
    compare: (r, v) => {
      for (let i = 0; i < keys.length; i++) if (!same(r[keys[i] as string], v[i])) return false;
      return true;
    },
  };
}

/** One formatter's last text and what it was made from. */
export class FormatCache {
  record: LogRecord | null = null;
  text = '';
  message = '';
  asctime: string | undefined = undefined;
  #msg: string = '';
  #args: unknown = null;
  #argVals: unknown[] = [];
  #argCount = -1;
  #created = 0;
  #msecs = 0;
  /** The fields the format reads, other than `message` and `asctime` (which format() itself sets). */
  readonly #vals: unknown[];
  readonly #snapshot: Snapshot;
  readonly #compare: Compare;
  #style: FormatStyle | null = null;
  #datefmt: string | null = null;
  #converter: Converter | null = null;
  #timeFormat: string = '';
  #msecFormat: string | null = null;
  // The methods format() relies on, as the formatter had them when the text was made.
  #formatTime: unknown = null;
  #formatMessage: unknown = null;
  #usesTime: unknown = null;

  constructor(fields: ReadonlySet<string>) {
    const keys = [...fields].filter((f) => f !== 'message' && f !== 'asctime');
    this.#vals = keys.map(() => undefined);
    ({ snapshot: this.#snapshot, compare: this.#compare } = fieldFunctions(keys));
  }

  /** Remembers `text`, just made by `f` from `record`, when the record's inputs are all primitives. */
  remember(f: Formatter, record: LogRecord, text: string): void {
    this.record = null;
    const msg = record.msg;
    if (typeof msg !== 'string' || record.exc_info || record.exc_text || record.stack_info) return;
    if (record.constructor !== LogRecord || record.getMessage !== defaultGetMessage) return;
    const args = record.args;
    let count = -1;
    if (Array.isArray(args)) {
      count = args.length;
      for (let i = 0; i < count; i++) {
        const v: unknown = args[i];
        if (!primitive(v)) return;
        this.#argVals[i] = v;
      }
    } else if (args !== null && args !== undefined) {
      return; // a mapping: its values could change in place
    }
    // undefined is refused too: the formatter's defaults (a mutable object) would be read.
    if (!this.#snapshot(record, this.#vals)) return;
    this.#msg = msg;
    this.#args = args;
    this.#argCount = count;
    this.#created = record.created;
    this.#msecs = record.msecs;
    this.#style = f._style;
    this.#datefmt = f.datefmt;
    this.#converter = f.converter;
    this.#timeFormat = f.default_time_format;
    this.#msecFormat = f.default_msec_format;
    /* eslint-disable @typescript-eslint/unbound-method -- compared, never called */
    this.#formatTime = f.formatTime;
    this.#formatMessage = f.formatMessage;
    this.#usesTime = f.usesTime;
    /* eslint-enable @typescript-eslint/unbound-method */
    this.record = record;
    this.text = text;
    this.message = record.message as string;
    this.asctime = f.usesTime() ? record.asctime : undefined;
  }

  /** True when `record` (the remembered one) and `f` are as they were when the text was made. */
  valid(f: Formatter, record: LogRecord): boolean {
    if (record.msg !== this.#msg || record.args !== this.#args) return false;
    const created = record.created;
    const msecs = record.msecs;
    if (created !== this.#created || (created === 0 && 1 / created !== 1 / this.#created)) return false;
    if (msecs !== this.#msecs || (msecs === 0 && 1 / msecs !== 1 / this.#msecs)) return false;
    if (record.exc_info || record.exc_text || record.stack_info) return false;
    if (record.getMessage !== defaultGetMessage) return false;
    const count = this.#argCount;
    if (count >= 0) {
      const args = record.args as readonly unknown[];
      if (args.length !== count) return false;
      const argVals = this.#argVals;
      for (let i = 0; i < count; i++) if (!same(args[i], argVals[i])) return false;
    }
    if (!this.#compare(record, this.#vals)) return false;
    return (
      f._style === this.#style &&
      f.datefmt === this.#datefmt &&
      f.converter === this.#converter &&
      f.default_time_format === this.#timeFormat &&
      f.default_msec_format === this.#msecFormat &&
      f.formatTime === this.#formatTime &&
      f.formatMessage === this.#formatMessage &&
      f.usesTime === this.#usesTime
    );
     
  }
}
