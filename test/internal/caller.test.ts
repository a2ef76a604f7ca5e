/**
 * Caller capture in chunks (issue 18): a record first captures a few frames and widens only when the walk runs past
 * the end. Every answer must be the one a full capture gives (the `stack_info` path still captures everything).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { findCaller } from '../../src/internal/caller.js';
import { getLogger, Handler, kw, Logger, LoggerAdapter, type LogRecord } from '../../src/index.js';

type Probe = (stacklevel: number) => [ReturnType<typeof findCaller>, ReturnType<typeof findCaller>];

// The innermost frame has no name, so the outer frame decides its funcName ('<anonymous>'): at a chunk's edge that
// frame must be captured too.
// Both calls on one line, so stacklevel 1 names the same line for both.
// prettier-ignore
const probe: Probe = [(s: number): ReturnType<Probe> => [findCaller(false, s), findCaller(true, s)]][0] as Probe;

function nest(depth: number, stacklevel: number): ReturnType<Probe> {
  return depth > 0 ? nest(depth - 1, stacklevel) : probe(stacklevel);
}

describe('findCaller', () => {
  test('from 0–70 frames deep, every stacklevel names the frame a full capture names', () => {
    for (const depth of [0, 3, 6, 7, 8, 9, 10, 11, 40, 70]) {
      for (let stacklevel = 1; stacklevel <= depth + 6; stacklevel++) {
        const [chunked, full] = nest(depth, stacklevel);
        const where = `depth ${depth}, stacklevel ${stacklevel}`;
        assert.equal(chunked.pathname, full.pathname, where);
        assert.equal(chunked.lineno, full.lineno, where);
        assert.equal(chunked.funcName, full.funcName, where);
        assert.equal(chunked.sinfo, null);
      }
    }
  });

  test('the innermost caller of a deep call is this file, as a path', () => {
    const [c] = nest(50, 1);
    assert.equal(c.pathname, fileURLToPath(import.meta.url));
    assert.ok(c.lineno > 0);
  });

  test('a stacklevel past the outermost frame stops at the outermost one, as a full capture does', () => {
    const [chunked, full] = nest(20, 10_000);
    assert.deepEqual([chunked.pathname, chunked.lineno, chunked.funcName], [full.pathname, full.lineno, full.funcName]);
  });

  test('Error.stackTraceLimit and Error.prepareStackTrace are left as they were', () => {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace; // eslint-disable-line @typescript-eslint/unbound-method
    nest(30, 3);
    assert.equal(Error.stackTraceLimit, limit);
    assert.equal(Error.prepareStackTrace, prepare); // eslint-disable-line @typescript-eslint/unbound-method
  });
});

class Keep extends Handler {
  records: LogRecord[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
  }
  override usesCallerInfo(): boolean {
    return true;
  }
}

class SubLogger extends Logger {
  override _log(...a: Parameters<Logger['_log']>): void {
    super._log(...a);
  }
}

function where(r: LogRecord | undefined): string {
  return `${r?.pathname}:${r?.lineno}:${r?.funcName}`;
}

describe('records: the chunked capture names what the full one (stack_info) names', () => {
  const h = new Keep();
  const log = getLogger('caller-chunks');
  log.addHandler(h);
  log.propagate = false;
  log.setLevel(10);
  const adapter = new LoggerAdapter(log, {});
  type Call = (stacklevel: number, stackInfo: boolean) => void;
  // Each pair of calls on one line, so stacklevel 1 names the same line.
  // prettier-ignore
  const calls: [string, Call][] = [
    ['logger.info', (s, i) => log.info('x', kw({ stacklevel: s, stack_info: i }))],
    ['logger.log', (s, i) => log.log(30, 'x', kw({ stacklevel: s, stack_info: i }))],
    ['logger.exception', (s, i) => log.exception('x', kw({ stacklevel: s, stack_info: i }))],
    ['LoggerAdapter.info', (s, i) => adapter.info('x', kw({ stacklevel: s, stack_info: i }))],
  ];
  function nested(depth: number, fn: () => void): void {
    if (depth > 0) nested(depth - 1, fn);
    else fn();
  }
  for (const [name, call] of calls) {
    test(name, () => {
      for (const depth of [0, 1, 2, 3, 5, 9, 40]) {
        for (let s = 1; s <= depth + 4; s++) {
          h.records = [];
          nested(depth, () => [call(s, false), call(s, true)]);
          assert.equal(where(h.records[0]), where(h.records[1]), `depth ${depth}, stacklevel ${s}`);
          assert.equal(h.records[0]?.stack_info, null);
        }
      }
    });
  }

  test('a Logger subclass that overrides _log (its frame is the caller at stacklevel 1, as before)', () => {
    const manager = log.manager;
    manager.setLoggerClass(SubLogger);
    try {
      const sub = getLogger('caller-chunks-sub');
      assert.ok(sub instanceof SubLogger);
      sub.addHandler(h);
      sub.propagate = false;
      for (const s of [1, 2, 3, 6]) {
        h.records = [];
        // prettier-ignore
        nested(7, () => [sub.info('x', kw({ stacklevel: s })), sub.info('x', kw({ stacklevel: s, stack_info: true }))]);
        assert.equal(where(h.records[0]), where(h.records[1]), `stacklevel ${s}`);
      }
    } finally {
      manager.loggerClass = null;
    }
  });
});
