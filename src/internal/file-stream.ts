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
import { onExit } from './exit.js';
import { writeBufferSync, writeStringSync } from './sync-write.js';

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
  readonly fd: number;
  /** The byte offset of the end of what was written (Python's `tell()` for append-mode files). */
  #position: number;
  #closed = false;
  readonly #encoding: EncodingName;
  readonly #errors: ErrorsName;
  readonly #bufferSize: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #unregister: (() => void) | null = null;

  /**
   * Opens `path`.
   * @param bufferSize 0 writes every record at once; more keeps up to that many bytes in memory.
   */
  constructor(path: string, mode: string, encoding: EncodingName, errors: ErrorsName, bufferSize = 0) {
    this.name = path;
    this.fd = openSync(path, openFlags(mode), 0o666);
    this.#position = mode.startsWith('a') ? fstatSync(this.fd).size : 0;
    this.#encoding = encoding;
    this.#errors = errors;
    this.#bufferSize = bufferSize;
    if (bufferSize > 0) this.#unregister = onExit(() => this.flush());
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Python's `tell()`: bytes in the file, counting buffered ones. */
  tell(): number {
    return this.#position + this.#pendingBytes;
  }

  /**
   * Writes `text` whole (looping over partial writes). Throws what the OS says (`ENOSPC`, `EBADF`) or a
   * `UnicodeEncodeError` under `errors: 'strict'`.
   */
  write(text: string): void {
    const clean = sanitize(text, this.#encoding, this.#errors);
    if (this.#bufferSize > 0) {
      this.#pending.push(clean);
      this.#pendingBytes += this.#encoding === 'utf-8' ? Buffer.byteLength(clean) : Buffer.byteLength(clean, bufferEncoding(this.#encoding));
      if (this.#pendingBytes >= this.#bufferSize) this.flush();
      return;
    }
    this.#writeNow(clean);
  }

  #writeNow(text: string): void {
    // Regular files never answer EAGAIN, so `rest` is always null here.
    if (this.#encoding === 'utf-8') this.#position += writeStringSync(this.fd, text).written;
    else this.#position += writeBufferSync(this.fd, Buffer.from(text, bufferEncoding(this.#encoding))).written;
  }

  /** Writes out buffered text. A failed write keeps nothing: the bytes are reported lost by the caller. */
  flush(): void {
    if (this.#pending.length === 0 || this.#closed) return;
    const text = this.#pending.length === 1 ? (this.#pending[0] as string) : this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writeNow(text);
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
