/**
 * The process time zone as glibc sees it, so `localtime()` gives what CPython's `time.localtime` gives on Linux:
 * the same UTC offset, `tm_isdst` and `tm_zone` abbreviation.
 *
 * Why not `Date`/`Intl`: ICU ignores POSIX `TZ` strings (`TZ='EST+05EDT,M3.2.0,M11.1.0'` is UTC to Node, EDT to
 * glibc), cannot say whether an offset is DST (Europe/Dublin's winter time is DST in tzdata), and its short names
 * are not tzdata's (`GMT+1` for `BST`, `GMT+5:45` for `+0545`). So, like glibc's `tzset`, we read `TZ`: a TZif
 * file (`:name`, a name under `$TZDIR` or /usr/share/zoneinfo, an absolute path, /etc/localtime when unset) or a
 * POSIX rule string. Only where neither is readable (no zoneinfo, e.g. Windows) do we fall back to `Date` + `Intl`.
 */
import { existsSync, readFileSync } from 'node:fs';

/** The offset, DST flag and abbreviation in force at one instant. */
export interface ZoneInfo {
  /** Seconds east of UTC. */
  readonly gmtoff: number;
  /** 1 in daylight saving time, else 0. */
  readonly isdst: 0 | 1;
  /** tzdata's abbreviation, e.g. `EST`, `BST`, `+0545`. */
  readonly abbr: string;
}

/** A time zone: the local-time rules at any instant. */
export interface Zone {
  /** The rules in force at `t` (integer seconds since the epoch). */
  lookup(t: number): ZoneInfo;
}

const UTC_INFO: ZoneInfo = { gmtoff: 0, isdst: 0, abbr: 'UTC' };

// --- POSIX TZ strings (glibc tzset.c: parse_tzname, parse_offset, parse_rule, compute_change, __tz_compute) ---

interface Rule {
  type: 'J1' | 'J0' | 'M';
  m: number;
  n: number;
  d: number;
  secs: number;
}

const MON_YDAY = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
] as const;

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The UTC year that contains day `days` since the epoch. */
function yearOfDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

class PosixZone implements Zone {
  readonly #std: ZoneInfo;
  readonly #dst: ZoneInfo | undefined;
  readonly #start: Rule | undefined;
  readonly #end: Rule | undefined;
  #year = NaN;
  #startAt = 0;
  #endAt = 0;

  constructor(std: ZoneInfo, dst?: ZoneInfo, start?: Rule, end?: Rule) {
    this.#std = std;
    this.#dst = dst;
    this.#start = start;
    this.#end = end;
  }

  lookup(t: number): ZoneInfo {
    const dst = this.#dst;
    if (!dst || !this.#start || !this.#end) return this.#std;
    const year = yearOfDays(Math.floor(t / 86400));
    if (year !== this.#year) {
      this.#year = year;
      this.#startAt = change(this.#start, year, this.#std.gmtoff);
      this.#endAt = change(this.#end, year, dst.gmtoff);
    }
    // glibc __tz_compute: southern hemisphere zones have DST across the new year.
    const inDst =
      this.#startAt > this.#endAt ? t < this.#endAt || t >= this.#startAt : t >= this.#startAt && t < this.#endAt;
    return inDst ? dst : this.#std;
  }
}

/** glibc `compute_change`: the instant (UTC) a rule fires in `year`, the rule's time read in offset `gmtoff`. */
function change(rule: Rule, year: number, gmtoff: number): number {
  // glibc starts from 1970-01-01 for every year <= 1970 (its bug; we match what CPython prints).
  let t = year > 1970 ? daysFromCivil(year, 1, 1) * 86400 : 0;
  const leap = isLeap(year) ? 1 : 0;
  if (rule.type === 'J1') {
    t += (rule.d - 1) * 86400;
    if (rule.d >= 60 && leap) t += 86400;
  } else if (rule.type === 'J0') {
    t += rule.d * 86400;
  } else {
    const table = MON_YDAY[leap];
    const before = table[rule.m - 1] ?? 0;
    const monthLength = (table[rule.m] ?? 0) - before;
    t += before * 86400;
    // Zeller's congruence, as glibc computes it: the weekday of the month's first day.
    const m1 = ((rule.m + 9) % 12) + 1;
    const yy0 = rule.m <= 2 ? year - 1 : year;
    const yy1 = Math.trunc(yy0 / 100);
    const yy2 = yy0 % 100;
    let dow = (Math.trunc((26 * m1 - 2) / 10) + 1 + yy2 + Math.trunc(yy2 / 4) + Math.trunc(yy1 / 4) - 2 * yy1) % 7;
    if (dow < 0) dow += 7;
    let d = rule.d - dow;
    if (d < 0) d += 7;
    for (let i = 1; i < rule.n; i++) {
      if (d + 7 >= monthLength) break;
      d += 7;
    }
    t += d * 86400;
  }
  return t - gmtoff + rule.secs;
}

/** Parses `[+-]hh[:mm[:ss]]` at `s[i]`; returns `[seconds, next index]` or undefined when no digit follows. */
function parseHms(s: string, i: number): [number, number] | undefined {
  const parts: number[] = [];
  let j = i;
  while (parts.length < 3) {
    const m = /^\d+/.exec(s.slice(j));
    if (!m) break;
    parts.push(Number(m[0]));
    j += m[0].length;
    if (parts.length < 3 && s[j] === ':' && /\d/.test(s[j + 1] ?? '')) j++;
    else break;
  }
  if (parts.length === 0) return undefined;
  const [hh = 0, mm = 0, ss = 0] = parts;
  return [Math.min(hh, 24) * 3600 + Math.min(mm, 59) * 60 + Math.min(ss, 59), j];
}

function parseName(s: string, i: number): [string, number] | undefined {
  let m = /^[A-Za-z]*/.exec(s.slice(i));
  if (m && m[0].length >= 3) return [m[0], i + m[0].length];
  m = /^<([A-Za-z0-9+-]*)>/.exec(s.slice(i));
  if (m && (m[1] ?? '').length >= 3) return [m[1] ?? '', i + m[0].length];
  return undefined;
}

function parseOffset(s: string, i: number): [number, number] | undefined {
  let sign = -1; // POSIX offsets are west-positive
  let j = i;
  if (s[j] === '+' || s[j] === '-') sign = s[j++] === '-' ? 1 : -1;
  const hms = parseHms(s, j);
  return hms && [sign * hms[0] + 0, hms[1]]; // + 0: no -0 for 'GMT0'
}

function parseRule(s: string, i: number, first: boolean): [Rule, number] | undefined {
  let j = i + (s[i] === ',' ? 1 : 0);
  let rule: Rule;
  let m: RegExpExecArray | null;
  if ((m = /^(J?)(\d+)/.exec(s.slice(j)))) {
    const d = Number(m[2]);
    if (d > 365 || (m[1] && d === 0)) return undefined;
    rule = { type: m[1] ? 'J1' : 'J0', m: 0, n: 0, d, secs: 7200 };
    j += m[0].length;
  } else if ((m = /^M(\d+)\.(\d+)\.(\d+)/.exec(s.slice(j)))) {
    rule = { type: 'M', m: Number(m[1]), n: Number(m[2]), d: Number(m[3]), secs: 7200 };
    if (rule.m < 1 || rule.m > 12 || rule.n < 1 || rule.n > 5 || rule.d > 6) return undefined;
    j += m[0].length;
  } else if (j >= s.length) {
    // glibc's default when the rules are missing: the US rules of 2007, "M3.2.0,M11.1.0". Differs from glibc,
    // which first borrows the transitions of $TZDIR/posixrules (New York's history) for `TZ='AAA3BBB'`.
    rule = first ? { type: 'M', m: 3, n: 2, d: 0, secs: 7200 } : { type: 'M', m: 11, n: 1, d: 0, secs: 7200 };
  } else {
    return undefined;
  }
  if (s[j] === '/') {
    j++;
    const negative = s[j] === '-';
    if (negative) j++;
    const hms = parseHms(s, j) ?? [7200, j];
    rule.secs = negative ? -hms[0] : hms[0];
    j = hms[1];
  } else if (j < s.length && s[j] !== ',') {
    return undefined;
  }
  return [rule, j];
}

/** Parses a POSIX `TZ` value the way glibc's `__tzset_parse_tz` does (unparsable parts leave UTC). */
export function parsePosixTz(s: string): Zone {
  const name = parseName(s, 0);
  if (!name) return new PosixZone(UTC_INFO);
  const offset = parseOffset(s, name[1]);
  if (!offset) return new PosixZone({ gmtoff: 0, isdst: 0, abbr: name[0] });
  const std: ZoneInfo = { gmtoff: offset[0], isdst: 0, abbr: name[0] };
  const dstName = offset[1] < s.length ? parseName(s, offset[1]) : undefined;
  if (!dstName) return new PosixZone(std);
  const dstOffset = parseOffset(s, dstName[1]) ?? [std.gmtoff + 3600, dstName[1]];
  const dst: ZoneInfo = { gmtoff: dstOffset[0], isdst: 1, abbr: dstName[0] };
  const start = parseRule(s, dstOffset[1], true);
  const end = start && parseRule(s, start[1], false);
  return start && end ? new PosixZone(std, dst, start[0], end[0]) : new PosixZone(std);
}

// --- TZif files (RFC 8536; glibc tzfile.c: __tzfile_read, __tzfile_compute) ---

class TzifZone implements Zone {
  constructor(
    readonly transitions: Float64Array,
    readonly typeIndex: Uint8Array,
    readonly types: readonly ZoneInfo[],
    readonly footer: Zone | undefined,
  ) {}

  lookup(t: number): ZoneInfo {
    const tr = this.transitions;
    const n = tr.length;
    if (n === 0 || t < (tr[0] ?? 0)) {
      // glibc: before the first transition, the first non-DST type.
      return this.types.find((ty) => ty.isdst === 0) ?? this.types[0] ?? UTC_INFO;
    }
    if (t >= (tr[n - 1] ?? 0) && this.footer) return this.footer.lookup(t);
    let lo = 0;
    let hi = n - 1; // invariant: tr[lo] <= t, and t < tr[hi + 1]
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((tr[mid] ?? 0) <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.types[this.typeIndex[lo] ?? 0] ?? UTC_INFO;
  }
}

/** Parses TZif data (version 1, or the 64-bit block of version 2+); undefined if it is not TZif. */
export function parseTzif(buf: Buffer): Zone | undefined {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((k) => buf.readUInt32BE(at + 20 + 4 * k));
  const [isut = 0, isstd = 0, leap = 0, timecnt = 0, typecnt = 0, charcnt = 0] = counts(0);
  let at = 0;
  let timeSize = 4;
  if (buf[4] !== 0) {
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    timeSize = 8;
  }
  const [isut2 = 0, isstd2 = 0, leap2 = 0, timecnt2 = 0, typecnt2 = 0, charcnt2 = 0] = counts(at);
  let p = at + 44;
  const transitions = new Float64Array(timecnt2);
  for (let i = 0; i < timecnt2; i++, p += timeSize) {
    transitions[i] = timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p);
  }
  const typeIndex = Uint8Array.from(buf.subarray(p, p + timecnt2));
  p += timecnt2;
  const charsAt = p + typecnt2 * 6;
  const types: ZoneInfo[] = [];
  for (let i = 0; i < typecnt2; i++, p += 6) {
    const idx = buf[p + 5] ?? 0;
    const endAt = buf.indexOf(0, charsAt + idx);
    types.push({
      gmtoff: buf.readInt32BE(p),
      isdst: buf[p + 4] ? 1 : 0,
      abbr: buf.toString('latin1', charsAt + idx, endAt < 0 ? charsAt + charcnt2 : endAt),
    });
  }
  p = charsAt + charcnt2 + leap2 * (timeSize + 4) + isstd2 + isut2;
  let footer: Zone | undefined;
  if (timeSize === 8 && buf[p] === 0x0a) {
    const end = buf.indexOf(0x0a, p + 1);
    const spec = buf.toString('latin1', p + 1, end < 0 ? buf.length : end);
    if (spec) footer = parsePosixTz(spec);
  }
  return new TzifZone(transitions, typeIndex, types, footer);
}

function readZoneFile(path: string): Zone | undefined {
  try {
    return parseTzif(readFileSync(path));
  } catch {
    return undefined;
  }
}

// --- Fallback where there is no zoneinfo: Date for the offset, Intl for the name ---

class IntlZone implements Zone {
  readonly #date = new Date(0);
  readonly #names = new Map<number, string>();
  #format: Intl.DateTimeFormat | undefined;

  lookup(t: number): ZoneInfo {
    const gmtoff = this.#offset(t);
    const year = yearOfDays(Math.floor(t / 86400));
    // Without tzdata's flag, DST is "east of the year's standard (smaller) offset", sampled in January and July.
    const std = Math.min(this.#offset(daysFromCivil(year, 1, 1) * 86400), this.#offset(daysFromCivil(year, 7, 1) * 86400));
    const isdst = gmtoff > std ? 1 : 0;
    const key = gmtoff * 2 + isdst;
    let abbr = this.#names.get(key);
    if (abbr === undefined) this.#names.set(key, (abbr = this.#name(t, gmtoff)));
    return { gmtoff, isdst, abbr };
  }

  #offset(t: number): number {
    this.#date.setTime(t * 1000);
    return Math.round(-this.#date.getTimezoneOffset() * 60);
  }

  #name(t: number, gmtoff: number): string {
    this.#format ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
    const name = this.#format.formatToParts(t * 1000).find((part) => part.type === 'timeZoneName')?.value ?? '';
    if (name && !/^GMT[+-]/.test(name)) return name;
    // tzdata's style for zones without an abbreviation: "+0545", "-03".
    const a = Math.abs(gmtoff);
    const hh = String(Math.floor(a / 3600)).padStart(2, '0');
    const mm = Math.floor((a % 3600) / 60);
    return (gmtoff < 0 ? '-' : '+') + hh + (mm ? String(mm).padStart(2, '0') : '');
  }
}

function resolveZone(tz: string | undefined): Zone {
  if (tz === undefined) return readZoneFile('/etc/localtime') ?? new IntlZone();
  if (tz === '') return new PosixZone(UTC_INFO);
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  const dir = process.env['TZDIR'] || '/usr/share/zoneinfo';
  const fromFile = name.startsWith('/') ? readZoneFile(name) : readZoneFile(`${dir}/${name}`);
  if (fromFile) return fromFile;
  if (tz.startsWith(':')) return new PosixZone(UTC_INFO);
  // No file: glibc reads a POSIX rule string. Where there is no zoneinfo at all (Windows), an IANA name is ICU's.
  if (!existsSync(dir) && !/\d/.test(tz)) return new IntlZone();
  return parsePosixTz(tz);
}

let cachedTz: string | undefined | null = null;
let cachedZone: Zone = new PosixZone(UTC_INFO);

/**
 * The zone named by `process.env.TZ` now. Re-resolved only when `TZ` changes (Node re-reads it on assignment,
 * glibc on `tzset()`), so a runtime `process.env.TZ = 'Europe/London'` takes effect on the next call.
 */
export function currentZone(): Zone {
  const tz = process.env['TZ'];
  if (tz !== cachedTz) {
    cachedZone = resolveZone(tz);
    cachedTz = tz;
  }
  return cachedZone;
}
