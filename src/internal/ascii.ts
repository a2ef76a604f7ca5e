/**
 * Copying ASCII text into a buffer in JavaScript: the binary record codecs (the worker ring's, SocketHandler's
 * pickles) write short strings this way before they fall back to `Buffer#write`.
 */

/**
 * Writes `s` into `buf` at `at` while it is ASCII, up to 64 characters (longer strings go to `Buffer#write` whole);
 * returns how many characters were written: `s.length` when all of them.
 *
 * Why: `Buffer#write` is a call into C++ (a handle scope, buffer and argument checks) that costs more than the copy
 * for a few dozen bytes. measured (Node 20.20, perf self time of QueueHandler calls into the worker ring's encoder,
 * the bench's 19-character message): writing it with `Buffer#write`, the way in and out, the flattening and the
 * copy, was about 30 % of a call; with this loop, 1,534 → 1,419 ns a call (docs/performance.md, 2026-12-03).
 */
export function asciiPrefix(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  if (n > 64) return 0;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    buf[at + i] = c;
  }
  return i;
}
