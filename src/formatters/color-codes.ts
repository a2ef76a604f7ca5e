/**
 * colorlog 6.7's `escape_codes` table (named ANSI SGR sequences) and `parse_colors`, plus the default
 * `log_colors` mapping. Built in the same order as colorlog's `escape_codes.py`, so later names overwrite earlier
 * ones exactly as they do there.
 */
import { editDistance } from '../internal/options.js';
import { KeyError } from '../core/errors.js';

/** `esc(*codes)`: `ESC [ codes joined by ';' m`. */
function esc(...codes: number[]): string {
  return `\x1b[${codes.join(';')}m`;
}

const FOREGROUND: readonly (readonly [string, number])[] = [
  ['black', 30],
  ['red', 31],
  ['green', 32],
  ['yellow', 33],
  ['blue', 34],
  ['purple', 35],
  ['cyan', 36],
  ['white', 37],
  ['light_black', 90],
  ['light_red', 91],
  ['light_green', 92],
  ['light_yellow', 93],
  ['light_blue', 94],
  ['light_purple', 95],
  ['light_cyan', 96],
  ['light_white', 97],
];

// colorlog keeps `bg_bold_*` as aliases of the light backgrounds ("we used to provide these names").
const BACKGROUND: readonly (readonly [string, number])[] = [
  ...FOREGROUND.map(([n, c]) => [n, c + 10] as const),
  ['bold_black', 100],
  ['bold_red', 101],
  ['bold_green', 102],
  ['bold_yellow', 103],
  ['bold_blue', 104],
  ['bold_purple', 105],
  ['bold_cyan', 106],
  ['bold_white', 107],
];

function buildEscapeCodes(): ReadonlyMap<string, string> {
  const m = new Map<string, string>([
    ['reset', esc(0)],
    ['bold', esc(1)],
    ['thin', esc(2)],
  ]);
  for (const [name, code] of FOREGROUND) {
    m.set(name, esc(code));
    m.set(`bold_${name}`, esc(1, code));
    m.set(`thin_${name}`, esc(2, code));
  }
  for (const [name, code] of FOREGROUND) {
    m.set(`fg_${name}`, esc(code));
    m.set(`fg_bold_${name}`, esc(1, code));
    m.set(`fg_thin_${name}`, esc(2, code));
  }
  for (const [name, code] of BACKGROUND) m.set(`bg_${name}`, esc(code));
  for (let code = 0; code < 256; code++) {
    m.set(`fg_${code}`, esc(38, 5, code));
    m.set(`bg_${code}`, esc(48, 5, code));
  }
  return m;
}

/**
 * Every colour name colorlog knows and its escape sequence: `reset`, `bold`, `thin`, the foreground colours
 * (`red`, `light_blue`, …) with `bold_`/`thin_` and `fg_`/`fg_bold_`/`fg_thin_` forms, `bg_` backgrounds, and the
 * 256-colour `fg_0`…`fg_255`, `bg_0`…`bg_255`. These are also the format fields a {@link ColoredFormatter} fills
 * (`%(red)s`, `{bold_blue}`).
 */
export const escape_codes: ReadonlyMap<string, string> = buildEscapeCodes();

/** colorlog's `default_log_colors`: the `log_colors` used when none are given. */
export const default_log_colors: Readonly<Record<string, string>> = Object.freeze({
  DEBUG: 'white',
  INFO: 'green',
  WARNING: 'yellow',
  ERROR: 'red',
  CRITICAL: 'bold_red',
});

/** The known name closest to `name` (edit distance ≤ 2), for "did you mean" hints. */
function closestName(name: string): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const known of escape_codes.keys()) {
    if (Math.abs(known.length - name.length) >= bestD) continue;
    const d = editDistance(name, known, bestD);
    if (d < bestD) {
      bestD = d;
      best = known;
    }
  }
  return best;
}

/**
 * colorlog's `parse_colors`: the escape codes of a comma-separated colour sequence (`'bold_red,bg_white'`), empty
 * parts skipped, no trimming (`'red, bold'` names `' bold'`, as in colorlog).
 * @param where Where the sequence came from, for the error (`log_colors['ERROR']`).
 * @throws {KeyError} naming the unknown colour (colorlog raises `KeyError` too, but only when a record of that level
 * is formatted).
 */
export function parse_colors(sequence: string, where = 'colour sequence'): string {
  if (typeof sequence !== 'string') {
    throw new TypeError(`${where} must be a string of colour names, got ${typeof sequence}`);
  }
  let out = '';
  for (const name of sequence.split(',')) {
    if (name === '') continue;
    const code = escape_codes.get(name);
    if (code === undefined) {
      const hint = closestName(name.trim());
      const suggestion = hint === null ? '' : ` (did you mean '${hint}'?)`;
      throw new KeyError(`unknown colour name '${name}' in ${where}${suggestion}`);
    }
    out += code;
  }
  return out;
}
