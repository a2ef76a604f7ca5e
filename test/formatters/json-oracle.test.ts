/**
 * JsonFormatter against python-json-logger itself: hundreds of generated records, formatted by pylogging and by
 * python-json-logger 2.0.1 (Debian's python3-pythonjsonlogger under /usr/bin/python3) in one python process,
 * compared byte for byte. Each case is described once (JSON with tagged ints/floats) and decoded by both sides.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gmtime, makeLogRecord } from '../../src/index.js';
import { JsonFormatter, type JsonFormatterOptions, type LogData } from '../../src/json.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/json-oracle.py', import.meta.url));
const SYSTEM_PYTHON = process.env['PYLOGGING_JSON_PYTHON'] ?? '/usr/bin/python3';

/** A seeded generator (mulberry32), so a failing case is reproducible from its index. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const R = rng(15);
const int = (n: number): number => Math.floor(R() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
const chance = (p: number): boolean => R() < p;

// Every class of character the two escapers treat differently: printable ASCII, quote, backslash, controls (short
// and \u00XX forms), DEL, Latin-1, BMP, astral (surrogate pairs), a lone surrogate.
const ALPHABET = [
  'a', 'Z', '0', ' ', '~', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', 'é', 'ß',
  '\u00a0', 'λ', '中', '\u2028', '\ufeff', '😀', '\ud800', '%', '{', '}', '$', '(', ')',
];

function text(max = 12): string {
  let s = '';
  const n = int(max);
  for (let i = 0; i < n; i++) s += chance(0.6) ? String.fromCharCode(97 + int(26)) : pick(ALPHABET);
  return s;
}

/** A key that is not integer-like (JS objects put those first) and does not start with `$` (tags) or `_`. */
function key(): string {
  const k = chance(0.3) ? text(6) : pick(['user', 'id', 'request_id', 'é', 'k y', 'a"b', 'λx', 'data', 'count']);
  return /^(\d|[$_])/.test(k) || k === '' ? `k${k}` : k;
}

type Desc = unknown;

/** An integer-valued double beyond 2^53 travels as its exact digits (JSON.stringify would print only 17). */
function number(): Desc {
  const n = rawNumber();
  return typeof n === 'number' && Number.isInteger(n) && !Number.isSafeInteger(n) ? { $intnum: BigInt(n).toString() } : n;
}

function rawNumber(): Desc {
  switch (int(9)) {
    case 0:
      return int(1000) - 500;
    case 1:
      return (R() - 0.5) * 10 ** (int(40) - 20);
    case 2:
      // integer-valued beyond 2^53: a Python int, every digit (JSON.stringify would print only 17 of them)
      return { $intnum: BigInt(2 ** (53 + int(20)) + 2 ** 40 * int(9)).toString() };
    case 3:
      return { $int: (BigInt(int(1e9)) * 10n ** BigInt(int(30))).toString() };
    case 4:
      return { $float: pick(['inf', '-inf', 'nan', '-0']) };
    case 5:
      return pick([0.1, 1.5, 1e-7, 123456.789, 1e300, 5e-324, 0.30000000000000004]);
    case 6:
      return Number.MAX_SAFE_INTEGER - int(3);
    default:
      return R() * 1000;
  }
}

function value(depth: number): Desc {
  const r = int(depth > 2 ? 6 : 9);
  switch (r) {
    case 0:
    case 1:
      return text();
    case 2:
    case 3:
      return number();
    case 4:
      return chance(0.5);
    case 5:
      return null;
    case 6:
    case 7: {
      const o: Record<string, Desc> = {};
      const n = int(4);
      for (let i = 0; i < n; i++) o[key()] = value(depth + 1);
      return o;
    }
    default:
      return Array.from({ length: int(4) }, () => value(depth + 1));
  }
}

const FORMATS = [
  '%(asctime)s %(levelname)s %(name)s %(message)s',
  '%(message)s',
  '%(levelname)-8s %(name)s: %(message)s',
  '%(message)s %(message)s',
  '%(created)f %(msecs)d %(relativeCreated)d %(levelno)s %(message)s',
  '%(asctime)s %(message)s (%(funcName)s)',
  '%(name)s %(missing)s %(message)s',
  '%(exc_info)s %(message)s',
  '%(stack_info)s %(message)s',
  '%(taskName)s %(thread)d %(threadName)s %(process)d %(processName)s %(message)s',
  'plain text',
  '%(args)s %(msg)s %(message)s',
];

const MESSAGES: [string, () => Desc][] = [
  ['plain message', () => []],
  ['user %s logged in after %d tries', () => [text(8), int(100)]],
  ['%s', () => [text(20)]],
  ['100%% done', () => []],
  ['%(user)s did %(what)s', () => ({ user: text(6), what: text(6) })],
  ['no conversion with a mapping', () => ({ a: 1 })],
  ['%r and %s', () => ['quoted', 'x']],
];

interface Case {
  opts: Record<string, unknown>;
  gmtime: boolean;
  record: Record<string, Desc>;
}

function makeCase(i: number): Case {
  const opts: Record<string, unknown> = {};
  const style = i % 10 === 7 ? '{' : i % 10 === 8 ? '$' : '%';
  if (style === '%') opts['fmt'] = pick(FORMATS);
  else if (style === '{') {
    opts['style'] = '{';
    opts['fmt'] = pick(['{asctime} {levelname} {name} {message}', '{message}', '{levelname:<8} {message}']);
  } else {
    opts['style'] = '$';
    opts['fmt'] = pick(['${asctime} $levelname ${name} $message', '$message', '$$ ${message}']);
  }
  if (chance(0.3)) opts['datefmt'] = pick(['%Y-%m-%dT%H:%M:%S', '%H:%M:%S %z', '%d/%b/%Y']);
  if (chance(0.25)) opts['rename_fields'] = { levelname: 'level', message: pick(['msg', '@message']), asctime: 'time' };
  if (chance(0.15)) opts['reserved_attrs'] = pick([[], ['args', 'msg'], ['name', 'levelname', 'exc_info', 'exc_text']]);
  if (chance(0.25)) opts['timestamp'] = pick([true, 'ts', '@timestamp', 'message']);
  if (chance(0.2)) opts['json_indent'] = pick([0, 2, 4, '\t', -1]);
  if (chance(0.3)) opts['json_ensure_ascii'] = false;
  if (chance(0.15)) opts['prefix'] = pick(['', 'JSON: ', '@cee: ', 'é ']);
  if (chance(0.08)) opts['static_fields'] = { service: 'api', [key()]: value(1) };
  if (chance(0.05)) opts['defaults'] = { env: 'prod', level: 0 };

  const created = 1_600_000_000 + int(300_000_000) + (chance(0.2) ? 0 : Math.round(R() * 1e7) / 1e7);
  const record: Record<string, Desc> = {
    name: pick(['root', 'app', 'app.db', 'λ.svc', text(6) || 'x']),
    msg: '',
    args: [],
    levelname: pick(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'Level 5']),
    levelno: pick([10, 20, 30, 40, 50, 5]),
    pathname: '/srv/app/main.py',
    filename: 'main.py',
    module: 'main',
    exc_info: null,
    exc_text: null,
    stack_info: null,
    lineno: int(500),
    funcName: pick(['handler', '<module>', 'f']),
    created,
    msecs: Math.floor((created - Math.floor(created)) * 1000),
    relativeCreated: int(100000) + 0.5,
    thread: 140000000 + int(1000),
    threadName: 'MainThread',
    processName: 'MainProcess',
    process: 4242,
    taskName: null,
  };
  if (chance(0.25)) {
    const o: Record<string, Desc> = {};
    const n = 1 + int(4);
    for (let k = 0; k < n; k++) o[key()] = value(1);
    if (chance(0.2)) o['exc_info'] = pick(['', 'user says', 0, null]);
    if (chance(0.1)) o['stack_info'] = pick(['', 'mine']);
    record['msg'] = o;
  } else {
    const [m, args] = pick(MESSAGES);
    record['msg'] = m;
    record['args'] = args();
  }
  if (chance(0.2)) record['exc_text'] = `Traceback (most recent call last):\n  File "x.py", line ${int(99)}\nValueError: ${text(8)}`;
  if (chance(0.15)) record['stack_info'] = `Stack (most recent call last):\n  File "y.py", line ${int(99)}, in f`;
  if (chance(0.5)) {
    const n = 1 + int(4);
    for (let k = 0; k < n; k++) {
      const kk = chance(0.1) ? pick(['message', 'asctime', 'level', 'ts', 'service', '_private']) : key();
      record[kk] = value(0);
    }
  }
  // python-json-logger 2.0.1 adds exc_info/stack_info to a dict message in place (4.2.0 copies it); pylogging never
  // changes the caller's object, so the two differ only where `msg` itself is written. Keep it out of sight there.
  if (typeof record['msg'] === 'object' && (record['exc_text'] || record['stack_info'])) {
    if (String(opts['fmt']).includes('msg)')) opts['fmt'] = '%(message)s';
    const reserved = opts['reserved_attrs'] as string[] | undefined;
    if (reserved && !reserved.includes('msg')) opts['reserved_attrs'] = [...reserved, 'msg'];
  }
  return { opts, gmtime: chance(0.8), record };
}

const N = 700;
const cases = Array.from({ length: N }, (_, i) => makeCase(i));
const DESCRIPTION = JSON.stringify({ cases });

/** The JS value a description stands for (ints and floats JSON cannot say are tagged). */
function decode(v: Desc): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, Desc>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o['$int'] === 'string') return BigInt(o['$int']);
    if (keys.length === 1 && typeof o['$intnum'] === 'string') return Number(o['$intnum']);
    if (keys.length === 1 && typeof o['$float'] === 'string') {
      const f = o['$float'];
      return f === 'inf' ? Infinity : f === '-inf' ? -Infinity : f === 'nan' ? NaN : -0;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = decode(o[k]);
    return out;
  }
  return v;
}

const PY_TO_TS: Record<string, keyof JsonFormatterOptions> = {
  datefmt: 'datefmt',
  style: 'style',
  rename_fields: 'renameFields',
  reserved_attrs: 'reservedAttrs',
  timestamp: 'timestamp',
  json_indent: 'jsonIndent',
  json_ensure_ascii: 'jsonEnsureAscii',
  prefix: 'prefix',
  static_fields: 'staticFields',
  defaults: 'defaults',
};

/** Forces the general route (python-json-logger's dict, then json.dumps) by overriding a hook with itself. */
class GeneralRoute extends JsonFormatter {
  override process_log_record(logData: LogData): LogData {
    return logData;
  }
}

function formatWith(C: typeof JsonFormatter, c: Case): string {
  const o: Record<string, unknown> = { mappingFields: false };
  let fmt: string | null = null;
  for (const [k, v] of Object.entries(c.opts)) {
    if (k === 'fmt') fmt = v as string;
    else o[PY_TO_TS[k] as string] = k === 'static_fields' || k === 'defaults' ? decode(v) : v;
  }
  try {
    const f = new C(fmt, o);
    if (c.gmtime) f.converter = gmtime;
    return f.format(makeLogRecord(decode(c.record) as Record<string, unknown>));
  } catch (e) {
    return `!ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
}

const oracle = JSON.parse(
  execFileSync(SYSTEM_PYTHON, [FIXTURE], {
    input: DESCRIPTION,
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    maxBuffer: 64 * 1024 * 1024,
  }),
) as { out: string[] };

describe('JsonFormatter matches python-json-logger 2.0.1 byte for byte', () => {
  test(`the oracle formatted all ${N} cases`, () => {
    assert.equal(oracle.out.length, N);
    const errors = oracle.out.filter((s) => s.startsWith('!ERR'));
    assert.ok(errors.length < N / 10, `python raised on ${errors.length} cases: ${errors.slice(0, 3).join(' | ')}`);
  });
  for (let i = 0; i < N; i++) {
    const c = cases[i] as Case;
    const expected = oracle.out[i] as string;
    test(`case ${i}: ${JSON.stringify(c.opts).slice(0, 90)}`, () => {
      if (expected.startsWith('!ERR')) {
        // a format Python refuses at construction ('plain text' for '%' style): pylogging refuses it too
        assert.match(formatWith(JsonFormatter, c), /^!ERR \w+: Invalid format 'plain text' for '%' style$/);
        assert.match(expected, /^!ERR ValueError: Invalid format 'plain text' for '%' style$/);
        return;
      }
      assert.equal(formatWith(JsonFormatter, c), expected);
      assert.equal(formatWith(GeneralRoute, c), expected, 'general route (dict + json.dumps)');
    });
  }
});
