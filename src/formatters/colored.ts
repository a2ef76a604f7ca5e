/**
 * colorlog 6.7's `ColoredFormatter`, `LevelFormatter` and `TTYColoredFormatter`: a Formatter whose format string can
 * name colours (`%(log_color)s%(levelname)s%(reset)s %(blue)s%(message)s`), producing the same escape sequences as
 * colorlog for the same record.
 *
 * colorlog builds a dict of ~600 escape codes per record; here every colour sequence is parsed once, when the
 * formatter is built (or an attribute such as `log_colors` is reassigned), into one array of values per level name,
 * holding only the colour fields the format names. Per record: one level-name lookup and a copy of the record.
 */
import { KeyError, ValueError } from '../core/errors.js';
import { Formatter, type FormatterOptions } from '../core/formatter.js';
import { compilePercent, STAR } from '../core/printf.js';
import type { LogRecord } from '../core/record.js';
import { default_log_colors, escape_codes, parse_colors } from './color-codes.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import { makeViewBuilder, type ViewBuilder } from './color-view.js';
import { pyOptions, type PySignature } from '../core/py-signature.js';

/** A level name → colour sequence mapping (`{ ERROR: 'bold_red,bg_white' }`): colorlog's `log_colors`. */
export type LogColors = Readonly<Record<string, string>>;

/** What {@link ColoredFormatter} asks of its `stream`: Node's `isTTY`, or a Python-like `isatty()`. */
export interface ColorStream {
  /** Node's marker on TTY streams (`process.stdout.isTTY`). */
  readonly isTTY?: boolean;
  /** A Python file's `isatty()`; preferred over `isTTY` when present. */
  isatty?(): boolean;
}

/** Keyword arguments of {@link ColoredFormatter}: Formatter's plus colorlog's, camelCased. */
export interface ColoredFormatterOptions extends FormatterOptions {
  /** Level name → colour sequence for `log_color`. @default default_log_colors */
  logColors?: LogColors | null;
  /** `{ message: { ERROR: 'red' } }` fills `message_log_color` from its own mapping. @default {} */
  secondaryLogColors?: Readonly<Record<string, LogColors>> | null;
  /** Append the reset code to every message that does not already end with it. @default true */
  reset?: boolean;
  /**
   * The stream the output goes to: when it is not a TTY, no colours (unless forced). Any stream will do (a handler's
   * `stream`); one with neither `isatty()` nor `isTTY` counts as not a TTY. @default null
   */
  stream?: ColorStream | object | null;
  /** No colours at all (as if `NO_COLOR` were set). @default false */
  noColor?: boolean;
  /** Colours even when `noColor`, `NO_COLOR` or a non-TTY `stream` say otherwise. @default false */
  forceColor?: boolean;
}

/** colorlog's keyword arguments → ColoredFormatter's option names. */
const COLORED_KEYWORDS: Readonly<Record<string, string>> = {
  datefmt: 'datefmt',
  style: 'style',
  log_colors: 'logColors',
  reset: 'reset',
  secondary_log_colors: 'secondaryLogColors',
  validate: 'validate',
  stream: 'stream',
  no_color: 'noColor',
  force_color: 'forceColor',
  defaults: 'defaults',
};
const COLORED_FLAGS = ['reset', 'validate', 'noColor', 'forceColor'];

/** colorlog's keyword arguments as ColoredFormatter options; Python's None means false for the flags. */
function coloredOptions(kw: Readonly<Record<string, unknown>>): ColoredFormatterOptions {
  const o = pyOptions(kw, COLORED_KEYWORDS);
  for (const k of COLORED_FLAGS) if (o[k] === null) o[k] = false;
  return o;
}

const OPTION_NAMES = optionKeys<ColoredFormatterOptions>()([
  'datefmt',
  'style',
  'validate',
  'defaults',
  'logColors',
  'secondaryLogColors',
  'reset',
  'stream',
  'noColor',
  'forceColor',
]);

/** colorlog's `default_formats`: the format for each style when none is given. */
export const default_formats: Readonly<Record<'%' | '{' | '$', string>> = Object.freeze({
  '%': '%(log_color)s%(levelname)s:%(name)s:%(message)s',
  '{': '{log_color}{levelname}:{name}:{message}',
  $: '${log_color}${levelname}:${name}:${message}',
});

const RESET = escape_codes.get('reset') as string;

/** The colour fields a format uses, and their values for each level name. */
interface Tables {
  /** Field names, in the order of each values array. */
  readonly fields: readonly string[];
  /** Copies a record with the colour values set over it. */
  readonly view: ViewBuilder;
  /** Values per level name named in `log_colors` or a secondary mapping. */
  readonly byLevel: ReadonlyMap<string, readonly string[]>;
  /** Values for any other level name (its `log_color`s are ''). */
  readonly other: readonly string[];
  /** The reset code, or '' when colours are off. */
  readonly reset: string;
}

function ownEntries(mapping: unknown, what: string): [string, unknown][] {
  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw new TypeError(`${what} must be a mapping of level names to colour sequences, got ${Array.isArray(mapping) ? 'array' : typeof mapping}`);
  }
  return mapping instanceof Map ? [...(mapping as Map<string, unknown>)] : Object.entries(mapping);
}

/**
 * colorlog's `ColoredFormatter`: a Formatter whose format may use `%(log_color)s` (the colour of the record's level,
 * from `log_colors`), `%(<name>_log_color)s` (from `secondary_log_colors[name]`), `%(reset)s` and every named colour
 * of {@link escape_codes} (`%(blue)s`, `%(bold_red)s`, `%(bg_white)s`, `%(fg_208)s`).
 *
 * Colours are left out (every colour field is '') when `noColor` is true, `NO_COLOR` is set, or `stream` is given and
 * is not a TTY; `forceColor` or `FORCE_COLOR` overrides all of those. Without a `stream` the formatter cannot know
 * where its text goes and colours it, as colorlog does: pass `{ stream: handler.stream }` to follow the handler's
 * stream.
 *
 * Differs from colorlog: an unknown colour name throws `KeyError` when the formatter is built, not when a record of
 * that level is first formatted; the environment (`NO_COLOR`, `FORCE_COLOR`) and the stream's TTY-ness are read when
 * the formatter is built (and when one of its colour attributes is reassigned), not for every record.
 *
 * @example
 * ```ts
 * new ColoredFormatter('%(log_color)s%(levelname)-8s%(reset)s %(blue)s%(message)s', {
 *   logColors: { DEBUG: 'cyan', INFO: 'green', WARNING: 'yellow', ERROR: 'red', CRITICAL: 'bold_red,bg_white' },
 *   stream: process.stderr,
 * });
 * ```
 */
export class ColoredFormatter extends Formatter {
  #logColors: LogColors;
  #secondary: Readonly<Record<string, LogColors>>;
  #reset: boolean;
  #stream: ColorStream | object | null;
  #noColor: boolean;
  #forceColor: boolean;
  #tables: Tables;
  #percent: boolean;

  /** colorlog's `ColoredFormatter(fmt=None, datefmt=None, style='%', log_colors=None, …)`, for dictConfig. */
  static override pySignature: PySignature | null = {
    params: ['fmt', ...Object.keys(COLORED_KEYWORDS)],
    build: (C, kw) => new C(kw['fmt'] ?? null, coloredOptions(kw)),
  };
  /**
   * @param fmt The format; default {@link default_formats} for the style (`%(log_color)s%(levelname)s:%(name)s:%(message)s`).
   * @throws {TypeError} an unknown option key, or a colour mapping that is not a mapping of strings.
   * @throws {KeyError} an unknown colour name in `logColors` or `secondaryLogColors`.
   * @throws {ValueError} a style other than `%`, `{`, `$`, or a format that does not validate.
   */
  constructor(fmt?: string | null, options: ColoredFormatterOptions = {}) {
    checkOptions('ColoredFormatter', options, OPTION_NAMES);
    const style = options.style ?? '%';
    if (style !== '%' && style !== '{' && style !== '$') throw new ValueError('Style must be one of: %,{,$');
    super(fmt ?? default_formats[style], {
      datefmt: options.datefmt ?? null,
      style,
      validate: options.validate ?? true,
      defaults: options.defaults ?? null,
    });
    this.#logColors = options.logColors ?? default_log_colors;
    this.#secondary = options.secondaryLogColors ?? {};
    this.#reset = options.reset ?? true;
    this.#stream = options.stream ?? null;
    this.#noColor = options.noColor ?? false;
    this.#forceColor = options.forceColor ?? false;
    this.#percent = style === '%';
    this.#tables = this.#build();
  }

  /** Level name → colour sequence for `log_color`. Assigning re-parses the colours. */
  get log_colors(): LogColors {
    return this.#logColors;
  }
  /** Replaces the mapping (null: the defaults) and re-parses the colours. */
  set log_colors(v: LogColors | null) {
    this.#logColors = v ?? default_log_colors;
    this.#tables = this.#build();
  }

  /** Secondary name → level-name mapping for `<name>_log_color`. Assigning re-parses the colours. */
  get secondary_log_colors(): Readonly<Record<string, LogColors>> {
    return this.#secondary;
  }
  /** Replaces the secondary mappings (null: none) and re-parses the colours. */
  set secondary_log_colors(v: Readonly<Record<string, LogColors>> | null) {
    this.#secondary = v ?? {};
    this.#tables = this.#build();
  }

  /** True: append the reset code to messages that do not end with it. */
  get reset(): boolean {
    return this.#reset;
  }
  /** Turns appending the reset code on or off. */
  set reset(v: boolean) {
    this.#reset = v;
  }

  /** The stream whose TTY-ness decides colour (null: not consulted). Assigning decides again. */
  get stream(): ColorStream | object | null {
    return this.#stream;
  }
  /** Replaces the stream and decides again whether to colour. */
  set stream(v: ColorStream | object | null) {
    this.#stream = v;
    this.#tables = this.#build();
  }

  /** True: no colours unless forced. Assigning decides again. */
  get no_color(): boolean {
    return this.#noColor;
  }
  /** Sets `no_color` and decides again whether to colour. */
  set no_color(v: boolean) {
    this.#noColor = v;
    this.#tables = this.#build();
  }

  /** True: colours whatever `no_color`, `NO_COLOR` or the stream say. Assigning decides again. */
  get force_color(): boolean {
    return this.#forceColor;
  }
  /** Sets `force_color` and decides again whether to colour. */
  set force_color(v: boolean) {
    this.#forceColor = v;
    this.#tables = this.#build();
  }

  /**
   * colorlog's `_blank_escape_codes()`: true when every colour field should be ''. `force_color` or `FORCE_COLOR`
   * (set to anything, even '') → false; else `no_color` or `NO_COLOR` → true; else a `stream` that is not a TTY →
   * true. Called when the formatter is built and when a colour attribute is assigned; override to decide otherwise.
   */
  _blank_escape_codes(): boolean {
    const env = process.env;
    if (this.#forceColor || env['FORCE_COLOR'] !== undefined) return false;
    if (this.#noColor || env['NO_COLOR'] !== undefined) return true;
    const s = this.#stream;
    if (s !== null && s !== undefined && !isTTY(s)) return true;
    return false;
  }

  /** Parses every colour sequence once and lays out the values of the colour fields the format names. */
  #build(): Tables {
    const blank = this._blank_escape_codes();
    // One column per colour field the format reads: a named colour, log_color, or a secondary <name>_log_color.
    const sources = new Map<string, LogColors>([['log_color', this.#logColors]]);
    for (const [name, colors] of ownEntries(this.#secondary, 'secondary_log_colors')) {
      const key = `${name}_log_color`;
      if (!sources.has(key)) sources.set(key, colors as LogColors); // colorlog: codes.setdefault(...)
    }
    // Parse every sequence now, whether or not the format uses it, so a bad name fails here, not at format time.
    const parsed = new Map<string, Map<string, string>>();
    const levelNames = new Set<string>();
    for (const [key, colors] of sources) {
      const where = key === 'log_color' ? 'log_colors' : `secondary_log_colors['${key.slice(0, -'_log_color'.length)}']`;
      const m = new Map<string, string>();
      for (const [level, seq] of ownEntries(colors, where)) {
        m.set(level, parse_colors(seq as string, `${where}['${level}']`));
        levelNames.add(level);
      }
      parsed.set(key, m);
    }
    const fields = [...this._style.fields].filter((f) => escape_codes.has(f) || sources.has(f));
    const valuesFor = (level: string | null): string[] =>
      fields.map((f) => {
        if (blank) return '';
        const code = escape_codes.get(f); // escape_codes holds no *_log_color key, so the two never overlap
        if (code !== undefined) return code;
        return level === null ? '' : (parsed.get(f)?.get(level) ?? '');
      });
    const byLevel = new Map<string, readonly string[]>();
    for (const level of levelNames) byLevel.set(level, valuesFor(level));
    const copy = this.#readsAllFields() ? null : [...this._style.fields].filter((f) => !fields.includes(f));
    const bare = [...this._style.fields].some((f) => f in Object.prototype);
    const view = makeViewBuilder(copy, fields, bare);
    return { fields, view, byLevel, other: valuesFor(null), reset: blank ? '' : RESET };
  }

  /** True for a `%` format with a positional or broken conversion: it is applied to the whole attribute mapping. */
  #readsAllFields(): boolean {
    if (this._style.fields.size === 0) return true;
    if (!this.#percent) return false;
    // `*` widths read positional arguments too; with a mapping CPython then fails, and so must we, on the same values
    return compilePercent(this._fmt).some(
      (seg) => typeof seg !== 'string' && (seg.key === null || seg.error !== null || seg.width === STAR || seg.precision === STAR),
    );
  }

  /**
   * colorlog's `formatMessage`: the format applied to a copy of the record with the colour fields set (they win
   * over record attributes of the same name), then the reset code appended if `reset` and the message does not
   * already end with it. The exception and stack text that `format()` appends come after the reset, as in colorlog.
   */
  override formatMessage(record: LogRecord): string {
    const t = this.#tables;
    let message: string;
    if (t.fields.length === 0) {
      message = super.formatMessage(record);
    } else {
      const level: unknown = record.levelname;
      const values = (typeof level === 'string' ? t.byLevel.get(level) : undefined) ?? t.other;
      message = super.formatMessage(t.view(record, values) as unknown as LogRecord);
    }
    const reset = t.reset;
    if (this.#reset && reset !== '' && !message.endsWith(reset)) message += reset;
    return message;
  }
}

/** colorlog's `TTYColoredFormatter`: kept for old configs, the same class as {@link ColoredFormatter}. */
export const TTYColoredFormatter = ColoredFormatter;

/** `stream.isatty()` when the stream has it, else Node's `stream.isTTY`. A throwing `isatty()` counts as "not a TTY". */
function isTTY(s: object): boolean {
  const stream = s as ColorStream;
  if (typeof stream.isatty === 'function') {
    try {
      return stream.isatty() === true;
    } catch {
      return false;
    }
  }
  return stream.isTTY === true;
}

/**
 * colorlog's `LevelFormatter`: one {@link ColoredFormatter} per level name, each with its own format; every other
 * option is shared.
 *
 * A record whose level name has no format throws `KeyError` (colorlog's behaviour), which the handler reports through
 * `handleError`; the host keeps running.
 *
 * @example
 * ```ts
 * new LevelFormatter({ INFO: '%(log_color)s%(message)s', ERROR: '%(log_color)sERR: %(message)s' });
 * ```
 */
export class LevelFormatter extends Formatter {
  /** Level name → its formatter (colorlog's `formatters`). */
  readonly formatters: ReadonlyMap<string, ColoredFormatter>;

  /** colorlog's `LevelFormatter(fmt, **kwargs)`: the keywords go to each level's ColoredFormatter. */
  static override pySignature: PySignature | null = {
    params: ['fmt'],
    required: 1,
    kwonly: Object.keys(COLORED_KEYWORDS),
    build: (C, kw) => new C(kw['fmt'], coloredOptions(kw)),
  };
  /**
   * @param fmt Level name → format string.
   * @param options As {@link ColoredFormatter}'s, applied to every level's formatter.
   * @throws As {@link ColoredFormatter}'s constructor.
   */
  constructor(fmt: Readonly<Record<string, string>>, options: ColoredFormatterOptions = {}) {
    checkOptions('LevelFormatter', options, OPTION_NAMES);
    const entries = ownEntries(fmt, 'LevelFormatter fmt');
    const formatters = new Map<string, ColoredFormatter>();
    for (const [level, f] of entries) formatters.set(level, new ColoredFormatter(f as string, options));
    super(null, { validate: false });
    this.formatters = formatters;
  }

  /** True when a level's format uses `asctime`. */
  override usesTime(): boolean {
    for (const f of this.formatters.values()) if (f.usesTime()) return true;
    return false;
  }

  /** True when a level's format needs caller information (`lineno`, `funcName`, …). */
  override usesCallerInfo(): boolean {
    for (const f of this.formatters.values()) if (f.usesCallerInfo()) return true;
    return false;
  }

  /**
   * The record formatted by its level's formatter.
   * @throws {KeyError} when no format is given for the record's level name.
   */
  override format(record: LogRecord): string {
    const level: unknown = record.levelname;
    const f = typeof level === 'string' ? this.formatters.get(level) : undefined;
    if (f === undefined) throw new KeyError(typeof level === 'string' ? `'${level}'` : String(level));
    return f.format(record);
  }
}
