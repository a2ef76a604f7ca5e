/**
 * One `%` conversion of one value (printf.ts parses the format and walks the arguments): `%s %r %a` through
 * repr.ts, the integer and float conversions, `%c`, then CPython's sign, width and fill.
 */
import { codePointLength } from '../internal/code-points.js';
import { OverflowError, ValueError } from './errors.js';
import { fixedNotation, generalNotation, scientificNotation } from './float-format.js';
import { ascii, repr, str } from './repr.js';

/** The `-` flag: left-justify. */
export const F_MINUS = 1;
/** The `+` flag: always a sign. */
export const F_PLUS = 2;
/** The ` ` flag: a space for the sign of a positive number. */
export const F_SPACE = 4;
/** The `#` flag: the alternate form (`0x`, `0o`, a kept decimal point). */
export const F_ALT = 8;
/** The `0` flag: pad numbers with zeros. */
export const F_ZERO = 16;

/**
 * CPython's `unicode_format_arg_format` + `unicode_format_arg_output`: the conversion (`c`, a char code: `s`, `d`,
 * …), then sign, width, fill. `flags` is a sum of the `F_` bits; `width`/`precision` are -1 when absent.
 * @throws TypeError, ValueError or OverflowError with CPython's message, as `%` would.
 */
export function convert(c: number, v: unknown, flags: number, width: number, precision: number): string {
  let s: string;
  let numeric = false;
  switch (c) {
    case 115: // s
      s = typeof v === 'string' ? v : str(v);
      break;
    case 114: // r
      s = repr(v);
      break;
    case 97: // a
      s = ascii(v);
      break;
    case 100: // d
    case 105: // i
    case 117: // u
    case 111: // o
    case 120: // x
    case 88: // X
      s = formatInt(v, c, (flags & F_ALT) !== 0, precision);
      numeric = true;
      break;
    case 99: // c
      s = formatChar(v);
      break;
    default: // e E f F g G
      s = formatFloat(toDouble(v), c, precision < 0 ? 6 : precision, (flags & F_ALT) !== 0);
      numeric = true;
  }
  return pad(s, c, numeric, flags, width, precision);
}

function pad(s: string, c: number, numeric: boolean, flags: number, width: number, precision: number): string {
  if (width < 0 && precision < 0 && (flags & (F_PLUS | F_SPACE)) === 0) return s;
  // Python measures text in code points; only s/r/a/c output can hold surrogate pairs.
  let len = numeric ? s.length : codePointLength(s, s.length);
  if (precision >= 0 && len > precision && (c === 115 || c === 114 || c === 97)) {
    s = codePointSlice(s, precision);
    len = precision;
  }
  if (width <= len && (precision < 0 || precision >= len) && (flags & (F_PLUS | F_SPACE)) === 0) return s;
  const fill = numeric && (flags & F_ZERO) !== 0 ? '0' : ' ';
  let sign = '';
  let body = s;
  if (numeric) {
    const first = s.charCodeAt(0);
    if (first === 45 || first === 43) {
      sign = s[0] as string;
      body = s.slice(1);
      len--;
    } else if (flags & F_PLUS) sign = '+';
    else if (flags & F_SPACE) sign = ' ';
  }
  if (width < len) width = len;
  let out = '';
  if (sign !== '') {
    if (fill !== ' ') out += sign;
    if (width > len) width--;
  }
  let prefix = '';
  if ((flags & F_ALT) !== 0 && (c === 120 || c === 88 || c === 111)) {
    prefix = body.slice(0, 2);
    body = body.slice(2);
    if (fill !== ' ') out += prefix;
    width = Math.max(0, width - 2);
    len -= 2;
  }
  if (width > len && (flags & F_MINUS) === 0) {
    out += fill.repeat(width - len);
    width = len;
  }
  if (fill === ' ') out += sign + prefix;
  out += body;
  return width > len ? out + ' '.repeat(width - len) : out;
}

/** Python's name for the type of a JS value, for error messages. */
function pyTypeName(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'undefined':
      return 'NoneType';
    case 'object': {
      if (v === null) return 'NoneType';
      if (Array.isArray(v)) return 'list';
      try {
        const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
        if (proto === null || proto === Object.prototype) return 'dict';
        const name = proto.constructor?.name;
        if (typeof name === 'string' && name !== '') return name;
      } catch {
        // a Proxy refusing getPrototypeOf: fall through
      }
      return 'object';
    }
    default:
      return typeof v;
  }
}

/** `%d %i %u %o %x %X`: CPython's `mainformatlong` + `_PyUnicode_FormatLong`. */
function formatInt(v: unknown, c: number, alt: boolean, precision: number): string {
  let n: number | bigint;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) n = v;
    else if (c === 111 || c === 120 || c === 88) {
      throw new TypeError(`%${String.fromCharCode(c)} format: an integer is required, not float`);
    } else if (v !== v) throw new ValueError('cannot convert float NaN to integer');
    else if (v === Infinity || v === -Infinity) throw new OverflowError('cannot convert float infinity to integer');
    else n = Math.trunc(v);
  } else if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'bigint') n = v;
  else {
    const what = c === 111 || c === 120 || c === 88 ? 'an integer' : 'a real number';
    throw new TypeError(`%${String.fromCharCode(c)} format: ${what} is required, not ${pyTypeName(v)}`);
  }
  const base = c === 111 ? 8 : c === 120 || c === 88 ? 16 : 10;
  const negative = n < 0;
  let digits: string;
  if (typeof n === 'bigint') digits = (negative ? -n : n).toString(base);
  else {
    const abs = Math.abs(n);
    // Beyond 2^53 a double's exact integer value needs BigInt to print every digit.
    digits = abs <= Number.MAX_SAFE_INTEGER ? abs.toString(base) : BigInt(abs).toString(base);
  }
  if (precision > digits.length) digits = '0'.repeat(precision - digits.length) + digits;
  if (alt && base !== 10) digits = (base === 8 ? '0o' : '0x') + digits;
  if (c === 88) digits = digits.toUpperCase();
  return negative ? `-${digits}` : digits;
}

/** `%c`: a one-character string or a code point (CPython's `formatchar`). */
function formatChar(v: unknown): string {
  if (typeof v === 'string') {
    if (v.length === 1 || (v.length === 2 && (v.codePointAt(0) as number) > 0xffff)) return v;
    throw new TypeError('%c requires int or char');
  }
  let cp: number;
  if (typeof v === 'number' && Number.isInteger(v)) cp = v;
  else if (typeof v === 'boolean') cp = v ? 1 : 0;
  else if (typeof v === 'bigint') cp = v < 0n ? -1 : v > 0x10ffffn ? 0x110000 : Number(v);
  else throw new TypeError('%c requires int or char');
  if (cp < 0 || cp > 0x10ffff) throw new OverflowError('%c arg not in range(0x110000)');
  return String.fromCodePoint(cp);
}

/** CPython's `PyFloat_AsDouble` for a `%e %f %g` argument. */
function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') {
    const d = Number(v);
    if (d === Infinity || d === -Infinity) throw new OverflowError('int too large to convert to float');
    return d;
  }
  throw new TypeError(`must be real number, not ${pyTypeName(v)}`);
}

/** `%e %E %f %F %g %G`: CPython's `PyOS_double_to_string`, rounding half-even on the exact binary value. */
function formatFloat(x: number, c: number, precision: number, alt: boolean): string {
  const upper = c < 97;
  if (x !== x) return upper ? 'NAN' : 'nan';
  const negative = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let body: string;
  if (ax === Infinity) body = 'inf';
  else if ((c | 32) === 102 /* f */) body = fixedNotation(ax, precision, alt);
  else if ((c | 32) === 101 /* e */) body = scientificNotation(ax, precision, alt);
  else body = generalNotation(ax, precision, alt, false);
  if (upper) body = body.toUpperCase();
  return negative ? `-${body}` : body;
}

/** The first `count` code points of `s` (a surrogate pair is one). */
function codePointSlice(s: string, count: number): string {
  let i = 0;
  for (let k = 0; k < count && i < s.length; k++) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return s.slice(0, i);
}
