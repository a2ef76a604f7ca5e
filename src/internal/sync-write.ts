/**
 * Writes a whole string to a file descriptor synchronously: partial writes are continued and `EAGAIN` (a full,
 * non-blocking pipe) is waited out, as sonic-boom does for pino. This is what makes a record written to stdout or
 * stderr survive `process.exit()` even when they are pipes, which Node makes non-blocking on Linux (measured: 1000
 * 60-byte lines to a slow pipe through `process.stdout.write` lost 60–400 of them on `process.exit()`).
 */
import { writeSync } from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** How long one record may wait for a reader before the caller falls back to queueing (never dropping). */
const MAX_WAIT_MS = 1000;

/**
 * Writes `text` (UTF-8) to `fd`. Returns the number of bytes written; fewer than all only when the descriptor stayed
 * full for {@link MAX_WAIT_MS} — then `rest` holds what is left, for the caller to queue.
 * @throws What the OS says (`ENOSPC`, `EBADF`, `EPIPE`), except `EAGAIN`, with {@link PartialWrite.bytesWritten}
 * set to the bytes that did reach the descriptor before it failed.
 */
export function writeStringSync(fd: number, text: string): { written: number; rest: Buffer | null } {
  let n: number;
  try {
    n = writeSync(fd, text);
    // UTF-8 never has fewer bytes than UTF-16 code units: n === length means an all-ASCII string went whole.
    if (n === text.length) return { written: n, rest: null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw partial(err, 0);
    n = 0;
  }
  const buf = Buffer.from(text, 'utf8');
  return writeBufferSync(fd, buf, n);
}

/**
 * {@link writeStringSync} for a descriptor that never stays full (a regular file): returns the bytes written, and
 * drops what is left after {@link MAX_WAIT_MS} as `writeStringSync` callers ignoring `rest` do. Allocates nothing on
 * the usual path (a string going out whole in one call).
 */
export function writeStringToFileSync(fd: number, text: string): number {
  let n: number;
  try {
    n = writeSync(fd, text);
    if (n === text.length) return n;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw partial(err, 0);
    n = 0;
  }
  return writeBufferSync(fd, Buffer.from(text, 'utf8'), n).written;
}

/** Writes `buf` from `offset` on; see {@link writeStringSync}. */
export function writeBufferSync(fd: number, buf: Buffer, offset = 0): { written: number; rest: Buffer | null } {
  let waited = 0;
  while (offset < buf.length) {
    try {
      offset += writeSync(fd, buf, offset, buf.length - offset);
      waited = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw partial(err, offset);
      if (waited >= MAX_WAIT_MS) return { written: offset, rest: buf.subarray(offset) };
      Atomics.wait(sleeper, 0, 0, 1);
      waited += 1;
    }
  }
  return { written: buf.length, rest: null };
}

/** A write error that says how much of the text went out before it (a full disk can take half a record). */
export interface PartialWrite {
  /** Bytes written before the failure; more than 0 means the file now ends in a fragment. */
  bytesWritten?: number;
}

function partial(err: unknown, bytesWritten: number): unknown {
  if (err instanceof Error) (err as Error & PartialWrite).bytesWritten = bytesWritten;
  return err;
}
