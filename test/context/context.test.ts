/**
 * pylogging/context: fields bound with withContext/bindContext land on every record made in that async scope —
 * across await, timers, emitters, streams, concurrent HTTP requests, a QueueListener and a worker thread — and never
 * on another scope's records.
 */
import { describe, test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as immediate } from 'node:timers/promises';
import { DEBUG, Formatter, getLogger, Handler, kw, LoggerAdapter, LogRecord } from '../../src/index.js';
import { state } from '../../src/core/state.js';
import { Queue, QueueHandler, QueueListener, type QueueItem } from '../../src/handlers/queue.js';
import { WorkerQueueListener } from '../../src/handlers/worker-listener.js';
import { bindContext, clearContext, getContext, unbindContext, withContext } from '../../src/context.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-context-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Formats each record as it arrives and keeps the record. */
class Recorder extends Handler {
  records: LogRecord[] = [];
  lines: string[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
    this.lines.push(this.format(record));
  }
}

let saved: Saved;
let seq = 0;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

function setup(fmt = '%(rid)s|%(message)s'): { log: ReturnType<typeof getLogger>; rec: Recorder } {
  const rec = new Recorder();
  rec.setFormatter(new Formatter(fmt, { defaults: { rid: '-' } }));
  const log = getLogger(`ctx.t${seq++}`);
  log.propagate = false;
  log.setLevel(DEBUG);
  log.addHandler(rec);
  return { log, rec };
}

describe('zero cost when unused', () => {
  // First in the file: node --test runs each file in its own process, and nothing here has bound a field yet.
  test('state.addContext stays null until the first withContext/bindContext, and getContext() installs nothing', () => {
    assert.equal(state.addContext, null);
    assert.deepEqual(getContext(), {});
    unbindContext('x');
    clearContext();
    assert.equal(state.addContext, null);
    withContext({}, () => undefined);
    assert.equal(typeof state.addContext, 'function');
  });
});

describe('withContext()', () => {
  test('fields reach records through await, setTimeout, setImmediate, nextTick and queueMicrotask', async () => {
    const { log, rec } = setup();
    log.info('before');
    await withContext({ rid: 'r1' }, async () => {
      log.info('sync');
      await Promise.resolve();
      log.info('await');
      await new Promise<void>((resolve) => setTimeout(() => (log.info('timeout'), resolve()), 0));
      await new Promise<void>((resolve) => setImmediate(() => (log.info('immediate'), resolve())));
      await new Promise<void>((resolve) => process.nextTick(() => (log.info('nextTick'), resolve())));
      await new Promise<void>((resolve) => queueMicrotask(() => (log.info('microtask'), resolve())));
      await immediate();
      log.info('timers/promises');
    });
    log.info('after');
    assert.deepEqual(rec.lines, [
      '-|before', 'r1|sync', 'r1|await', 'r1|timeout', 'r1|immediate', 'r1|nextTick', 'r1|microtask',
      'r1|timers/promises', '-|after',
    ]);
  });

  test('returns what fn returns, sync or async, and rethrows what it throws', async () => {
    assert.equal(withContext({ a: 1 }, () => 42), 42);
    assert.equal(await withContext({ a: 1 }, () => Promise.resolve(43)), 43);
    assert.throws(() => withContext({}, () => { throw new RangeError('x'); }), RangeError);
    assert.deepEqual(getContext(), {});
  });

  test('nested scopes merge over the outer one and restore it on return', () => {
    const { log, rec } = setup('%(rid)s|%(user)s|%(message)s');
    rec.setFormatter(new Formatter('%(rid)s|%(user)s|%(message)s', { defaults: { rid: '-', user: '-' } }));
    withContext({ rid: 'outer', user: 'ann' }, () => {
      withContext({ rid: 'inner' }, () => {
        log.info('in');
        assert.deepEqual(getContext(), { rid: 'inner', user: 'ann' });
      });
      log.info('out');
    });
    assert.deepEqual(rec.lines, ['inner|ann|in', 'outer|ann|out']);
  });

  test('%, { and $ styles read context fields; Formatter defaults cover records outside any context', () => {
    const { log, rec } = setup();
    const brace = new Recorder();
    brace.setFormatter(new Formatter('{rid} {message}', { style: '{', defaults: { rid: 'none' } }));
    const dollar = new Recorder();
    dollar.setFormatter(new Formatter('$rid $message', { style: '$', defaults: { rid: 'none' } }));
    log.addHandler(brace);
    log.addHandler(dollar);
    withContext({ rid: 'r9' }, () => log.info('hi'));
    log.info('bye');
    assert.deepEqual(rec.lines, ['r9|hi', '-|bye']);
    assert.deepEqual(brace.lines, ['r9 hi', 'none bye']);
    assert.deepEqual(dollar.lines, ['r9 hi', 'none bye']);
  });

  test('rejects fields that are not an object and fn that is not a function, naming what it got', () => {
    assert.throws(() => withContext(null as never, () => 1), /withContext\(\) takes an object of fields, got null/);
    assert.throws(() => withContext(['a'] as never, () => 1), /got an array/);
    assert.throws(() => withContext({}, 'f' as never), /withContext\(\) takes a function to run, got string/);
    assert.throws(() => bindContext(3 as never), /bindContext\(\) takes an object of fields, got number/);
  });
});

describe('record attributes', () => {
  test('extra given at the call wins over context, with no KeyError', () => {
    const { log, rec } = setup();
    withContext({ rid: 'ctx' }, () => log.info('m', kw({ extra: { rid: 'extra' } })));
    assert.deepEqual(rec.lines, ['extra|m']);
  });

  test('a context key that is a record attribute (name, msg, message, asctime, getMessage, __proto__) is skipped', () => {
    const { log, rec } = setup('%(name)s|%(rid)s|%(message)s');
    const fields = JSON.parse('{"name":"evil","msg":"evil","message":"evil","asctime":"evil","levelno":0,' +
      '"getMessage":"evil","__proto__":{"polluted":true},"rid":"ok"}') as Record<string, unknown>;
    withContext(fields, () => log.warning('real'));
    const r = rec.records[0] as LogRecord;
    assert.equal(rec.lines[0], `${log.name}|ok|real`);
    assert.equal(r.levelno, 30);
    assert.equal(typeof r.getMessage, 'function');
    assert.equal(Object.getPrototypeOf(r), LogRecord.prototype);
    assert.equal((r as unknown as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(getContext(), {});
  });

  test('a throwing getter is read once, at bind time, as a placeholder: nothing throws and the record is kept', () => {
    const { log, rec } = setup('%(rid)s|%(user)s|%(message)s');
    const fields = {
      rid: 'r1',
      get user(): string {
        throw new Error('boom');
      },
    };
    withContext(fields, () => log.info('kept'));
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the case under test
    bindContext({ get x(): never { throw "not an error"; } });
    assert.equal(getContext()['x'], '<getter threw not an error>');
    clearContext();
    assert.deepEqual(rec.lines, ['r1|<getter threw Error: boom>|kept']);
  });

  test('getContext() is frozen: a caller cannot change the fields other records get', () => {
    withContext({ a: 1 }, () => {
      const ctx = getContext();
      assert.ok(Object.isFrozen(ctx));
      assert.throws(() => {
        (ctx as Record<string, unknown>)['a'] = 2;
      }, TypeError);
      assert.deepEqual(getContext(), { a: 1 });
    });
  });

  test('fields are snapshotted: changing the object given to withContext later changes nothing', () => {
    const { log, rec } = setup();
    const fields: Record<string, unknown> = { rid: 'first' };
    withContext(fields, () => {
      fields['rid'] = 'second';
      log.info('m');
    });
    assert.deepEqual(rec.lines, ['first|m']);
  });

  test('LoggerAdapter extra and getChild loggers: the adapter extra wins over context, children get context', () => {
    const { log, rec } = setup('%(rid)s|%(component)s|%(name)s|%(message)s');
    rec.setFormatter(new Formatter('%(rid)s|%(component)s|%(message)s', { defaults: { rid: '-', component: '-' } }));
    const db = new LoggerAdapter(log, { component: 'db' });
    const child = log.getChild('cache');
    withContext({ rid: 'r1', component: 'ctx' }, () => {
      db.info('query');
      child.info('hit');
    });
    assert.deepEqual(rec.lines, ['r1|db|query', 'r1|ctx|hit']);
  });
});

describe('bindContext()', () => {
  test('inside withContext: visible for the rest of the scope, gone when the scope ends', async () => {
    const { log, rec } = setup('%(rid)s|%(user)s|%(message)s');
    rec.setFormatter(new Formatter('%(rid)s|%(user)s|%(message)s', { defaults: { rid: '-', user: '-' } }));
    await withContext({ rid: 'r1' }, async () => {
      log.info('a');
      bindContext({ user: 'ann' });
      log.info('b');
      await immediate();
      log.info('c');
      unbindContext('user', 'absent');
      log.info('d');
      clearContext();
      log.info('e');
    });
    log.info('f');
    assert.deepEqual(rec.lines, ['r1|-|a', 'r1|ann|b', 'r1|ann|c', 'r1|-|d', '-|-|e', '-|-|f']);
  });

  test('a task that captured the context before a bind keeps the old fields (contextvars copy semantics)', async () => {
    const { log, rec } = setup('%(rid)s|%(user)s|%(message)s');
    rec.setFormatter(new Formatter('%(rid)s|%(user)s|%(message)s', { defaults: { rid: '-', user: '-' } }));
    await withContext({ rid: 'r1' }, async () => {
      const earlier = new Promise<void>((resolve) => setImmediate(() => (log.info('earlier task'), resolve())));
      bindContext({ user: 'ann' });
      log.info('now');
      await earlier;
    });
    assert.deepEqual(rec.lines, ['r1|ann|now', 'r1|-|earlier task']);
  });
});

describe('async boundaries', () => {
  test('event emitters: a listener runs in the context of the emit()', async () => {
    const { log, rec } = setup();
    const em = new EventEmitter();
    em.on('job', (n: number) => log.info('job %d', n));
    await Promise.all(
      ['a', 'b', 'c'].map((rid, n) =>
        withContext({ rid }, async () => {
          await immediate();
          em.emit('job', n);
        }),
      ),
    );
    assert.deepEqual([...rec.lines].sort(), ['a|job 0', 'b|job 1', 'c|job 2']);
  });

  test('streams: transform callbacks of a pipeline started in a context log with its fields', async () => {
    const { log, rec } = setup();
    const run = (rid: string): Promise<void> =>
      withContext({ rid }, () =>
        pipeline(
          Readable.from(['x', 'y']),
          new Transform({
            objectMode: true,
            transform(chunk: string, _enc, cb): void {
              log.info('chunk %s %s', rid, chunk);
              cb(null, chunk);
            },
          }),
          new Writable({
            objectMode: true,
            write(chunk: string, _enc, cb): void {
              log.info('sink %s %s', rid, chunk);
              cb();
            },
          }),
        ),
      );
    await Promise.all([run('s1'), run('s2')]);
    assert.equal(rec.lines.length, 8);
    for (const line of rec.lines) {
      const [rid, text] = line.split('|') as [string, string];
      assert.equal(text.split(' ')[1], rid, line);
    }
  });

  test('an http server serving interleaved requests: every line carries its own request id, never another', async () => {
    const { log, rec } = setup();
    const N = 5;
    let started = 0;
    let releaseAll!: () => void;
    const allStarted = new Promise<void>((resolve) => (releaseAll = resolve));
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const id = String(req.headers['x-request-id']);
      void withContext({ rid: id }, async () => {
        log.info('start %s', id);
        if (++started === N) releaseAll();
        await allStarted; // every request is in flight before any finishes: the lines interleave
        log.info('end %s', id);
        res.end(id, () => log.info('sent %s', id));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const ids = Array.from({ length: N }, (_, i) => `req-${i}`);
      const bodies = await Promise.all(
        ids.map(async (id) => (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': id } })).text()),
      );
      assert.deepEqual(bodies, ids);
      await new Promise<void>((resolve) => {
        const check = (): void => (rec.lines.length >= 3 * N ? resolve() : void setImmediate(check));
        check();
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    assert.equal(rec.lines.length, 3 * N);
    // interleaved: all starts come before the first end
    assert.ok(rec.lines.slice(0, N).every((l) => l.includes('|start ')));
    for (const line of rec.lines) {
      const [rid, text] = line.split('|') as [string, string];
      assert.equal(text.split(' ')[1], rid, line);
    }
  });
});

describe('queues', () => {
  test('QueueHandler → QueueListener: the listener, outside any context, formats the fields of the logging scope', async () => {
    const queue = new Queue<QueueItem>();
    const qh = new QueueHandler(queue);
    const rec = new Recorder();
    rec.setFormatter(new Formatter('%(rid)s|%(message)s', { defaults: { rid: '-' } }));
    const listener = new QueueListener(queue, rec);
    const log = getLogger(`ctx.q${seq++}`);
    log.propagate = false;
    log.setLevel(DEBUG);
    log.addHandler(qh);
    withContext({ rid: 'q1' }, () => log.info('one'));
    withContext({ rid: 'q2' }, () => log.info('two'));
    log.info('three');
    listener.start();
    await listener.stop();
    assert.deepEqual(rec.lines, ['q1|one', 'q2|two', '-|three']);
  });

  test('WorkerQueueListener: the worker writes the fields that were current on the logging thread', async () => {
    const path = join(dir, 'worker.log');
    const listener = new WorkerQueueListener({
      class: 'FileHandler',
      filename: path,
      formatter: { format: '%(rid)s|%(user)s|%(message)s', defaults: { rid: '-', user: '-' } },
    });
    const qh = new QueueHandler(listener.queue);
    qh.listener = listener;
    const log = getLogger(`ctx.w${seq++}`);
    log.propagate = false;
    log.setLevel(DEBUG);
    log.addHandler(qh);
    listener.start();
    await Promise.all(
      ['w1', 'w2'].map((rid) =>
        withContext({ rid, user: { name: rid.toUpperCase() } }, async () => {
          log.info('a');
          await immediate();
          log.info('b');
        }),
      ),
    );
    log.info('c');
    await listener.stop();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(lines.sort(), [
      "-|-|c", "w1|{ name: 'W1' }|a", "w1|{ name: 'W1' }|b", "w2|{ name: 'W2' }|a", "w2|{ name: 'W2' }|b",
    ]);
  });
});
