/**
 * Formatter and BufferingFormatter: turn a record into text with a `%`, `{` or `$` format string.
 *
 * The format string is compiled once, in the constructor, into segments; `format()` walks them. Whether the
 * format needs `asctime` or caller information is read off the compiled segments once, not per record.
 */
import { inspect } from 'node:util';
import { plainErrorStack } from '../internal/error-text.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import { ValueError } from './errors.js';
import { FormatCache } from './format-cache.js';
import { isMessageOnly, makeStyle, type FormatStyle, type StyleChar } from './format-styles.js';
import { percentFormat } from './printf.js';
import type { LogRecord } from './record.js';
import { safeRepr } from './repr.js';
import { bumpGeneration } from './state.js';
import { localtime, strftime, type StructTime } from './strftime.js';
import type { PySignature } from './py-signature.js';

/** A function from epoch seconds to broken-down time: `localtime` (the default) or `gmtime`. */
export type Converter = (t: number) => StructTime;

/** Keyword arguments of {@link Formatter}. */
export interface FormatterOptions {
  /** `strftime` format for `asctime`; default `default_time_format` plus `,msecs`. */
  datefmt?: string | null;
  /** `'%'` (the default), `'{'` or `'$'`. */
  style?: StyleChar;
  /** Check the format string against the style when constructing (default true). */
  validate?: boolean;
  /** Values for fields the record lacks (3.10). */
  defaults?: Readonly<Record<string, unknown>> | null;
}

const FORMATTER_KEYS = optionKeys<FormatterOptions>()(['datefmt', 'style', 'validate', 'defaults']);
const DEFAULTS_KEY = optionKeys<Pick<FormatterOptions, 'defaults'>>()(['defaults']);

/** Record fields that only caller capture (the JS stack) can fill. */
export const CALLER_FIELDS: ReadonlySet<string> = new Set(['pathname', 'filename', 'module', 'lineno', 'funcName']);

/**
 * Python's `logging.Formatter`.
 *
 * `new Formatter(fmt, datefmt, style, validate, { defaults })` mirrors Python's signature; the options form
 * `new Formatter(fmt, { datefmt, style, validate, defaults })` says the same with names.
 */
export class Formatter {
  /** The style object (`_style` in CPython): the compiled format. */
  readonly _style: FormatStyle;
  /** The format string (`_fmt`). */
  readonly _fmt: string;
  /** The `strftime` format for `asctime`, or null for the default. */
  datefmt: string | null;
  /** Turns `record.created` into broken-down time. Assign `gmtime` (here or on the prototype) for UTC. */
  declare converter: Converter;
  /** `strftime` format used when no `datefmt` is given. */
  declare default_time_format: string;
  /** `%`-format applied to `(time text, msecs)`; null for none. */
  declare default_msec_format: string | null;

  // asctime is identical for every record within one second: cache the text of the last second (per formatter).
  #timeSec = NaN;
  #timeText = '';
  #timeFmt: string | null = null;
  #timeConv: Converter | null = null;
  // ... and the whole `asctime` (with `,msecs`) for the last millisecond.
  #msBase = '';
  #msecs = -1;
  #msText = '';

  // Handlers sharing this formatter format the same record one after another: the last record seen, and, once that
  // happened, the last text with what it was made from (see format-cache.ts). measured (Node 20.20, 8 handlers
  // to null sinks): 0.67× pino.multistream formatting per handler.
  #seen: LogRecord | null = null;
  #cache: FormatCache | null = null;

  /** Python's `Formatter(fmt=None, datefmt=None, style='%', validate=True, *, defaults=None)`, for dictConfig. */
  static pySignature: PySignature | null = {
    params: ['fmt', 'datefmt', 'style', 'validate'],
    kwonly: ['defaults'],
    build: (C, kw) =>
      new C(kw['fmt'] ?? null, kw['datefmt'] ?? null, kw['style'] ?? '%', kw['validate'] ?? true, {
        defaults: kw['defaults'] ?? null,
      }),
  };
  constructor(
    fmt?: string | null,
    datefmtOrOptions?: string | null | FormatterOptions,
    style: StyleChar = '%',
    validate = true,
    options: Pick<FormatterOptions, 'defaults'> = {},
  ) {
    let datefmt: string | null | undefined;
    // Subclasses (JsonFormatter, ColoredFormatter) check their own, larger option sets.
    if (new.target === Formatter) {
      checkOptions('Formatter', options, DEFAULTS_KEY);
      if (datefmtOrOptions !== null && typeof datefmtOrOptions === 'object') checkOptions('Formatter', datefmtOrOptions, FORMATTER_KEYS);
    }
    let defaults = options.defaults ?? null;
    if (datefmtOrOptions !== null && typeof datefmtOrOptions === 'object') {
      datefmt = datefmtOrOptions.datefmt;
      style = datefmtOrOptions.style ?? '%';
      validate = datefmtOrOptions.validate ?? true;
      defaults = datefmtOrOptions.defaults ?? null;
    } else {
      datefmt = datefmtOrOptions;
    }
    if (style !== '%' && style !== '{' && style !== '$') {
      throw new ValueError('Style must be one of: %,{,$');
    }
    this._style = makeStyle(style, fmt ?? null, defaults);
    if (validate) this._style.validate();
    this._fmt = this._style._fmt;
    this.datefmt = datefmt ?? null;
    bumpGeneration(); // a new formatter may change whether loggers capture caller information
  }

  /**
   * The `asctime` text: `strftime(datefmt, converter(created))`, or `default_time_format` with
   * `default_msec_format % (text, msecs)` appended (`2024-01-01 12:00:00,007`). Override to change it.
   */
  formatTime(record: LogRecord, datefmt: string | null = null): string {
    const created = record.created;
    const sec = Math.floor(created);
    const fmt = datefmt || this.default_time_format; // CPython: `if datefmt:`, so '' means the default too
    const conv = this.converter;
    const s =
      sec === this.#timeSec && fmt === this.#timeFmt && conv === this.#timeConv
        ? this.#timeText
        : this.#newSecond(created, sec, fmt, conv);
    if (datefmt) return s;
    const msecFmt = this.default_msec_format;
    if (!msecFmt) return s;
    const msecs = record.msecs;
    if (msecFmt === '%s,%03d' && Number.isInteger(msecs) && msecs >= 0 && msecs < 1000) {
      // Records logged within one millisecond share the text. measured (Node 20.20, 2M calls): 7–11 ns a call
      // when the millisecond repeats, 18–39 ns when it has to build `s + ',' + msecs`.
      if (msecs === this.#msecs && s === this.#msBase) return this.#msText;
      return this.#newMillisecond(s, msecs);
    }
    return percentFormat(msecFmt, [s, msecs]);
  }

  // formatTime's work once a second and once a millisecond, apart so that formatTime stays small (see record.ts).
  #newSecond(created: number, sec: number, fmt: string, conv: Converter): string {
    const s = strftime(fmt, conv(created));
    this.#timeSec = sec;
    this.#timeFmt = fmt;
    this.#timeConv = conv;
    this.#timeText = s;
    return s;
  }

  #newMillisecond(s: string, msecs: number): string {
    const text = s + (msecs < 10 ? ',00' : msecs < 100 ? ',0' : ',') + msecs;
    this.#msBase = s;
    this.#msecs = msecs;
    this.#msText = text;
    return text;
  }

  /**
   * The text of an exception for `exc_text`. An `Error` renders as Node prints it (stack, `cause`, extra
   * properties); `true` without an error renders as Python's `NoneType: None`. Override to change it.
   *
   * Differs from CPython: the traceback is the JS stack, not Python's `Traceback (most recent call last):` form.
   */
  formatException(ei: unknown): string {
    let value = ei;
    if (Array.isArray(ei) && ei.length === 3) value = ei[1] as unknown; // a Python-style (type, value, tb) tuple
    if (value === true || value === null || value === undefined) return 'NoneType: None';
    try {
      const s = plainErrorStack(value) ?? inspect(value, { depth: 4, breakLength: Infinity });
      return s.endsWith('\n') ? s.slice(0, -1) : s;
    } catch {
      return safeRepr(value);
    }
  }

  /** True when the format uses `asctime`. */
  usesTime(): boolean {
    return this._style.usesTime();
  }

  /**
   * True when the format reads record fields that need the JS stack (`pathname`, `filename`, `module`, `lineno`,
   * `funcName`). Loggers capture caller information only when some formatter says yes; a subclass whose
   * `format()` reads those fields another way overrides this to return true.
   */
  usesCallerInfo(): boolean {
    for (const f of this._style.fields) if (CALLER_FIELDS.has(f)) return true;
    return false;
  }

  /** The format applied to the record's attributes (after `message`/`asctime` were set). */
  formatMessage(record: LogRecord): string {
    return this._style.format(record);
  }

  /** The text appended for `stack_info`. Override to change it. */
  formatStack(stack_info: string): string {
    return stack_info;
  }

  /**
   * Python's `Formatter.format`: sets `record.message` (and `record.asctime` when used), applies the format,
   * then appends the exception text (cached in `record.exc_text` by the first formatter that renders it) and the
   * stack info, each on a new line.
   * @throws What the message merge or the format raises; `Handler.format` callers route it to `handleError`.
   */
  format(record: LogRecord): string {
    let cache = this.#cache;
    if (record === this.#seen) {
      if (cache !== null && record === cache.record && cache.valid(this, record)) {
        record.message = cache.message;
        if (cache.asctime !== undefined) record.asctime = cache.asctime;
        return cache.text;
      }
      // A subclass's format() may do more than this one with the same record: only the plain format is reused.
      if (cache === null && this.format === baseFormat) cache = this.#cache = new FormatCache(this._style.fields);
    }
    this.#seen = record;
    const s = this.#format(record);
    if (cache !== null) cache.remember(this, record, s);
    return s;
  }

  #format(record: LogRecord): string {
    record.message = record.getMessage();
    if (this.usesTime()) record.asctime = this.formatTime(record, this.datefmt);
    const s = this.formatMessage(record);
    return record.exc_info || record.exc_text || record.stack_info ? this.#appendTraces(record, s) : s;
  }

  /** `format`'s exception and stack text, each on a new line (apart so that `#format` stays small). */
  #appendTraces(record: LogRecord, s: string): string {
    if (record.exc_info && !record.exc_text) record.exc_text = this.formatException(record.exc_info);
    if (record.exc_text) {
      if (s.length === 0 || s.charCodeAt(s.length - 1) !== 10) s += '\n';
      s += record.exc_text;
    }
    if (record.stack_info) {
      if (s.length === 0 || s.charCodeAt(s.length - 1) !== 10) s += '\n';
      s += this.formatStack(record.stack_info);
    }
    return s;
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
const baseFormat = Formatter.prototype.format;
Formatter.prototype.converter = localtime;
Formatter.prototype.default_time_format = '%Y-%m-%d %H:%M:%S';
Formatter.prototype.default_msec_format = '%s,%03d';

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
const baseFormatMessage = Formatter.prototype.formatMessage;

/**
 * @internal True when `f.format(record)` returns `record.getMessage()` itself for any record without exception or
 * stack text: `f` is a Formatter whose `format` and `formatMessage` are the base ones and whose style is
 * `%(message)s`. A QueueHandler with such a formatter may leave the merge to a worker (worker-listener.ts).
 */
export function formatsMessageOnly(f: Formatter): boolean {
  return f.format === baseFormat && f.formatMessage === baseFormatMessage && isMessageOnly(f._style);
}

/** The formatter used by handlers that have none (`%(message)s`). */
export const defaultFormatter = new Formatter();

/**
 * Python's `BufferingFormatter`: formats a batch of records as header + one line each + footer.
 */
export class BufferingFormatter {
  /** The formatter for each record. */
  linefmt: Formatter;

  /** Python's `BufferingFormatter(linefmt=None)`, for dictConfig. */
  static pySignature: PySignature | null = { params: ['linefmt'], build: (C, kw) => new C(kw['linefmt'] ?? null) };
  constructor(linefmt: Formatter | null = null) {
    this.linefmt = linefmt ?? defaultFormatter;
  }

  /** Text before the records. Override; the default is empty. */
  formatHeader(_records: readonly LogRecord[]): string {
    return '';
  }

  /** Text after the records. Override; the default is empty. */
  formatFooter(_records: readonly LogRecord[]): string {
    return '';
  }

  /** `''` for no records, else header + each record's line + footer. */
  format(records: readonly LogRecord[]): string {
    if (records.length === 0) return '';
    let rv = this.formatHeader(records);
    for (const r of records) rv += this.linefmt.format(r);
    return rv + this.formatFooter(records);
  }
}
