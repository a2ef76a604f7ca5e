/**
 * Differences from CPython 3.13 found by porting its own test_logging.py (issue #17, items 1, 4–7, 9, 10 and 12). Each case
 * asks CPython what it does and checks pylogging does the same.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  basicConfig, FileHandler, Formatter, getLogger, Handler, kw, LoggerAdapter, makeLogRecord, Manager, root,
  RootLogger, settings, shutdown, ValueError, WARNING, type LogRecord, type LogRecordFactory,
} from '../../src/index.js';
import { Queue, RotatingFileHandler } from '../../src/handlers.js';
import { runPython } from '../helpers/python.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
let dir: string;
beforeEach(() => {
  saved = saveLoggingState();
  dir = mkdtempSync(join(tmpdir(), 'pylogging-parity-'));
});
afterEach(() => {
  for (const h of [...root.handlers]) {
    root.removeHandler(h);
    void h.close();
  }
  saved.restore();
  rmSync(dir, { recursive: true, force: true });
});

describe('CPython parity (issue #17)', () => {
  test('1. a subclass\'s namer()/rotator() methods are used, as CPython\'s class attributes are', async () => {
    const expected = runPython<string[]>(`
import json, logging, logging.handlers, os, sys, tempfile
d = tempfile.mkdtemp()
class H(logging.handlers.RotatingFileHandler):
    def namer(self, n): return n + '.test'
    def rotator(self, s, d): os.rename(s, d)
h = H(os.path.join(d, 'a.log'), maxBytes=10, backupCount=2)
r = logging.makeLogRecord({'msg': '0123456789abc'})
for i in range(3): h.handle(r)
h.close()
print(json.dumps(sorted(os.listdir(d))))
`);
    const rotated: string[] = [];
    class H extends RotatingFileHandler {
      // @ts-expect-error TS2425: a method where the base declares a property, as a JavaScript subclass writes it
      namer(n: string): string {
        return n + '.test';
      }
      // @ts-expect-error TS2425: as above
      rotator(source: string, dest: string): void {
        rotated.push(dest);
        renameSync(source, dest);
      }
    }
    const h = new H(join(dir, 'a.log'), { maxBytes: 10, backupCount: 2 });
    const r = makeLogRecord({ msg: '0123456789abc' });
    for (let i = 0; i < 3; i++) h.handle(r);
    await h.close();
    assert.deepEqual(readdirSync(dir).sort(), expected);
    assert.equal(rotated.length, 2);
    // The base class still starts from Python's None, and an instance may still assign a function.
    const plain = new RotatingFileHandler(join(dir, 'b.log'), { maxBytes: 10, backupCount: 1 });
    assert.equal(plain.namer, null);
    assert.equal(plain.rotator, null);
    plain.namer = (n) => n + '.x';
    assert.equal(plain.rotation_filename('b.log.1'), 'b.log.1.x');
    await plain.close();
  });

  test('4. LoggerAdapter.manager can be assigned: it sets the wrapped logger\'s manager', () => {
    const ok = runPython<boolean>(`
import json, logging
l = logging.getLogger('parity.adapter')
a = logging.LoggerAdapter(logging.LoggerAdapter(l))
m = logging.Manager(logging.RootLogger(logging.WARNING))
a.manager = m
print(json.dumps(l.manager is m and a.manager is m))
`);
    assert.equal(ok, true);
    const l = getLogger('parity.adapter');
    const before = l.manager;
    const a = new LoggerAdapter(new LoggerAdapter(l));
    const m = new Manager(new RootLogger(WARNING));
    a.manager = m;
    assert.equal(l.manager, m);
    assert.equal(a.manager, m);
    l.manager = before;
  });

  test('5. Manager.setLogRecordFactory stores the factory in logRecordFactory', () => {
    const out = runPython<[boolean, boolean]>(`
import json, logging
m = logging.Manager(logging.RootLogger(logging.WARNING))
before = m.logRecordFactory is None
f = lambda *a, **k: logging.LogRecord(*a, **k)
m.setLogRecordFactory(f)
print(json.dumps([before, m.logRecordFactory is f]))
`);
    const m = new Manager(new RootLogger(WARNING));
    const before = m.logRecordFactory === null;
    const f: LogRecordFactory = () => makeLogRecord({});
    m.setLogRecordFactory(f);
    assert.deepEqual([before, m.logRecordFactory === f], out);
  });

  describe('6. shutdown() and errors from flush()/close()', () => {
    const expected = runPython<string[]>(`
import json, logging
out = []
class Bad(logging.Handler):
    def __init__(self, err):
        super().__init__()
        self.err = err
    def flush(self): raise self.err
for err in (RuntimeError('flush broke'), OSError('disk gone'), ValueError('closed file')):
    try:
        logging.shutdown([lambda e=err: Bad(e)])
        out.append('ignored')
    except Exception as e:
        out.append('raised ' + type(e).__name__)
logging.raiseExceptions = False
try:
    logging.shutdown([lambda: Bad(RuntimeError('x'))])
    out.append('ignored')
except Exception as e:
    out.append('raised ' + type(e).__name__)
print(json.dumps(out))
`);

    class Bad extends Handler {
      closed = false;
      constructor(readonly err: Error) {
        super();
      }
      override emit(): void {}
      override flush(): Promise<void> {
        return Promise.reject(this.err);
      }
      override async close(): Promise<void> {
        this.closed = true;
        await super.close();
      }
    }
    const osError = Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, syscall: 'write' });

    const outcome = async (err: Error): Promise<string> => {
      try {
        await shutdown([new Bad(err)]);
        return 'ignored';
      } catch (e) {
        return `raised ${e instanceof ValueError ? 'ValueError' : (e as Error).name}`;
      }
    };

    test('an error other than OSError/ValueError rejects; those two are ignored (CPython\'s answers)', async () => {
      const got = [
        await outcome(new RuntimeErrorLike('flush broke')),
        await outcome(osError),
        await outcome(new ValueError('closed file')),
      ];
      settings.raiseExceptions = false;
      got.push(await outcome(new RuntimeErrorLike('x')));
      // Python's RuntimeError is a plain JavaScript Error subclass here.
      assert.deepEqual(got, expected);
    });

    test('an ignored error does not stop the other handlers from closing', async () => {
      const a = new Bad(osError);
      const b = new Bad(new ValueError('closed file'));
      await shutdown([a, b]);
      assert.equal(a.closed, false); // its flush failed before close, as in CPython
      assert.equal(b.closed, false);
      const c = new Bad(new RuntimeErrorLike('boom'));
      const fine = new FileHandler(join(dir, 'fine.log'));
      settings.raiseExceptions = false;
      await shutdown([fine, c]);
      assert.equal(fine.stream, null); // closed despite the failure of the newer handler
    });
  });

  test('7. Queue.task_done() called too many times raises ValueError, with CPython\'s message', () => {
    const msg = runPython<string>(`
import json, queue
try:
    queue.Queue().task_done()
except ValueError as e:
    print(json.dumps(str(e)))
`);
    assert.throws(() => new Queue().task_done(), (e: unknown) => e instanceof ValueError && e.message === msg);
  });

  test('10. extra keys that are Object.prototype members are ordinary fields; inherited members are not fields', () => {
    const KEYS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__proto__'];
    const FORMATS: [string, '%' | '{'][] = [
      ['%(message)s %(constructor)s %(toString)s %(valueOf)s %(hasOwnProperty)s %(isPrototypeOf)s %(__proto__)s', '%'],
      ['{message} {constructor} {__proto__}', '{'],
    ];
    const expected = runPython<string[]>(`
import json, logging, sys
cfg = json.load(sys.stdin)
out = []
class H(logging.Handler):
    def emit(self, record):
        try:
            out.append(self.format(record))
        except Exception:
            self.handleError(record)
    def handleError(self, record):
        e = sys.exc_info()[1]
        out.append(type(e).__name__ + ': ' + str(e))
log = logging.getLogger('parity.extra')
log.propagate = False
for fmt, style in cfg['formats']:
    h = H()
    h.setFormatter(logging.Formatter(fmt, style=style))
    log.handlers = [h]
    log.warning('m', extra={k: i for i, k in enumerate(cfg['keys'])})
    log.warning('m')
print(json.dumps(out))
`, { keys: KEYS, formats: FORMATS });
    const out: string[] = [];
    class H extends Handler {
      override emit(record: LogRecord): void {
        try {
          out.push(this.format(record));
        } catch (err) {
          this.handleError(record, err);
        }
      }
      override handleError(_record: LogRecord, err?: unknown): void {
        out.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    const log = getLogger('parity.extra');
    log.propagate = false;
    const extra: Record<string, unknown> = {};
    KEYS.forEach((k, i) => Object.defineProperty(extra, k, { value: i, enumerable: true, writable: true, configurable: true }));
    for (const [fmt, style] of FORMATS) {
      const h = new H();
      h.setFormatter(new Formatter(fmt, null, style));
      for (const old of [...log.handlers]) log.removeHandler(old);
      log.addHandler(h);
      log.warning('m', kw({ extra }));
      log.warning('m');
    }
    assert.deepEqual(out, expected);
  });

  test('12. an unknown keyword in kw() is reported with CPython\'s TypeError (and hint); the record is still logged', () => {
    const KEYS = ['exc_inf', 'stackinfo', 'stack_level', 'extras', 'foo', 'exc_info_x', 'EXTRA'];
    const expected = runPython<string[]>(`
import json, logging, sys
out = []
for k in json.load(sys.stdin):
    try:
        logging.getLogger('parity.kw').warning('m', **{k: 1})
    except TypeError as e:
        out.append(str(e))
print(json.dumps(out))
`, KEYS);
    const got: string[] = [];
    const seen: string[] = [];
    class H extends Handler {
      override emit(record: LogRecord): void {
        seen.push(record.getMessage());
      }
    }
    const log = getLogger('parity.kw');
    log.propagate = false;
    log.addHandler(new H());
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string): boolean => {
      const m = /^TypeError: (.*)$/m.exec(String(chunk));
      if (m) got.push(m[1] as string);
      return true;
    });
    try {
      for (const k of KEYS) log.warning('m', kw({ [k]: 1 }));
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(got, expected);
    assert.equal(seen.length, KEYS.length);
  });

  test('9. basicConfig({ errors: null }) keeps None, as does FileHandler\'s default', () => {
    const out = runPython<[unknown, unknown]>(`
import json, logging, os, tempfile
d = tempfile.mkdtemp()
logging.basicConfig(filename=os.path.join(d, 'b.log'), errors=None)
print(json.dumps([logging.root.handlers[0].errors, logging.FileHandler(os.path.join(d, 'c.log')).errors]))
`);
    for (const h of [...root.handlers]) root.removeHandler(h);
    basicConfig({ filename: join(dir, 'b.log'), errors: null });
    const fh = root.handlers[0] as FileHandler;
    const plain = new FileHandler(join(dir, 'c.log'));
    assert.deepEqual([fh.errors, plain.errors], out);
    void plain.close();
  });
});

/** Python's RuntimeError: any error that is neither a system error nor a ValueError. */
class RuntimeErrorLike extends Error {
  override name = 'RuntimeError';
}
