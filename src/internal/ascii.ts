/**
 * Copying ASCII text into a buffer in JavaScript: the binary record codecs (the worker ring's, SocketHandler's
 * pickles) write short strings this way before they fall back to `Buffer#write`.
 */

/**
 * Writes `s` into `buf` at `at` while it is ASCII, up to 64 characters (longer strings go to `Buffer#write` whole);
 * returns how many characters were written: `s.length` when all of them.
 *
 * Why: `Buffer#write` is a call into C++ (a handle scope, buffer and argument checks) that costs more than the copy
 * for a few dozen bytes. measured (Node 20.20, perf of a QueueHandler call into the worker ring's encoder, the
 * bench's 19-character message): `Buffer#write` was 41 % of the encoding, two thirds of it that way in and out.
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
