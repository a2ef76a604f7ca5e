/**
 * A file opened the way Python's `open()` opens it for a FileHandler, written synchronously with `fs.writeSync`.
 *
 * One `writeSync` per record is what makes a record survive `process.exit()` and a crash: the bytes are with the
 * OS when the logging call returns (SPEC). The optional buffer trades that for throughput and is flushed on
 * `flush()`, `close()`, rollover and process exit (see `exit.ts`).
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { ValueError } from '../core/errors.js';
import { bufferEncoding, sanitize, type EncodingName, type ErrorsName } from './encoding.js';
import { recordCount } from './drop-ledger.js';
import { onExit } from './exit.js';
import { RecordsDroppedError } from '../core/errors.js';
import { writeBufferSync, writeStringToFileSync, type PartialWrite } from './sync-write.js';

// Node 20 has String.prototype.isWellFormed (V8 11.3); TypeScript's ES2022 lib does not declare it.
interface WellFormedString {
  isWellFormed(): boolean;
}

const MODES = new Map<string, string>([
  ['a', 'a'], ['w', 'w'], ['x', 'wx'], ['a+', 'a+'], ['w+', 'w+'], ['x+', 'wx+'], ['r+', 'r+'],
]);

/**
 * Node's open flags for a Python file mode (`'a'`, `'w'`, `'x'`, with `'+'`; `'b'` and `'t'` are accepted and
 * ignored since handlers write text).
 * @throws {ValueError} `invalid mode: '<mode>'`.
 */
export function openFlags(mode: string): string {
  const flags = MODES.get(mode.replace(/[bt]/g, ''));
  if (flags === undefined) throw new ValueError(`invalid mode: '${mode}'`);
  return flags;
}

/** A synchronously written text file: Python's file object as far as handlers use it. */
export class FileStream {
  /** The path it was opened with. */
  readonly name: string;
  /** The open file descriptor, for `fs` calls such as the `fstatSync` WatchedFileHandler compares inodes with. */
  readonly fd: number;
  /** The byte offset of the end of what was written (Python's `tell()` for append-mode files). */
  #position: number;
  #closed = false;
  readonly #encoding: EncodingName;
  readonly #errors: ErrorsName;
  readonly #bufferSize: number;
  /** Buffered text, one string per record (a failed write reports how many records it lost). */
  readonly #pending: string[] = [];
  /** Bytes of `#pending` as the buffer counts them (see `#buffer`): what decides when it is written. */
  #pendingSize = 0;
  /** 2 for UTF-16, else 1: the bytes the buffer counts per UTF-16 code unit. */
  readonly #unitBytes: number;
  /** Exact encoded bytes of `#pending[0, #counted)`, for `tell()`: each record is encoded once, when asked. */
  #countedBytes = 0;
  #counted = 0;
  /** Set when a failed write left part of a record in the file: the next write starts a new line. */
  #torn = false;
  #unregister: (() => void) | null = null;

  /**
   * Opens `path`.
   * @param bufferSize 0 writes every record at once; more keeps records until they reach that many bytes (see
   *   `#buffer`).
   */
  constructor(path: string, mode: string, encoding: EncodingName, errors: ErrorsName, bufferSize = 0) {
    this.name = path;
    this.fd = openSync(path, openFlags(mode), 0o666);
    this.#position = mode.startsWith('a') ? fstatSync(this.fd).size : 0;
    this.#encoding = encoding;
    this.#errors = errors;
    this.#bufferSize = bufferSize;
    this.#unitBytes = encoding === 'utf-16-le' ? 2 : 1;
    if (bufferSize > 0) this.#unregister = onExit(() => this.flush());
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Python's `tell()`: bytes in the file, counting buffered ones. */
  tell(): number {
    const pending = this.#pending;
    for (let i = this.#counted; i < pending.length; i++) this.#countedBytes += this.#byteLength(pending[i] as string);
    this.#counted = pending.length;
    return this.#position + this.#countedBytes;
  }

  #byteLength(text: string): number {
    return this.#encoding === 'utf-8' ? Buffer.byteLength(text) : text.length * this.#unitBytes;
  }

  /**
   * Writes `text` whole (looping over partial writes). Throws what the OS says (`ENOSPC`, `EBADF`) or a
   * `UnicodeEncodeError` under `errors: 'strict'`.
   */
  write(text: string): void {
    // UTF-8 can encode every well-formed string: then nothing needs replacing (the check is sanitize()'s own).
    const clean =
      this.#encoding === 'utf-8' && (text as unknown as WellFormedString).isWellFormed()
        ? text
        : sanitize(text, this.#encoding, this.#errors);
    if (this.#bufferSize > 0) this.#buffer(clean);
    else this.#writeNow(clean);
  }

  #buffer(text: string): void {
    this.#pending.push(text);
    // Counted from UTF-16 code units, not by encoding: exact for ASCII, latin-1 and UTF-16, and for UTF-8 beyond ASCII
    // a third to all of the bytes. Counting UTF-8 bytes flattened every line (a rope of the format's pieces) into a
    // string of its own before the write copied it again. measured (Node 20.20, 1M formatted 60-character lines into
    // 64 KiB buffers written to /dev/null, 9 rounds): 299 → 158 ns a line (357 → 177 in a second run).
    if ((this.#pendingSize += text.length * this.#unitBytes) >= this.#bufferSize) this.flush();
  }

  #writeNow(text: string): void {
    // A disk that filled up mid-record left a fragment: end it, so the next record is a line of its own (as in
    // CPython, whose text layer never glues two records into one malformed line). The fragment is the lost record.
    if (this.#torn) text = '\n' + text;
    try {
      if (this.#encoding === 'utf-8') this.#position += writeStringToFileSync(this.fd, text);
      else this.#position += writeBufferSync(this.fd, this.#encode(text)).written;
      this.#torn = false;
    } catch (err) {
      this.#failed(text, err);
    }
  }

  /** After a failed write: counts what went out and rethrows (apart so that `#writeNow` stays small). */
  #failed(text: string, err: unknown): never {
    const written = (err as PartialWrite).bytesWritten ?? 0;
    this.#position += written;
    // Torn unless what went out ends a line (failure path only: the encoding is repeated here).
    if (written > 0) this.#torn = this.#encode(text)[written - 1] !== 0x0a;
    throw err;
  }

  /**
   * Writes out buffered text. A failed write keeps nothing: the error thrown is a {@link RecordsDroppedError}
   * saying how many records the lost buffer held (its `cause` is the OS error).
   */
  flush(): void {
    const pending = this.#pending;
    if (pending.length === 0 || this.#closed) return;
    const count = pending.length;
    const text = count === 1 ? (pending[0] as string) : pending.join('');
    const prefixed = this.#torn;
    try {
      this.#writeNow(text);
    } catch (err) {
      let written = (err as PartialWrite).bytesWritten ?? 0;
      if (prefixed && written > 0) written--; // the newline that ended an earlier fragment
      const lost = count - this.#wholeRecords(pending, written);
      const why = err instanceof Error ? err.message : String(err);
      throw new RecordsDroppedError(`${recordCount(lost)} lost from the buffer: ${why}`, lost, { cause: err });
    } finally {
      // Emptied, not replaced: one list for the stream's life keeps the elements kind V8 gave it (strings). measured
      // (Node 20.20, --trace-deopt, a worker writing 200,000 records to a buffered FileHandler): a new `[]` after
      // each write deoptimised the handler chain inlined around the next push ("not a Smi"), 1–2 times a worker.
      pending.length = 0;
      this.#pendingSize = 0;
      this.#countedBytes = 0;
      this.#counted = 0;
    }
  }

  /** How many of `records` went out whole in the first `written` bytes of a failed write (failure path only). */
  #wholeRecords(records: readonly string[], written: number): number {
    let n = 0;
    for (const r of records) {
      written -= this.#encode(r).length;
      if (written < 0) break;
      n++;
    }
    return n;
  }

  #encode(text: string): Buffer {
    return Buffer.from(text, bufferEncoding(this.#encoding));
  }

  /** Flushes and closes the descriptor. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    try {
      this.flush();
    } finally {
      this.#closed = true;
      this.#unregister?.();
      closeSync(this.fd);
    }
  }
}
