/**
 * Every generated-code site against its interpreted version (src/internal/codegen.ts): the same input through the
 * function compiled with `new Function` and through the loop used under `--disallow-code-generation-from-strings`
 * must give the same output, byte for byte. `_setInterpreted(true)` makes sites built afterwards take the
 * interpreted path; test/hardening/no-codegen.test.ts runs the sites' own test files with the real flag.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRecord } from '../../src/core/record.js';
import { Formatter } from '../../src/core/formatter.js';
import { FormatCache } from '../../src/core/format-cache.js';
import { makeStyle } from '../../src/core/format-styles.js';
import { makeViewBuilder } from '../../src/formatters/color-view.js';
import { ColoredFormatter } from '../../src/formatters/colored.js';
import { JsonFormatter } from '../../src/formatters/json.js';
import { _setInterpreted, codegenAllowed } from '../../src/internal/codegen.js';
import { dumpsRecordShared } from '../../src/internal/pickle-record.js';
import { RecordDecoder } from '../../src/internal/record-decoder.js';
import { RecordEncoder } from '../../src/internal/record-encoder.js';

after(() => _setInterpreted(null));

/** `build()` once with each path: [compiled, interpreted]. */
function both<T>(build: () => T): [T, T] {
  _setInterpreted(false);
  const compiled = build();
  _setInterpreted(true);
  const interpreted = build();
  _setInterpreted(null);
  return [compiled, interpreted];
}

/** The result of `f()`, or the name and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (err) {
    return { threw: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

const VALUES: unknown[] = [
  '', 'a', 'plain text', 'é€😀', '\ud800 lone', 'x'.repeat(300), 'é'.repeat(200), 0, -0, 1, -1, 127, 128, -129, 40000,
  2 ** 31, -(2 ** 31) - 1, 0.5, 1e21, NaN, Infinity, -Infinity, true, false, null, undefined, 12n, [1, 'a'],
  { k: { n: [null] } }, new Date(0),
];

/** A spread of records: standard fields overwritten with each value, extra keys, removed keys, odd key names. */
function records(): LogRecord[] {
  const out: LogRecord[] = [];
  const fields = ['name', 'levelname', 'pathname', 'filename', 'module', 'lineno', 'created', 'msecs', 'funcName', 'msg'];
  VALUES.forEach((v, i) => {
    const r = new LogRecord('app.db', 20, '/srv/app.py', 7, 'hello %s', ['world'], null, 'handler');
    (r as unknown as Record<string, unknown>)[fields[i % fields.length] as string] = v;
    out.push(r);
    const extra = new LogRecord('app', 30, 'app.py', 1, 'plain', null, null, 'main');
    Object.defineProperty(extra, i % 3 === 0 ? '__proto__' : `x${i % 4}`, { value: v, enumerable: true, writable: true, configurable: true });
    if (i % 5 === 0) delete (extra as unknown as Record<string, unknown>)['module'];
    if (i % 7 === 0) (extra as unknown as Record<string, unknown>)['user'] = 'u' + String(i % 2);
    if (i % 2 === 0) extra.message = 'made'; // QueueHandler.prepare's keys: the worker codec's prepared writer
    out.push(extra);
  });
  // module === filename === pathname without a dot or slash: the pickle's shared-str cases
  for (const path of ['app', '.hidden', 'a.b.c', '/srv/noext']) out.push(new LogRecord('n', 10, path, 1, 'm', null, null, 'f'));
  return out;
}

test('the probe: this process compiles unless started with the hardening flag', () => {
  assert.equal(codegenAllowed(), !process.execArgv.includes('--disallow-code-generation-from-strings'));
});

describe('compiled and interpreted paths give the same output', () => {
  test('format-styles: the % renderer, for plain and flagged fields, values of every type and defaults', () => {
    const formats = [
      '%(asctime)s %(levelname)s %(name)s: %(message)s',
      '%(name)s|%(levelname)-8s|%(lineno)5d|%(created)s|%(msecs)r|%(x0)s|%(x1)r|%(user)s',
      '[%(pathname)s:%(module)s] %(funcName)s %(__proto__)s %(toString)s',
      'no fields at all',
    ];
    for (const fmt of formats) {
      for (const defaults of [null, { x0: 'd0', x1: 0, user: null, toString: 'ts' }]) {
        const [compiled, interpreted] = both(() => makeStyle('%', fmt, defaults));
        for (const r of records()) {
          r.asctime = '2024-01-01 00:00:00,000';
          r.message = 'hello';
          assert.deepEqual(outcome(() => interpreted.format(r)), outcome(() => compiled.format(r)), `${fmt} on ${show(r)}`);
        }
      }
    }
  });

  test('format-cache: the snapshot and compare of the fields a format reads', () => {
    const f = new Formatter('%(name)s %(levelname)s %(lineno)d %(message)s');
    let remembered = 0;
    // a field some records lack or hold an object in (`x0`, `__proto__`): those are not remembered, by either path
    const sets = [['name', 'levelname', 'lineno', 'funcName', 'message', 'asctime'], ['name', 'x0'], ['__proto__']];
    for (const fields of sets) {
      const [compiled, interpreted] = both(() => new FormatCache(new Set(fields)));
      for (const r of records()) {
        const text = outcome(() => f.format(r));
        if (typeof text !== 'string') continue;
        compiled.remember(f, r, text);
        interpreted.remember(f, r, text);
        assert.equal(interpreted.record, compiled.record, `remembered ${show(r)}`);
        if (compiled.record === null) continue;
        remembered++;
        assert.equal(interpreted.valid(f, r), compiled.valid(f, r));
        for (const [k, v] of [['name', 'other'], ['lineno', 8], ['x0', 'changed'], ['levelname', 'INFO']] as const) {
          const rec = r as unknown as Record<string, unknown>;
          const old = rec[k];
          rec[k] = v;
          assert.equal(interpreted.valid(f, r), compiled.valid(f, r), `after ${k} = ${String(v)}`);
          rec[k] = old;
        }
      }
    }
    assert.ok(remembered > 20, `only ${remembered} texts were remembered`);
  });

  test('color-view: the copy ColoredFormatter formats, and its output', () => {
    const copies = [['name', 'levelname', 'x0', 'x1', 'user', 'module'], []];
    for (const copy of copies) {
      const [compiled, interpreted] = both(() => makeViewBuilder(copy, ['log_color', 'reset', 'red'], false));
      for (const r of records()) {
        const a = compiled(r, ['\x1b[32m', '\x1b[0m', '\x1b[31m']);
        const b = interpreted(r, ['\x1b[32m', '\x1b[0m', '\x1b[31m']);
        assert.deepEqual(Object.entries(b), Object.entries(a));
        assert.equal(Object.getPrototypeOf(b), Object.getPrototypeOf(a));
      }
    }
    const fmt = '%(log_color)s%(levelname)-8s%(reset)s %(name)s %(x0)s: %(message)s';
    const [compiled, interpreted] = both(() => new ColoredFormatter(fmt, { defaults: { x0: '-' } }));
    for (const r of records()) assert.deepEqual(outcome(() => interpreted.format(r)), outcome(() => compiled.format(r)));
  });

  test('json-extras: JsonFormatter with the compiled no-extras check and with the key walk', () => {
    for (const fmt of ['%(asctime)s %(levelname)s %(name)s %(message)s', '%(message)s %(x0)s']) {
      for (const options of [{}, { reservedAttrs: ['msg', 'args'] }]) {
        const [compiled, interpreted] = both(() => new JsonFormatter(fmt, options));
        for (const r of records()) {
          assert.deepEqual(outcome(() => interpreted.format(r)), outcome(() => compiled.format(r)), `${fmt} on ${show(r)}`);
        }
      }
    }
  });

  test('pickle-record: the SocketHandler frame, byte for byte', () => {
    let written = 0;
    for (const r of records()) {
      const [compiled, interpreted] = both(() => copyOf(outcome(() => dumpsRecordShared(r))));
      assert.deepEqual(interpreted, compiled, show(r));
      if (Array.isArray(compiled)) written++;
    }
    assert.ok(written > 20, `only ${written} records took the frame writer`);
  });

  test('record-encoder and record-decoder: the worker codec, byte for byte and back', () => {
    // the same records for both paths (a record's `created` is the time it was made); twice through, so the second
    // pass takes the writers' remembered interned strings
    const recs = records();
    const many = Array.from({ length: 300 }, (_, i) => new LogRecord(`logger.${i}`, 20, 'app.py', 1, 'm', null, null, 'f'));
    const encode = (): unknown[] => {
      const enc = new RecordEncoder();
      const out: unknown[] = [];
      for (const r of [...recs, ...recs]) {
        const msg = outcome(() => r.getMessage());
        // each entry copied (and committed) before the next is encoded into the same buffer
        const paths = [() => outcome(() => enc.encode(r)), () => (typeof msg === 'string' ? enc.encodePrepared(r, msg) : -1), () => enc.encodeDeferred(r)];
        for (const path of paths) {
          const n = path();
          out.push(typeof n === 'number' && n >= 0 ? Buffer.from(enc.buf.subarray(0, n)) : n);
          if (typeof n === 'number' && n >= 0) enc.commit();
        }
      }
      // interned ids over 255 (4-byte references)
      for (const r of many) {
        const n = enc.encode(r);
        out.push(Buffer.from(enc.buf.subarray(0, n)));
        enc.commit();
      }
      return out;
    };
    const [compiled, interpreted] = both(encode);
    assert.deepEqual(interpreted, compiled);
    const entries = compiled.filter((e): e is Buffer => Buffer.isBuffer(e));
    assert.ok(entries.length > 200, `only ${entries.length} records were encoded`);
    const decodeAll = (): LogRecord[] => {
      const dec = new RecordDecoder();
      return entries.map((e) => dec.decode(e, new DataView(e.buffer, e.byteOffset, e.length), 0, e.length));
    };
    const [a, b] = both(decodeAll);
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as LogRecord;
      const y = b[i] as LogRecord;
      assert.equal(Object.getPrototypeOf(y), LogRecord.prototype);
      assert.deepEqual(Reflect.ownKeys(y), Reflect.ownKeys(x));
      for (const k of Reflect.ownKeys(x)) {
        assert.deepEqual(Object.getOwnPropertyDescriptor(y, k), Object.getOwnPropertyDescriptor(x, k), String(k));
      }
    }
  });
});

/** A frame (a view of the shared slab, overwritten by the next) as its own bytes; anything else as is. */
function copyOf(v: unknown): unknown {
  return v instanceof Uint8Array ? [...v] : v;
}

function show(r: LogRecord): string {
  return Object.entries(r)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
    .slice(0, 200);
}
