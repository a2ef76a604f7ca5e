/**
 * A safe reader for the Python expressions `fileConfig` evaluates: `args=(sys.stderr,)`,
 * `args=('app.log', 'a', 10*1024*1024, 5)`, `kwargs={'encoding': 'utf-8'}`, `defaults={'customfield': 'x'}`.
 *
 * It parses; it never evaluates code. Accepted: str literals (`'…'`, `"…"`, triple-quoted, `r`/`u` prefixes,
 * adjacent-literal concatenation), int and float literals, `True`/`False`/`None`, tuples, lists, dicts, the empty
 * calls `tuple()`/`list()`/`dict()` and `dict(key=value, …)`, arithmetic on numbers (`+ - * / // % **`, unary `-`/`+`),
 * `+` on strings, and dotted names (`sys.stdout`, `handlers.SysLogHandler.LOG_USER`, `ERROR`) which the caller
 * resolves. Anything else (calls, subscripts, lambdas, comprehensions, attribute access on a value) is a
 * {@link PyLiteralError} naming the offending column.
 *
 * Differs from CPython: Python's `eval` runs arbitrary code from the file; this accepts data only.
 */
import { pyStr } from '../core/repr.js';

/** A syntax error in, or an unsupported construct of, a Python literal. */
export class PyLiteralError extends SyntaxError {
  /** `'SyntaxError'`: what Python's `eval` raises for the same text. */
  override name = 'SyntaxError';
}

/** A dotted name found in the text, resolved by {@link evaluateLiteral}'s resolver. */
export class PyName {
  constructor(readonly dotted: string) {}
}

/** The value tree: names stay {@link PyName} until {@link resolveLiteral}. Dicts have a null prototype. */
export type PyValue = string | number | boolean | null | PyName | PyValue[] | { [key: string]: PyValue } | PyBinary;

/** An arithmetic expression over names, kept until the names are resolved. */
export class PyBinary {
  constructor(
    readonly op: string,
    readonly left: PyValue,
    readonly right: PyValue,
  ) {}
}

type Tok =
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: 'name'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number };

const OPS = ['**', '//', '(', ')', '[', ']', '{', '}', ',', ':', '.', '+', '-', '*', '/', '%', '='];
const ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (msg: string, at = i): never => {
    throw new PyLiteralError(`${msg} at column ${at + 1} in ${JSON.stringify(src)}`);
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') break; // a comment ends the expression text
    const strStart = /^([rRuU]?)('''|"""|'|")/.exec(src.slice(i, i + 4));
    if (strStart && (strStart[1] !== '' || c === "'" || c === '"')) {
      const raw = (strStart[1] ?? '').toLowerCase() === 'r';
      const quote = strStart[2] as string;
      const start = i;
      i += strStart[0].length;
      let v = '';
      for (;;) {
        if (i >= src.length) fail('unterminated string literal', start);
        if (src.startsWith(quote, i)) {
          i += quote.length;
          break;
        }
        const ch = src[i] as string;
        if (ch === '\n' && quote.length === 1) fail('unterminated string literal', start);
        if (ch === '\\' && i + 1 < src.length) {
          const n = src[i + 1] as string;
          if (raw) {
            v += ch + n;
            i += 2;
            continue;
          }
          if (n in ESCAPES) {
            v += ESCAPES[n];
            i += 2;
            continue;
          }
          const hex = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
          if (hex) {
            const digits = src.slice(i + 2, i + 2 + hex);
            if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) fail(`truncated \\${n} escape`);
            v += String.fromCodePoint(parseInt(digits, 16));
            i += 2 + hex;
            continue;
          }
          const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4));
          if (oct) {
            v += String.fromCharCode(parseInt(oct[0], 8));
            i += 1 + oct[0].length;
            continue;
          }
          v += ch; // Python keeps unknown escapes (with a warning)
          i++;
          continue;
        }
        v += ch;
        i++;
      }
      const prev = out[out.length - 1];
      if (prev?.t === 'str') prev.v += v; // 'a' 'b' is 'ab'
      else out.push({ t: 'str', v, pos: start });
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?\.?)/.exec(
      src.slice(i),
    );
    if (num && num[0] !== '' && num[0] !== '.' && /\d/.test(num[0])) {
      const text = num[0].replace(/_/g, '');
      let v: number;
      if (/^0[xX]/.test(text)) v = parseInt(text.slice(2), 16);
      else if (/^0[oO]/.test(text)) v = parseInt(text.slice(2), 8);
      else if (/^0[bB]/.test(text)) v = parseInt(text.slice(2), 2);
      else v = Number(text);
      if (Number.isNaN(v)) fail(`invalid number ${JSON.stringify(num[0])}`);
      out.push({ t: 'num', v, pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) fail(`unsupported character ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op as string, pos: i });
    i += (op as string).length;
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

class Parser {
  #toks: Tok[];
  #i = 0;
  readonly src: string;

  constructor(src: string) {
    this.src = src;
    this.#toks = tokenize(src);
  }

  fail(msg: string, tok: Tok = this.#peek()): never {
    throw new PyLiteralError(`${msg} at column ${tok.pos + 1} in ${JSON.stringify(this.src)}`);
  }

  #peek(): Tok {
    return this.#toks[this.#i] as Tok;
  }

  #isOp(v: string): boolean {
    const t = this.#peek();
    return t.t === 'op' && t.v === v;
  }

  #expectOp(v: string): void {
    if (!this.#isOp(v)) this.fail(`expected '${v}'`);
    this.#i++;
  }

  /** The whole text: an expression, or a bare tuple `a, b`. */
  parseTop(): PyValue {
    if (this.#peek().t === 'end') this.fail('empty expression');
    const first = this.#expr();
    let value: PyValue = first;
    if (this.#isOp(',')) {
      const items = [first];
      while (this.#isOp(',')) {
        this.#i++;
        if (this.#peek().t === 'end') break;
        items.push(this.#expr());
      }
      value = items;
    }
    if (this.#peek().t !== 'end') this.fail('unexpected token');
    return value;
  }

  #expr(): PyValue {
    let left = this.#term();
    while (this.#isOp('+') || this.#isOp('-')) {
      const op = (this.#toks[this.#i++] as { v: string }).v;
      left = combine(op, left, this.#term(), this);
    }
    return left;
  }

  #term(): PyValue {
    let left = this.#unary();
    while (this.#isOp('*') || this.#isOp('/') || this.#isOp('//') || this.#isOp('%')) {
      const op = (this.#toks[this.#i++] as { v: string }).v;
      left = combine(op, left, this.#unary(), this);
    }
    return left;
  }

  #unary(): PyValue {
    if (this.#isOp('-') || this.#isOp('+')) {
      const op = (this.#toks[this.#i++] as { v: string }).v;
      const v = this.#unary();
      return combine(op, 0, v, this);
    }
    return this.#power();
  }

  #power(): PyValue {
    const base = this.#atom();
    if (this.#isOp('**')) {
      this.#i++;
      return combine('**', base, this.#unary(), this);
    }
    return base;
  }

  #atom(): PyValue {
    const tok = this.#peek();
    if (tok.t === 'str' || tok.t === 'num') {
      this.#i++;
      return tok.v;
    }
    if (tok.t === 'name') {
      this.#i++;
      if (tok.v === 'True') return true;
      if (tok.v === 'False') return false;
      if (tok.v === 'None') return null;
      if (this.#isOp('(')) return this.#call(tok);
      let dotted = tok.v;
      while (this.#isOp('.')) {
        this.#i++;
        const part = this.#peek();
        if (part.t !== 'name') this.fail('expected a name after "."');
        dotted += `.${part.v}`;
        this.#i++;
      }
      if (this.#isOp('(') || this.#isOp('[')) this.fail(`calls and subscripts are not allowed (${dotted})`);
      return new PyName(dotted);
    }
    if (tok.t === 'op' && tok.v === '(') {
      this.#i++;
      if (this.#isOp(')')) {
        this.#i++;
        return [];
      }
      const first = this.#expr();
      if (this.#isOp(')')) {
        this.#i++;
        return first; // parenthesised expression, not a tuple
      }
      const items = [first];
      while (this.#isOp(',')) {
        this.#i++;
        if (this.#isOp(')')) break;
        items.push(this.#expr());
      }
      this.#expectOp(')');
      return items;
    }
    if (tok.t === 'op' && tok.v === '[') {
      this.#i++;
      const items: PyValue[] = [];
      while (!this.#isOp(']')) {
        items.push(this.#expr());
        if (!this.#isOp(',')) break;
        this.#i++;
      }
      this.#expectOp(']');
      return items;
    }
    if (tok.t === 'op' && tok.v === '{') {
      this.#i++;
      const dict = Object.create(null) as Record<string, PyValue>;
      while (!this.#isOp('}')) {
        const keyTok = this.#peek();
        const key = this.#expr();
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && key !== null) {
          this.fail('dict keys must be str, number, bool or None literals', keyTok);
        }
        this.#expectOp(':');
        dict[pyStr(key)] = this.#expr();
        if (!this.#isOp(',')) break;
        this.#i++;
      }
      if (this.#isOp(':')) this.fail('sets are not supported');
      this.#expectOp('}');
      return dict;
    }
    return this.fail(tok.t === 'end' ? 'unexpected end of expression' : 'unsupported expression');
  }

  #call(name: Tok & { t: 'name' }): PyValue {
    this.#expectOp('(');
    if (name.v === 'tuple' || name.v === 'list') {
      this.#expectOp(')');
      return [];
    }
    if (name.v === 'dict') {
      const dict = Object.create(null) as Record<string, PyValue>;
      while (!this.#isOp(')')) {
        const key = this.#peek();
        if (key.t !== 'name') this.fail('dict() takes only keyword arguments here');
        this.#i++;
        this.#expectOp('=');
        dict[key.v] = this.#expr();
        if (!this.#isOp(',')) break;
        this.#i++;
      }
      this.#expectOp(')');
      return dict;
    }
    return this.fail(`calls are not allowed (${name.v}(...))`, name);
  }
}


function combine(op: string, a: PyValue, b: PyValue, p: Parser): PyValue {
  if (a instanceof PyName || b instanceof PyName || a instanceof PyBinary || b instanceof PyBinary) {
    return new PyBinary(op, a, b);
  }
  return applyOp(op, a, b, (m) => p.fail(m));
}

function applyOp(op: string, a: unknown, b: unknown, fail: (msg: string) => never): PyValue {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  const num = (v: unknown): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return fail(`unsupported operand for ${op}: ${typeof v === 'string' ? 'str' : String(v)}`);
  };
  const x = num(a);
  const y = num(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '**':
      return x ** y;
    default:
      if (y === 0) fail('division by zero');
      if (op === '/') return x / y;
      if (op === '//') return Math.floor(x / y);
      return x - y * Math.floor(x / y); // Python's % takes the divisor's sign
  }
}

/** Parses `text` into a value tree whose names are still {@link PyName}s. @throws {PyLiteralError} */
export function parseLiteral(text: string): PyValue {
  return new Parser(text).parseTop();
}

/** Every dotted name in a parsed tree, so their modules can be loaded before {@link resolveLiteral}. */
export function literalNames(v: PyValue, out: string[] = []): string[] {
  if (v instanceof PyName) out.push(v.dotted);
  else if (v instanceof PyBinary) {
    literalNames(v.left, out);
    literalNames(v.right, out);
  } else if (Array.isArray(v)) for (const x of v) literalNames(x, out);
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) literalNames(v[k] as PyValue, out);
  return out;
}

/** Replaces the names of a parsed tree with `resolve(dotted)`, and computes deferred arithmetic. */
export function resolveLiteral(v: PyValue, resolve: (dotted: string) => unknown): unknown {
  if (v instanceof PyName) return resolve(v.dotted);
  if (v instanceof PyBinary) {
    return applyOp(v.op, resolveLiteral(v.left, resolve), resolveLiteral(v.right, resolve), (m) => {
      throw new TypeError(m);
    });
  }
  if (Array.isArray(v)) return v.map((x) => resolveLiteral(x, resolve));
  if (v !== null && typeof v === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) out[k] = resolveLiteral(v[k] as PyValue, resolve);
    return out;
  }
  return v;
}

/** Parses and resolves in one step: `evaluateLiteral("(sys.stdout,)", resolveName)`. */
export function evaluateLiteral(text: string, resolve: (dotted: string) => unknown): unknown {
  return resolveLiteral(parseLiteral(text), resolve);
}
