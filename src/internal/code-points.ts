/**
 * Python's `len()` of a string: code points, where a JS string's `length` counts UTF-16 units (a surrogate pair is
 * one Python character). Used where CPython compares or pads by `len()`: format widths, rotation sizes.
 */

/** Code points in `s.slice(0, end)`; an unpaired surrogate counts as one, as Python counts it. */
export function codePointLength(s: string, end = s.length): number {
  let n = end;
  for (let i = 0; i < end - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
