/**
 * Logger tree, levels and caches, propagation, lastResort, makeRecord, caller information, LoggerAdapter.
 * Modelled on CPython's test_logging BaseTest: root at DEBUG writing `%(name)s -> %(levelname)s: %(message)s`.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRITICAL, DEBUG, ERROR, INFO, WARNING, NOTSET,
  Filter, Formatter, getLogger, Logger, LoggerAdapter, kw, root, settings, StreamHandler, disable, setLoggerClass,
  getLoggerClass, Handler, type LogRecord,
} from '../../src/index.js';
import { MemoryStream, saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
let out: MemoryStream;
let handler: StreamHandler<MemoryStream>;

beforeEach(() => {
  saved = saveLoggingState();
  for (const h of [...root.handlers]) root.removeHandler(h);
  out = new MemoryStream();
  handler = new StreamHandler(out);
  handler.setFormatter(new Formatter('%(name)s -> %(levelname)s: %(message)s'));
  root.addHandler(handler);
  root.setLevel(DEBUG);
});
afterEach(() => {
  root.removeHandler(handler);
  saved.restore();
});

class ListHandler extends Handler {
  records: LogRecord[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
  }
}

describe('Logger tree', () => {
  test('getLogger() of None, empty and "root" is the root; other names are distinct loggers', () => {
    assert.equal(getLogger(), root);
    assert.equal(getLogger(''), root);
    assert.equal(getLogger('root'), root);
    assert.notEqual(getLogger('\0'), root);
    assert.equal(getLogger('t.a'), getLogger('t.a'));
  });

  test('getLogger() of a non-string throws TypeError: A logger name must be a string', () => {
    assert.throws(() => getLogger(3 as unknown as string), { name: 'TypeError', message: 'A logger name must be a string' });
  });

  test('a child created before its parent is re-parented when the parent appears (PlaceHolder)', () => {
    const c = getLogger('tp.x.y.z');
    assert.equal(c.parent, root);
    const mid = getLogger('tp.x');
    assert.equal(c.parent, mid);
    const top = getLogger('tp');
    assert.equal(mid.parent, top);
    const y = getLogger('tp.x.y');
    assert.equal(c.parent, y);
    assert.equal(y.parent, mid);
  });

  test('getChild() and getChildren() (3.12)', () => {
    const p = getLogger('tc');
    const a = p.getChild('a');
    assert.equal(a.name, 'tc.a');
    getLogger('tc.a.deep');
    const b = getLogger('tc.b');
    assert.deepEqual(new Set([...p.getChildren()].map((l) => l.name)), new Set(['tc.a', 'tc.b']));
    assert.equal(root.getChild('tc'), p);
    assert.ok(b.parent === p);
  });

  test('messages propagate to ancestors; propagate = false stops them', () => {
    const parent = getLogger('tprop');
    const child = getLogger('tprop.child');
    const h = new ListHandler();
    parent.addHandler(h);
    child.info('one');
    child.propagate = false;
    child.info('two');
    parent.removeHandler(h);
    assert.deepEqual(h.records.map((r) => r.msg), ['one']);
    assert.equal(out.text, 'tprop.child -> INFO: one\n');
  });

  test('levels: the CPython BaseTest sequence', () => {
    const err = getLogger('ERR');
    err.setLevel(ERROR);
    const inf = getLogger('INF');
    inf.setLevel(INFO);
    const infErr = getLogger('INF.ERR');
    infErr.setLevel(ERROR);
    const dbg = getLogger('DEB');
    dbg.setLevel(DEBUG);
    const infUndef = getLogger('INF.UNDEF');
    const infErrUndef = getLogger('INF.ERR.UNDEF');
    const undef = getLogger('UNDEF');
    const gsub = getLogger('INF.BADPARENT.UNDEF');
    const sub = getLogger('INF.BADPARENT');
    let n = 0;
    const next = (): string => String(++n);
    err.log(CRITICAL, next()); err.error(next()); err.warning(next()); err.info(next()); err.debug(next());
    inf.log(CRITICAL, next()); inf.error(next()); inf.warning(next()); inf.info(next()); inf.debug(next());
    infUndef.log(CRITICAL, next()); infUndef.error(next()); infUndef.warning(next()); infUndef.info(next()); infUndef.debug(next());
    infErr.log(CRITICAL, next()); infErr.error(next()); infErr.warning(next()); infErr.info(next());
    infErrUndef.log(CRITICAL, next()); infErrUndef.error(next()); infErrUndef.warning(next());
    undef.debug(next());
    dbg.debug(next());
    gsub.log(CRITICAL, next()); gsub.info(next()); gsub.debug(next());
    sub.log(CRITICAL, next()); sub.info(next()); sub.debug(next());
    assert.deepEqual(out.text.trim().split('\n'), [
      'ERR -> CRITICAL: 1', 'ERR -> ERROR: 2',
      'INF -> CRITICAL: 6', 'INF -> ERROR: 7', 'INF -> WARNING: 8', 'INF -> INFO: 9',
      'INF.UNDEF -> CRITICAL: 11', 'INF.UNDEF -> ERROR: 12', 'INF.UNDEF -> WARNING: 13', 'INF.UNDEF -> INFO: 14',
      'INF.ERR -> CRITICAL: 16', 'INF.ERR -> ERROR: 17',
      'INF.ERR.UNDEF -> CRITICAL: 20', 'INF.ERR.UNDEF -> ERROR: 21',
      'UNDEF -> DEBUG: 23',
      'DEB -> DEBUG: 24',
      'INF.BADPARENT.UNDEF -> CRITICAL: 25', 'INF.BADPARENT.UNDEF -> INFO: 26',
      'INF.BADPARENT -> CRITICAL: 28', 'INF.BADPARENT -> INFO: 29',
    ]);
  });

  test('isEnabledFor() is cached and invalidated by setLevel() anywhere up the tree', () => {
    const parent = getLogger('tcache');
    const child = getLogger('tcache.c');
    parent.setLevel(ERROR);
    assert.equal(child.isEnabledFor(WARNING), false);
    parent.setLevel(DEBUG);
    assert.equal(child.isEnabledFor(WARNING), true);
    assert.equal(child.isEnabledFor(1000), true);
    parent.setLevel(2000);
    assert.equal(child.isEnabledFor(1000), false);
  });

  test('setLevel() takes names and rejects unknown ones with CPython messages', () => {
    const l = getLogger('tlevel');
    l.setLevel('INFO');
    assert.equal(l.level, INFO);
    assert.throws(() => l.setLevel('info'), { name: 'ValueError', message: "Unknown level: 'info'" });
    assert.throws(() => l.setLevel(null as unknown as number), { name: 'TypeError', message: 'Level not an integer or a valid string: None' });
  });

  test('disable() drops records at or below the level on every logger; disable(NOTSET) undoes it', () => {
    const l = getLogger('tdisable');
    disable(WARNING);
    l.warning('dropped');
    l.error('kept');
    disable(NOTSET);
    l.warning('kept too');
    assert.equal(out.text, 'tdisable -> ERROR: kept\ntdisable -> WARNING: kept too\n');
  });

  test('a disabled logger drops everything', () => {
    const l = getLogger('tdisabled');
    l.disabled = true;
    l.critical('no');
    assert.equal(out.text, '');
  });

  test('logger filters run before handlers; a Filter passes the name and its children', () => {
    const l = getLogger('tfilter');
    l.addFilter(new Filter('tfilter.ok'));
    l.info('dropped');
    getLogger('tfilter.ok.x').info('kept');
    assert.equal(out.text, 'tfilter.ok.x -> INFO: kept\n');
  });

  test('handler level is checked by callHandlers, not by Handler.handle', () => {
    const h = new ListHandler(ERROR);
    const l = getLogger('thlevel');
    l.addHandler(h);
    l.warning('below');
    h.handle(l.makeRecord('x', DEBUG, '', 0, 'direct', [], null));
    l.removeHandler(h);
    assert.deepEqual(h.records.map((r) => r.msg), ['direct']);
  });

  test('toString() gives Python reprs', () => {
    const l = getLogger('trepr.x');
    assert.equal(String(l), '<Logger trepr.x (DEBUG)>');
    assert.equal(String(new LoggerAdapter(l)), '<LoggerAdapter trepr.x (DEBUG)>');
  });

  test('setLoggerClass() requires a Logger subclass', () => {
    class MyLogger extends Logger {}
    setLoggerClass(MyLogger);
    try {
      assert.ok(getLogger('tclass.mine') instanceof MyLogger);
    } finally {
      setLoggerClass(Logger);
    }
    assert.equal(getLoggerClass(), Logger);
    assert.throws(() => setLoggerClass(Object as never), { name: 'TypeError', message: 'logger not derived from logging.Logger: Object' });
  });
});

describe('lastResort', () => {
  test('a record with no handler anywhere goes to lastResort at WARNING and above', () => {
    root.removeHandler(handler);
    const h = new ListHandler(WARNING);
    settings.lastResort = h;
    const l = getLogger('tlast');
    l.info('no');
    l.warning('yes');
    assert.deepEqual(h.records.map((r) => r.msg), ['yes']);
  });

  test('with lastResort null, one "No handlers could be found" message is written to stderr', (t) => {
    root.removeHandler(handler);
    settings.lastResort = null;
    const writes: string[] = [];
    t.mock.method(process.stderr, 'write', (s: string) => {
      writes.push(s);
      return true;
    });
    getLogger('tnone').warning('a');
    getLogger('tnone').warning('b');
    assert.deepEqual(writes, ['No handlers could be found for logger "tnone"\n']);
  });
});

describe('Logger keyword arguments (kw)', () => {
  test('extra adds attributes; overwriting message, asctime or a record field is KeyError, reported not thrown', (t) => {
    const h = new ListHandler();
    const l = getLogger('tkw');
    l.addHandler(h);
    l.info('x', kw({ extra: { user: 'alice' } }));
    assert.equal(h.records[0]?.['user'], 'alice');
    assert.throws(() => l.makeRecord('n', INFO, '', 0, 'm', [], null, null, { message: 1 }), {
      name: 'KeyError', message: "Attempt to overwrite 'message' in LogRecord",
    });
    const writes: string[] = [];
    t.mock.method(process.stderr, 'write', (s: string) => (writes.push(s), true));
    assert.doesNotThrow(() => l.info('y', kw({ extra: { name: 'clash' } })));
    assert.match(writes.join(''), /KeyError: Attempt to overwrite 'name' in LogRecord/);
    l.info('after');
    l.removeHandler(h);
    assert.deepEqual(h.records.map((r) => r.msg), ['x', 'after']);
  });

  test('a plain object argument is never taken for keywords', () => {
    getLogger('tkw2').info('%s', { exc_info: true });
    assert.equal(out.text, "tkw2 -> INFO: { exc_info: true }\n");
  });

  test('exception() attaches the error given as exc_info, else NoneType: None', () => {
    const l = getLogger('texc');
    l.exception('failed %s', 'job', kw({ exc_info: new RangeError('bad') }));
    assert.match(out.text, /^texc -> ERROR: failed job\nRangeError: bad\n {4}at /);
    out.chunks = [];
    l.exception('no error');
    assert.equal(out.text, 'texc -> ERROR: no error\nNoneType: None\n');
    out.chunks = [];
    l.error('plain', kw({ exc_info: new Error('e') }));
    assert.match(out.text, /^texc -> ERROR: plain\nError: e\n/);
  });

  test('stack_info appends "Stack (most recent call last):" with this file in it', () => {
    getLogger('tstack').info('s', kw({ stack_info: true }));
    assert.match(out.text, /^tstack -> INFO: s\nStack \(most recent call last\):\n(.|\n)*logger\.test\.js", line \d+/);
  });
});

function lineOfCaller(): number {
  return Number(new Error().stack?.split('\n')[2]?.match(/:(\d+):\d+\)?$/)?.[1]);
}

describe('caller information', () => {
  test('pathname, lineno and funcName name the calling line when a formatter uses them', () => {
    handler.setFormatter(new Formatter('%(filename)s:%(lineno)d:%(funcName)s:%(module)s'));
    function callsLogger(): number {
      // One expression, so the compiled output keeps the logging call and the line probe on the same line.
      return (getLogger('tcaller').info('x'), lineOfCaller());
    }
    const line = callsLogger();
    assert.equal(out.text, `logger.test.js:${line}:callsLogger:logger.test\n`);
  });

  test('stacklevel=2 names the caller of the function that logged', () => {
    handler.setFormatter(new Formatter('%(funcName)s'));
    function helper(): void {
      getLogger('tcaller2').info('x', kw({ stacklevel: 2 }));
    }
    function outerCaller(): void {
      helper();
    }
    outerCaller();
    assert.equal(out.text, 'outerCaller\n');
  });

  test('without a formatter that needs them, no stack is captured', () => {
    const h = new ListHandler();
    const l = getLogger('tnocaller');
    l.addHandler(h);
    l.info('x');
    l.removeHandler(h);
    assert.equal(h.records[0]?.pathname, '(unknown file)');
    assert.equal(h.records[0]?.lineno, 0);
    assert.equal(h.records[0]?.funcName, '(unknown function)');
  });

  test("settings.callerInfo = 'always' captures without a formatter asking", () => {
    const h = new ListHandler();
    const l = getLogger('talways');
    l.addHandler(h);
    settings.callerInfo = 'always';
    l.info('x');
    settings.callerInfo = 'auto';
    l.removeHandler(h);
    assert.equal(h.records[0]?.filename, 'logger.test.js');
    assert.throws(() => (settings.callerInfo = 'sometimes' as 'auto'), /callerInfo must be/);
  });
});

describe('LoggerAdapter', () => {
  test('extra is the adapter\'s; the call\'s extra is dropped unless merge_extra (3.13)', () => {
    const h = new ListHandler();
    const l = getLogger('tadapt');
    l.addHandler(h);
    new LoggerAdapter(l, { a: 1 }).info('one', kw({ extra: { b: 2 } }));
    new LoggerAdapter(l, { a: 1 }, { merge_extra: true }).info('two', kw({ extra: { b: 2 } }));
    new LoggerAdapter(new LoggerAdapter(l, { c: 3 })).warning('nested %s', 'x');
    l.removeHandler(h);
    assert.equal(h.records[0]?.['a'], 1);
    assert.equal(h.records[0]?.['b'], undefined);
    assert.equal(h.records[1]?.['a'], 1);
    assert.equal(h.records[1]?.['b'], 2);
    assert.equal(h.records[2]?.getMessage(), 'nested x');
  });

  test('process() can rewrite the message; the level check comes first', () => {
    class Prefix extends LoggerAdapter {
      override process(msg: unknown, kwargs: object): [unknown, object] {
        return [`[req 7] ${String(msg)}`, kwargs];
      }
    }
    const a = new Prefix(getLogger('tprefix'));
    a.info('hello %s', 'you');
    a.setLevel(ERROR);
    a.info('dropped');
    a.exception('boom', kw({ exc_info: new Error('x') }));
    assert.match(out.text, /^tprefix -> INFO: \[req 7\] hello you\ntprefix -> ERROR: \[req 7\] boom\nError: x/);
    assert.equal(a.isEnabledFor(WARNING), false);
    assert.equal(a.getEffectiveLevel(), ERROR);
    assert.equal(a.hasHandlers(), true);
    assert.equal(a.name, 'tprefix');
  });
});
