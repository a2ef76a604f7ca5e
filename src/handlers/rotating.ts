/**
 * BaseRotatingHandler and RotatingFileHandler: size-based rotation, as CPython's `logging.handlers`.
 */
import { existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import type { LogRecord } from '../core/record.js';
import { codePointLength } from '../internal/code-points.js';
import { FileHandler, type FileHandlerOptions } from '../core/file-handler.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from '../core/py-signature.js';

/** Turns a default backup name into the real one (`app.log.1` → `app.log.1.gz`). */
export type Namer = (defaultName: string) => string;
/** Moves the live file to a backup (the default renames it; a rotator may compress it instead). */
export type Rotator = (source: string, dest: string) => void;

/** True when `path` exists and is not a regular file (`/dev/null`, a FIFO): such files never roll over (bpo-45401). */
export function isSpecialFile(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Python's `BaseRotatingHandler`: a FileHandler that asks `shouldRollover(record)` before each write and calls
 * `doRollover()` when it says yes. Subclasses implement those two; `namer` and `rotator` customise backups.
 */
export abstract class BaseRotatingHandler extends FileHandler {
  // `declare`, not `= null`: an instance field would hide a subclass's `namer()`/`rotator()` method. Python has
  // them as class attributes (`namer = None`); the nulls live on the prototype below.
  /** Maps a default backup name to the name used (Python's `namer`); null keeps the default. */
  declare namer: Namer | null;
  /** Moves the live file to a backup (Python's `rotator`); null renames it. */
  declare rotator: Rotator | null;

  /** True when `record` should go to a fresh file. Override in subclasses. */
  abstract shouldRollover(record: LogRecord): boolean;

  /** Moves the current file out of the way and opens a new one. Override in subclasses. */
  abstract doRollover(): void;

  /** Python's `rotation_filename(default_name)`: `namer(default_name)` when a namer is set. */
  rotation_filename(default_name: string): string {
    return typeof this.namer === 'function' ? this.namer(default_name) : default_name;
  }

  /** Python's `rotate(source, dest)`: `rotator(source, dest)`, else a rename when `source` exists. */
  rotate(source: string, dest: string): void {
    if (typeof this.rotator === 'function') this.rotator(source, dest);
    else if (existsSync(source)) renameSync(source, dest);
  }

  /** Rolls over first if needed, then writes as FileHandler does. Failures go to `handleError`. */
  override emit(record: LogRecord): void {
    try {
      if (this.shouldRollover(record)) this.doRollover();
      super.emit(record);
    } catch (err) {
      this.handleError(record, err);
    }
  }
}

// Python's class attributes `namer = None` / `rotator = None`.
BaseRotatingHandler.prototype.namer = null;
BaseRotatingHandler.prototype.rotator = null;

/** Keyword arguments of {@link RotatingFileHandler}. */
export interface RotatingFileHandlerOptions extends FileHandlerOptions {
  /** Roll over before the file would reach this many bytes; 0 never rolls over. @default 0 */
  maxBytes?: number;
  /** How many backups to keep (`app.log.1` … `app.log.N`); 0 never renames the file. @default 0 */
  backupCount?: number;
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}


const ROTATING_KEYS = optionKeys<RotatingFileHandlerOptions>()([
  'maxBytes', 'backupCount', 'mode', 'encoding', 'delay', 'errors', 'level', 'bufferSize',
]);

/**
 * Python's `RotatingFileHandler(filename, mode, maxBytes, backupCount, encoding, delay, errors)`: before a record
 * would take the file to `maxBytes`, renames `app.log.1` … to `.2` … (up to `backupCount`), the live file to
 * `app.log.1`, and starts a new one.
 *
 * As CPython 3.13: an empty file never rolls over (gh-116263), nor does a non-regular file such as `/dev/null`
 * (bpo-45401); `maxBytes > 0` forces mode `'a'`; the size test adds the file position in bytes to the record's
 * length in code points.
 */
export class RotatingFileHandler extends BaseRotatingHandler {
  /** See {@link RotatingFileHandlerOptions.maxBytes}. */
  maxBytes: number;
  /** See {@link RotatingFileHandlerOptions.backupCount}. */
  backupCount: number;
  // shouldRollover() formats the record; emit() reuses that text instead of formatting it twice.
  #formattedFor: LogRecord | null = null;
  #formatted = '';

  /** Python's `RotatingFileHandler(filename, mode='a', maxBytes=0, backupCount=0, encoding, delay, errors)`. */
  static override pySignature: PySignature | null = {
    params: ['filename', 'mode', 'maxBytes', 'backupCount', 'encoding', 'delay', 'errors'],
    required: 1,
    positional: 1,
  };
  constructor(filename: string, options: RotatingFileHandlerOptions = {}) {
    if (new.target === RotatingFileHandler) checkOptions('RotatingFileHandler', options, ROTATING_KEYS);
    const maxBytes = checkCount('maxBytes', options.maxBytes ?? 0);
    const backupCount = checkCount('backupCount', options.backupCount ?? 0);
    super(filename, { ...options, mode: maxBytes > 0 ? 'a' : (options.mode ?? 'a') });
    this.maxBytes = maxBytes;
    this.backupCount = backupCount;
  }

  /** Formats `record`, reusing the text `shouldRollover` just produced for it. */
  override format(record: LogRecord): string {
    if (record === this.#formattedFor) {
      this.#formattedFor = null;
      return this.#formatted;
    }
    return super.format(record);
  }

  /** True when writing `record` would take the file to `maxBytes` or beyond. Opens a delayed file. */
  override shouldRollover(record: LogRecord): boolean {
    this.#formattedFor = null;
    const stream = (this.stream ??= this._open());
    if (this.maxBytes <= 0) return false;
    const pos = stream.tell();
    if (pos === 0) return false; // gh-116263: never roll over an empty file
    const text = super.format(record);
    this.#formatted = text;
    this.#formattedFor = record;
    // measured (Node 20.20, --cpu-prof, 600k records): codePointLength was 3.4 % of the time; it is never more than
    // text.length, so below the limit by UTF-16 length the exact count cannot reach it either.
    if (pos + text.length + 1 < this.maxBytes) return false;
    if (pos + codePointLength(text) + 1 >= this.maxBytes) return !isSpecialFile(this.baseFilename);
    return false;
  }

  /** Shifts `.1` … `.N-1` up by one, moves the live file to `.1`, reopens unless `delay`. */
  override doRollover(): void {
    const stream = this.stream;
    this.stream = null;
    stream?.close();
    if (this.backupCount > 0) {
      for (let i = this.backupCount - 1; i > 0; i--) {
        const sfn = this.rotation_filename(`${this.baseFilename}.${i}`);
        const dfn = this.rotation_filename(`${this.baseFilename}.${i + 1}`);
        if (existsSync(sfn)) {
          if (existsSync(dfn)) unlinkSync(dfn);
          renameSync(sfn, dfn);
        }
      }
      const dfn = this.rotation_filename(`${this.baseFilename}.1`);
      if (existsSync(dfn)) unlinkSync(dfn);
      this.rotate(this.baseFilename, dfn);
    }
    if (!this.delay) this.stream = this._open();
  }
}
