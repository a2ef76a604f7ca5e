/**
 * A Formatter shared by several handlers reuses the text of the record it just formatted (core/format-cache.ts).
 * Only the speed may change: after any change to the record or the formatter between two formats, the text must
 * be what a formatter that never saw the record makes (CPython formats once per handler).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Filter,
  Formatter,
  getLogger,
  gmtime,
  Handler,
  INFO,
  LogRecord,
  StreamHandler,
} from '../../src/index.js';

const FMT = '%(asctime)s %(levelname)s %(name)s [%(user)s]: %(message)s';

function record(args: unknown[] = [7, 'alice']): LogRecord {
  const r = new LogRecord('app.db', 20, '/srv/a.py', 3, 'took %d ms for %s', args, null, null, null, 1_767_607_200_123);
  r['user'] = 'u1';
  return r;
}

describe('Formatter shared by handlers', () => {
  test('formatting the same unchanged record again gives the same text and sets message and asctime', () => {
    const f = new Formatter(FMT);
    const r = record();
    const first = f.format(r);
    r.message = 'changed';
    r.asctime = 'changed';
    assert.equal(f.format(r), first);
    assert.equal(f.format(r), first);
    assert.equal(r.message, 'took 7 ms for alice');
    assert.equal(r.asctime, new Formatter(FMT).formatTime(r));
  });

  const changes: [string, (r: LogRecord, f: Formatter) => void][] = [
    ['msg replaced', (r) => (r.msg = 'other %d %s')],
    ['args replaced', (r) => (r.args = [8, 'bob'])],
    ['an argument changed in place', (r) => ((r.args as unknown[])[1] = 'bob')],
    ['an argument 0 → -0 (str(-0.0) differs)', (r) => ((r.args as unknown[])[0] = -0)],
    ['args dropped', (r) => (r.args = null)],
    ['levelname changed', (r) => (r.levelname = 'WARNING')],
    ['name changed', (r) => (r.name = 'other')],
    ['a format field changed', (r) => (r['user'] = 'u2')],
    ['a format field removed (defaults)', (r) => delete r['user']],
    ['created changed', (r) => (r.created += 3600)],
    ['msecs changed', (r) => (r.msecs = 999)],
    ['exc_text set', (r) => (r.exc_text = 'Traceback: boom')],
    ['stack_info set', (r) => (r.stack_info = 'Stack (most recent call last):')],
    ['getMessage replaced on the record', (r) => (r.getMessage = () => 'patched')],
    ['datefmt changed', (_r, f) => (f.datefmt = '%H:%M')],
    ['converter changed', (_r, f) => (f.converter = gmtime)],
    ['default_msec_format changed', (_r, f) => (f.default_msec_format = '%s.%03d')],
    ['default_time_format changed', (_r, f) => (f.default_time_format = '%Y')],
    ['formatTime replaced', (_r, f) => (f.formatTime = () => 'T')],
    ['formatMessage replaced', (_r, f) => (f.formatMessage = () => 'M')],
  ];
  for (const [name, change] of changes) {
    test(`${name}: the text is made again`, () => {
      const f = new Formatter(FMT, { defaults: { user: 'dflt' } });
      const r = record();
      f.format(r);
      f.format(r);
      change(r, f);
      // The oracle: a formatter with the same settings that never saw the record.
      const fresh = new Formatter(FMT, { defaults: { user: 'dflt' } });
      fresh.datefmt = f.datefmt;
      for (const k of ['converter', 'default_msec_format', 'default_time_format', 'formatTime', 'formatMessage'] as const) {
        if (Object.hasOwn(f, k)) (fresh as unknown as Record<string, unknown>)[k] = (f as unknown as Record<string, unknown>)[k];
      }
      assert.equal(f.format(r), fresh.format(r));
    });
  }

  test('an object argument is formatted again each time (its str() may change)', () => {
    const f = new Formatter('%(message)s');
    let n = 0;
    const arg = { toString: () => `call ${++n}` };
    const r = new LogRecord('a', 20, '', 0, '%s', [arg], null);
    assert.equal(f.format(r), 'call 1');
    assert.equal(f.format(r), 'call 2');
    assert.equal(f.format(r), 'call 3');
  });

  test('a subclass overriding format() is not short-cut', () => {
    let calls = 0;
    class Counting extends Formatter {
      override format(r: LogRecord): string {
        calls++;
        return `${calls} ${super.format(r)}`;
      }
    }
    const f = new Counting('%(message)s');
    const r = record();
    assert.deepEqual([f.format(r), f.format(r), f.format(r)], ['1 took 7 ms for alice', '2 took 7 ms for alice', '3 took 7 ms for alice']);
  });

  test('handlers sharing a formatter write what each would alone, with a filter changing the record between them', () => {
    const lines: string[][] = [[], [], []];
    const f = new Formatter('%(levelname)s %(name)s: %(message)s');
    const log = getLogger('format-cache.shared');
    log.setLevel(INFO);
    log.propagate = false;
    const hs = lines.map((out) => {
      const h = new StreamHandler({ write: (s: string) => void out.push(s) });
      h.setFormatter(f);
      log.addHandler(h);
      return h;
    });
    // The middle handler's filter changes the record in place, as a redaction filter might.
    class Redact extends Filter {
      override filter(r: LogRecord): boolean {
        (r.args as unknown[])[1] = '***';
        return true;
      }
    }
    (hs[1] as Handler).addFilter(new Redact());
    try {
      log.info('took %d ms for %s', 7, 'alice');
      log.info('took %d ms for %s', 8, 'bob');
    } finally {
      for (const h of hs) log.removeHandler(h);
    }
    assert.deepEqual(lines, [
      ['INFO format-cache.shared: took 7 ms for alice\n', 'INFO format-cache.shared: took 8 ms for bob\n'],
      ['INFO format-cache.shared: took 7 ms for ***\n', 'INFO format-cache.shared: took 8 ms for ***\n'],
      ['INFO format-cache.shared: took 7 ms for ***\n', 'INFO format-cache.shared: took 8 ms for ***\n'],
    ]);
  });
});
