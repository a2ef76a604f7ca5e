/**
 * The options of `JsonFormatter`: their names (Python's and ours), and the checks that make the options object
 * closed (an unknown key is a TypeError naming it, with the right name when it is close).
 */
import type { FormatterOptions } from '../core/formatter.js';
import { safeRepr } from '../core/repr.js';
import { checkOptions } from '../internal/options.js';
import type { JsonDefault } from './json-encode.js';

/** Keyword arguments of `JsonFormatter`: `Formatter`'s, plus python-json-logger's (camelCased) and `mappingFields`. */
export interface JsonFormatterOptions extends FormatterOptions {
  /**
   * `json_default`: called with each value JSON cannot hold; what it returns is written instead.
   * @default {@link jsonEncoderDefault} (python-json-logger's `JsonEncoder.default`)
   */
  jsonDefault?: JsonDefault | null;
  /** `json_indent`: spaces (or a string) per nesting level; null writes one line. @default null */
  jsonIndent?: number | string | null;
  /** `json_ensure_ascii`: escape every character outside printable ASCII as `\uXXXX`. @default true */
  jsonEnsureAscii?: boolean;
  /** `prefix`: text written before the JSON object. @default '' */
  prefix?: string;
  /** `rename_fields`: output names for fields the format names, `{ levelname: 'level' }`. @default {} */
  renameFields?: Readonly<Record<string, string>> | null;
  /** `static_fields` (python-json-logger 3.x): fields added to every object, after the format's fields. @default {} */
  staticFields?: Readonly<Record<string, unknown>> | null;
  /** `reserved_attrs`: record attributes never written as extra fields. @default {@link RESERVED_ATTRS} */
  reservedAttrs?: Iterable<string> | null;
  /** `timestamp`: true adds `"timestamp"`, a string adds that key: the record's time as UTC `isoformat()`. @default false */
  timestamp?: boolean | string;
  /**
   * Node addition: a single plain-object argument the message does not consume (`log.info('login', { userId: 42 })`)
   * becomes fields of the object. False keeps python-json-logger's output exactly. @default true
   */
  mappingFields?: boolean;
}

/** Our option name → python-json-logger's keyword (for docs and dictConfig). */
export const PY_NAMES: Readonly<Record<keyof JsonFormatterOptions, string>> = {
  datefmt: 'datefmt',
  style: 'style',
  validate: 'validate',
  defaults: 'defaults',
  jsonDefault: 'json_default',
  jsonIndent: 'json_indent',
  jsonEnsureAscii: 'json_ensure_ascii',
  prefix: 'prefix',
  renameFields: 'rename_fields',
  staticFields: 'static_fields',
  reservedAttrs: 'reserved_attrs',
  timestamp: 'timestamp',
  mappingFields: 'mapping_fields',
};

const KNOWN: readonly string[] = Object.keys(PY_NAMES);

/** Throws a TypeError for a key `JsonFormatter` does not know, naming it (and the right name when close). */
export function checkOptionKeys(options: object): void {
  checkOptions('JsonFormatter', options, KNOWN);
}

/** The `json_indent` string per level, or null; CPython turns an int into that many spaces (none when negative). */
export function indentText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return ' '.repeat(Math.max(0, v));
  throw new TypeError(`JsonFormatter: jsonIndent must be an integer, a string or null, got ${safeRepr(v)}`);
}

/** Checks that `v` is a boolean (or absent), naming the option otherwise. */
export function boolOption(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`JsonFormatter: ${name} must be a boolean, got ${safeRepr(v)}`);
  return v;
}

/** Checks that `v` is a plain object of fields (or absent/null), naming the option otherwise. */
export function fieldsOption(name: string, v: unknown): ReadonlyMap<string, unknown> {
  const out = new Map<string, unknown>();
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new TypeError(`JsonFormatter: ${name} must be an object of fields, got ${safeRepr(v)}`);
  }
  const entries = v instanceof Map ? [...(v as Map<unknown, unknown>)] : Object.entries(v);
  for (const [k, x] of entries) out.set(String(k), x);
  return out;
}
