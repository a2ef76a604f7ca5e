/**
 * The `{` and `$` Formatter styles: Python's `str.format(**values)` and `string.Template(fmt).substitute(**values)`,
 * each compiled once into segments that rendering walks (no regex or parsing per record), plus CPython 3.13's
 * `StrFormatStyle.validate` / `StringTemplateStyle.validate`. The `%` style lives in printf.ts.
 */
import { AttributeError, IndexError, KeyError, ValueError } from './errors.js';
import { formatSpec } from './format-spec.js';
import { ascii, repr, str } from './repr.js';

export { formatSpec } from './format-spec.js';

/** A compiled format: call it with the values (a record's attributes); `fields` names the values it reads. */
export interface CompiledFormat {
  (values: Readonly<Record<string, unknown>>): string;
  /** Top-level value names the format reads, in order, without duplicates (`asctime`, `lineno`, …). */
  readonly fields: readonly string[];
}

// --- str() and repr() of field values ---

// --- string.Formatter().parse: CPython Objects/stringlib/unicode_format.h (MarkupIterator, parse_field) ---

interface RawField {
  name: string;
  conversion: string; // '' when absent
  spec: string;
  expand: boolean; // the spec holds nested {fields}
}

/** One step of MarkupIterator: literal text, then a field, or the parse error that stops iteration there. */
interface Chunk {
  literal: string;
  field?: RawField;
  error?: string;
}

function parseMarkup(fmt: string): Chunk[] {
  const chunks: Chunk[] = [];
  const end = fmt.length;
  let pos = 0;
  while (pos < end) {
    const start = pos;
    let c = '';
    let markup = false;
    while (pos < end) {
      c = fmt[pos++] ?? '';
      if (c === '{' || c === '}') {
        markup = true;
        break;
      }
    }
    const atEnd = pos >= end;
    let len = pos - start;
    if (markup && c === '}' && (atEnd || fmt[pos] !== '}')) {
      chunks.push({ literal: '', error: "Single '}' encountered in format string" });
      return chunks;
    }
    if (markup && atEnd && c === '{') {
      chunks.push({ literal: '', error: "Single '{' encountered in format string" });
      return chunks;
    }
    if (markup && !atEnd) {
      if (fmt[pos] === c) {
        pos++; // `{{` or `}}`: the literal keeps one brace
        markup = false;
      } else {
        len--;
      }
    }
    const literal = fmt.slice(start, start + len);
    if (!markup) {
      chunks.push({ literal });
      continue;
    }
    const parsed = parseField(fmt, pos);
    if (typeof parsed === 'string') {
      chunks.push({ literal, error: parsed });
      return chunks;
    }
    chunks.push({ literal, field: parsed[0] });
    pos = parsed[1];
  }
  return chunks;
}

function parseField(fmt: string, from: number): [RawField, number] | string {
  const end = fmt.length;
  let pos = from;
  let c = '';
  while (pos < end) {
    c = fmt[pos++] ?? '';
    if (c === '{') return "unexpected '{' in field name";
    if (c === '[') {
      while (pos < end && fmt[pos] !== ']') pos++;
      continue;
    }
    if (c === '}' || c === ':' || c === '!') break;
  }
  const name = fmt.slice(from, pos - 1);
  if (c !== '!' && c !== ':') {
    return c === '}' ? [{ name, conversion: '', spec: '', expand: false }, pos] : "expected '}' before end of string";
  }
  let conversion = '';
  if (c === '!') {
    if (pos >= end) return 'end of string while looking for conversion specifier';
    conversion = String.fromCodePoint(fmt.codePointAt(pos) ?? 0);
    pos += conversion.length;
    if (pos < end) {
      const next = fmt[pos++];
      if (next === '}') return [{ name, conversion, spec: '', expand: false }, pos];
      if (next !== ':') return "expected ':' after conversion specifier";
    }
  }
  const specStart = pos;
  let depth = 1;
  let expand = false;
  while (pos < end) {
    const ch = fmt[pos++];
    if (ch === '{') {
      expand = true;
      depth++;
    } else if (ch === '}' && --depth === 0) {
      return [{ name, conversion, spec: fmt.slice(specStart, pos - 1), expand }, pos];
    }
  }
  return "unmatched '{' in format spec";
}

// --- validation (logging.StrFormatStyle.validate, 3.13) ---

// CPython's regexes with Python semantics spelt out: \w is [\p{L}\p{N}_], \d is \p{Nd}, `.` is [^\n], and `$`
// also matches before a final newline.
const FIELD_SPEC = /^(?:\p{Nd}+|[\p{L}\p{N}_]+)(?:\.[\p{L}\p{N}_]+|\[[^\]]+\])*\n?$/u;
const FMT_SPEC =
  /^(?:[^\n]?[<>=^])?[+ -]?#?0?(?:\p{Nd}+|\{[\p{L}\p{N}_]+\})?[,_]?(?:\.(?:\p{Nd}+|\{[\p{L}\p{N}_]+\}))?[bcdefgnosx%]?\n?$/iu;

/**
 * CPython 3.13 `StrFormatStyle.validate`: throws `ValueError('invalid format: …')` for a bad field name,
 * conversion or spec, a parse error, or a format with no fields.
 */
export function validateBrace(fmt: string): void {
  let fields = 0;
  for (const chunk of parseMarkup(fmt)) {
    if (chunk.error !== undefined) throw new ValueError(`invalid format: ${chunk.error}`);
    const field = chunk.field;
    if (!field) continue;
    if (field.name) {
      if (!FIELD_SPEC.test(field.name)) {
        throw new ValueError(`invalid format: invalid field name/expression: ${repr(field.name)}`);
      }
      fields++;
    }
    if (field.conversion && !'rsa'.includes(field.conversion)) {
      throw new ValueError(`invalid format: invalid conversion: ${repr(field.conversion)}`);
    }
    if (field.spec && !FMT_SPEC.test(field.spec)) {
      throw new ValueError(`invalid format: bad specifier: ${repr(field.spec)}`);
    }
  }
  if (fields === 0) throw new ValueError('invalid format: no fields');
}

// --- compiling str.format ---

type Accessor = { attr: string } | { item: string | number };

interface Field {
  first: string;
  /** `{0}` or `{}`: positional, always out of range here (values are keywords only). */
  index: number | undefined;
  inProto: boolean;
  path: Accessor[];
  /** Thrown after walking `path` (CPython splits the name lazily, after the first lookup). */
  pathError: string | undefined;
  conversion: string;
  spec: string | Segment[] | Failure;
}

/** A parse error, raised (as a fresh ValueError) only when rendering reaches it, as CPython's lazy parse does. */
interface Failure {
  error: string;
}

type Segment = string | Field | Failure;

function splitName(field: RawField, fields: Set<string>): Field {
  const name = field.name;
  let i = 0;
  while (i < name.length && name[i] !== '.' && name[i] !== '[') i++;
  const first = name.slice(0, i);
  const index = first === '' ? 0 : /^\p{Nd}+$/u.test(first) ? Number(first.replace(/\p{Nd}/gu, (d) => String(digitValue(d)))) : undefined;
  if (index === undefined) fields.add(first);
  const path: Accessor[] = [];
  let pathError: string | undefined;
  while (i < name.length && pathError === undefined) {
    const c = name[i++];
    let j = i;
    if (c === '.') {
      while (j < name.length && name[j] !== '.' && name[j] !== '[') j++;
      if (j === i) pathError = 'Empty attribute in format string';
      else path.push({ attr: name.slice(i, j) });
      i = j;
    } else if (c === '[') {
      while (j < name.length && name[j] !== ']') j++;
      if (j >= name.length) pathError = "Missing ']' in format string";
      else if (j === i) pathError = 'Empty attribute in format string';
      else {
        const key = name.slice(i, j);
        path.push({ item: /^\p{Nd}+$/u.test(key) ? Number(key.replace(/\p{Nd}/gu, (d) => String(digitValue(d)))) : key });
      }
      i = j + 1;
    } else {
      pathError = "Only '.' or '[' may follow ']' in format field specifier";
    }
  }
  return { first, index, inProto: first in Object.prototype, path, pathError, conversion: field.conversion, spec: field.spec };
}

/** The value of a Unicode decimal digit (Python's int() accepts any \p{Nd}). */
function digitValue(d: string): number {
  const cp = d.codePointAt(0) ?? 48;
  // Nd digits come in runs of ten (some blocks hold several runs back to back): count from the block's start.
  let zero = cp;
  while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return (cp - zero) % 10;
}

function compileSegments(fmt: string, depth: number, fields: Set<string>): Segment[] {
  const segments: Segment[] = [];
  for (const chunk of parseMarkup(fmt)) {
    if (chunk.literal) segments.push(chunk.literal);
    if (chunk.error !== undefined) segments.push({ error: chunk.error });
    if (!chunk.field) continue;
    const field = splitName(chunk.field, fields);
    if (chunk.field.expand) {
      field.spec = depth <= 1 ? { error: 'Max string recursion exceeded' } : compileSegments(chunk.field.spec, depth - 1, fields);
    }
    segments.push(field);
  }
  return segments;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (typeof v !== 'object' && typeof v !== 'function') return typeof v;
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) return 'dict';
  const ctor = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor ? ctor : 'object';
}

function lookup(values: Readonly<Record<string, unknown>>, name: string, inProto: boolean): unknown {
  const v = values[name];
  // Inherited from Object.prototype (a method, or `__proto__`): not a field, as it is not in Python's __dict__.
  if (v === undefined ? !(name in values) : inProto && !Object.hasOwn(values, name) && (typeof v === 'function' || name === '__proto__')) {
    throw new KeyError(repr(name));
  }
  return v;
}

function access(obj: unknown, step: Accessor): unknown {
  if ('attr' in step) {
    if (obj !== null && obj !== undefined && step.attr in Object(obj)) return (obj as Record<string, unknown>)[step.attr];
    throw new AttributeError(`'${typeName(obj)}' object has no attribute ${repr(step.attr)}`);
  }
  const key = step.item;
  if (typeof obj === 'string' || Array.isArray(obj)) {
    if (typeof key !== 'number') throw new TypeError(`${typeName(obj) === 'str' ? 'string' : 'list'} indices must be integers or slices, not str`);
    if (key >= obj.length) throw new IndexError(`${typeof obj === 'string' ? 'string' : 'list'} index out of range`);
    return obj[key];
  }
  if (obj instanceof Map) {
    if (obj.has(key)) return obj.get(key);
    throw new KeyError(typeof key === 'number' ? String(key) : repr(key));
  }
  if (obj === null || typeof obj !== 'object') throw new TypeError(`'${typeName(obj)}' object is not subscriptable`);
  if (key in obj) return (obj as Record<string, unknown>)[key];
  throw new KeyError(typeof key === 'number' ? String(key) : repr(key));
}

function render(segments: readonly Segment[], values: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'string') {
      out += seg;
      continue;
    }
    if ('error' in seg) throw new ValueError(seg.error);
    if (seg.index !== undefined) throw new IndexError(`Replacement index ${seg.index} out of range for positional args tuple`);
    let v = lookup(values, seg.first, seg.inProto);
    for (const step of seg.path) v = access(v, step);
    if (seg.pathError !== undefined) throw new ValueError(seg.pathError);
    const conv = seg.conversion;
    if (conv) {
      if (conv === 'r') v = repr(v);
      else if (conv === 's') v = str(v);
      else if (conv === 'a') v = ascii(v);
      else {
        const cp = conv.codePointAt(0) ?? 0;
        throw new ValueError(`Unknown conversion specifier ${cp > 32 && cp < 127 ? conv : '\\x' + cp.toString(16)}`);
      }
    }
    const spec = seg.spec;
    if (spec === '') out += typeof v === 'string' ? v : str(v);
    else if (typeof spec === 'string') out += formatSpec(v, spec, str);
    else if ('error' in spec) throw new ValueError(spec.error);
    else out += formatSpec(v, render(spec, values), str);
  }
  return out;
}

/**
 * Compiles a `{`-style format for `fmt.format(**values)`. Never throws: a parse error is raised where CPython
 * would meet it while rendering, after the fields before it (so `'{missing} }'` gives the `KeyError`).
 * A missing value throws `KeyError` whose message is the key's repr (`'random'`).
 */
export function compileBrace(fmt: string): CompiledFormat {
  const names = new Set<string>();
  const segments = compileSegments(fmt, 2, names);
  let fn: (values: Readonly<Record<string, unknown>>) => string;
  if (segments.length === 1 && typeof segments[0] === 'string') {
    const text = segments[0];
    fn = () => text;
  } else {
    fn = (values) => render(segments, values);
  }
  return Object.assign(fn, { fields: Object.freeze([...names]) });
}

// --- string.Template ---

function isIdStart(c: number): boolean {
  return c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdChar(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** A `$` at `i`: its kind, the identifier and where the match ends (Template.pattern's alternatives in order). */
function matchDollar(fmt: string, i: number): { kind: 'escaped' | 'named' | 'invalid'; name: string; end: number } {
  const c = fmt.charCodeAt(i + 1);
  if (c === 36) return { kind: 'escaped', name: '', end: i + 2 };
  let j = i + 1;
  if (isIdStart(c)) {
    while (isIdChar(fmt.charCodeAt(j))) j++;
    return { kind: 'named', name: fmt.slice(i + 1, j), end: j };
  }
  if (c === 123 && isIdStart(fmt.charCodeAt(i + 2))) {
    j = i + 2;
    while (isIdChar(fmt.charCodeAt(j))) j++;
    if (fmt.charCodeAt(j) === 125) return { kind: 'named', name: fmt.slice(i + 2, j), end: j + 1 };
  }
  return { kind: 'invalid', name: '', end: i + 1 };
}

/** `Template._invalid`: 1-based line and column of the `$`, lines split as `str.splitlines()` does. */
function invalidPlaceholder(fmt: string, afterDollar: number): string {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < afterDollar; k++) {
    const c = fmt.charCodeAt(k);
    if (c === 13 && fmt.charCodeAt(k + 1) === 10 && k + 1 < afterDollar) k++;
    if ((c >= 10 && c <= 13) || (c >= 0x1c && c <= 0x1e) || c === 0x85 || c === 0x2028 || c === 0x2029) {
      line++;
      lineStart = k + 1;
    }
  }
  const col = Array.from(fmt.slice(lineStart, afterDollar)).length;
  return `Invalid placeholder in string: line ${line}, col ${col}`;
}

/** CPython 3.13 `StringTemplateStyle.validate`: `invalid format: bare '$' not allowed`, `invalid format: no fields`. */
export function validateDollar(fmt: string): void {
  let fields = 0;
  for (let i = fmt.indexOf('$'); i >= 0; ) {
    const m = matchDollar(fmt, i);
    if (m.kind === 'named') fields++;
    else if (m.kind === 'invalid') throw new ValueError("invalid format: bare '$' not allowed");
    i = fmt.indexOf('$', m.end);
  }
  if (fields === 0) throw new ValueError('invalid format: no fields');
}

/**
 * Compiles a `$`-style format for `Template(fmt).substitute(**values)`: `$name`, `${name}`, `$$`. A missing value
 * throws `KeyError`; a bad `$` throws `ValueError: Invalid placeholder in string: line 1, col N` when reached.
 */
export function compileDollar(fmt: string): CompiledFormat {
  const segments: (string | { name: string; inProto: boolean } | Failure)[] = [];
  const names = new Set<string>();
  let literal = '';
  let from = 0;
  for (let i = fmt.indexOf('$'); i >= 0; i = fmt.indexOf('$', from)) {
    literal += fmt.slice(from, i);
    const m = matchDollar(fmt, i);
    from = m.end;
    if (m.kind === 'escaped') {
      literal += '$';
      continue;
    }
    if (literal) segments.push(literal);
    literal = '';
    if (m.kind === 'invalid') {
      segments.push({ error: invalidPlaceholder(fmt, i + 1) });
      break;
    }
    names.add(m.name);
    segments.push({ name: m.name, inProto: m.name in Object.prototype });
  }
  const last = segments.at(-1);
  if (!(typeof last === 'object' && 'error' in last)) literal += fmt.slice(from);
  if (literal) segments.push(literal);
  const fn = (values: Readonly<Record<string, unknown>>): string => {
    let out = '';
    for (const seg of segments) {
      if (typeof seg === 'string') out += seg;
      else if ('error' in seg) throw new ValueError(seg.error);
      else {
        const v = lookup(values, seg.name, seg.inProto);
        out += typeof v === 'string' ? v : str(v);
      }
    }
    return out;
  };
  return Object.assign(fn, { fields: Object.freeze([...names]) });
}
