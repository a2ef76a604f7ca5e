/**
 * Text encodings and Python's error handlers for file handlers (`encoding`, `errors`).
 *
 * UTF-8 is the fast path: a well-formed JS string (checked with `isWellFormed()`, a single native scan) goes to
 * `fs.writeSync` as is. Other encodings and lone surrogates take the slow path through a Buffer.
 */
import { LookupError, UnicodeEncodeError } from '../core/errors.js';

/** The encodings file handlers accept, by their canonical Python name. */
export type EncodingName = 'utf-8' | 'ascii' | 'latin-1' | 'utf-16-le';
/** Python's standard error handlers for encoding. */
export type ErrorsName = 'strict' | 'ignore' | 'replace' | 'backslashreplace' | 'xmlcharrefreplace';

const ENCODINGS = new Map<string, EncodingName>([
  ['utf-8', 'utf-8'], ['utf8', 'utf-8'], ['u8', 'utf-8'], ['utf', 'utf-8'],
  ['ascii', 'ascii'], ['us-ascii', 'ascii'], ['646', 'ascii'],
  ['latin-1', 'latin-1'], ['latin1', 'latin-1'], ['latin', 'latin-1'], ['iso-8859-1', 'latin-1'],
  ['iso8859-1', 'latin-1'], ['l1', 'latin-1'],
  ['utf-16-le', 'utf-16-le'], ['utf-16le', 'utf-16-le'], ['utf_16_le', 'utf-16-le'],
]);
const ERRORS = new Set<string>(['strict', 'ignore', 'replace', 'backslashreplace', 'xmlcharrefreplace']);

/**
 * The canonical name of a Python encoding name (case, `_` and spaces normalised as Python's codec lookup does).
 * @throws {LookupError} `unknown encoding: <name>`.
 */
export function lookupEncoding(name: string | null | undefined): EncodingName {
  if (name === null || name === undefined) return 'utf-8';
  const key = String(name).trim().toLowerCase().replace(/[_ ]/g, '-');
  const enc = ENCODINGS.get(key) ?? ENCODINGS.get(key.replace(/-/g, ''));
  if (enc === undefined) throw new LookupError(`unknown encoding: ${String(name)}`);
  return enc;
}

/**
 * Checks a Python error-handler name.
 * @throws {LookupError} `unknown error handler name '<name>'`.
 */
export function lookupErrors(name: string | null | undefined): ErrorsName {
  if (name === null || name === undefined) return 'strict';
  if (!ERRORS.has(name)) throw new LookupError(`unknown error handler name '${String(name)}'`);
  return name as ErrorsName;
}

// Node 20 has String.prototype.isWellFormed (V8 11.3); TypeScript's ES2022 lib does not declare it.
interface WellFormedString {
  isWellFormed(): boolean;
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex
const NON_LATIN1 = /[^\u0000-\u00ff]/; // eslint-disable-line no-control-regex

const LIMIT: Record<EncodingName, number> = { 'utf-8': 0x10ffff, ascii: 0x7f, 'latin-1': 0xff, 'utf-16-le': 0x10ffff };

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

/**
 * Replaces what `encoding` cannot represent, per `errors`; `strict` throws Python's `UnicodeEncodeError`.
 * Returns `text` itself when everything is representable (the common case allocates nothing).
 */
export function sanitize(text: string, encoding: EncodingName, errors: ErrorsName): string {
  const limit = LIMIT[encoding];
  if (limit === 0x10ffff) {
    if ((text as unknown as WellFormedString).isWellFormed()) return text;
  } else if (!(limit === 0x7f ? NON_ASCII : NON_LATIN1).test(text)) {
    return text;
  }
  let out = '';
  let pos = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    const bad = cp > limit || (cp >= 0xd800 && cp <= 0xdfff);
    if (!bad) {
      out += ch;
    } else {
      switch (errors) {
        case 'strict': {
          const reason = cp >= 0xd800 && cp <= 0xdfff && limit === 0x10ffff ? 'surrogates not allowed' : `ordinal not in range(${limit + 1})`;
          const codec = encoding === 'latin-1' ? 'latin-1' : encoding;
          const shown = cp > 0xffff ? `\\U${hex(cp, 8)}` : cp > 0xff ? `\\u${hex(cp, 4)}` : `\\x${hex(cp, 2)}`;
          throw new UnicodeEncodeError(`'${codec}' codec can't encode character '${shown}' in position ${pos}: ${reason}`);
        }
        case 'ignore':
          break;
        case 'replace':
          out += '?';
          break;
        case 'backslashreplace':
          out += cp > 0xffff ? `\\U${hex(cp, 8)}` : cp > 0xff ? `\\u${hex(cp, 4)}` : `\\x${hex(cp, 2)}`;
          break;
        case 'xmlcharrefreplace':
          out += `&#${cp};`;
          break;
      }
    }
    pos++;
  }
  return out;
}

/** Node's Buffer encoding for a canonical Python encoding. */
export function bufferEncoding(encoding: EncodingName): BufferEncoding {
  return encoding === 'utf-8' ? 'utf8' : encoding === 'ascii' || encoding === 'latin-1' ? 'latin1' : 'utf16le';
}
