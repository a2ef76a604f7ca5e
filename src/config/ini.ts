/**
 * Python's `configparser.ConfigParser` reading rules, as `fileConfig` uses them: `[section]` headers, `key = value`
 * or `key: value` (keys lower-cased), full-line `#`/`;` comments, indented continuation lines (blank lines inside a
 * value kept), a `[DEFAULT]` section seen by every section, strict duplicate checks, and BasicInterpolation
 * (`%(name)s` from the same section or DEFAULT, `%%` for `%`, at most 10 levels) unless `raw`.
 */
import { pyStr, repr } from '../core/repr.js';

/** Python's `configparser.Error` family; `name` is the Python class name (`ParsingError`, …). */
export class ConfigParserError extends Error {
  /**
   * The `configparser` class the error stands for (`'ParsingError'`, `'NoSectionError'`, `'NoOptionError'`,
   * `'InterpolationDepthError'`, …), as Python prints it; `'Error'` only until the constructor sets it.
   */
  override name = 'Error';
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const MAX_INTERPOLATION_DEPTH = 10;
const SECTION_RE = /^\[(?<header>.+)\]/;
const OPTION_RE = /^(?<option>.*?)\s*(?<vi>[=:])\s*(?<value>.*)$/;

/** `'DEFAULT'`, configparser's `DEFAULTSECT`: the section whose keys every other section sees as defaults. */
export const DEFAULTSECT = 'DEFAULT';

/** Options for {@link ConfigParser.get}. */
export interface GetOptions {
  /** Skip interpolation (Python's `raw=True`). @default false */
  raw?: boolean;
  /** Returned when the option is absent (Python's `fallback`); without it a missing option throws. */
  fallback?: string | null;
}

/** Python's `ConfigParser(defaults)` with `read_string`/`read_dict`/`get`; enough for `fileConfig`. */
export class ConfigParser {
  #defaults = new Map<string, string>();
  #sections = new Map<string, Map<string, string>>();

  /** `defaults` become `[DEFAULT]` values (stringified, keys lower-cased, never interpolated when read in). */
  constructor(defaults: Readonly<Record<string, unknown>> | null = null) {
    if (defaults) for (const [k, v] of Object.entries(defaults)) this.#defaults.set(k.toLowerCase(), pyStr(v));
  }

  /**
   * Python's `read_string(text, source)`.
   * @throws {ConfigParserError} `MissingSectionHeaderError`, `ParsingError` (all bad lines listed),
   * `DuplicateSectionError`, `DuplicateOptionError`, with CPython's messages.
   */
  readString(text: string, source = '<string>'): this {
    const lines = text.split(/(?<=\n)/);
    let cursect: Map<string, string> | null = null;
    let sectName = '';
    let optname: string | null = null;
    let indentLevel = 0;
    const errors: [number, string][] = [];
    const seenSections = new Set<string>();
    const seenOptions = new Map<string, Set<string>>();
    const cont = new Map<string, string[]>(); // values being built, joined at the end
    const finish = (): void => {
      if (cursect) {
        for (const [k, parts] of cont) {
          while (parts.length && parts[parts.length - 1] === '') parts.pop();
          cursect.set(k, parts.join('\n'));
        }
      }
      cont.clear();
    };
    lines.forEach((line, idx) => {
      const lineno = idx + 1;
      const stripped = line.trim();
      if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
        if (stripped === '' && cursect && optname !== null) cont.get(optname)?.push('');
        else if (stripped === '') optname = null;
        return;
      }
      const curIndent = line.length - line.trimStart().length;
      if (cursect && optname !== null && curIndent > indentLevel) {
        cont.get(optname)?.push(stripped);
        return;
      }
      indentLevel = curIndent;
      const sm = SECTION_RE.exec(stripped);
      if (sm) {
        const name = sm.groups?.['header'] as string;
        if (seenSections.has(name)) {
          throw new ConfigParserError(
            'DuplicateSectionError',
            `While reading from ${repr(source)} [line ${String(lineno).padStart(2)}]: section ${repr(name)} already exists`,
          );
        }
        finish();
        seenSections.add(name);
        sectName = name;
        if (name === DEFAULTSECT) cursect = this.#defaults;
        else {
          cursect = this.#sections.get(name) ?? new Map<string, string>();
          this.#sections.set(name, cursect);
        }
        seenOptions.set(name, new Set());
        optname = null;
        return;
      }
      if (!cursect) {
        throw new ConfigParserError(
          'MissingSectionHeaderError',
          `File contains no section headers.\nfile: ${repr(source)}, line: ${lineno}\n${repr(line)}`,
        );
      }
      const om = OPTION_RE.exec(stripped);
      const rawName = om?.groups?.['option']?.trimEnd() ?? '';
      if (!om || rawName === '') {
        errors.push([lineno, line]);
        optname = null;
        return;
      }
      const name = rawName.toLowerCase();
      const seen = seenOptions.get(sectName) as Set<string>;
      if (seen.has(name)) {
        throw new ConfigParserError(
          'DuplicateOptionError',
          `While reading from ${repr(source)} [line ${String(lineno).padStart(2)}]: option ${repr(name)} in section ${repr(sectName)} already exists`,
        );
      }
      seen.add(name);
      optname = name;
      cont.set(name, [(om.groups?.['value'] ?? '').trim()]);
    });
    finish();
    if (errors.length) {
      const body = errors.map(([n, l]) => `\n\t[line ${String(n).padStart(2)}]: ${repr(l)}`).join('');
      throw new ConfigParserError('ParsingError', `Source contains parsing errors: ${repr(source)}${body}`);
    }
    return this;
  }

  /** Python's `read_dict({section: {key: value}})`; values are stringified. */
  readDict(data: Readonly<Record<string, Readonly<Record<string, unknown>>>>): this {
    for (const [sect, opts] of Object.entries(data)) {
      let target = sect === DEFAULTSECT ? this.#defaults : this.#sections.get(sect);
      if (!target) {
        target = new Map();
        this.#sections.set(sect, target);
      }
      for (const [k, v] of Object.entries(opts)) target.set(k.toLowerCase(), pyStr(v));
    }
    return this;
  }

  /** The section names (without DEFAULT), in file order. */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  /** True when the section exists (DEFAULT counts, as in Python's `in`). */
  hasSection(section: string): boolean {
    return section === DEFAULTSECT || this.#sections.has(section);
  }

  /** True when `option` is in the section or in DEFAULT. */
  hasOption(section: string, option: string): boolean {
    const s = section === DEFAULTSECT ? this.#defaults : this.#sections.get(section);
    const key = option.toLowerCase();
    return s !== undefined && (s.has(key) || this.#defaults.has(key));
  }

  /** The option names of a section, DEFAULT's included. */
  options(section: string): string[] {
    const s = this.#sections.get(section);
    if (!s) throw new ConfigParserError('NoSectionError', `No section: ${repr(section)}`);
    return [...new Set([...s.keys(), ...this.#defaults.keys()])];
  }

  /**
   * Python's `get(section, option, raw=False, fallback=…)`.
   * @throws {ConfigParserError} `NoSectionError`/`NoOptionError` (without a fallback) and the Interpolation errors.
   */
  get(section: string, option: string, options: GetOptions = {}): string | null {
    const s = section === DEFAULTSECT ? this.#defaults : this.#sections.get(section);
    const key = option.toLowerCase();
    if (!s) {
      if ('fallback' in options) return options.fallback ?? null;
      throw new ConfigParserError('NoSectionError', `No section: ${repr(section)}`);
    }
    const value = s.get(key) ?? this.#defaults.get(key);
    if (value === undefined) {
      if ('fallback' in options) return options.fallback ?? null;
      throw new ConfigParserError('NoOptionError', `No option ${repr(key)} in section: ${repr(section)}`);
    }
    return options.raw ? value : this.#interpolate(section, key, value, value, s, 1);
  }

  #interpolate(
    section: string,
    option: string,
    rawval: string,
    text: string,
    s: Map<string, string>,
    depth: number,
  ): string {
    let out = '';
    let rest = text;
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new ConfigParserError(
        'InterpolationDepthError',
        `Recursion limit exceeded in value substitution: option ${repr(option)} in section ${repr(section)} ` +
          `contains an interpolation key which cannot be substituted in ${MAX_INTERPOLATION_DEPTH} steps. ` +
          `Raw value: ${repr(rawval)}`,
      );
    }
    while (rest) {
      const p = rest.indexOf('%');
      if (p < 0) return out + rest;
      out += rest.slice(0, p);
      rest = rest.slice(p);
      const c = rest[1];
      if (c === '%') {
        out += '%';
        rest = rest.slice(2);
      } else if (c === '(') {
        const m = /^%\(([^)]+)\)s/.exec(rest);
        if (!m) {
          throw new ConfigParserError('InterpolationSyntaxError', `bad interpolation variable reference ${repr(rest)}`);
        }
        const ref = (m[1] as string).toLowerCase();
        rest = rest.slice(m[0].length);
        const v = s.get(ref) ?? this.#defaults.get(ref);
        if (v === undefined) {
          throw new ConfigParserError(
            'InterpolationMissingOptionError',
            `Bad value substitution: option ${repr(option)} in section ${repr(section)} contains an ` +
              `interpolation key ${repr(ref)} which is not a valid option name. Raw value: ${repr(rawval)}`,
          );
        }
        out += v.includes('%') ? this.#interpolate(section, option, rawval, v, s, depth + 1) : v;
      } else {
        throw new ConfigParserError(
          'InterpolationSyntaxError',
          `'%' must be followed by '%' or '(', found: ${repr(rest)}`,
        );
      }
    }
    return out;
  }
}
