/**
 * Python's built-in `format(value, spec)`: the format-spec mini-language of `str`, `int` (and `bool`) and
 * `float`, for `{x:>10.3f}` fields of `{`-style formats. A port of CPython 3.13's `Python/formatter_unicode.c`.
 *
 * JS values map to Python types so: a string is `str`; an integer-valued number (or a bigint) is `int`, so `{x:d}`
 * works for 3 and `{x:f}` of 3 is `3.000000`; `-0`, NaN, ±Infinity and other numbers are `float`; a boolean is
 * `bool`; null/undefined are `None`. Floats round half-to-even on their exact binary value, as CPython does.
 */
import { codePointLength } from '../internal/code-points.js';

import { OverflowError, ValueError } from './errors.js';
import { pyStr } from './repr.js';
import { fixedNotation, floatRepr, generalNotation, scientificNotation } from './float-format.js';

interface Spec {
  fill: string; // '' when not given
  align: string; // '' when not given
  sign: string;
  noNegZero: boolean;
  alternate: boolean;
  zero: boolean;
  width: number; // -1 when not given
  grouping: string; // '', ',', '_' (every 3 digits) or '_4' (every 4: b/o/x/X)
  precision: number; // -1 when not given
  type: string;
}

type Parsed = Spec | { invalid: string } | { error: string };

const specCache = new Map<string, Parsed>();

function readInt(spec: string, pos: number): [number, number] {
  let end = pos;
  while (end < spec.length && spec.charCodeAt(end) >= 48 && spec.charCodeAt(end) <= 57) end++;
  if (end === pos) return [-1, pos];
  const digits = spec.slice(pos, end);
  // CPython reads a Py_ssize_t and refuses to overflow it.
  if (end - pos > 19 || BigInt(digits) > 9223372036854775807n) throw new ValueError('Too many decimal digits in format string');
  return [Number(digits), end];
}

const ALIGN = '<>=^';

/** CPython `parse_internal_render_format_spec`, minus what depends on the value's type. */
function parse(spec: string, defaultType: string): Parsed {
  const chars = Array.from(spec); // code points: a fill may be any character
  let pos = 0;
  let fill = '';
  let align = '';
  if (chars.length >= 2 && ALIGN.includes(chars[1] ?? 'x')) {
    fill = chars[0] ?? '';
    align = chars[1] ?? '';
    pos = 2;
  } else if (chars.length >= 1 && ALIGN.includes(chars[0] ?? 'x')) {
    align = chars[0] ?? '';
    pos = 1;
  }
  const rest = chars.slice(pos).join('');
  let i = 0;
  let sign = '';
  if (rest[i] === '+' || rest[i] === '-' || rest[i] === ' ') sign = rest[i++] ?? '';
  const noNegZero = rest[i] === 'z' && ++i > 0;
  const alternate = rest[i] === '#' && ++i > 0;
  const zero = !fill && rest[i] === '0' && ++i > 0;
  let width: number;
  let precision = -1;
  try {
    [width, i] = readInt(rest, i);
    let grouping = '';
    if (rest[i] === ',') {
      grouping = ',';
      i++;
    }
    if (rest[i] === '_') {
      if (grouping) return { error: "Cannot specify both ',' and '_'." };
      grouping = '_';
      i++;
    }
    if (rest[i] === ',' && grouping === '_') return { error: "Cannot specify both ',' and '_'." };
    if (rest[i] === '.') {
      [precision, i] = readInt(rest, i + 1);
      if (precision < 0) return { error: 'Format specifier missing precision' };
    }
    const tail = Array.from(rest.slice(i));
    if (tail.length > 1) return { invalid: spec };
    const type = tail[0] ?? defaultType; // CPython passes 's' for str, 'd' for int, none for float
    if (grouping) {
      if ('bxoX'.includes(type) && type && grouping === '_') grouping = '_4';
      else if (type && !'defgEFG%'.includes(type)) return { error: `Cannot specify '${grouping}' with ${codeOf(type)}.` };
    }
    return { fill, align, sign, noNegZero, alternate, zero, width, grouping, precision, type };
  } catch (err) {
    if (err instanceof ValueError) return { error: err.message };
    throw err;
  }
}

/** `'x'`, or CPython's `'\x1'` for a character outside printable ASCII. */
function codeOf(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp > 32 && cp < 128 ? `'${c}'` : `'\\x${cp.toString(16)}'`;
}

function parsedSpec(spec: string, typeName: string, defaultType: string): Spec {
  const key = defaultType + spec;
  let p = specCache.get(key);
  if (p === undefined) {
    p = parse(spec, defaultType);
    if (specCache.size >= 512) specCache.clear(); // formats are few; a bound keeps a spec-per-call caller in check
    specCache.set(key, p);
  }
  if ('error' in p) throw new ValueError(p.error);
  if ('invalid' in p) throw new ValueError(`Invalid format specifier '${p.invalid}' for object of type '${typeName}'`);
  return p;
}

function unknownCode(type: string, typeName: string): ValueError {
  return new ValueError(`Unknown format code ${codeOf(type)} for object of type '${typeName}'`);
}


function padded(body: string, spec: Spec, defaultAlign: string): string {
  const pad = spec.width - codePointLength(body);
  if (pad <= 0) return body;
  const fill = spec.fill || (spec.zero ? '0' : ' ');
  const align = spec.align || defaultAlign;
  if (align === '<') return body + fill.repeat(pad);
  if (align === '^') return fill.repeat(pad >> 1) + body + fill.repeat(pad - (pad >> 1));
  return fill.repeat(pad) + body;
}

function formatStr(s: string, spec: Spec): string {
  if (spec.type !== '' && spec.type !== 's') throw unknownCode(spec.type, 'str');
  if (spec.sign) throw new ValueError(`${spec.sign === ' ' ? 'Space' : 'Sign'} not allowed in string format specifier`);
  if (spec.noNegZero) throw new ValueError('Negative zero coercion (z) not allowed in string format specifier');
  if (spec.alternate) throw new ValueError('Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new ValueError("'=' alignment not allowed in string format specifier");
  let body = s;
  if (spec.precision >= 0 && codePointLength(s) > spec.precision) body = Array.from(s).slice(0, spec.precision).join('');
  return padded(body, spec, '<');
}

/**
 * CPython `calc_number_widths` + `fill_number`: sign, prefix, zero padding grouped like digits (`'010,'` of 1234
 * is `00,001,234`), then the fill.
 */
function layoutNumber(negative: boolean, prefix: string, digits: string, rest: string, spec: Spec): string {
  const align = spec.align || (spec.zero ? '=' : '>');
  const fill = spec.fill || (spec.zero ? '0' : ' ');
  const sign = negative ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  const nonDigits = sign.length + prefix.length + codePointLength(rest);
  let grouped = digits;
  if (digits && (spec.grouping || (fill === '0' && align === '='))) {
    const size = spec.grouping === '_4' ? 4 : 3;
    const sep = spec.grouping ? spec.grouping[0] ?? '' : '';
    let minWidth = fill === '0' && align === '=' ? spec.width - nonDigits : 0;
    let remaining = digits.length;
    grouped = '';
    for (let first = true; ; first = false) {
      const len = sep ? Math.min(size, Math.max(remaining, minWidth, 1)) : Math.max(remaining, minWidth, 1);
      const chars = Math.min(remaining, len);
      grouped = '0'.repeat(Math.max(0, len - remaining)) + digits.slice(remaining - chars, remaining) + (first ? '' : sep) + grouped;
      remaining -= chars;
      minWidth -= len;
      if (remaining <= 0 && minWidth <= 0) break;
      minWidth -= sep.length;
    }
  }
  const pad = spec.width - nonDigits - grouped.length;
  if (pad <= 0) return sign + prefix + grouped + rest;
  if (align === '<') return sign + prefix + grouped + rest + fill.repeat(pad);
  if (align === '^') return fill.repeat(pad >> 1) + sign + prefix + grouped + rest + fill.repeat(pad - (pad >> 1));
  if (align === '=') return sign + prefix + fill.repeat(pad) + grouped + rest;
  return fill.repeat(pad) + sign + prefix + grouped + rest;
}

function formatInt(value: number | bigint, spec: Spec, typeName: string): string {
  const type = spec.type || 'd';
  if ('eEfFgG%'.includes(type)) return formatFloat(Number(value), spec, typeName);
  if (!'bcdoxXn'.includes(type)) throw unknownCode(type, typeName);
  if (spec.precision >= 0) throw new ValueError('Precision not allowed in integer format specifier');
  if (spec.noNegZero) throw new ValueError('Negative zero coercion (z) not allowed in integer format specifier');
  const big = typeof value === 'bigint' ? value : Math.abs(value) <= Number.MAX_SAFE_INTEGER ? null : BigInt(value);
  const negative = big !== null ? big < 0n : (value as number) < 0;
  if (type === 'c') {
    if (spec.sign) throw new ValueError("Sign not allowed with integer format specifier 'c'");
    if (spec.alternate) throw new ValueError("Alternate form (#) not allowed with integer format specifier 'c'");
    const cp = Number(value);
    if (Math.abs(cp) >= 2 ** 63) throw new OverflowError('Python int too large to convert to C long');
    if (cp < 0 || cp > 0x10ffff) throw new OverflowError('%c arg not in range(0x110000)');
    return layoutNumber(false, '', '', String.fromCodePoint(cp), spec);
  }
  const radix = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10;
  let digits = big !== null ? (big < 0n ? -big : big).toString(radix) : Math.abs(value as number).toString(radix);
  let prefix = '';
  if (type === 'X') digits = digits.toUpperCase();
  if (spec.alternate && radix !== 10) prefix = type === 'X' ? '0X' : '0' + type;
  return layoutNumber(negative, prefix, digits, '', spec);
}

/** CPython `format_float_internal` → `PyOS_double_to_string`. */
function formatFloat(x: number, spec: Spec, typeName: string): string {
  const type = spec.type;
  if (!'eEfFgGn%'.includes(type) || type.length > 1) throw unknownCode(type, typeName);
  const upper = type === 'E' || type === 'F' || type === 'G';
  let v = type === '%' ? x * 100 : x;
  let negative = v < 0 || Object.is(v, -0);
  v = Math.abs(v);
  let body: string;
  if (v !== v || v === Infinity) {
    body = v !== v ? 'nan' : 'inf';
    if (upper) body = body.toUpperCase();
    if (v !== v) negative = false;
  } else if (type === '' && spec.precision < 0) {
    body = v === 0 ? '0.0' : floatRepr(v);
    if (spec.alternate && !body.includes('.')) body = body.replace('e', '.e');
  } else {
    const p = spec.precision < 0 ? 6 : spec.precision;
    if (type === 'f' || type === 'F' || type === '%') body = fixedNotation(v, p, spec.alternate);
    else if (type === 'e' || type === 'E') body = scientificNotation(v, p, spec.alternate);
    else body = generalNotation(v, p, spec.alternate, type === ''); // g, G, n, or no type with a precision
    if (upper) body = body.toUpperCase();
  }
  // 'z' (PEP 682): a result that rounds to zero loses its minus sign.
  if (spec.noNegZero && negative && v === v && v !== Infinity && !/[1-9]/.test(body.replace(/e.*$/i, ''))) negative = false;
  if (type === '%') body += '%';
  let k = 0;
  while (k < body.length && body.charCodeAt(k) >= 48 && body.charCodeAt(k) <= 57) k++;
  return layoutNumber(negative, '', body.slice(0, k), body.slice(k), spec);
}

function typeNameOf(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map || Object.getPrototypeOf(value) === Object.prototype) return 'dict';
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor ? ctor : 'object';
}

/**
 * Python's `format(value, spec)`. `str()` of the value for an empty spec, with `toStr` (Python's `str()`) used for
 * values that are not strings, numbers or booleans: by default repr.ts's {@link pyStr} (`None`, `{'a': 1}`), as a
 * Python peer shows them; `{}`-style formats pass repr.ts's `str`, the `%s` rendering of SPEC point 6. Throws CPython's `ValueError`/`TypeError` messages.
 */
export function formatSpec(value: unknown, spec: string, toStr: (value: unknown) => string = pyStr): string {
  switch (typeof value) {
    case 'string':
      return spec === '' ? value : formatStr(value, parsedSpec(spec, 'str', 's'));
    case 'number':
      if (Number.isInteger(value) && !Object.is(value, -0)) {
        return spec === '' ? (Math.abs(value) <= Number.MAX_SAFE_INTEGER ? String(value) : BigInt(value).toString()) : formatInt(value, parsedSpec(spec, 'int', 'd'), 'int');
      }
      return spec === '' ? floatRepr(value) : formatFloat(value, parsedSpec(spec, 'float', ''), 'float');
    case 'bigint':
      return spec === '' ? value.toString() : formatInt(value, parsedSpec(spec, 'int', 'd'), 'int');
    case 'boolean':
      // bool.__format__ is int's: format(True, '^5') is '  1  ', format(True, 's') fails
      return spec === '' ? (value ? 'True' : 'False') : formatInt(value ? 1 : 0, parsedSpec(spec, 'bool', 'd'), 'bool');
    default:
      if (spec !== '') throw new TypeError(`unsupported format string passed to ${typeNameOf(value)}.__format__`);
      return toStr(value);
  }
}
