/**
 * The bytes CPython's SMTPHandler sends: an `email.message.EmailMessage` (policy `email.policy.default`) with
 * From, To, Subject and Date, then `set_content(text)`, flattened by smtplib's `BytesGenerator` with CRLF.
 *
 * Ported from CPython 3.13: header folding and RFC 2047 encoded words (`email._header_value_parser.
 * _refold_parse_tree`, `_fold_as_ew`, `email._encoded_words.encode`), the body's transfer encoding
 * (`email.contentmanager._encode_text`, `email.quoprimime.body_encode`, `_encode_base64`) and the generator's
 * `From ` mangling. Tests compare the output with CPython's for a table of subjects, addresses and bodies.
 */
import { Buffer } from 'node:buffer';
import { ValueError } from '../core/errors.js';

const MAXLEN = 78; // email.policy.default.max_line_length
const WSP = ' \t';
// Python's str.isspace() characters: what str.lstrip() removes (get_fws).
// eslint-disable-next-line no-control-regex
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
// Python's str.splitlines() boundaries.
// eslint-disable-next-line no-control-regex
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/gu;

/** Python's `len(s.splitlines())`. */
function splitlinesCount(s: string): number {
  if (s === '') return 0;
  const parts = s.split(PY_LINE_BREAK);
  return parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
}

/**
 * `email.policy.EmailPolicy.header_store_parse`: a value that `splitlines()` into more than one line is refused, so
 * CR/LF can never add a header (header injection). A single trailing line break is kept and encoded, as CPython.
 * @throws ValueError CPython's `Header values may not contain linefeed or carriage return characters`.
 */
export function checkHeaderValue(value: string): void {
  if (splitlinesCount(value) > 1) {
    throw new ValueError('Header values may not contain linefeed or carriage return characters');
  }
}

// ---- RFC 2047 encoded words (email/_encoded_words.py) -------------------------------------------------------

const Q_SAFE = new Set<number>();
for (const c of '-!*+/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') Q_SAFE.add(c.charCodeAt(0));
const hex2 = (b: number): string => `=${b.toString(16).toUpperCase().padStart(2, '0')}`;

function qEncode(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b === 32 ? '_' : Q_SAFE.has(b) ? String.fromCharCode(b) : hex2(b);
  return out;
}

/** `_encoded_words.encode(string, 'utf-8')`: q unless it is 5 or more characters longer than b (bias to q). */
function encodeWord(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const q = qEncode(bytes);
  const blen = Math.floor((bytes.length + 2) / 3) * 4;
  return q.length - blen < 5 ? `=?utf-8?q?${q}?=` : `=?utf-8?b?${bytes.toString('base64')}?=`;
}

const EW = /^=\?utf-8\?([qb])\?([^?]*)\?=$/i;

function decodeWord(word: string): string | null {
  const m = EW.exec(word);
  if (!m) return null;
  const [, kind, data] = m as unknown as [string, string, string];
  if (kind.toLowerCase() === 'b') return Buffer.from(data, 'base64').toString('utf8');
  const bytes: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i] as string;
    if (c === '_') bytes.push(32);
    else if (c === '=') {
      bytes.push(parseInt(data.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `str(get_unstructured(s))` for text we produced: encoded words decoded, whitespace between two of them dropped. */
function unfoldEncoded(s: string): string {
  const pieces = s.split(/([ \t]+)/);
  let out = '';
  let prevEw = false;
  let pendingWs = '';
  for (const p of pieces) {
    if (p === '') continue;
    if (/^[ \t]+$/.test(p)) {
      pendingWs += p;
      continue;
    }
    const d = decodeWord(p);
    out += d !== null && prevEw ? '' : pendingWs;
    pendingWs = '';
    out += d ?? p;
    prevEw = d !== null;
  }
  return out + pendingWs;
}

// ---- the parse tree the folder walks (a flat subset of _header_value_parser's) ------------------------------

interface Token {
  str: string;
  type: string;
  children: Token[] | null; // null: a Terminal
  asEwAllowed: boolean;
  ewCombineAllowed: boolean;
  syntacticBreak: boolean;
}

const terminal = (str: string, type: string, asEwAllowed = true, syntacticBreak = true): Token => ({
  str, type, children: null, asEwAllowed, ewCombineAllowed: true, syntacticBreak,
});
const list = (type: string, children: Token[], asEwAllowed = true): Token => ({
  str: children.map((c) => c.str).join(''), type, children, asEwAllowed, ewCombineAllowed: true, syntacticBreak: true,
});
function startswithFws(t: Token): boolean {
  if (t.children === null) return t.type === 'fws';
  const first = t.children[0];
  return first ? startswithFws(first) : false;
}

/** `get_unstructured`: vtext runs separated by fws (leading whitespace as Python's `lstrip()` sees it). */
function unstructured(value: string): Token {
  const out: Token[] = [];
  while (value) {
    if (WSP.includes(value[0] as string)) {
      const ws = PY_SPACE.exec(value)?.[0] ?? value.charAt(0);
      out.push(terminal(ws, 'fws'));
      value = value.slice(ws.length);
      continue;
    }
    const m = /[ \t]/.exec(value);
    const tok = m ? value.slice(0, m.index) : value;
    out.push(terminal(tok, 'vtext'));
    value = value.slice(tok.length);
  }
  return list('unstructured', out);
}

/**
 * An address list as tokens: display-name words may become encoded words; addr-specs, `<…>`, quoted strings and
 * the `,` separators may not (CPython: AddrSpec, AngleAddr, ListSeparator have `as_ew_allowed = False`).
 */
function addressList(value: string): Token {
  const out: Token[] = [];
  const re = /([ \t]+)|(<[^>]*>?)|("(?:[^"\\]|\\.)*"?)|(,)|([^ \t<",]+)/gy;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    if (m[1] !== undefined) out.push(terminal(m[1], 'fws'));
    else if (m[2] !== undefined) out.push(terminal(m[2], 'angle-addr', false));
    else if (m[3] !== undefined) out.push(terminal(m[3], 'quoted-string', false));
    else if (m[4] !== undefined) out.push(terminal(m[4], 'list-separator', false, false));
    else if (m[5] !== undefined) out.push(terminal(m[5], m[5].includes('@') ? 'addr-spec' : 'atext', !m[5].includes('@')));
    if (re.lastIndex >= value.length) break;
  }
  return list('address-list', out);
}

function stealTrailingWsp(lines: string[]): string {
  const last = lines[lines.length - 1] as string;
  if (last && WSP.includes(last[last.length - 1] as string)) {
    lines[lines.length - 1] = last.slice(0, -1);
    return last[last.length - 1] as string;
  }
  return '';
}

// eslint-disable-next-line no-control-regex
const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s);

/** `_fold_as_ew`: appends `toEncode` as encoded words, combining with the line's last one when allowed. */
function foldAsEw(toEncode: string, lines: string[], lastEw: number | null, combine: boolean, leadingWs: string): number | null {
  const cur = (): string => lines[lines.length - 1] as string;
  const setCur = (s: string): void => {
    lines[lines.length - 1] = s;
  };
  if (lastEw !== null && combine) {
    toEncode = unfoldEncoded(cur().slice(lastEw) + toEncode);
    setCur(cur().slice(0, lastEw));
  } else if (WSP.includes(toEncode[0] as string)) {
    const lead = toEncode[0] as string;
    toEncode = toEncode.slice(1);
    if (cur().length === MAXLEN) lines.push(stealTrailingWsp(lines));
    setCur(cur() + lead);
  }
  let trailing = '';
  if (WSP.includes(toEncode[toEncode.length - 1] as string)) {
    trailing = toEncode[toEncode.length - 1] as string;
    toEncode = toEncode.slice(0, -1);
  }
  let newLastEw = lastEw === null ? cur().length : lastEw;
  const chrome = 'utf-8'.length + 7;
  let chars = Array.from(toEncode); // Python slices code points
  while (chars.length > 0) {
    const remaining = MAXLEN - cur().length;
    const textSpace = remaining - chrome - leadingWs.length;
    if (textSpace <= 0) {
      lines.push(' ');
      continue;
    }
    if (lines.length > 1 && cur().length === 1 && leadingWs) {
      setCur(cur() + encodeWord(leadingWs));
      leadingWs = '';
    }
    let n = Math.min(textSpace, chars.length);
    let word = encodeWord(chars.slice(0, n).join(''));
    while (word.length - remaining > 0) {
      n--;
      word = encodeWord(chars.slice(0, n).join(''));
    }
    setCur(cur() + word);
    chars = chars.slice(n);
    leadingWs = '';
    if (chars.length > 0) {
      lines.push(' ');
      newLastEw = cur().length;
    }
  }
  setCur(cur() + trailing);
  return combine ? newLastEw : null;
}

/** `_refold_parse_tree` for `Name: value` (policy.default: max 78, us-ascii, CRLF added by the caller). */
function refold(name: string, value: Token): string {
  const lines = [''];
  let leadingWs = '';
  let lastEw: number | null = null;
  let wantEncoding = false;
  const END_BLOCK: Token = terminal('', 'wrap_as_ew_blocked');
  let blocked = 0;
  const label = list('header-label', [terminal(name, 'header-name'), terminal(':', 'header-sep')], false);
  let parts: Token[] = [label, list('cfws', [terminal(' ', 'fws')]), value];
  const cur = (): string => lines[lines.length - 1] as string;
  while (parts.length > 0) {
    const part = parts.shift() as Token;
    if (part === END_BLOCK) {
      blocked--;
      continue;
    }
    const tstr = part.str;
    if (!wantEncoding) wantEncoding = /[\r\n]/.test(tstr);
    if (!isAscii(tstr)) wantEncoding = true;
    if (wantEncoding && !blocked) {
      if (!part.asEwAllowed) {
        wantEncoding = false;
        lastEw = null;
      }
      if (part.children !== null) {
        parts = [...part.children, ...parts];
        wantEncoding = false;
        continue;
      } else if (part.asEwAllowed) {
        lastEw = foldAsEw(tstr, lines, lastEw, part.ewCombineAllowed, leadingWs);
        leadingWs = '';
        wantEncoding = false;
        continue;
      } else {
        lastEw = null;
        wantEncoding = false;
      }
    }
    if (tstr.length <= MAXLEN - cur().length) {
      lines[lines.length - 1] = cur() + tstr;
      continue;
    }
    leadingWs = '';
    if (part.syntacticBreak && tstr.length + 1 <= MAXLEN) {
      const newline = stealTrailingWsp(lines);
      if (newline || startswithFws(part)) {
        lines.push(newline + tstr);
        leadingWs = /^[ \t]*/.exec(cur())?.[0] ?? '';
        lastEw = null;
        continue;
      }
    }
    if (part.children !== null) {
      const sub = [...part.children];
      if (!part.asEwAllowed) {
        blocked++;
        sub.push(END_BLOCK);
      }
      parts = [...sub, ...parts];
      continue;
    }
    if (part.asEwAllowed && !blocked) {
      parts.unshift(part);
      wantEncoding = true;
      continue;
    }
    const newline = stealTrailingWsp(lines);
    if (newline || startswithFws(part)) lines.push(newline + tstr);
    else lines[lines.length - 1] = cur() + tstr;
  }
  return lines.join('\r\n') + '\r\n';
}

// ---- body (email/contentmanager.py _encode_text, email/quoprimime.py body_encode) ----------------------------

const QP_SAFE = new Set<number>([9, 10, 13]);
for (const c of ' !"#$%&\'()*+,-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~') {
  QP_SAFE.add(c.charCodeAt(0));
}

/** `bytes.splitlines()`: only CR, LF and CRLF end lines. */
function splitByteLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 10 || c === 13) {
      out.push(b.subarray(start, i));
      if (c === 13 && b[i + 1] === 10) i++;
      start = i + 1;
    }
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

/** `quoprimime.body_encode(latin1_text, 78)`; input lines are LF-separated, output too. */
function qpBodyEncode(body: string): string {
  if (!body) return body;
  let t = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    t += QP_SAFE.has(c) ? body[i] : hex2(c);
  }
  const maxlinelen1 = MAXLEN - 1;
  const out: string[] = [];
  // after translate only CR/LF remain as line breaks; str.splitlines() on them
  const lines = t.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(t)) lines.pop();
  for (const line of lines) {
    let start = 0;
    const laststart = line.length - 1 - MAXLEN;
    while (start <= laststart) {
      const stop = start + maxlinelen1;
      if (line[stop - 2] === '=') {
        out.push(line.slice(start, stop - 1));
        start = stop - 2;
      } else if (line[stop - 1] === '=') {
        out.push(line.slice(start, stop));
        start = stop - 1;
      } else {
        out.push(`${line.slice(start, stop)}=`);
        start = stop;
      }
    }
    const last = line[line.length - 1];
    if (line && (last === ' ' || last === '\t')) {
      const room = start - laststart;
      const q = room >= 3 ? hex2(last.charCodeAt(0)) : room === 2 ? `${last}=\n` : `=\n${hex2(last.charCodeAt(0))}`;
      out.push(line.slice(start, -1) + q);
    } else out.push(line.slice(start));
  }
  if (/[\r\n]$/.test(body)) out.push('');
  return out.join('\n');
}

function base64Lines(data: Buffer): string {
  let out = '';
  const per = Math.floor(MAXLEN / 4) * 3;
  for (let i = 0; i < data.length; i += per) out += `${data.subarray(i, i + per).toString('base64')}\n`;
  return out;
}

/** `_encode_text(text, 'utf-8', None, policy.default)`: the transfer encoding and the LF-separated payload bytes. */
export function encodeBody(text: string): { cte: string; payload: Buffer } {
  const lines = splitByteLines(Buffer.from(text, 'utf8'));
  const lf = Buffer.from('\n');
  const normal = (ls: Buffer[]): Buffer => Buffer.concat([...ls.flatMap((l) => [l, lf]).slice(0, -1), lf]);
  const embedded = (ls: Buffer[]): Buffer => (ls.length ? Buffer.concat(ls.flatMap((l) => [l, lf])) : lf);
  if (Math.max(0, ...lines.map((l) => l.length)) <= MAXLEN) {
    const body = normal(lines);
    return { cte: body.every((b) => b < 128) ? '7bit' : '8bit', payload: body };
  }
  const sniff = embedded(lines.slice(0, 10));
  const sniffQp = qpBodyEncode(sniff.toString('latin1'));
  const sniffB64Len = Math.ceil(sniff.length / 3) * 4 + 1; // binascii.b2a_base64 adds a newline
  if (sniffQp.length > sniffB64Len) return { cte: 'base64', payload: Buffer.from(base64Lines(embedded(lines)), 'latin1') };
  if (lines.length <= 10) return { cte: 'quoted-printable', payload: Buffer.from(sniffQp, 'latin1') };
  return { cte: 'quoted-printable', payload: Buffer.from(qpBodyEncode(normal(lines).toString('latin1')), 'latin1') };
}

// ---- the whole message -------------------------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `email.utils.format_datetime(email.utils.localtime())`: `Wed, 25 Nov 2026 05:53:02 +0100` in local time. */
export function formatDate(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return (
    `${DAYS[d.getDay()] as string}, ${pad2(d.getDate())} ${MONTHS[d.getMonth()] as string} ${String(d.getFullYear()).padStart(4, '0')} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${sign}${pad2(Math.floor(a / 60))}${pad2(a % 60)}`
  );
}

/** What {@link buildMessage} needs. */
export interface MessageParts {
  from: string;
  to: readonly string[];
  subject: string;
  date: string;
  body: string;
}

/**
 * The message as smtplib hands it to DATA (before dot-stuffing): CRLF line ends, headers in CPython's order.
 * @throws ValueError when a header value holds a line break (no header can be injected).
 */
export function buildMessage(p: MessageParts): Buffer {
  const to = p.to.join(',');
  for (const v of [p.from, to, p.subject]) checkHeaderValue(v);
  const head =
    refold('From', addressList(p.from)) +
    refold('To', addressList(to)) +
    refold('Subject', unstructured(p.subject)) +
    `Date: ${p.date}\r\n`;
  const { cte, payload } = encodeBody(p.body);
  // Generator: `^From ` mangled (mangle_from_ is True for smtplib's BytesGenerator), then LF → CRLF.
  const text = payload.toString('latin1').replace(/(^|\n)From /g, '$1>From ').replace(/\r\n|\r|\n/g, '\r\n');
  return Buffer.concat([
    Buffer.from(
      `${head}Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: ${cte}\r\nMIME-Version: 1.0\r\n\r\n`,
      'utf8',
    ),
    Buffer.from(text, 'latin1'),
  ]);
}

/**
 * The envelope addresses smtplib's `send_message` takes from a header: `email.utils.getaddresses` for the forms a
 * logging config uses (`a@x`, `Name <a@x>`, `"Doe, J" <a@x>`, several separated by commas). As CPython's parser
 * does, each mailbox yields only its address: text after it (`a@x> NOTIFY=SUCCESS ORCPT=…`, `a@x <b@y>`) is not part
 * of the envelope, so it can never become SMTP command parameters or a second recipient.
 */
export function envelopeAddresses(header: string): string[] {
  const out: string[] = [];
  for (const m of header.matchAll(/(?:"(?:[^"\\]|\\.)*"|<[^>]*>|[^,"<])+/g)) {
    const item = m[0].trim();
    if (item) out.push(mailboxAddress(item));
  }
  return out;
}

/** The address of one mailbox: the `<…>` of a name-addr, else the addr-spec it starts with. */
function mailboxAddress(item: string): string {
  const bare = item.replace(/"(?:[^"\\]|\\.)*"/g, (q) => '_'.repeat(q.length)); // quotes hide their < and @
  const lt = bare.indexOf('<');
  const at = bare.indexOf('@');
  if (lt !== -1 && (at === -1 || at > lt)) {
    const gt = bare.indexOf('>', lt + 1);
    return item.slice(lt + 1, gt === -1 ? undefined : gt).trim();
  }
  return /^(?:"(?:[^"\\]|\\.)*"|[^\s<>;,"])+/.exec(item)?.[0] ?? '';
}

// What may stand between `<` and `>` in MAIL FROM/RCPT TO: no space, control character or angle bracket outside a
// quoted local part (RFC 5321 §4.1.2), so an address can only ever be one address.
const SAFE_PATH = /^(?:"(?:[^"\\\r\n]|\\.)*"|[^\s<>"\x00-\x1f\x7f])+$/; // eslint-disable-line no-control-regex

/**
 * Checks an SMTPHandler address (`fromaddr`, or one of `toaddrs`): no line break anywhere (it would end the header
 * block; CPython encodes a trailing one into the header instead, we refuse it) and an envelope address that is one
 * plain address. Returns the envelope addresses.
 * @throws {ValueError} naming the value.
 */
export function checkAddress(value: string, what: string): string[] {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${typeof value}`);
  if (/[\r\n]/.test(value)) throw new ValueError(`${what} may not contain a line break: ${JSON.stringify(value)}`);
  const addrs = envelopeAddresses(value);
  if (addrs.length === 0) throw new ValueError(`${what} holds no address: ${JSON.stringify(value)}`);
  for (const a of addrs) {
    // `a b@x` is one address to CPython ('"a b"@x'); ours would be `a`: refuse rather than send elsewhere.
    if (!SAFE_PATH.test(a) || (!a.includes('@') && value.includes('@'))) {
      throw new ValueError(`${what} is not a mail address: ${JSON.stringify(value)}`);
    }
  }
  return addrs;
}
