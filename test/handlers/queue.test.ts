/**
 * QueueHandler, QueueListener and Queue. What CPython defines (prepare's copy, respect_handler_level) is compared with
 * python3 runs of the same cases; the rest follows test_logging's QueueHandlerTest/QueueListenerTest (3.13).
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRITICAL, DEBUG, ERROR, Formatter, getLevelName, getLogger, Handler, INFO, kw, makeLogRecord, WARNING,
  type LogRecord,
} from '../../src/index.js';
import {
  Queue, QueueEmpty, QueueFull, QueueHandler, QueueListener, type QueueItem,
} from '../../src/handlers/queue.js';
import { runPython } from '../helpers/python.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

class Recorder extends Handler {
  records: LogRecord[] = [];
  lines: string[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
    this.lines.push(this.format(record));
  }
}

const FMT = '%(name)s -> %(levelname)s: %(message)s';

interface PrepareCase {
  name: string;
  msg: string;
  args: unknown[] | Record<string, unknown> | null;
  exc: boolean;
  stack: string | null;
}

const prepareCases: PrepareCase[] = [
  { name: 'no args', msg: 'plain 100%', args: null, exc: false, stack: null },
  { name: 'positional args', msg: 'disk %s of %d full', args: ['sda', 3], exc: false, stack: null },
  { name: 'mapping arg', msg: '%(user)s logged in %(n)d times', args: { user: 'ann', n: 2 }, exc: false, stack: null },
  { name: 'exception', msg: 'failed %s', args: ['job'], exc: true, stack: null },
  { name: 'stack info', msg: 'here', args: [], exc: false, stack: 'Stack (most recent call last):\n  File "x.py", line 1' },
  { name: 'exception and stack info', msg: 'both', args: null, exc: true, stack: 'Stack (most recent call last):\n  s' },
];

interface Prepared {
  msg: string;
  message: string;
  args: null;
  exc_info_none: boolean;
  exc_text_none: boolean;
  stack_info_none: boolean;
  copy: boolean;
  same_keys: boolean;
  orig_msg: string;
  orig_message: string;
  orig_exc_text_set: boolean;
  orig_stack_info: string | null;
}

const PY_PREPARE = String.raw`
import json, sys, logging, logging.handlers, queue
cases = json.load(sys.stdin)
out = []
for c in cases:
    args = c['args']
    if isinstance(args, list): args = tuple(args)
    exc_info = None
    if c['exc']:
        try: raise ValueError('boom')
        except ValueError: exc_info = sys.exc_info()
    r = logging.makeLogRecord({'name': 'q', 'msg': c['msg'], 'args': args, 'levelno': 40, 'levelname': 'ERROR',
                               'exc_info': exc_info, 'stack_info': c['stack']})
    h = logging.handlers.QueueHandler(queue.Queue())
    h.setFormatter(logging.Formatter('%(name)s -> %(levelname)s: %(message)s'))
    p = h.prepare(r)
    msg = p.msg.replace(r.exc_text, '<EXC>') if r.exc_text else p.msg
    out.append({'msg': msg, 'message': p.message.replace(r.exc_text, '<EXC>') if r.exc_text else p.message,
                'args': p.args, 'exc_info_none': p.exc_info is None, 'exc_text_none': p.exc_text is None,
                'stack_info_none': p.stack_info is None, 'copy': p is not r,
                'same_keys': set(p.__dict__) == set(r.__dict__), 'orig_msg': r.msg, 'orig_message': r.message,
                'orig_exc_text_set': r.exc_text is not None, 'orig_stack_info': r.stack_info})
print(json.dumps(out))
`;

const preparedByPython = runPython<Prepared[]>(PY_PREPARE, prepareCases);

describe('QueueHandler.prepare() matches CPython 3.13', () => {
  prepareCases.forEach((c, i) => {
    test(`prepare() ${c.name}`, () => {
      const r = makeLogRecord({
        name: 'q', msg: c.msg, args: c.args, levelno: ERROR, levelname: 'ERROR',
        exc_info: c.exc ? new Error('boom') : null, stack_info: c.stack,
      });
      const h = new QueueHandler(new Queue());
      h.setFormatter(new Formatter(FMT));
      const p = h.prepare(r);
      const exc = r.exc_text;
      const strip = (s: string): string => (exc ? s.replace(exc, '<EXC>') : s);
      const got: Prepared = {
        msg: strip(p.msg as string),
        message: strip(p.message as string),
        args: p.args as null,
        exc_info_none: p.exc_info === null,
        exc_text_none: p.exc_text === null,
        stack_info_none: p.stack_info === null,
        copy: p !== r,
        same_keys: JSON.stringify(Object.keys(p).sort()) === JSON.stringify(Object.keys(r).sort()),
        orig_msg: r.msg as string,
        orig_message: r.message as string,
        orig_exc_text_set: r.exc_text !== null,
        orig_stack_info: r.stack_info,
      };
      assert.deepEqual(got, preparedByPython[i]);
      assert.ok(p instanceof Object.getPrototypeOf(r).constructor, 'the copy keeps the record class');
    });
  });
});

describe('QueueHandler', () => {
  test('emit() puts a prepared copy: (msg, args) == (formatted, null), other handlers keep the original', () => {
    const q = new Queue<QueueItem>();
    const qh = new QueueHandler(q);
    qh.setFormatter(new Formatter(FMT));
    const other = new Recorder();
    const log = getLogger('qh.emit');
    log.propagate = false;
    log.addHandler(qh);
    log.addHandler(other);
    log.warning('disk %s', 'sda');
    const got = q.get_nowait() as LogRecord;
    assert.deepEqual([got.msg, got.args], ['qh.emit -> WARNING: disk sda', null]);
    assert.equal(got.message, got.msg);
    assert.deepEqual([other.records[0]?.msg, other.records[0]?.args], ['disk %s', ['sda']]);
    assert.deepEqual(other.lines, ['disk sda']);
  });

  test('a full queue goes to handleError, the logging call does not throw', () => {
    const qh = new QueueHandler(new Queue(1));
    const errors: unknown[] = [];
    qh.handleError = (_r, err) => errors.push(err);
    qh.handle(makeLogRecord({ msg: 'a' }));
    qh.handle(makeLogRecord({ msg: 'b' }));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof QueueFull);
  });

  test('prepare() can be overridden to enqueue something else (a JSON string)', () => {
    const q = new Queue<string>();
    class JsonQueueHandler extends QueueHandler {
      override enqueue(record: LogRecord): void {
        q.put_nowait(JSON.stringify({ msg: record.msg, level: record.levelname }));
      }
    }
    new JsonQueueHandler(new Queue()).handle(makeLogRecord({ msg: 'x %d', args: [1], levelname: 'INFO' }));
    assert.equal(q.get_nowait(), '{"msg":"x 1","level":"INFO"}');
  });

  test('constructor needs a put_nowait() queue; flush() without a listener resolves at once', async () => {
    assert.throws(() => new QueueHandler({} as never), TypeError);
    await new QueueHandler(new Queue()).flush();
  });
});

describe('QueueListener', () => {
  test('traceback and stack appear exactly once in the listener-side output (Trap 15)', async () => {
    const q = new Queue<QueueItem>();
    const qh = new QueueHandler(q);
    const out = new Recorder();
    out.setFormatter(new Formatter(FMT));
    const listener = new QueueListener(q, out);
    qh.listener = listener;
    listener.start();
    const log = getLogger('ql.once');
    log.propagate = false;
    log.addHandler(qh);
    log.error('failed', kw({ exc_info: new Error('deliberate'), stack_info: true }));
    await qh.flush();
    await listener.stop();
    const line = out.lines[0] as string;
    assert.equal(line.split('Error: deliberate').length - 1, 1);
    assert.equal(line.split('Stack (most recent call last):').length - 1, 1);
    assert.ok(line.startsWith('ql.once -> ERROR: failed\n'));
  });

  test('stop() twice is fine (gh-114706); the sentinel is task_done()d so join() resolves', async () => {
    const q = new Queue<QueueItem>();
    const out = new Recorder();
    const listener = new QueueListener(q, out);
    listener.start();
    assert.throws(() => listener.start(), /already started/);
    q.put_nowait(makeLogRecord({ msg: 'one' }));
    const a = listener.stop();
    const b = listener.stop();
    assert.equal(a, b);
    await a;
    await listener.stop();
    await q.join();
    assert.equal(q.qsize(), 0);
    assert.deepEqual(out.lines, ['one']);
    q.put_nowait(makeLogRecord({ msg: 'after stop' }));
    listener.start(); // restartable: picks up what was left
    await listener.stop();
    assert.deepEqual(out.lines, ['one', 'after stop']);
  });

  test('a non-blocking dequeue ends the loop on Empty, as CPython does on queue.Empty', async () => {
    const q = new Queue<QueueItem>();
    class Draining extends QueueListener {
      override dequeue(_block: boolean): QueueItem {
        return this.queue.get(false) as QueueItem;
      }
    }
    const out = new Recorder();
    q.put_nowait(makeLogRecord({ msg: 'x' }));
    const l = new Draining(q, out);
    l.start();
    await l._thread;
    assert.deepEqual(out.lines, ['x']);
    assert.throws(() => q.get(false), QueueEmpty);
  });

  test('prepare() override transforms records before the handlers', async () => {
    const q = new Queue<QueueItem>();
    const out = new Recorder();
    class Upper extends QueueListener {
      override prepare(record: LogRecord): LogRecord {
        record.msg = String(record.msg).toUpperCase();
        return record;
      }
    }
    const l = new Upper(q, out);
    l.start();
    q.put_nowait(makeLogRecord({ msg: 'shout' }));
    await l.stop();
    assert.deepEqual(out.lines, ['SHOUT']);
  });
});

const LEVELS = [DEBUG, INFO, WARNING, ERROR, CRITICAL];
const HANDLER_LEVELS = [DEBUG, WARNING, ERROR];
const PY_RESPECT = String.raw`
import json, sys, logging, logging.handlers, queue
inp = json.load(sys.stdin)
out = {}
for respect in (False, True):
    q = queue.Queue()
    got = []
    class H(logging.Handler):
        def emit(self, r): self.got.append(r.msg)
    hs = []
    for lvl in inp['handlers']:
        h = H(lvl); h.got = []; hs.append(h)
    l = logging.handlers.QueueListener(q, *hs, respect_handler_level=respect)
    l.start()
    for i, lvl in enumerate(inp['levels']):
        q.put_nowait(logging.makeLogRecord({'msg': i, 'levelno': lvl}))
    l.stop()
    out[str(respect).lower()] = [h.got for h in hs]
print(json.dumps(out))
`;
const respectExpected = runPython<Record<string, number[][]>>(PY_RESPECT, { handlers: HANDLER_LEVELS, levels: LEVELS });

describe('QueueListener respect_handler_level matches CPython', () => {
  for (const respect of [false, true]) {
    test(`respectHandlerLevel=${respect}: handler levels ${HANDLER_LEVELS.map((l) => getLevelName(l)).join('/')}`, async () => {
      const q = new Queue<QueueItem>();
      const hs = HANDLER_LEVELS.map((lvl) => new Recorder(lvl));
      const l = new QueueListener(q, ...hs, { respectHandlerLevel: respect });
      assert.equal(l.respect_handler_level, respect);
      l.start();
      LEVELS.forEach((lvl, i) => q.put_nowait(makeLogRecord({ msg: i, levelno: lvl })));
      await l.stop();
      assert.deepEqual(hs.map((h) => h.records.map((r) => r.msg)), respectExpected[String(respect)]);
    });
  }
});

describe('Queue', () => {
  test('get() waits for put_nowait(); FIFO; maxsize bounds; task_done() too many times throws', async () => {
    const q = new Queue<number>(2);
    const first = q.get();
    q.put_nowait(1);
    q.put_nowait(2);
    q.put_nowait(3);
    assert.ok(q.full());
    assert.throws(() => q.put_nowait(4), QueueFull);
    assert.equal(await first, 1);
    assert.equal(await q.get(), 2);
    assert.equal(q.get_nowait(), 3);
    assert.ok(q.empty());
    q.task_done();
    q.task_done();
    const joined = q.join();
    q.task_done();
    await joined;
    assert.throws(() => q.task_done(), /too many times/);
  });

  test('drain() waits only for items put before it', async () => {
    const q = new Queue<number>();
    q.put_nowait(1);
    const drained = q.drain();
    q.put_nowait(2);
    q.get_nowait();
    q.task_done();
    await drained; // item 2 is still unfinished
    assert.equal(q.qsize(), 1);
  });
});
