/**
 * The three Formatter styles (CPython's `PercentStyle`, `StrFormatStyle`, `StringTemplateStyle`), compiled once.
 *
 * A style renders a record's attributes (plus `defaults`) through its format. Each knows the record fields its
 * format names, so the Formatter can answer `usesTime()` and "does this need caller information?" without
 * scanning the string again.
 */
import { ValueError } from './errors.js';
import { compileFunction } from '../internal/codegen.js';
import { compileBrace, compileDollar, validateBrace, validateDollar, type CompiledFormat } from './styles.js';
import { compilePercent, percentFormat, renderSpec, type PercentSpec } from './printf.js';
import type { LogRecord } from './record.js';
import { floatRepr, repr } from './repr.js';

/** The style characters. */
export type StyleChar = '%' | '{' | '$';

/** A compiled format for one style. */
export interface FormatStyle {
  /** The format string (after the default was applied). */
  readonly _fmt: string;
  /** The record fields the format names. */
  readonly fields: ReadonlySet<string>;
  /** True when the format uses `asctime`. */
  usesTime(): boolean;
  /** Throws CPython's `ValueError` when the format is not valid for the style. */
  validate(): void;
  /** Renders the record's attributes through the format. */
  format(record: LogRecord): string;
}

type Values = Readonly<Record<string, unknown>>;

const DEFAULT_FORMATS: Record<StyleChar, string> = { '%': '%(message)s', '{': '{message}', $: '${message}' };

// Python stores these as floats: `%(created)s` prints `1700000000.5` and `%(msecs)s` prints `7.0`.
const FLOAT_FIELDS: ReadonlySet<string> = new Set(['created', 'msecs', 'relativeCreated']);

/** CPython 3.13 `PercentStyle.validation_pattern` (re.I); `\w` widened to Unicode as Python's is. */
const PERCENT_VALIDATION = /%\([\p{L}\p{N}_]+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]/iu;
/**
 * The same pattern over ASCII names: whatever it matches, {@link PERCENT_VALIDATION} matches too, and it is tried
 * first. measured (Node 20.20, `--cpu-prof` of a process that imports pylogging): compiling the Unicode pattern, on
 * the first Formatter of a process (the default one, made on import), is 1.2 ms of start-up.
 */
const PERCENT_VALIDATION_ASCII = /%\([A-Za-z0-9_]+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]/i;

function fieldNotFound(key: string): ValueError {
  return new ValueError(`Formatting field not found in record: ${repr(key)}`);
}

/** A lookup that sees the record first, then `defaults` (CPython: `defaults | record.__dict__`). */
function withDefaults(record: LogRecord, defaults: Values | null): Values {
  return defaults ? { ...defaults, ...record } : record;
}

/** Rethrows a missing-key failure as CPython's `ValueError: Formatting field not found in record`. */
function rethrow(err: unknown): never {
  if (err instanceof Error && err.name === 'KeyError') {
    throw new ValueError(`Formatting field not found in record: ${err.message}`);
  }
  throw err;
}

// Segment kinds of the compiled `%` format.
const LITERAL = 0;
const PLAIN_S = 1; // `%(key)s` with no flags, width or precision: the overwhelmingly common case
const GENERAL = 2;

/** Renders segment `i` (not a literal) whose record value `v` was already read; the general path. */
type SegmentRenderer = (record: LogRecord, i: number, v: unknown) => string;

/**
 * Fields whose text repeats from one record to the next (unlike `message`, `created` or `lineno`): a leading run of
 * them is rendered once and reused while they render the same (see {@link buildRenderer}).
 */
const STABLE_FIELDS: ReadonlySet<string> = new Set([
  'asctime', 'levelname', 'levelno', 'name', 'process', 'processName', 'thread', 'threadName', 'taskName',
]);

/**
 * A function that renders the whole `%` format with one named property load per field, e.g.
 * `v = r["levelname"]; out += typeof v === 'string' ? v : slow(r, 3, v);`. Non-string values and fields with flags,
 * width or precision go through `slow` (the general path). Null when code generation is refused
 * (`--disallow-code-generation-from-strings`): `PercentStyle.format` then walks the same segments.
 *
 * measured (Node 20.20, `%(asctime)s %(levelname)s %(name)s: %(message)s`, `info()` to a null sink, CPU time,
 * three A/B runs): 2.7–3.8 M records/s walking the segments, 4.5–5.1 M with the generated function. The walk reads
 * `record[key]` with a different key each time, a megamorphic keyed load; the generated loads are monomorphic.
 *
 * The leading run of {@link STABLE_FIELDS} and literals (`%(asctime)s %(levelname)s %(name)s: `) is concatenated
 * only when one of its fields renders differently from the previous record; otherwise the previous text is reused,
 * which leaves one concatenation (and one piece for the write to flatten) instead of six. measured (Node 20.20,
 * 2-CPU VM under load 5–6, bench row floor's record to a FileHandler, both builds in one process, rounds
 * interleaved, CPU time): 0.96–0.97× the time per record; 0.88× with the write stubbed out.
 */
function buildRenderer(
  kinds: readonly number[],
  texts: readonly string[],
  slow: SegmentRenderer,
): ((record: LogRecord) => string) | null {
  // A JSON string is a JS string literal: no code can be injected.
  const field = (i: number): string => {
    const key = JSON.stringify(texts[i]);
    return kinds[i] === PLAIN_S ? `(v = r[${key}], typeof v === 'string' ? v : slow(r, ${i}, v))` : `slow(r, ${i}, r[${key}])`;
  };
  // The leading run of literals and fields that stay the same from record to record.
  let end = 0;
  const cached: number[] = [];
  for (; end < kinds.length; end++) {
    if (kinds[end] === LITERAL) continue;
    if (!STABLE_FIELDS.has(texts[end] as string)) break;
    cached.push(end);
  }
  let state = '';
  let body = 'let v;\nlet out;\n';
  let first = 0;
  if (cached.length > 0) {
    // That run's text, kept while its fields render to the same strings: with `%(asctime)s %(levelname)s
    // %(name)s: %(message)s`, every record of one logger and level within a millisecond. Fields are read and
    // `slow` is called in the same order as without it; only the concatenation of equal strings is skipped.
    state = `let ${cached.map((_, k) => `c${k} = null`).join(', ')};\nlet prefix = '';\n`;
    body += cached.map((i, k) => `const t${k} = ${field(i)};\n`).join('');
    const same = cached.map((_, k) => `t${k} === c${k}`).join(' && ');
    const parts: string[] = [];
    for (let i = 0, k = 0; i < end; i++) parts.push(kinds[i] === LITERAL ? JSON.stringify(texts[i]) : `t${k++}`);
    const remember = cached.map((_, k) => `c${k} = t${k};`).join(' ');
    body += `if (${same}) out = prefix;\nelse { out = ${parts.join(' + ')}; ${remember} prefix = out; }\n`;
    first = end;
  } else {
    body += "out = '';\n";
  }
  for (let i = first; i < kinds.length; i++) {
    body += kinds[i] === LITERAL ? `out += ${JSON.stringify(texts[i])};\n` : `out += ${field(i)};\n`;
  }
  const make = compileFunction<(slow: SegmentRenderer) => (record: LogRecord) => string>(
    ['slow'],
    `${state}return function render(r) {\n${body}return out;\n};`,
  );
  return make === null ? null : make(slow);
}

class PercentStyle implements FormatStyle {
  readonly _fmt: string;
  readonly fields: Set<string>;
  readonly #defaults: Values | null;
  readonly #kinds: number[] = [];
  readonly #texts: string[] = [];
  readonly #specs: (PercentSpec | null)[] = [];
  readonly #compiled: boolean;
  // measured (Node 20.20): `_fmt.includes('%(asctime)')` on every record was 3 % of a null-sink record.
  readonly #usesTime: boolean;
  readonly #render: ((record: LogRecord) => string) | null;

  constructor(fmt: string, defaults: Values | null) {
    this._fmt = fmt;
    this.#defaults = defaults;
    this.fields = new Set();
    let compiled = true;
    for (const seg of compilePercent(fmt)) {
      if (typeof seg === 'string') {
        this.#kinds.push(LITERAL);
        this.#texts.push(seg);
        this.#specs.push(null);
        continue;
      }
      if (seg.key === null || seg.error) compiled = false; // positional or broken: let percentFormat raise as CPython
      else this.fields.add(seg.key);
      const plain = !seg.minus && !seg.plus && !seg.space && !seg.alt && !seg.zero && seg.width === -1 && seg.precision === -1;
      this.#kinds.push(plain && seg.conversion === 's' ? PLAIN_S : GENERAL);
      this.#texts.push(seg.key ?? '');
      this.#specs.push(seg);
    }
    this.#compiled = compiled;
    this.#usesTime = fmt.includes('%(asctime)');
    this.#render = compiled ? buildRenderer(this.#kinds, this.#texts, (r, i, v) => this.#segment(r, i, v)) : null;
  }

  usesTime(): boolean {
    return this.#usesTime;
  }

  validate(): void {
    if (!PERCENT_VALIDATION_ASCII.test(this._fmt) && !PERCENT_VALIDATION.test(this._fmt)) throw new ValueError(`Invalid format '${this._fmt}' for '%' style`);
  }

  /**
   * `v` is `record[key]`, already read: returns it, or the default when the record lacks `key`. CPython formats
   * `record.__dict__`: an inherited method (`constructor`, `toString`, `getMessage`) or the prototype is not a
   * field; a getter of a record subclass still is.
   */
  #lookup(record: LogRecord, key: string, v: unknown): unknown {
    if (Object.hasOwn(record, key) || (v !== undefined && typeof v !== 'function' && key !== '__proto__')) return v;
    const d = this.#defaults;
    if (d !== null && Object.hasOwn(d, key)) return d[key];
    throw fieldNotFound(key);
  }

  #segment(record: LogRecord, i: number, value: unknown): string {
    const key = this.#texts[i] as string;
    const spec = this.#specs[i] as PercentSpec;
    let v = this.#lookup(record, key, value);
    if (typeof v === 'number' && FLOAT_FIELDS.has(key)) {
      if (spec.conversion === 's' || spec.conversion === 'r') v = floatRepr(v);
    }
    if (this.#kinds[i] === PLAIN_S && typeof v === 'string') return v;
    return renderSpec(spec, v);
  }

  format(record: LogRecord): string {
    if (!this.#compiled) {
      try {
        return percentFormat(this._fmt, withDefaults(record, this.#defaults));
      } catch (err) {
        rethrow(err);
      }
    }
    const render = this.#render;
    if (render !== null) return render(record);
    const kinds = this.#kinds;
    const texts = this.#texts;
    let out = '';
    for (let i = 0; i < kinds.length; i++) {
      const text = texts[i] as string;
      out += kinds[i] === LITERAL ? text : this.#segment(record, i, record[text]);
    }
    return out;
  }
}

/** CPython's `StrFormatStyle` (`{`) and `StringTemplateStyle` (`$`): a compiled render function over the values. */
class TemplateStyle implements FormatStyle {
  readonly _fmt: string;
  readonly fields: ReadonlySet<string>;
  readonly #render: (values: Values) => string;
  readonly #validate: (fmt: string) => void;
  readonly #defaults: Values | null;
  readonly #usesTime: boolean;

  constructor(
    fmt: string,
    defaults: Values | null,
    compile: (fmt: string) => CompiledFormat,
    validate: (fmt: string) => void,
    usesTime: boolean,
  ) {
    this._fmt = fmt;
    this.#defaults = defaults;
    const compiled = compile(fmt);
    this.#render = compiled;
    this.#validate = validate;
    this.fields = new Set(compiled.fields);
    this.#usesTime = usesTime;
  }

  usesTime(): boolean {
    return this.#usesTime;
  }

  validate(): void {
    this.#validate(this._fmt);
  }

  format(record: LogRecord): string {
    try {
      return this.#render(withDefaults(record, this.#defaults));
    } catch (err) {
      rethrow(err);
    }
  }
}

/**
 * True when `style` renders `record.message` and nothing else: CPython's default format, `%(message)s`, in the
 * plain `%` style (QueueHandler's test for leaving the merge to a worker, see formatsMessageOnly).
 */
export function isMessageOnly(style: FormatStyle): boolean {
  return style instanceof PercentStyle && style._fmt === '%(message)s' && style.format === PercentStyle.prototype.format;
}

/** Compiles `fmt` (or the style's default, `%(message)s` / `{message}` / `${message}`) for `style`. */
export function makeStyle(style: StyleChar, fmt: string | null, defaults: Values | null): FormatStyle {
  const f = fmt || DEFAULT_FORMATS[style];
  if (style === '%') return new PercentStyle(f, defaults);
  if (style === '{') return new TemplateStyle(f, defaults, compileBrace, validateBrace, f.includes('{asctime'));
  return new TemplateStyle(f, defaults, compileDollar, validateDollar, f.includes('$asctime') || f.includes('${asctime}'));
}
