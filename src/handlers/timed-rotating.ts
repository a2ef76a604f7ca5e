/**
 * TimedRotatingFileHandler: rotation at fixed intervals or at a time of day, as CPython 3.13's.
 */
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ValueError } from '../core/errors.js';
import type { LogRecord } from '../core/record.js';
import { gmtime, localtime, strftime, type StructTime } from '../core/strftime.js';
import { systemClock, type Clock } from '../internal/clock.js';
import type { FileHandlerOptions } from '../core/file-handler.js';
import { BaseRotatingHandler, isSpecialFile } from './rotating.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from '../core/py-signature.js';
import { safeRepr } from '../core/repr.js';

const MIDNIGHT = 24 * 60 * 60;

/** A time of day for `atTime`: `'02:30'`, `'02:30:15'`, or `{ hour, minute, second }` (Python's `datetime.time`). */
export type AtTime =
  | string
  | {
      /** 0–23. */
      hour: number;
      /** 0–59. @default 0 */
      minute?: number;
      /** 0–59. @default 0 */
      second?: number;
    };

/** Keyword arguments of {@link TimedRotatingFileHandler}. */
export interface TimedRotatingFileHandlerOptions extends Omit<FileHandlerOptions, 'mode'> {
  /** `S`, `M`, `H`, `D`, `MIDNIGHT` or `W0`–`W6` (Monday is 0), any case. @default 'h' */
  when?: string;
  /** How many `when` units between rollovers. @default 1 */
  interval?: number;
  /** How many backups to keep; 0 keeps all. @default 0 */
  backupCount?: number;
  /** Compute times in UTC instead of local time. @default false */
  utc?: boolean;
  /** For `MIDNIGHT` and `W<n>`: roll over at this time of day instead of at midnight. @default null */
  atTime?: AtTime | null;
  /** The clock (beyond CPython): tests and simulations move time without sleeping. @default the system clock */
  clock?: Clock;
}

const UNITS: Record<string, [number, string, string]> = {
  S: [1, '%Y-%m-%d_%H-%M-%S', '\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}'],
  M: [60, '%Y-%m-%d_%H-%M', '\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}'],
  H: [3600, '%Y-%m-%d_%H', '\\d{4}-\\d{2}-\\d{2}_\\d{2}'],
  D: [MIDNIGHT, '%Y-%m-%d', '\\d{4}-\\d{2}-\\d{2}'],
  MIDNIGHT: [MIDNIGHT, '%Y-%m-%d', '\\d{4}-\\d{2}-\\d{2}'],
};

/** Seconds after midnight for an `atTime`. @throws {RangeError} naming a malformed value. */
function atTimeSeconds(at: AtTime): number {
  let h: number;
  let m: number;
  let s: number;
  if (typeof at === 'string') {
    const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(at);
    if (!match) throw new RangeError(`atTime must be 'HH:MM' or 'HH:MM:SS', got ${safeRepr(at)}`);
    [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  } else if (at !== null && typeof at === 'object' && typeof at.hour === 'number') {
    [h, m, s] = [at.hour, at.minute ?? 0, at.second ?? 0];
  } else {
    throw new RangeError(`atTime must be a time of day, got ${safeRepr(at)}`);
  }
  if (![h, m, s].every(Number.isInteger) || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) {
    throw new RangeError(`atTime out of range: ${typeof at === 'string' ? at : safeRepr(at)}`);
  }
  return (h * 60 + m) * 60 + s;
}

const TIMED_KEYS = optionKeys<TimedRotatingFileHandlerOptions>()([
  'when', 'interval', 'backupCount', 'utc', 'atTime', 'clock', 'encoding', 'delay', 'errors', 'level', 'bufferSize',
]);

/**
 * Python's `TimedRotatingFileHandler(filename, when, interval, backupCount, encoding, delay, utc, atTime, errors)`.
 *
 * `S`/`M`/`H`/`D` roll over `interval` units after the last rollover (not aligned to clock boundaries);
 * `MIDNIGHT` and `W<n>` at midnight (or `atTime`), every `interval` days or weeks (3.13, gh-90535). Backups are
 * named for the start of the interval they cover (`app.log.2024-01-01`). `computeRollover(t)` returns what
 * CPython 3.13's does for every `when`, time zone and DST change.
 */
export class TimedRotatingFileHandler extends BaseRotatingHandler {
  /** The upper-cased `when`. */
  readonly when: string;
  /** Seconds per rollover period (`interval` × the unit). */
  readonly interval: number;
  /** Backups kept; 0 keeps all. */
  backupCount: number;
  /** True for UTC, false for local time. */
  readonly utc: boolean;
  /** `atTime` in seconds after midnight, or null. */
  readonly atTime: number | null;
  /** The weekday for `W<n>` (0 is Monday). */
  readonly dayOfWeek: number;
  /** `strftime` format of the backup suffix. */
  suffix: string;
  /** Matches a backup suffix (CPython's `extMatch`, digits delimited, ASCII). */
  extMatch: RegExp;
  /** Epoch seconds of the next rollover. */
  rolloverAt: number;
  /** The clock in use. */
  readonly clock: Clock;

  /** Python's `TimedRotatingFileHandler(filename, when='h', interval=1, backupCount=0, encoding, delay, utc, atTime, errors)`. */
  static override pySignature: PySignature | null = {
    params: ['filename', 'when', 'interval', 'backupCount', 'encoding', 'delay', 'utc', 'atTime', 'errors'],
    required: 1,
    positional: 1,
  };
  constructor(filename: string, options: TimedRotatingFileHandlerOptions = {}) {
    if (new.target === TimedRotatingFileHandler) checkOptions('TimedRotatingFileHandler', options, TIMED_KEYS);
    // Validate everything before the file is touched.
    const when = String(options.when ?? 'h').toUpperCase();
    let unit: [number, string, string] | undefined = UNITS[when];
    let dayOfWeek = -1;
    if (unit === undefined && when.startsWith('W')) {
      if (when.length !== 2) {
        throw new ValueError(`You must specify a day for weekly rollover from 0 to 6 (0 is Monday): ${when}`);
      }
      if (when[1] === undefined || when[1] < '0' || when[1] > '6') {
        throw new ValueError(`Invalid day specified for weekly rollover: ${when}`);
      }
      dayOfWeek = Number(when[1]);
      unit = [MIDNIGHT * 7, '%Y-%m-%d', '\\d{4}-\\d{2}-\\d{2}'];
    }
    if (unit === undefined) throw new ValueError(`Invalid rollover interval specified: ${when}`);
    const interval = options.interval ?? 1;
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
      throw new RangeError(`interval must be a positive integer, got ${String(interval)}`);
    }
    const backupCount = options.backupCount ?? 0;
    if (typeof backupCount !== 'number' || !Number.isInteger(backupCount) || backupCount < 0) {
      throw new RangeError(`backupCount must be a non-negative integer, got ${String(backupCount)}`);
    }
    const atTime = options.atTime === undefined || options.atTime === null ? null : atTimeSeconds(options.atTime);
    // CPython reads the mtime after opening, so a file it just created gives "now": use the clock for that case.
    const existed = typeof filename === 'string' && filename !== '' && existsSync(resolve(filename));
    super(filename, { ...options, mode: 'a' });
    this.when = when;
    this.backupCount = backupCount;
    this.utc = options.utc ?? false;
    this.atTime = atTime;
    this.dayOfWeek = dayOfWeek;
    this.suffix = unit[1];
    this.extMatch = new RegExp(`(?<!\\d)${unit[2]}(?!\\d)`);
    this.interval = unit[0] * interval;
    this.clock = options.clock ?? systemClock;
    let t = Math.floor(this.clock.now());
    if (existed) {
      try {
        t = Math.floor(statSync(this.baseFilename).mtimeMs / 1000); // a restart after a gap still rolls over
      } catch {
        // vanished meanwhile: keep the clock's time
      }
    }
    this.rolloverAt = this.computeRollover(t);
  }

  #tm(t: number): StructTime {
    return this.utc ? gmtime(t) : localtime(t);
  }

  /** Python's `computeRollover(currentTime)`: the epoch seconds of the rollover after `currentTime`. */
  computeRollover(currentTime: number): number {
    let result = currentTime + this.interval;
    if (this.when !== 'MIDNIGHT' && !this.when.startsWith('W')) return result;
    const t = this.#tm(currentTime);
    let currentDay = t.tm_wday;
    const rotateTs = this.atTime ?? MIDNIGHT;
    let r = rotateTs - ((t.tm_hour * 60 + t.tm_min) * 60 + t.tm_sec);
    if (r <= 0) {
      r += MIDNIGHT;
      currentDay = (currentDay + 1) % 7;
    }
    result = currentTime + r;
    if (this.when.startsWith('W')) {
      const day = currentDay;
      if (day !== this.dayOfWeek) {
        const daysToWait = day < this.dayOfWeek ? this.dayOfWeek - day : 6 - day + this.dayOfWeek + 1;
        result += daysToWait * MIDNIGHT;
      }
      result += this.interval - MIDNIGHT * 7;
    } else {
      result += this.interval - MIDNIGHT;
    }
    if (!this.utc) {
      const dstNow = t.tm_isdst;
      const dstAtRollover = localtime(result).tm_isdst;
      if (dstNow !== dstAtRollover) {
        let addend: number;
        if (!dstNow) {
          // DST starts before the rollover: an hour less, unless an hour earlier is still standard time
          addend = localtime(result - 3600).tm_isdst ? -3600 : 0;
        } else {
          addend = 3600; // DST ends before the rollover: an hour more
        }
        result += addend;
      }
    }
    return result;
  }

  /** True once the clock has reached `rolloverAt` (never for a non-regular file, whose `rolloverAt` moves on). */
  override shouldRollover(_record: LogRecord): boolean {
    const t = Math.floor(this.clock.now());
    if (t >= this.rolloverAt) {
      if (isSpecialFile(this.baseFilename)) {
        this.rolloverAt = this.computeRollover(t);
        return false;
      }
      return true;
    }
    return false;
  }

  /**
   * Python 3.13's `getFilesToDelete()`: the backups beyond `backupCount`, oldest first. Without a namer, names
   * `<base>.<suffix>` whose suffix matches exactly; with one, names that the namer would produce for a suffix found
   * in them. Other files sharing the prefix are never chosen.
   */
  getFilesToDelete(): string[] {
    const dirName = dirname(this.baseFilename);
    const baseName = basename(this.baseFilename);
    const fileNames = readdirSync(dirName);
    let result: string[] = [];
    const full = new RegExp(`^(?:${this.extMatch.source})$`);
    if (this.namer === null) {
      const prefix = `${baseName}.`;
      for (const fileName of fileNames) {
        if (fileName.startsWith(prefix) && full.test(fileName.slice(prefix.length))) result.push(join(dirName, fileName));
      }
    } else {
      const search = new RegExp(this.extMatch.source, 'g');
      for (const fileName of fileNames) {
        search.lastIndex = 0;
        for (let m = search.exec(fileName); m; m = search.exec(fileName)) {
          const dfn = this.namer(`${this.baseFilename}.${m[0]}`);
          if (basename(dfn) === fileName) {
            result.push(join(dirName, fileName));
            break;
          }
          search.lastIndex = m.index + 1;
        }
      }
    }
    if (result.length < this.backupCount) return [];
    result = result.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return result.slice(0, result.length - this.backupCount);
  }

  /**
   * Python 3.13's `doRollover()`: renames the live file to `<base>.<start of the interval>` (DST-corrected), deletes
   * backups beyond `backupCount`, reopens unless `delay`, and computes the next `rolloverAt`. If the backup name
   * already exists, does nothing (the file was already rolled over, e.g. by another process).
   */
  override doRollover(): void {
    const currentTime = Math.floor(this.clock.now());
    const t = this.rolloverAt - this.interval;
    let timeTuple: StructTime;
    if (this.utc) {
      timeTuple = gmtime(t);
    } else {
      timeTuple = localtime(t);
      const dstNow = localtime(currentTime).tm_isdst;
      if (dstNow !== timeTuple.tm_isdst) timeTuple = localtime(t + (dstNow ? 3600 : -3600));
    }
    const dfn = this.rotation_filename(`${this.baseFilename}.${strftime(this.suffix, timeTuple)}`);
    if (existsSync(dfn)) return;
    const stream = this.stream;
    this.stream = null;
    stream?.close();
    this.rotate(this.baseFilename, dfn);
    if (this.backupCount > 0) for (const s of this.getFilesToDelete()) unlinkSync(s);
    if (!this.delay) this.stream = this._open();
    this.rolloverAt = this.computeRollover(currentTime);
  }
}
