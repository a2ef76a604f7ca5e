/**
 * `static pySignature`: each class declares how dictConfig/fileConfig call it, beside its constructor; subclasses
 * inherit it; `null` means "one keyword-arguments object". Nothing reads a function's source text.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { getLogger, Handler, NOTSET, type Level, type LogRecord } from '../../src/index.js';
import { dictConfigSync, type PySignature } from '../../src/config.js';
import { construct, isClass, signatureOf } from '../../src/config/construct.js';
import { preload, resolveName } from '../../src/config/registry.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
beforeEach(() => (saved = saveLoggingState()));
afterEach(() => saved.restore());

class Ring extends Handler {
  static override pySignature: PySignature | null = {
    params: ['capacity', 'level'],
    required: 1,
    kwonly: ['respect_prefix', 'tag'],
  };
  got: unknown[];
  constructor(capacity: number, level: Level = NOTSET, options: Record<string, unknown> = {}) {
    super(level);
    this.got = [capacity, level, options];
  }
  override emit(_r: LogRecord): void {}
}

class KwargsHandler extends Ring {
  static override pySignature = null;
  constructor(kw: Record<string, unknown>) {
    super(1);
    this.got = [kw];
  }
}

class InheritsRing extends Ring {}

test('a declared signature binds Python arguments, then calls the constructor with the camelCased options', () => {
  const h = construct(Ring, [5], { level: 'INFO', respect_prefix: true }) as Ring;
  assert.deepEqual(h.got, [5, 'INFO', { respectPrefix: true }]);
  assert.throws(() => construct(Ring, [], { size: 2 }), {
    name: 'TypeError',
    message: "Ring.__init__() got an unexpected keyword argument 'size'",
  });
  assert.throws(() => construct(Ring, [], {}), { message: "Ring.__init__() missing 1 required positional argument: 'capacity'" });
});

test('a subclass inherits the signature; `static pySignature = null` is called with one kwargs object', () => {
  assert.deepEqual((construct(InheritsRing, [3], {}) as Ring).got, [3, NOTSET, {}]);
  assert.deepEqual((construct(KwargsHandler, [], { size: 2, name_x: 'a' }) as Ring).got, [{ size: 2, name_x: 'a' }]);
  assert.equal(signatureOf(KwargsHandler), null);
});

test('dictConfig builds a class passed by value with its own signature', () => {
  dictConfigSync({
    version: 1,
    handlers: { r: { class: Ring, capacity: 7, tag: 'x' } },
    root: { handlers: ['r'] },
  });
  assert.deepEqual((getLogger().handlers[0] as Ring).got, [7, NOTSET, { tag: 'x' }]);
});

test('isClass tells classes from functions by the read-only prototype, never by source text', (t) => {
  t.mock.method(Function.prototype, 'toString', () => {
    throw new Error('source text read');
  });
  assert.equal(isClass(Ring), true);
  assert.equal(isClass(class {}), true);
  assert.equal(isClass(function f() {}), false);
  assert.equal(isClass(() => 1), false);
  assert.equal(isClass(Ring.bind(null)), false);
  assert.equal(isClass({}), false);
  // A plain function factory is called, a class without a signature constructed, each with the kwargs object.
  assert.deepEqual(construct((kw: unknown) => ({ kw }), [], { a: 1 }), { kw: { a: 1 } });
  class Foo {
    constructor(readonly kw: unknown) {}
  }
  assert.deepEqual((construct(Foo, [], { a: 1 }) as Foo).kw, { a: 1 });
  assert.ok(construct(Ring, [2], {}) instanceof Ring);
});

test('every class the registry names declares or inherits a Python signature once its module is loaded', () => {
  const names = [
    'logging.Handler', 'logging.StreamHandler', 'logging.FileHandler', 'logging.NullHandler', 'logging.Formatter',
    'logging.BufferingFormatter', 'logging.Filter', 'logging.handlers.WatchedFileHandler',
    'logging.handlers.RotatingFileHandler', 'logging.handlers.TimedRotatingFileHandler',
    'logging.handlers.SocketHandler', 'logging.handlers.DatagramHandler', 'logging.handlers.SysLogHandler',
    'logging.handlers.NTEventLogHandler', 'logging.handlers.SMTPHandler', 'logging.handlers.HTTPHandler',
    'logging.handlers.BufferingHandler', 'logging.handlers.MemoryHandler', 'logging.handlers.QueueHandler',
    'logging.handlers.QueueListener', 'queue.Queue', 'colorlog.ColoredFormatter', 'colorlog.LevelFormatter',
    'pythonjsonlogger.jsonlogger.JsonFormatter', 'opentelemetry.sdk._logs.LoggingHandler',
  ];
  preload(names);
  for (const name of names) {
    const sig = signatureOf(resolveName(name));
    assert.ok(sig && Array.isArray(sig.params), `${name} has a Python signature`);
  }
  // Each declares its own where CPython's __init__ differs from its parent's.
  const own = (n: string): boolean => Object.hasOwn(resolveName(n) as object, 'pySignature');
  for (const n of ['logging.handlers.SocketHandler', 'logging.handlers.SysLogHandler', 'logging.handlers.SMTPHandler', 'logging.handlers.HTTPHandler']) {
    assert.ok(own(n), `${n} declares its signature`);
  }
});
