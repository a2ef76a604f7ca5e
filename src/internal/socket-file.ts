/**
 * Socket files on disk, for the two ways a receiver replaces a stale one (unix stream: a `net` connect probe; unix
 * datagram: the addon's connect probe). Only a socket is ever removed — never a regular file, directory or link —
 * and only the very file that was probed (same device and inode), so one that another process bound meanwhile stays.
 */
import { lstatSync, unlinkSync, type Stats } from 'node:fs';

/** The socket file at `path`, or null when there is nothing there or it is not a socket. */
export function socketFileAt(path: string): Stats | null {
  try {
    const st = lstatSync(path);
    return st.isSocket() ? st : null;
  } catch {
    return null;
  }
}

/** Removes `path` if it is still the socket file `was` describes; false when it changed or is gone. */
export function unlinkSameSocket(path: string, was: Stats): boolean {
  try {
    const now = lstatSync(path);
    if (!now.isSocket() || now.ino !== was.ino || now.dev !== was.dev) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false; // gone meanwhile
  }
}
