/**
 * Exact decimal text of doubles, shared by `%e %f %g` (printf.ts) and `{:e}`, `{:f}`, `{:g}`, `{:%}`, `{:n}` and
 * the type-less float spec (format-spec.ts): CPython's `PyOS_double_to_string` (Python/pystrtod.c), rounding
 * half-to-even on the exact binary value, and `repr(float)`.
 *
 * The engine's `toFixed`/`toExponential` are correctly rounded except that exact ties go up, and they stop at
 * 1e21 and 100 digits; a cheap tie test keeps them on the common path, and BigInt arithmetic does the rest.
 *
 * measured (Node 20.20, best-of-5 medians per process, 1024 typical log values): printf.ts's former code (this
 * tie test + BigInt) against format-spec.ts's former code (lowest-set-bit test + exact digit strings):
 * `%.2f` 64.6 vs 71.6 ns, `%f` 86.1 vs 92.3 ns, `{:.3f}` 65.8 vs 75.7 ns, `{:03.0f}` 61.5 vs 63.6 ns, a `%.2f`
 * tie 450 vs 1600 ns; so printf.ts's was kept.
 */

/** `ax` (finite, ≥ 0) with `p` digits after the point, as CPython's `'%.*f'`; `alt` (`#`) keeps a bare point. */
export function fixedNotation(ax: number, p: number, alt: boolean): string {
  let s: string;
  // toFixed rounds correctly except that exact ties go up; it stops at 1e21 and 100 digits.
  if (ax < 1e21 && p <= 100 && !isTie(ax, p)) s = ax.toFixed(p);
  else {
    const [m, e] = decompose(ax);
    const digits = scaledRound(m, e, p).toString().padStart(p + 1, '0');
    s = p > 0 ? `${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}` : digits;
  }
  return alt && p === 0 ? `${s}.` : s;
}

/** `ax` (finite, ≥ 0) as CPython's `'%.*e'`, lowercase (`1.50e+03`); `alt` (`#`) keeps a bare point. */
export function scientificNotation(ax: number, p: number, alt: boolean): string {
  const digits = significantDigits(ax, p + 1);
  const dot = p > 0 ? `.${digits.slice(1)}` : alt ? '.' : '';
  return `${digits[0] as string}${dot}${exponentText(sigDecpt - 1)}`;
}

/**
 * `ax` (finite, ≥ 0) as CPython's `'%.*g'`, lowercase: the vdigits layout of `format_float_short`
 * (Python/pystrtod.c). A precision of 0 means 1. `alt` (`#`) keeps trailing zeros and the point. `addDot0` is
 * `Py_DTSF_ADD_DOT_0`, for `format()` without a type: `1.0` stays `1.0`, and exponent form starts a digit earlier.
 */
export function generalNotation(ax: number, precision: number, alt: boolean, addDot0: boolean): string {
  const p = precision === 0 ? 1 : precision;
  let digits = significantDigits(ax, p);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end); // dtoa never returns trailing zeros
  let decpt = sigDecpt;
  const useExp = decpt <= -4 || decpt > (addDot0 ? p - 1 : p);
  const exp = decpt - 1;
  if (useExp) decpt = 1;
  const len = digits.length;
  const vEnd = Math.max(alt ? p : len, decpt);
  let out: string;
  if (decpt <= 0) out = `0.${'0'.repeat(-decpt)}${digits}`;
  else if (decpt <= len) out = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  else out = `${digits}${'0'.repeat(decpt - len)}.`;
  out += '0'.repeat(vEnd - Math.max(len, decpt));
  if (useExp) return `${alt || out.charCodeAt(out.length - 1) !== 46 ? out : out.slice(0, -1)}${exponentText(exp)}`;
  if (out.charCodeAt(out.length - 1) !== 46) return out;
  return alt ? out : addDot0 ? `${out}0` : out.slice(0, -1);
}

/**
 * Python's `repr(float)` (and `str()`) for any JS number read as a float: the shortest digits that round-trip, in
 * exponent form when the exponent is below -4 or at least 16 (`3` → `'3.0'`, `1e16` → `'1e+16'`, `1e-5` →
 * `'1e-05'`, `-0` → `'-0.0'`, `Infinity` → `'inf'`, `NaN` → `'nan'`).
 */
export function floatRepr(n: number): string {
  if (n !== n) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  // toExponential() without an argument yields the same shortest round-trip digits as Python's dtoa mode 0.
  const s = Math.abs(n).toExponential();
  const ePos = s.indexOf('e');
  const digits = s.charCodeAt(1) === 46 /* . */ ? s[0] + s.slice(2, ePos) : s.slice(0, ePos);
  const exp = Number(s.slice(ePos + 1));
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}${exponentText(exp)}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** `e+05`, `e-300`: CPython writes at least two exponent digits. */
function exponentText(e: number): string {
  const a = e < 0 ? -e : e;
  return (e < 0 ? 'e-' : 'e+') + (a < 10 ? '0' : '') + String(a);
}

// The decimal point position of the last significantDigits() result: value = 0.DIGITS × 10^sigDecpt. A module
// variable rather than a returned tuple, so the common path allocates only the digit string.
let sigDecpt = 0;

/** `n` significant digits of `ax` (finite, >= 0), rounded half-even; sets {@link sigDecpt}. */
function significantDigits(ax: number, n: number): string {
  if (ax === 0) {
    sigDecpt = 1;
    return '0'.repeat(n);
  }
  if (n <= 101) {
    const s = ax.toExponential(n - 1);
    const ePos = s.indexOf('e');
    const digits = n > 1 ? s[0] + s.slice(2, ePos) : s.slice(0, ePos);
    const e1 = Number(s.slice(ePos + 1));
    // toExponential is exact when every digit of a safe integer is shown; otherwise it rounds correctly except
    // that ties go up, and a round-up to 10^k (digits 100…) hides the original exponent, so check both.
    const exact = e1 < n && ax <= Number.MAX_SAFE_INTEGER && Number.isInteger(ax);
    if (exact || (!isPowerOfTenDigits(digits) && !isTie(ax, n - 1 - e1))) {
      sigDecpt = e1 + 1;
      return digits;
    }
  }
  const [m, e] = decompose(ax);
  let exp10 = Math.floor(Math.log10(ax)); // may be one off; the loop corrects it
  const low = 10n ** BigInt(n - 1);
  const high = low * 10n;
  for (;;) {
    const k = n - 1 - exp10;
    const q = scaledFloor(m, e, k);
    if (q >= high) exp10++;
    else if (q < low) exp10--;
    else {
      const r = lastHalf > 0 || (lastHalf === 0 && (q & 1n) === 1n) ? q + 1n : q;
      const rounded = r.toString();
      if (rounded.length > n) {
        sigDecpt = exp10 + 2;
        return rounded.slice(0, n);
      }
      sigDecpt = exp10 + 1;
      return rounded;
    }
  }
}

function isPowerOfTenDigits(digits: string): boolean {
  if (digits.charCodeAt(0) !== 49) return false;
  for (let i = 1; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * Whether `ax × 10^d` lies exactly halfway between two integers. For d >= 0 that holds iff `ax × 2^(d+1)` is an
 * odd integer (10^d = 2^d·5^d, 5^d odd); scaling by a power of two is exact in binary. For d < 0 a tie needs an
 * integer multiple of 10^-d / 2 with an odd quotient; past 10^22 we answer "maybe" and let the exact path decide.
 */
function isTie(ax: number, d: number): boolean {
  if (d < 0) {
    if (!Number.isInteger(ax)) return false;
    if (d < -22) return true;
    // ax = (2q+1) × 10^-d / 2; fmod is exact, and so is the division when it leaves no remainder.
    const unit = 5 ** -d * 2 ** (-d - 1);
    return ax % unit === 0 && (ax / unit) % 2 === 1;
  }
  const t = ax * 2 ** (d + 1);
  return Number.isInteger(t) && t % 2 === 1;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** `x = m × 2^e` exactly, for finite x > 0. */
function decompose(x: number): [bigint, number] {
  F64[0] = x;
  const bits = U64[0] as bigint;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  return biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
}

// How the remainder dropped by the last scaledFloor() compares with one half: -1, 0 or 1.
let lastHalf = 0;

/** floor(m × 2^e × 10^k), exactly; sets {@link lastHalf}. */
function scaledFloor(m: bigint, e: number, k: number): bigint {
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const twice = (num - q * den) * 2n;
  lastHalf = twice > den ? 1 : twice === den ? 0 : -1;
  return q;
}

/** m × 2^e × 10^k rounded half-even to an integer. */
function scaledRound(m: bigint, e: number, k: number): bigint {
  const q = scaledFloor(m, e, k);
  return lastHalf > 0 || (lastHalf === 0 && (q & 1n) === 1n) ? q + 1n : q;
}
