/**
 * Python's `urllib.parse.urlencode` / `quote_plus`. Values are Python's `str()` of JS values as a Python peer reads
 * them ({@link pyStr}; SPEC point 6: `null`/`undefined` are `None` in HTTP forms).
 */
import { Buffer } from 'node:buffer';
import { pyStr } from '../core/repr.js';

// Lib/urllib/parse.py `_ALWAYS_SAFE`: letters, digits and `_.-~` are never quoted (RFC 3986 unreserved).
const ALWAYS_SAFE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~') ALWAYS_SAFE[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/**
 * Python's `quote_plus(s)` with `safe=''`: UTF-8, every byte outside `[A-Za-z0-9_.~-]` as `%XX` (upper-case hex),
 * space as `+`. Lone surrogates, which Python's strict UTF-8 codec rejects, become U+FFFD.
 */
export function quotePlus(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ALWAYS_SAFE[c] !== 1) {
      plain = false;
      break;
    }
  }
  return plain ? s : quoteBytes(Buffer.from(s, 'utf8'));
}

/** `quote_plus(b)` of bytes: what urlencode does with a bytes value instead of quoting its `str()`. */
function quoteBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b < 128 && ALWAYS_SAFE[b] === 1) out += String.fromCharCode(b);
    else if (b === 32) out += '+';
    else out += `%${HEX[b >> 4] as string}${HEX[b & 15] as string}`;
  }
  return out;
}

/**
 * Python's `urlencode(mapping)` (`doseq=False`): `quote_plus(str(k)) + '=' + quote_plus(str(v))` joined by `&`, in
 * the mapping's insertion order. Values go through {@link pyStr}; a Buffer or Uint8Array is quoted as the bytes it
 * holds, as Python quotes a bytes value.
 */
export function urlencode(fields: Readonly<Record<string, unknown>> | Iterable<readonly [string, unknown]>): string {
  const pairs: Iterable<readonly [string, unknown]> =
    Symbol.iterator in fields ? (fields) : Object.entries(fields);
  const out: string[] = [];
  for (const [k, v] of pairs) out.push(`${quotePlus(k)}=${v instanceof Uint8Array ? quoteBytes(v) : quotePlus(pyStr(v))}`);
  return out.join('&');
}
