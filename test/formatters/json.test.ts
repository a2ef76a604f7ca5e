/**
 * JsonFormatter beyond the oracle: values JSON cannot hold (never a throw, never a lost record), the Node addition
 * (a mapping argument becoming fields), closed options, exceptions and stacks, and the fast route's caches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getLogger, gmtime, Handler, INFO, kw, LogRecord, localtime, makeLogRecord } from '../../src/index.js';
import { JsonFormatter, jsonEncoderDefault, type LogData } from '../../src/json.js';

const f = new JsonFormatter();

/** One record with `value` as its extra field `v`, formatted; the JSON must parse and keep the other fields. */
function withValue(value: unknown, formatter = f): string {
  const out = formatter.format(makeLogRecord({ msg: 'm', v: value, after: 1 }));
  assert.match(out, /^\{"message": "m", "v": /);
  assert.match(out, /, "after": 1\}$/);
  JSON.parse(out.replace(/\bNaN\b|-?Infinity\b/g, 'null'));
  return out;
}

describe('JsonFormatter: values JSON cannot hold', () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular['self'] = circular;
  const circularList: unknown[] = [1];
  circularList.push(circularList);
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  let deep: unknown = 'bottom';
  for (let i = 0; i < 20_000; i++) deep = { d: deep };
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const cases: [string, unknown, string][] = [
    ['bigint: a Python int, every digit', 12345678901234567890n, '12345678901234567890'],
    ['Date: UTC isoformat()', new Date(Date.UTC(2026, 0, 5, 10, 0, 0, 123)), '"2026-01-05T10:00:00.123000+00:00"'],
    ['Date without milliseconds', new Date(Date.UTC(2026, 0, 5)), '"2026-01-05T00:00:00+00:00"'],
    ['invalid Date', new Date(NaN), '"Invalid Date"'],
    ['Error: str()', new TypeError('boom'), '"TypeError: boom"'],
    ['Map: a dict', new Map<unknown, unknown>([['a', 1], [2, 'b']]), '{"a": 1, "2": "b"}'],
    ['Set: a list', new Set([1, 'x']), '[1, "x"]'],
    ['RegExp: its text', /a+/g, '"/a+/g"'],
    ['class instance: its own fields', new Point(1, 2), '{"x": 1, "y": 2}'],
    ['toJSON()', { toJSON: () => ({ ok: true }) }, '{"toJSON": "[Function: toJSON]"}'],
    ['toJSON() on a class', new (class { toJSON() { return 'custom'; } })(), '"custom"'],
    ['undefined: None', undefined, 'null'],
    ['function: str()', function named() {}, '"[Function: named]"'],
    ['symbol: str()', Symbol('s'), '"Symbol(s)"'],
    ['NaN, Infinity as json.dumps writes them', [NaN, Infinity, -Infinity], '[NaN, Infinity, -Infinity]'],
    ['-0: the float -0.0', -0, '-0.0'],
    ['circular object', circular, '{"a": 1, "self": "[Circular]"}'],
    ['circular list', circularList, '[1, "[Circular]"]'],
    ['throwing getter', Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new Error('nope'); } }), '{"bad": "<unreadable: Error: nope>"}'],
    ['toJSON that throws', new (class Bad { toJSON(): never { throw new Error('x'); } })(), '"Bad {}"'],
    ['revoked Proxy', revoked.proxy, '"<unprintable Proxy>"'],
  ];
  for (const [name, value, expected] of cases) {
    test(`${name} → ${expected}`, () => {
      const out = withValue(value);
      assert.ok(out.includes(`"v": ${expected}, "after"`), out);
    });
  }

  test('a dict message that is a Proxy with throwing traps: the record is still written', () => {
    const throwingKeys = new Proxy({}, { ownKeys: () => { throw new Error('keys'); } });
    assert.equal(f.format(makeLogRecord({ msg: throwingKeys })), '{"message": null}');
    const gone = Proxy.revocable({}, {});
    gone.revoke();
    assert.match(f.format(makeLogRecord({ msg: gone.proxy })), /^\{"message": "/);
  });

  test('20,000 nested objects: the depth degrades to a placeholder, the record is written', () => {
    const out = withValue(deep);
    assert.ok(out.includes('<unprintable'), out.slice(0, 200));
  });

  test('jsonDefault replaces the default for every non-JSON value; a throwing one falls back to the default', () => {
    const tagging = new JsonFormatter(null, { jsonDefault: (v) => `<${typeof v}>` });
    assert.ok(withValue(new Date(0), tagging).includes('"v": "<object>"'));
    const throwing = new JsonFormatter(null, { jsonDefault: () => { throw new Error('no'); } });
    assert.ok(withValue(new Date(0), throwing).includes('"v": "1970-01-01T00:00:00+00:00"'));
    const identity = new JsonFormatter(null, { jsonDefault: (v) => v });
    assert.ok(withValue(new Set([1]), identity).includes('"v": "Set(1) { 1 }"'));
  });

  test('jsonEncoderDefault is python-json-logger\'s JsonEncoder.default for JS values', () => {
    assert.equal(jsonEncoderDefault(new Date(Date.UTC(2000, 0, 1))), '2000-01-01T00:00:00+00:00');
    assert.equal(jsonEncoderDefault(new RangeError('r')), 'RangeError: r');
  });

  test('a logger call with every bad value writes one line and reports no error', () => {
    const lines: string[] = [];
    let errors = 0;
    class Capture extends Handler {
      override emit(r: LogRecord): void {
        try {
          lines.push(this.format(r));
        } catch (e) {
          this.handleError(r, e);
        }
      }
      override handleError(_r?: LogRecord, _e?: unknown): void {
        errors++;
      }
    }
    const log = getLogger('json.bad');
    const h = new Capture();
    h.setFormatter(new JsonFormatter('%(levelname)s %(message)s'));
    log.addHandler(h);
    log.propagate = false;
    try {
      const extra = Object.fromEntries(cases.map(([, v], i) => [`k${i}`, v]).concat([['deep', deep]]));
      log.warning('all of them', kw({ extra }));
      log.warning('as a mapping', Object.fromEntries(cases.map(([, v], i) => [`m${i}`, v])));
      log.warning({ event: 'dict message', bad: circular, big: 1n });
    } finally {
      log.removeHandler(h);
    }
    assert.equal(errors, 0);
    assert.equal(lines.length, 3);
    for (const l of lines) assert.match(l, /^\{"levelname": "WARNING", "message": /);
  });
});

describe('JsonFormatter: a mapping argument becomes fields (Node addition)', () => {
  const fmt = new JsonFormatter('%(levelname)s %(message)s');
  const format = (msg: unknown, args: unknown, extra: Record<string, unknown> = {}, formatter = fmt): string =>
    formatter.format(makeLogRecord({ msg, args, levelname: 'INFO', ...extra }));

  test("log.info('user logged in', { userId: 42 }) adds userId after the message", () => {
    const lines: string[] = [];
    const log = getLogger('json.mapping');
    log.setLevel(INFO);
    const h = new (class extends Handler {
      override emit(r: LogRecord): void {
        lines.push(this.format(r));
      }
    })();
    h.setFormatter(fmt);
    log.addHandler(h);
    log.propagate = false;
    log.info('user logged in', { userId: 42 });
    log.removeHandler(h);
    assert.deepEqual(lines, ['{"levelname": "INFO", "message": "user logged in", "userId": 42}']);
  });

  test('a message with a %(key)s conversion consumes the mapping: no fields', () => {
    assert.equal(format('user %(userId)s', { userId: 42 }), '{"levelname": "INFO", "message": "user 42"}');
  });

  test('a message with %s consumes the mapping (Python prints the dict): no fields', () => {
    assert.equal(format('got %s', { a: 1 }), '{"levelname": "INFO", "message": "got { a: 1 }"}');
  });

  test('%% alone is no conversion: the mapping becomes fields', () => {
    assert.equal(format('100%% done', { a: 1 }), '{"levelname": "INFO", "message": "100% done", "a": 1}');
  });

  test('mappingFields: false writes exactly what python-json-logger writes', () => {
    const off = new JsonFormatter('%(levelname)s %(message)s', { mappingFields: false });
    assert.equal(format('user logged in', { userId: 42 }, {}, off), '{"levelname": "INFO", "message": "user logged in"}');
  });

  test('fields come after extra attributes and replace a same-named one in its place', () => {
    assert.equal(
      format('m', { b: 2, a: 'mapping' }, { a: 'extra', z: 0 }),
      '{"levelname": "INFO", "message": "m", "a": "mapping", "z": 0, "b": 2}',
    );
  });

  test('like a dict message, a field named after a format field replaces its value in place', () => {
    assert.equal(format('m', { levelname: 'custom' }), '{"levelname": "custom", "message": "m"}');
  });

  test('with a dict message too, the mapping fields follow the dict keys', () => {
    assert.equal(format({ event: 'e' }, { id: 1 }), '{"levelname": "INFO", "message": null, "event": "e", "id": 1}');
  });

  test('a list of arguments is never fields', () => {
    assert.equal(format('m %s', ['x']), '{"levelname": "INFO", "message": "m x"}');
  });
});

describe('JsonFormatter: options', () => {
  test('an unknown option is a TypeError naming it, with the right name when close', () => {
    assert.throws(() => new JsonFormatter(null, { rename_fields: {} } as never), /unknown option 'rename_fields' \(did you mean 'renameFields'\?\)/);
    assert.throws(() => new JsonFormatter(null, { jsonIndnt: 2 } as never), /unknown option 'jsonIndnt' \(did you mean 'jsonIndent'\?\)/);
    assert.throws(() => new JsonFormatter(null, { colour: true } as never), /unknown option 'colour'$/);
  });

  for (const [name, options, pattern] of [
    ['jsonIndent 1.5', { jsonIndent: 1.5 }, /jsonIndent must be an integer, a string or null, got 1.5/],
    ['jsonEnsureAscii "yes"', { jsonEnsureAscii: 'yes' }, /jsonEnsureAscii must be a boolean, got 'yes'/],
    ['timestamp 1', { timestamp: 1 }, /timestamp must be a boolean or a key, got number/],
    ['renameFields with a number', { renameFields: { a: 1 } }, /renameFields\['a'\] must be a string/],
    ['staticFields "x"', { staticFields: 'x' }, /staticFields must be an object of fields/],
    ['reservedAttrs "args"', { reservedAttrs: 'args' }, /reservedAttrs must be an array/],
    ['prefix 1', { prefix: 1 }, /prefix must be a string/],
    ['jsonDefault "fn"', { jsonDefault: 'fn' }, /jsonDefault must be a function or null/],
    ['style "#"', { style: '#' }, /Style must be one of: %,\{,\$/],
  ] as const) {
    test(`${name} is refused at construction`, () => {
      assert.throws(() => new JsonFormatter(null, options as never), pattern);
    });
  }

  test('parse(): % as python-json-logger 2.0.1 (every (…) group), { and $ as 3.x', () => {
    assert.deepEqual(new JsonFormatter('%(a)s (%(b)d) %(c)-8s')._required_fields, ['a', '%(b', 'c']);
    assert.deepEqual(new JsonFormatter('{a} {b:>8} {{c}}', { style: '{' })._required_fields, ['a', 'b:>8', '{c']);
    assert.deepEqual(new JsonFormatter('$a ${b} $$c', { style: '$' })._required_fields, ['a', 'b']);
  });

  test('usesCallerInfo() is true when the format names lineno, or lineno is no longer reserved', () => {
    assert.equal(new JsonFormatter('%(message)s').usesCallerInfo(), false);
    assert.equal(new JsonFormatter('%(lineno)d %(message)s').usesCallerInfo(), true);
    assert.equal(new JsonFormatter('%(message)s', { reservedAttrs: ['msg', 'args'] }).usesCallerInfo(), true);
  });
});

describe('JsonFormatter: exceptions, stacks, dict messages', () => {
  test('exc_info: an Error becomes "exc_info" with formatException() text', () => {
    const err = new Error('boom');
    const fm = new JsonFormatter('%(message)s');
    const out = JSON.parse(fm.format(makeLogRecord({ msg: 'failed', exc_info: err }))) as Record<string, string>;
    assert.equal(out['exc_info'], fm.formatException(err));
    assert.match(out['exc_info'] ?? '', /^Error: boom\n {4}at /);
  });

  test("a dict message's own truthy exc_info wins over the record's; a falsy one is replaced in place", () => {
    const fm = new JsonFormatter('%(message)s');
    assert.equal(
      fm.format(makeLogRecord({ msg: { exc_info: 'mine', a: 1 }, exc_text: 'trace' })),
      '{"message": null, "exc_info": "mine", "a": 1}',
    );
    assert.equal(
      fm.format(makeLogRecord({ msg: { exc_info: '', a: 1 }, exc_text: 'trace' })),
      '{"message": null, "exc_info": "trace", "a": 1}',
    );
  });

  test('stack_info is written as formatStack() text', () => {
    class Upper extends JsonFormatter {
      override formatStack(s: string): string {
        return s.toUpperCase();
      }
    }
    assert.equal(new Upper().format(makeLogRecord({ msg: 'm', stack_info: 'stack' })), '{"message": "m", "stack_info": "STACK"}');
  });

  test("the caller's dict message is not modified (python-json-logger 2.0.1 adds exc_info to it; 4.2 copies)", () => {
    const msg = { a: 1 };
    f.format(makeLogRecord({ msg, exc_text: 'trace', stack_info: 's' }));
    assert.deepEqual(msg, { a: 1 });
  });

  test('process_log_record() and add_fields() overrides see python-json-logger\'s ordered dict', () => {
    class Upper extends JsonFormatter {
      override add_fields(d: LogData, r: LogRecord, m: ReadonlyMap<string, unknown>): void {
        super.add_fields(d, r, m);
        d.set('added', true);
      }
      override process_log_record(d: LogData): LogData {
        d.delete('name');
        return d;
      }
    }
    assert.equal(new Upper('%(name)s %(message)s').format(makeLogRecord({ name: 'n', msg: 'm' })), '{"message": "m", "added": true}');
  });
});

describe('JsonFormatter: the fast route equals the general route record after record', () => {
  class General extends JsonFormatter {
    override process_log_record(d: LogData): LogData {
      return d;
    }
  }
  test('a field that is sometimes a string, sometimes not, and a message that takes either path', () => {
    const fmt = '%(asctime)s %(custom)s %(name)s %(message)s %(tail)s';
    const fast = new JsonFormatter(fmt);
    const general = new General(fmt);
    const customs: unknown[] = ['a', 1, 'a', 'b', null, 'a', 'a'];
    for (let i = 0; i < 200; i++) {
      const attrs: Record<string, unknown> = {
        name: i % 3 === 0 ? 'x' : 'y',
        msg: i % 4 === 0 ? 'n=%d' : 'same',
        args: i % 4 === 0 ? [i] : [],
        custom: customs[i % customs.length],
        tail: i % 5 === 0 ? 't' : 0,
        created: 1767607200 + Math.floor(i / 3) * 0.001,
        msecs: Math.floor(i / 3) % 1000,
      };
      assert.equal(fast.format(makeLogRecord(attrs)), general.format(makeLogRecord(attrs)), `record ${i}`);
    }
  });

  test('random record sequences (seeded): every record, every format, the same bytes on both routes', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
    const formats = [
      '%(asctime)s %(levelname)s %(name)s %(message)s',
      '%(name)s %(message)s %(custom)s',
      '%(custom)s %(asctime)s %(message)s %(levelname)s',
      '%(message)s',
      '%(levelname)s %(levelname)s %(name)s',
    ];
    const values: unknown[] = ['a', 'b', 'é', 1, null, { k: 1 }, 'a"b', undefined];
    for (const fmt of formats) {
      for (const options of [{}, { timestamp: true }, { renameFields: { name: 'custom' } }, { jsonEnsureAscii: false }]) {
        const fast = new JsonFormatter(fmt, options);
        const general = new General(fmt, options);
        for (let i = 0; i < 400; i++) {
          const withArgs = rnd(3) === 0;
          const attrs: Record<string, unknown> = {
            name: pick(['x', 'y', 'λ']),
            levelname: pick(['INFO', 'ERROR']),
            msg: withArgs ? pick(['n=%d', 'u=%s']) : pick(['same', 'other "q"', { dict: 1 }]),
            args: withArgs ? [rnd(2) ? rnd(9) : pick(['s', 'é\n'])] : [],
            created: 1767607200 + rnd(4) * 0.001,
            msecs: rnd(4),
          };
          if (rnd(2)) attrs['custom'] = pick(values);
          if (rnd(5) === 0) attrs[pick(['extra1', 'custom', 'timestamp'])] = pick(values);
          let expected: string;
          try {
            expected = general.format(makeLogRecord(attrs));
          } catch {
            assert.throws(() => fast.format(makeLogRecord(attrs)));
            continue;
          }
          assert.equal(fast.format(makeLogRecord(attrs)), expected, `${fmt} ${JSON.stringify(options)} record ${i}`);
        }
      }
    }
  });

  for (const options of [{}, { jsonIndent: 2 }, { timestamp: true }, { jsonEnsureAscii: false }, { renameFields: { name: 'logger' } }]) {
    test(`options ${JSON.stringify(options)}: 300 records with changing time, level, name and extras`, () => {
      const fmt = '%(asctime)s %(levelname)s %(name)s %(message)s';
      const fast = new JsonFormatter(fmt, options);
      const general = new General(fmt, options);
      const names = ['app', 'app.db', 'é'];
      const levels = ['INFO', 'WARNING'];
      for (let i = 0; i < 300; i++) {
        const attrs: Record<string, unknown> = {
          name: names[i % 3],
          levelname: levels[(i >> 2) % 2],
          msg: i % 5 === 0 ? 'user %s took %d ms' : 'plain "quoted" λ',
          args: i % 5 === 0 ? [`u${i % 7}\n`, i] : [],
          created: 1767607200 + Math.floor(i / 4) * 0.001,
          msecs: Math.floor(i / 4) % 1000,
        };
        if (i % 6 === 0) attrs['request_id'] = `r${i}`;
        const a = fast.format(makeLogRecord(attrs));
        const b = general.format(makeLogRecord(attrs));
        assert.equal(a, b, `record ${i}`);
      }
    });
  }

  test('asctime follows the time settings and a formatTime override within one millisecond', () => {
    const fast = new JsonFormatter('%(asctime)s %(message)s');
    const record = (lineno = 1): LogRecord => makeLogRecord({ msg: 'm', created: 1767607200.123, msecs: 123, lineno });
    // formatTime called directly is the text without the formatter's own cache.
    const same = (what: string, lineno = 1): void =>
      assert.equal(JSON.parse(fast.format(record(lineno))).asctime, fast.formatTime(record(lineno), fast.datefmt), what);
    same('first');
    same('again, from the cache');
    fast.converter = (t: number) => gmtime(t + 3600); // not gmtime itself: the test's TZ may be UTC
    same('another converter');
    fast.default_msec_format = '%s.%03d';
    same('default_msec_format');
    fast.default_time_format = '%H:%M:%S';
    same('default_time_format');
    fast.datefmt = '%Y';
    same('datefmt');
    fast.formatTime = (r: LogRecord) => `t${String(r.lineno)}`;
    same('formatTime override', 1);
    same('formatTime override, another record in the same millisecond', 9);
    delete (fast as { formatTime?: unknown }).formatTime;
    fast.converter = localtime;
    fast.datefmt = null;
    same('back to the inherited formatTime');
  });

  test('records with and without extras, keys deleted, re-added or inherited: the same bytes on both routes', () => {
    const fmt = '%(asctime)s %(levelname)s %(name)s %(message)s';
    const fast = new JsonFormatter(fmt);
    const general = new General(fmt);
    const changes: ((r: Record<string, unknown>) => void)[] = [
      () => {},
      (r) => (r['user'] = 'u'),
      (r) => delete r['module'],
      (r) => {
        delete r['module'];
        r['user'] = 'u';
      },
      (r) => {
        delete r['thread'];
        r['thread'] = 1; // same keys, another order
      },
      (r) => (r['message'] = 'old'), // a second handler's record: message before the extras
      (r) => (r['asctime'] = 'old'),
      (r) => (r['_private'] = 1),
    ];
    for (const [i, change] of changes.entries()) {
      const make = (): LogRecord => {
        const r = new LogRecord('app', 20, '/srv/app.py', 3, 'n=%d', [i], null, 'f', null, 1767607200123);
        change(r);
        return r;
      };
      assert.equal(fast.format(make()), general.format(make()), `change ${i}`);
    }
    // An enumerable property on LogRecord.prototype is enumerated by the walk but not own: never written.
    const proto = LogRecord.prototype as unknown as Record<string, unknown>;
    proto['inherited'] = 1;
    try {
      const r = new LogRecord('app', 20, '/srv/app.py', 3, 'm', null, null, 'f', null, 1767607200123);
      assert.equal(fast.format(r), general.format(r));
      assert.doesNotMatch(fast.format(r), /inherited/);
    } finally {
      delete proto['inherited'];
    }
  });
});
