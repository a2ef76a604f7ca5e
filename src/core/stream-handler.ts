/**
 * StreamHandler, NullHandler and the last-resort stderr handler (CPython keeps them in `logging/__init__.py`).
 */
import { Handler } from './handler.js';
import { getLevelName, NOTSET, type Level } from './levels.js';
import type { LogRecord } from './record.js';
import { writeStringSync } from '../internal/sync-write.js';
import type { PySignature } from './py-signature.js';

/**
 * What a StreamHandler writes to: a Node `Writable` (`process.stderr`, an `fs.WriteStream`) or any object with a
 * `write(text)` method. A `flush()` method, if present, is called after each record, as Python does.
 */
export interface WritableLike {
  /** Receives one formatted record followed by the handler's `terminator`; the return value is ignored. */
  write(chunk: string): unknown;
  /** Called after each record and by `StreamHandler.flush()`, like Python's `stream.flush()`. */
  flush?(): unknown;
}

interface NodeWritableLike {
  writableLength?: number;
  write(chunk: string, cb?: (err?: Error | null) => void): unknown;
}

/**
 * The descriptor to write `stream` to directly: 1 or 2 for Node's own stdout/stderr when nothing is queued in them
 * (so direct writes cannot overtake queued ones) and their `write` was not replaced (tests and tools that capture
 * output by patching it keep working). -1 otherwise.
 */
function stdioFd(stream: unknown): number {
  // measured (Node 20.20, null-sink StreamHandler): `process.stdout` is two getters (globalThis.process, then
  // stdout), 5 % of a record's time; a stream whose `fd` is not 1 or 2 cannot be either, so ask that first.
  const fd = (stream as { fd?: unknown } | null | undefined)?.fd;
  if (fd !== 1 && fd !== 2) return -1;
  if (stream !== process.stdout && stream !== process.stderr) return -1;
  const s = stream as NodeJS.WriteStream & { fd?: unknown };
  if (Object.hasOwn(s, 'write') || s.writableLength > 0 || typeof s.fd !== 'number') return -1;
  return s.fd;
}

function streamName(stream: unknown): string | null {
  if (stream === process.stderr) return '<stderr>';
  if (stream === process.stdout) return '<stdout>';
  const s = stream as { name?: unknown; path?: unknown } | null;
  const name = s?.name ?? s?.path;
  return typeof name === 'string' || typeof name === 'number' ? String(name) : null;
}

/**
 * Python's `StreamHandler(stream)`: writes each formatted record plus `terminator` to a stream (default
 * `process.stderr`) in one `write()` call. For `process.stdout`/`process.stderr` the text goes to the descriptor
 * with a synchronous write (Node makes pipes non-blocking and queues, which loses lines on `process.exit()`), so
 * the record is with the OS when the logging call returns, as in Python.
 */
export class StreamHandler<S extends WritableLike | null = WritableLike> extends Handler {
  /** Appended to every record; Python's class attribute `terminator`. */
  declare terminator: string;
  /** The stream written to; replace it with {@link StreamHandler.setStream}, which flushes the old one first. */
  stream: S;

  /** Python's `StreamHandler(stream=None)`, for dictConfig and fileConfig. */
  static override pySignature: PySignature | null = { params: ['stream'] };
  constructor(stream?: S | null, level: Level = NOTSET) {
    super(level);
    this.stream = stream ?? (process.stderr as unknown as S);
  }

  /** Writes the formatted record and the terminator, then calls the stream's `flush()` if it has one. */
  override emit(record: LogRecord): void {
    try {
      const msg = this.format(record);
      const stream = this.stream as WritableLike;
      const fd = stdioFd(stream);
      if (fd >= 0) {
        const { rest } = writeStringSync(fd, msg + this.terminator);
        if (rest) stream.write(rest.toString('utf8'));
        return;
      }
      stream.write(msg + this.terminator);
      if (typeof stream.flush === 'function') stream.flush();
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** Resolves once the stream has handed everything written so far to the OS. */
  override flush(): Promise<void> {
    const stream: NodeWritableLike | null = this.stream;
    if (!stream || !stream.writableLength) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        stream.write('', () => resolve());
      } catch {
        resolve();
      }
    });
  }

  /**
   * Python's `setStream` (3.7): replaces the stream after flushing the old one. Returns the old stream, or null
   * when `stream` is already the current one.
   */
  setStream(stream: S): S | null {
    if (stream === this.stream) return null;
    const old = this.stream;
    if (old !== null && typeof old.flush === 'function') old.flush();
    this.stream = stream;
    return old;
  }

  /** Python's repr: `<StreamHandler <stderr> (NOTSET)>`. */
  override toString(): string {
    const name = streamName(this.stream);
    const level = String(getLevelName(this.level));
    return name === null ? `<${this.constructor.name} (${level})>` : `<${this.constructor.name} ${name} (${level})>`;
  }
}
StreamHandler.prototype.terminator = '\n';

/**
 * Python's `NullHandler`: does nothing. Libraries add it to their top-level logger so that an application that
 * configures no logging does not get the last-resort output.
 */
export class NullHandler extends Handler {
  /** Drops the record without running filters or formatting it, and returns false (nothing was emitted). */
  override handle(_record: LogRecord): LogRecord | false {
    return false;
  }

  /** Does nothing: a subclass of NullHandler that wants output overrides this. */
  override emit(_record: LogRecord): void {}
}

/** Python's `_StderrHandler`: always writes to the current `process.stderr`, even after it was replaced. */
export class StderrHandler extends StreamHandler {
  constructor(level: Level = NOTSET) {
    super(NOT_YET, level);
    // `stream` reads `process.stderr` when used, not now: this handler is built when pylogging is imported (as
    // `lastResort`), and Node's `process.stderr` getter loads `net` and `tty` (or a pipe) on first use, start-up
    // time that a program logging only to a file never needed (issue 18).
    let assigned: WritableLike | undefined;
    Object.defineProperty(this, 'stream', {
      configurable: true,
      enumerable: true,
      get: (): WritableLike => assigned ?? process.stderr,
      set: (v: WritableLike) => void (assigned = v),
    });
    this.#clear = () => void (assigned = undefined);
  }

  readonly #clear: () => void;

  /** Writes to whatever `process.stderr` is now. */
  override emit(record: LogRecord): void {
    this.#clear();
    super.emit(record);
  }
}

/**
 * A stand-in stream for a subclass constructor that sets `stream` itself right after `super()` (StderrHandler,
 * FileHandler): passing `null` would read `process.stderr` (see StderrHandler) only to replace it.
 * @internal
 */
export const NOT_YET: WritableLike = new (class NotYet {
  // An instance of its own class, not an object literal: a `{ write }` literal would share its hidden class with
  // the `{ write }` objects programs pass as streams and, holding another `write`, could make V8 stop treating
  // their `write` as a constant.
  write(): boolean {
    return true;
  }
})();
