/**
 * FileHandler: a StreamHandler over a file it opens itself.
 */
import { resolve } from 'node:path';
import { getLevelName, NOTSET, type Level } from './levels.js';
import type { LogRecord } from './record.js';
import { lookupEncoding, lookupErrors, type EncodingName, type ErrorsName } from '../internal/encoding.js';
import { FileStream, openFlags } from '../internal/file-stream.js';
import { NOT_YET, StreamHandler } from './stream-handler.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import type { PySignature } from './py-signature.js';

/** Keyword arguments of {@link FileHandler}. */
export interface FileHandlerOptions {
  /** Python file mode: `'a'` (append), `'w'` (truncate), `'x'` (must not exist), with `'+'`. @default 'a' */
  mode?: string;
  /** Text encoding: `utf-8`, `ascii`, `latin-1`, `utf-16-le` (Python spellings accepted). @default 'utf-8' */
  encoding?: string | null;
  /** Open the file on the first record instead of now. @default false */
  delay?: boolean;
  /** What to do with characters the encoding cannot represent (Python's `errors`); null means `'strict'`. @default null */
  errors?: string | null;
  /** Handler level. @default NOTSET */
  level?: Level;
  /**
   * Opt-in buffering (beyond CPython): keep records in memory until they reach this many bytes and write them in
   * one call, counting a UTF-16 code unit as one byte (two in `utf-16-le`; UTF-8 text beyond ASCII may fill it up to
   * three times over). The buffer is written on `flush()`, `close()`, rollover and process exit (`process.exit()`,
   * an uncaught exception, a normal exit), but a SIGKILL loses it.
   * @default 0 (every record is with the OS when the call returns)
   */
  bufferSize?: number;
}

const FILE_KEYS = optionKeys<FileHandlerOptions>()(['mode', 'encoding', 'delay', 'errors', 'level', 'bufferSize']);

/**
 * Python's `FileHandler(filename, mode, encoding, delay, errors)`: appends formatted records to a file with one
 * synchronous write each.
 *
 * After `close()`, a new record reopens the file, as CPython does, except in mode `'w'` where it is dropped
 * (bpo-42378: reopening would truncate what was written).
 */
export class FileHandler extends StreamHandler<FileStream | null> {
  /** The file's absolute path (Python's `os.path.abspath(filename)`), so a later `chdir` does not move the log. */
  readonly baseFilename: string;
  /**
   * The Python file mode the file is (re)opened with: `'a'` by default, `'w'` to truncate (once: a record after
   * `close()` is not written), `'x'` to refuse an existing file. RotatingFileHandler forces `'a'` when `maxBytes` > 0.
   */
  mode: string;
  /** The encoding in use under its canonical Python name (`'UTF8'` given, `'utf-8'` kept). */
  readonly encoding: EncodingName;
  /**
   * What happens to a character the encoding cannot represent: Python's `errors` (`'strict'` reports the record
   * through `handleError`). Null, CPython's default `None`, behaves as `'strict'`.
   */
  readonly errors: ErrorsName | null;
  /** True when the file is opened on the first record. */
  readonly delay: boolean;
  /** Bytes kept in memory before writing (0: none). */
  readonly bufferSize: number;

  /**
   * Python's `FileHandler(filename, mode='a', encoding=None, delay=False, errors=None)` for dictConfig and fileConfig,
   * plus our `bufferSize` as a keyword.
   */
  static override pySignature: PySignature | null = {
    params: ['filename', 'mode', 'encoding', 'delay', 'errors'],
    required: 1,
    positional: 1,
    kwonly: ['bufferSize'],
  };
  constructor(filename: string, modeOrOptions: string | FileHandlerOptions = {}) {
    const options: FileHandlerOptions = typeof modeOrOptions === 'string' ? { mode: modeOrOptions } : modeOrOptions;
    // Subclasses with more options (rotation) check their own set.
    if (new.target === FileHandler) checkOptions('FileHandler', options, FILE_KEYS);
    if (typeof filename !== 'string' || filename === '') {
      throw new TypeError(`filename must be a non-empty string, got ${String(filename)}`);
    }
    const mode = options.mode ?? 'a';
    openFlags(mode); // validate before anything is opened
    const encoding = lookupEncoding(options.encoding);
    const errors = options.errors == null ? null : lookupErrors(options.errors);
    const bufferSize = options.bufferSize ?? 0;
    if (!Number.isInteger(bufferSize) || bufferSize < 0) {
      throw new RangeError(`bufferSize must be a non-negative integer, got ${String(bufferSize)}`);
    }
    super(NOT_YET as FileStream, options.level ?? NOTSET); // `stream` is set below
    this.baseFilename = resolve(filename);
    this.mode = mode;
    this.encoding = encoding;
    this.errors = errors;
    this.delay = options.delay ?? false;
    this.bufferSize = bufferSize;
    this.stream = this.delay ? null : this._open();
  }

  /** Opens the file with the handler's mode and encoding. Override to open it differently. */
  protected _open(): FileStream {
    return new FileStream(this.baseFilename, this.mode, this.encoding, lookupErrors(this.errors), this.bufferSize);
  }

  /** Opens the file if needed (not after `close()` in mode `'w'`), then writes the record. */
  override emit(record: LogRecord): void {
    try {
      let stream = this.stream;
      if (stream === null) {
        if (this.mode === 'w' && this._closed) return;
        stream = this.stream = this._open();
      }
      stream.write(this.format(record) + this.terminator);
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** Writes out buffered text (only with `bufferSize`); the file is otherwise always up to date. */
  override flush(): Promise<void> {
    try {
      this.stream?.flush();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Flushes and closes the file. A later record reopens it (except in mode `'w'`). Safe to call twice. */
  override close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    void super.close();
    try {
      stream?.close();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Python's repr: `<FileHandler /abs/app.log (NOTSET)>`. */
  override toString(): string {
    return `<${this.constructor.name} ${this.baseFilename} (${String(getLevelName(this.level))})>`;
  }
}
