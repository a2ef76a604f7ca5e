/**
 * WatchedFileHandler: a FileHandler that notices when its file was moved or deleted (logrotate, newsyslog).
 */
import { fstatSync, statSync } from 'node:fs';
import type { LogRecord } from '../core/record.js';
import { FileHandler, type FileHandlerOptions } from '../core/file-handler.js';
import { checkOptions, optionKeys } from '../internal/options.js';

const WATCHED_KEYS = optionKeys<FileHandlerOptions>()(['mode', 'encoding', 'delay', 'errors', 'level', 'bufferSize']);

/**
 * Python's `WatchedFileHandler(filename, mode, encoding, delay, errors)`: before each record, compares the path's
 * device and inode with the open file's and reopens the path when they differ or the path is gone, so records go
 * to the new file that logrotate (or a `mv`/`rm`) left behind, never to the old one.
 */
export class WatchedFileHandler extends FileHandler {
  /** Device of the open file (-1 before it is opened). */
  dev = -1;
  /** Inode of the open file (-1 before it is opened). */
  ino = -1;

  constructor(filename: string, modeOrOptions: string | FileHandlerOptions = {}) {
    if (new.target === WatchedFileHandler && typeof modeOrOptions !== 'string') {
      checkOptions('WatchedFileHandler', modeOrOptions, WATCHED_KEYS);
    }
    super(filename, modeOrOptions);
    this._statstream();
  }

  /** Records the device and inode of the open stream. */
  _statstream(): void {
    const stream = this.stream;
    if (stream === null) return;
    const st = fstatSync(stream.fd);
    this.dev = st.dev;
    this.ino = st.ino;
  }

  /** Reopens the file when the path no longer leads to the open file (moved, deleted or replaced). */
  reopenIfNeeded(): void {
    const stream = this.stream;
    if (stream === null) return;
    let reopen: boolean;
    try {
      const st = statSync(this.baseFilename);
      reopen = st.dev !== this.dev || st.ino !== this.ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      reopen = true;
    }
    if (!reopen) return;
    this.stream = null;
    stream.close();
    this.stream = this._open();
    this._statstream();
  }

  /** Reopens if needed, then writes as FileHandler does. */
  override emit(record: LogRecord): void {
    try {
      this.reopenIfNeeded();
    } catch (err) {
      this.handleError(record, err);
      return;
    }
    super.emit(record);
  }
}
