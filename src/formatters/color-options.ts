/**
 * Closed options objects for the colour formatters: an unknown key is a `TypeError` naming it, with the right name
 * suggested when the key is close to one (`log_colors` → `logColors`, `forceColour` → `forceColor`).
 */
import { editDistance } from './color-codes.js';

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws when `options` has a key outside `known`.
 * @throws {TypeError} `ColoredFormatter: unknown option 'log_colors' (did you mean 'logColors'?)`.
 */
export function checkClosedOptions(options: object, known: readonly string[], owner: string): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${owner}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    let hint = known.find((k) => k === camel(key) || k.toLowerCase() === key.toLowerCase());
    if (hint === undefined) {
      let best = 3;
      for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase(), best);
        if (d < best) {
          best = d;
          hint = k;
        }
      }
    }
    throw new TypeError(`${owner}: unknown option '${key}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`);
  }
}
