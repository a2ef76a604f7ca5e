/**
 * Python's `time.localtime`, `time.gmtime` and `time.strftime` as CPython gives them on Linux (glibc 2.36, C locale),
 * for `Formatter.formatTime` and `TimedRotatingFileHandler`.
 *
 * `strftime` is a port of glibc's `__strftime_internal`: its flags (`_ - 0 ^ #`), field widths, `E`/`O` modifiers
 * and its habit of copying an unknown directive (`%f`, `%Q`, a trailing `%`) through unchanged, padding and all.
 */
import { currentZone, daysFromCivil } from '../internal/tzfile.js';

/** Python's `time.struct_time`, as `localtime()`/`gmtime()` return it. */
export interface StructTime {
  /** The year, e.g. 2024. */
  readonly tm_year: number;
  /** Month 1-12. */
  readonly tm_mon: number;
  /** Day of the month 1-31. */
  readonly tm_mday: number;
  /** Hour 0-23. */
  readonly tm_hour: number;
  /** Minute 0-59. */
  readonly tm_min: number;
  /** Second 0-61. */
  readonly tm_sec: number;
  /** Day of the week, 0 = Monday (Python's convention, not C's). */
  readonly tm_wday: number;
  /** Day of the year 1-366. */
  readonly tm_yday: number;
  /** 1 in daylight saving time, 0 not, -1 unknown. */
  readonly tm_isdst: number;
  /** Seconds east of UTC. */
  readonly tm_gmtoff: number;
  /** The zone's abbreviation, e.g. `EST`, `BST`, `+0545`; `GMT` from `gmtime()`. */
  readonly tm_zone: string;
}

/** Python's `time.localtime(t)`: `t` seconds since the epoch, floored, in the zone `process.env.TZ` names now. */
export function localtime(t: number): StructTime {
  const s = toSeconds(t);
  const info = currentZone().lookup(s);
  return breakDown(s + info.gmtoff, info.isdst, info.gmtoff, info.abbr);
}

/** Python's `time.gmtime(t)`: `t` seconds since the epoch, floored, in UTC. */
export function gmtime(t: number): StructTime {
  return breakDown(toSeconds(t), 0, 0, 'GMT'); // glibc's gmtime names its zone GMT
}

function toSeconds(t: number): number {
  if (Number.isNaN(t)) throw new RangeError('Invalid value NaN (not a number)');
  // CPython floors (_PyTime_ROUND_FLOOR): localtime(-1.5) is 23:59:58. Date's range keeps years within int.
  const s = Math.floor(t);
  if (!(Math.abs(s) <= 8.64e12)) throw new RangeError('timestamp out of range for platform time_t');
  return s;
}

function breakDown(local: number, isdst: number, gmtoff: number, zone: string): StructTime {
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  // H. Hinnant's civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mday = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mon = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (mon <= 2 ? 1 : 0);
  return {
    tm_year: year,
    tm_mon: mon,
    tm_mday: mday,
    tm_hour: Math.floor(secs / 3600),
    tm_min: Math.floor(secs / 60) % 60,
    tm_sec: secs % 60,
    tm_wday: (((days + 3) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    tm_yday: days - daysFromCivil(year, 1, 1) + 1,
    tm_isdst: isdst,
    tm_gmtoff: gmtoff,
    tm_zone: zone,
  };
}

/**
 * glibc's `mktime` for `%s`: the fields read as local time in the current zone. When `tm_isdst` asks for the
 * other kind of time than the one found, glibc borrows the offset of the nearest instant that has it (gnulib
 * mktime.c, probing every 601200 s up to ~7 years away), else shifts one hour.
 */
function mktime(tm: StructTime): number {
  const zone = currentZone();
  const local =
    daysFromCivil(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  const want = tm.tm_isdst;
  let t = local - zone.lookup(local).gmtoff;
  let previous = NaN;
  for (let i = 0; i < 8; i++) {
    const next = local - zone.lookup(t).gmtoff;
    if (next === t) break;
    if (next === previous) {
      // Oscillating: `local` is in a spring-forward gap. gnulib keeps the instant whose isdst differs from the
      // requested one (or the DST one when none was requested) and skips the probing below.
      const tDst = zone.lookup(t).isdst !== 0;
      const keepT = want < 0 ? tDst : tDst !== (want !== 0);
      return keepT ? t : next;
    }
    previous = t;
    t = next;
  }
  const got = zone.lookup(t).isdst;
  if (want < 0 || (want !== 0) === (got !== 0)) return t;
  const stride = 601200;
  for (let delta = stride; delta < 457243200 / 2 + stride; delta += stride) {
    for (const probe of [t - delta, t + delta]) {
      const info = zone.lookup(probe);
      if ((want !== 0) === (info.isdst !== 0)) return local - info.gmtoff;
    }
  }
  return t + 3600 * ((want === 0 ? 1 : 0) - (got === 0 ? 1 : 0));
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** glibc `iso_week_days`: days since the Monday starting the ISO week-year that contains `yday` (0-based). */
function isoWeekDays(yday: number, wday: number): number {
  const big = (Math.trunc(366 / 7) + 2) * 7;
  return yday - ((yday - wday + 4 + big) % 7) + 4 - 1;
}

/** glibc's `add`: `s` right-aligned in `width`, padded with zeros under the `0` flag, else spaces. */
function padTo(s: string, width: number, pad: string): string {
  return width > s.length ? (pad === '0' ? '0' : ' ').repeat(width - s.length) + s : s;
}

/** glibc `do_number`: at least `digits` digits (sign included), then the width. */
function number(value: number, digits: number, width: number, pad: string): string {
  const negative = value < 0;
  const body = String(Math.abs(value));
  const s = negative ? '-' + body : body;
  if (pad !== '-') {
    const need = Math.max(digits, width) - s.length;
    if (need > 0) {
      if (pad === '_') return padTo(' '.repeat(need) + s, width, pad);
      return (negative ? '-' : '') + '0'.repeat(need) + body;
    }
  }
  return padTo(s, width, pad);
}

/**
 * Python's `time.strftime(format, tm)` on Linux: glibc's directives, flags `_ - 0 ^ #`, widths (`%10Y`) and
 * `E`/`O` modifiers in the C locale. Unknown directives (`%f`, `%Q`) and a trailing `%` are copied as they are.
 */
export function strftime(format: string, tm: StructTime): string {
  let out = '';
  const n = format.length;
  for (let i = 0; i < n; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const start = i;
    let pad = '';
    let upcase = false;
    let changeCase = false;
    for (;;) {
      const f = format[i + 1];
      if (f === '_' || f === '-' || f === '0') pad = f;
      else if (f === '^') upcase = true;
      else if (f === '#') changeCase = true;
      else break;
      i++;
    }
    let width = -1;
    let ch = format.charCodeAt(i + 1);
    if (ch >= 48 && ch <= 57) {
      width = 0;
      while (ch >= 48 && ch <= 57) {
        width = Math.min(width * 10 + ch - 48, 0x7fffffff);
        i++;
        ch = format.charCodeAt(i + 1);
      }
    }
    let modifier = '';
    if (format[i + 1] === 'E' || format[i + 1] === 'O') modifier = format[++i] ?? '';
    const spec = format[++i];
    // A directive's text, cased as flags ask: `lower` wins over `^` (glibc's cpy()).
    let lower = false;
    const text = (s: string): string => padTo(lower ? s.toLowerCase() : upcase ? s.toUpperCase() : s, width, pad);
    const num = (v: number, digits: number): string => number(v, digits, width, pad);
    const spaced = (v: number): string => number(v, 2, width, pad === '0' || pad === '-' ? pad : '_');
    const sub = (f: string): string => padTo(upcase ? strftime(f, tm).toUpperCase() : strftime(f, tm), width, pad);
    const year = tm.tm_year;
    const wday = (tm.tm_wday + 1) % 7; // C's 0 = Sunday
    const yday = tm.tm_yday - 1;
    const hour12 = tm.tm_hour % 12 || 12;
    let bad = false;
    switch (spec) {
      case '%':
        out += text('%');
        break;
      case 'a':
      case 'A':
        if (modifier) bad = true;
        else {
          if (changeCase) upcase = true;
          const name = WEEKDAYS[wday] ?? '?';
          out += text(spec === 'a' ? name.slice(0, 3) : name);
        }
        break;
      case 'b':
      case 'h':
      case 'B':
        if (modifier === 'E') bad = true;
        else {
          if (changeCase) upcase = true;
          const name = MONTHS[tm.tm_mon - 1] ?? '?';
          out += text(spec === 'B' ? name : name.slice(0, 3));
        }
        break;
      case 'c':
        if (modifier === 'O') bad = true;
        else out += sub('%a %b %e %H:%M:%S %Y');
        break;
      case 'C':
        out += num(Math.floor(year / 100), 1);
        break;
      case 'x':
        if (modifier === 'O') bad = true;
        else out += sub('%m/%d/%y');
        break;
      case 'D':
        if (modifier) bad = true;
        else out += sub('%m/%d/%y');
        break;
      case 'd':
        if (modifier === 'E') bad = true;
        else out += num(tm.tm_mday, 2);
        break;
      case 'e':
        if (modifier === 'E') bad = true;
        else out += spaced(tm.tm_mday);
        break;
      case 'F':
        if (modifier) bad = true;
        else out += sub('%Y-%m-%d');
        break;
      case 'H':
      case 'I':
      case 'k':
      case 'l':
        if (modifier === 'E') bad = true;
        else if (spec === 'H') out += num(tm.tm_hour, 2);
        else if (spec === 'I') out += num(hour12, 2);
        else out += spaced(spec === 'k' ? tm.tm_hour : hour12);
        break;
      case 'j':
        if (modifier === 'E') bad = true;
        else out += num(yday + 1, 3);
        break;
      case 'M':
        if (modifier === 'E') bad = true;
        else out += num(tm.tm_min, 2);
        break;
      case 'm':
        if (modifier === 'E') bad = true;
        else out += num(tm.tm_mon, 2);
        break;
      case 'n':
        out += text('\n');
        break;
      case 't':
        out += text('\t');
        break;
      case 'P':
      case 'p':
        if (spec === 'P' || changeCase) lower = true;
        out += text(tm.tm_hour >= 12 ? 'PM' : 'AM');
        break;
      case 'r':
        out += sub('%I:%M:%S %p');
        break;
      case 'R':
        out += sub('%H:%M');
        break;
      case 's':
        // glibc asks for one digit here, so the width pads like text: spaces unless the `0` flag.
        out += padTo(String(mktime(tm)), width, pad);
        break;
      case 'S':
        if (modifier === 'E') bad = true;
        else out += num(tm.tm_sec, 2);
        break;
      case 'X':
        if (modifier === 'O') bad = true;
        else out += sub('%H:%M:%S');
        break;
      case 'T':
        out += sub('%H:%M:%S');
        break;
      case 'u':
        out += num(((wday + 6) % 7) + 1, 1);
        break;
      case 'U':
        if (modifier === 'E') bad = true;
        else out += num(Math.trunc((yday - wday + 7) / 7), 2);
        break;
      case 'W':
        if (modifier === 'E') bad = true;
        else out += num(Math.trunc((yday - ((wday + 6) % 7) + 7) / 7), 2);
        break;
      case 'V':
      case 'g':
      case 'G': {
        if (modifier === 'E') {
          bad = true;
          break;
        }
        let isoYear = year;
        let days = isoWeekDays(yday, wday);
        if (days < 0) {
          isoYear--;
          days = isoWeekDays(yday + (isLeap(isoYear) ? 366 : 365), wday);
        } else {
          const next = isoWeekDays(yday - (isLeap(isoYear) ? 366 : 365), wday);
          if (next >= 0) {
            isoYear++;
            days = next;
          }
        }
        if (spec === 'g') out += num(((isoYear % 100) + 100) % 100, 2);
        else if (spec === 'G') out += num(isoYear, 1);
        else out += num(Math.trunc(days / 7) + 1, 2);
        break;
      }
      case 'w':
        if (modifier === 'E') bad = true;
        else out += num(wday, 1);
        break;
      case 'y':
        out += num(((year % 100) + 100) % 100, 2);
        break;
      case 'Y':
        if (modifier === 'O') bad = true;
        else out += num(year, 1);
        break;
      case 'z': {
        if (tm.tm_isdst < 0) break;
        let diff = tm.tm_gmtoff;
        out += text(diff < 0 ? '-' : '+');
        diff = Math.trunc(Math.abs(diff) / 60);
        out += num(Math.trunc(diff / 60) * 100 + (diff % 60), 4);
        break;
      }
      case 'Z':
        if (changeCase) lower = true;
        out += text(tm.tm_zone);
        break;
      default:
        bad = true;
    }
    if (bad) {
      // glibc `bad_format`: the directive as written, flags and all, goes out (padded to its width). At the end of
      // the string, `%` is the last character copied.
      if (spec === undefined) i--;
      out += padTo(format.slice(start, i + 1), width, pad);
    }
  }
  return pythonBufferLimit(out, format);
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/**
 * CPython's `time.strftime` retries with buffers of 1024, 2048, … bytes and gives up with `''` once the buffer is
 * at least 256 × the format's length: a huge `%5000Y` prints nothing.
 */
function pythonBufferLimit(out: string, format: string): string {
  if (out.length < 1024) return out;
  const fmtBytes = Buffer.byteLength(format);
  let size = 1024;
  while (size < 256 * fmtBytes) size *= 2;
  return Buffer.byteLength(out) < size ? out : '';
}
