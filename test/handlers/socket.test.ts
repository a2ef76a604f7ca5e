/**
 * SocketHandler and DatagramHandler: bytes against CPython's makePickle, records against CPython's cookbook receiver
 * (test/fixtures/socket-peer.py), and the outage behaviour (backoff, bounded backlog, drop reports) on real sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { getLogger, kw, LogRecord, type Logger } from '../../src/index.js';
import { DatagramHandler } from '../../src/handlers/datagram.js';
import { RecordsDroppedError, SocketHandler } from '../../src/handlers/socket.js';
import { hasUnixDgram } from '../../src/internal/unix-dgram.js';
import { loads } from '../../src/internal/unpickle.js';
import { runPython } from '../helpers/python.js';
import { FakeClock, FrameServer, startPythonPeer, tempDir, type JsonLinesChild, type PythonPeerInfo } from '../fixtures/socket-helpers.js';

/** A handler that keeps its error reports instead of printing them. */
function quiet<H extends SocketHandler<object>>(h: H): H & { errors: unknown[] } {
  const errors: unknown[] = [];
  h.handleError = (_record, err) => void errors.push(err);
  return Object.assign(h, { errors });
}

interface RecordCase {
  name: string;
  args: [string, number, string, number, string, unknown[] | null, string | null, string | null];
  createdMs: number;
  extra?: Record<string, unknown>;
  exc_text?: string;
  asctime?: string;
}

const recordCases: RecordCase[] = [
  { name: 'plain record with args', args: ['app.db', 20, '/srv/app/db.js', 42, 'disk %s full', ['/var'], 'query', null], createdMs: 1_700_000_000_123 },
  { name: 'unicode message and name', args: ['späm.✓', 30, '/x/y.js', 7, 'wörld %s 😀', ['ü'], null, null], createdMs: 1_700_000_000_999 },
  { name: 'empty message, pathname without directory or extension', args: ['', 40, 'noext', 0, '', null, null, null], createdMs: 1_700_000_001_000 },
  { name: 'double extension and hidden file', args: ['a', 10, '/x/archive.tar.gz', 1, 'x', null, 'f', 'Stack (most recent call last):\n  here'], createdMs: 1_700_000_000_500 },
  { name: 'hidden file', args: ['a', 10, '.hidden', 1, 'x', null, 'f', null], createdMs: 1_700_000_000_500 },
  { name: 'exc_text, asctime and extras', args: ['a', 50, '/x/y.js', 3, 'boom %d', [5], 'g', null], createdMs: 1_700_000_000_001, exc_text: 'Traceback (most recent call last):\nValueError: boom', asctime: '2023-11-14 22:13:20,001', extra: { user: 'ann', n: 3, ratio: 0.5, ok: true, none: null, nested: { k: [1, 2, 'x'] } } },
  { name: 'large message', args: ['big', 20, '/x/y.js', 3, 'x'.repeat(100_000), null, null, null], createdMs: 1_700_000_000_001 },
];

function jsRecord(c: RecordCase): LogRecord {
  const [name, level, pathname, lineno, msg, args, func, sinfo] = c.args;
  const r = new LogRecord(name, level, pathname, lineno, msg, args, null, func, sinfo, c.createdMs);
  r.relativeCreated = 1234.5;
  r.thread = 140470634826624; // above 2^31: pickled as LONG, as CPython's thread ids are
  r.process = 4242;
  if (c.exc_text !== undefined) r.exc_text = c.exc_text;
  if (c.asctime !== undefined) r.asctime = c.asctime;
  r.message = 'dropped by makePickle';
  Object.assign(r, c.extra ?? {});
  return r;
}

// CPython builds the same record with its own LogRecord, then its own SocketHandler.makePickle.
const expectedPickles = runPython<string[]>(
  `import json, sys, base64, logging, logging.handlers
out = []
for c in json.load(sys.stdin):
    name, level, pathname, lineno, msg, args, func, sinfo = c['args']
    r = logging.LogRecord(name, level, pathname, lineno, msg, tuple(args) if args else None, None, func, sinfo)
    r.created = float(c['created']); r.msecs = float(c['msecs']); r.relativeCreated = 1234.5
    r.thread = 140470634826624; r.threadName = 'MainThread'; r.processName = 'MainProcess'; r.process = 4242; r.taskName = None
    if 'exc_text' in c: r.exc_text = c['exc_text']
    if 'asctime' in c: r.asctime = c['asctime']
    r.message = 'dropped by makePickle'
    for k, v in (c.get('extra') or {}).items(): setattr(r, k, v)
    h = logging.handlers.SocketHandler('localhost', 0)
    out.append(base64.b64encode(h.makePickle(r)).decode())
print(json.dumps(out))`,
  recordCases.map((c) => {
    const r = jsRecord(c);
    return { ...c, created: String(r.created), msecs: String(r.msecs) };
  }),
);

describe('SocketHandler.makePickle()', () => {
  recordCases.forEach((c, i) => {
    test(`makePickle() is byte-identical to CPython's: ${c.name}`, () => {
      const h = new SocketHandler('localhost', 0);
      assert.equal(h.makePickle(jsRecord(c)).toString('base64'), expectedPickles[i]);
      void h.close();
    });
  });

  test('makePickle() formats exc_info into exc_text on the record, and reports a bad format through emit()', () => {
    const h = quiet(new SocketHandler('localhost', 0));
    const r = new LogRecord('a', 40, '/x.js', 1, 'failed', null, new Error('boom'));
    const d = loads(h.makePickle(r).subarray(4)) as Record<string, unknown>;
    assert.match(String(d['exc_text']), /^Error: boom\n/);
    assert.equal(d['exc_info'], null);
    assert.equal(r.exc_text, d['exc_text']);
    h.emit(new LogRecord('a', 40, '/x.js', 1, '%d', ['x'], null));
    assert.equal(h.errors.length, 1);
    assert.equal(h.dropped, 0);
    void h.close();
  });
});

describe('SocketHandler and DatagramHandler → CPython receiver', () => {
  let tmp: ReturnType<typeof tempDir>;
  let peer: JsonLinesChild;
  let info: PythonPeerInfo;
  let seen = 0;
  before(async () => {
    tmp = tempDir();
    ({ peer, info } = await startPythonPeer(tmp.dir));
  });
  after(async () => {
    await peer.stop();
    tmp.remove();
  });

  function logger(name: string, h: SocketHandler<object>): Logger {
    const log = getLogger(name);
    log.propagate = false;
    log.setLevel(10);
    for (const old of [...log.handlers]) log.removeHandler(old);
    log.addHandler(h);
    return log;
  }

  /** Logs the standard set of records and checks what CPython rebuilt. */
  async function roundTrip(h: SocketHandler<object>, transport: string, large: number): Promise<void> {
    const log = logger(`rt.${transport}`, h);
    const err = new Error('kaput');
    log.info('hello %s, %d%%', 'wörld ✓ 😀', 42);
    log.warning('');
    log.error('with extra', kw({ extra: { user: 'ann', tags: ['a', 'b'], depth: { x: 1.5 } } }));
    log.error('failed', kw({ exc_info: err }));
    log.info('x'.repeat(large));
    await h.close();
    const lines = await peer.waitFor(seen + 5);
    const got = lines.slice(seen).map((l) => l['record'] as Record<string, unknown>);
    seen += 5;
    assert.deepEqual(
      lines.slice(seen - 5).map((l) => l['transport']),
      Array(5).fill(transport),
    );
    assert.deepEqual(got.map((r) => r['msg']), ['hello wörld ✓ 😀, 42%', '', 'with extra', 'failed', 'x'.repeat(large)]);
    for (const r of got) {
      assert.equal(r['name'], `rt.${transport}`);
      assert.equal(r['args'], null);
      assert.equal(r['exc_info'], null);
      assert.equal(typeof r['created'], 'number');
      assert.equal(r['pathname'], (r['pathname'] as string).length ? r['pathname'] : '');
    }
    assert.deepEqual(got.map((r) => [r['levelname'], r['levelno']]), [['INFO', 20], ['WARNING', 30], ['ERROR', 40], ['ERROR', 40], ['INFO', 20]]);
    assert.equal(got[2]?.['user'], 'ann');
    assert.deepEqual(got[2]?.['tags'], ['a', 'b']);
    assert.deepEqual(got[2]?.['depth'], { x: 1.5 });
    assert.match(String(got[3]?.['exc_text']), /^Error: kaput\n {4}at /);
    assert.equal(got[0]?.['exc_text'], null);
  }

  test('SocketHandler over TCP: CPython rebuilds name, msg, level, created, exc_text, extras; unicode, empty, 100 kB', async () => {
    await roundTrip(new SocketHandler('127.0.0.1', info.tcp), 'tcp', 100_000);
  });

  test('SocketHandler over a unix stream socket (port null)', async () => {
    await roundTrip(new SocketHandler(info.unix, null), 'unix', 10_000);
  });

  test('SocketHandler({ thread: true }) over TCP: pickled here, written by the worker thread, rebuilt by CPython', async () => {
    await roundTrip(new SocketHandler('127.0.0.1', info.tcp, { thread: true }), 'tcp', 100_000);
  });

  test('SocketHandler({ thread: true }) over a unix stream socket', async () => {
    await roundTrip(new SocketHandler(info.unix, null, { thread: true }), 'unix', 10_000);
  });

  test('DatagramHandler over UDP: one record per datagram', async () => {
    await roundTrip(new DatagramHandler('127.0.0.1', info.udp), 'udp', 10_000);
  });

  test('DatagramHandler over a unix datagram socket (port null, optional unix-dgram addon)', { skip: !hasUnixDgram() && 'unix-dgram not installed' }, async () => {
    await roundTrip(new DatagramHandler(info.unix_dgram, null), 'unix_dgram', 10_000);
  });

  test('the bytes CPython received are the bytes makePickle() made (pathname, lineno, created kept)', async () => {
    const h = new SocketHandler('127.0.0.1', info.tcp);
    const r = new LogRecord('bytes', 20, '/srv/app.js', 99, 'exact %s', ['bytes'], null, 'fn', null, 1_700_000_000_250);
    const expected = h.makePickle(r).subarray(4).toString('base64');
    h.handle(r);
    await h.close();
    const [line] = (await peer.waitFor(seen + 1)).slice(seen);
    seen += 1;
    assert.equal(line?.['pickle_b64'], expected);
    const rec = line?.['record'] as Record<string, unknown>;
    assert.deepEqual([rec['pathname'], rec['filename'], rec['module'], rec['lineno'], rec['funcName'], rec['created'], rec['msecs']], ['/srv/app.js', 'app.js', 'app', 99, 'fn', 1_700_000_000.25, 250]);
  });
});

describe('SocketHandler while the peer is down', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.remove());

  const rec = (i: number): LogRecord => new LogRecord('down', 20, '/x.js', 1, 'r%d', [i], null);

  test('createSocket() backs off 1, 2, 4 … 30 s as CPython does; nothing is thrown; records wait in the backlog', async () => {
    const clock = new FakeClock();
    const path = join(tmp.dir, 'backoff.sock');
    const h = quiet(new SocketHandler(path, null, { clock }));
    h.emit(rec(0));
    await h.createSocket(); // joins the writer's attempt
    assert.equal(h.sock, null);
    const periods: number[] = [];
    for (let i = 0; i < 7; i++) {
      periods.push(h.retryPeriod);
      assert.equal(h.retryTime, clock.t + h.retryPeriod);
      clock.t += h.retryPeriod / 2;
      await h.createSocket(); // too early: no attempt
      assert.equal(h.retryTime, clock.t + h.retryPeriod / 2);
      clock.t = h.retryTime;
      await h.createSocket();
    }
    assert.deepEqual(periods, [1, 2, 4, 8, 16, 30, 30]);
    // the peer comes back: the next record reconnects and the backlog arrives, in order
    const server = new FrameServer();
    await server.listen(path);
    clock.t = h.retryTime as number;
    h.emit(rec(1));
    await server.waitFor(2);
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), ['r0', 'r1']);
    assert.equal(h.retryTime, null);
    assert.deepEqual(h.errors, []);
    await h.close();
    await server.close();
  });

  test('a full backlog drops and counts; the count is reported once, when delivery resumes', async () => {
    const clock = new FakeClock();
    const path = join(tmp.dir, 'drops.sock');
    const h = quiet(new SocketHandler(path, null, { clock, capacity: 5 }));
    for (let i = 0; i < 20; i++) h.emit(rec(i)); // 1 in the writer + 5 waiting; 14 dropped
    await h.createSocket();
    assert.equal(h.dropped, 14);
    assert.deepEqual(h.errors, []);
    const server = new FrameServer();
    await server.listen(path);
    clock.t = h.retryTime as number;
    h.emit(rec(20)); // still dropped (the backlog is full), but it is when the reconnect is tried
    await server.waitFor(6);
    await h.flush();
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(h.errors.length, 1);
    const err = h.errors[0] as unknown as RecordsDroppedError;
    assert.ok(err instanceof RecordsDroppedError);
    assert.equal(err.code, 'ERR_PYLOGGING_RECORDS_DROPPED');
    assert.equal(err.dropped, 15);
    assert.equal(h.dropped, 15);
    assert.match(err.message, /15 records dropped/);
    await h.close();
    await server.close();
  });

  test('flush() and close() give up on a peer that is down, and report the exact count once', async () => {
    const clock = new FakeClock();
    const h = quiet(new SocketHandler(join(tmp.dir, 'never.sock'), null, { clock, capacity: 3 }));
    for (let i = 0; i < 5; i++) h.emit(rec(i)); // 4 accepted, 1 dropped
    await h.flush();
    assert.equal(h.dropped, 5);
    assert.deepEqual(h.errors.map((e) => (e as RecordsDroppedError).dropped), [5]);
    assert.match(String((h.errors[0] as Error).cause), /ENOENT/);
    h.emit(rec(5));
    await h.close();
    assert.deepEqual(h.errors.map((e) => (e as RecordsDroppedError).dropped), [5, 1]);
    h.emit(rec(6)); // after close: dropped and reported at once
    assert.deepEqual(h.errors.map((e) => (e as RecordsDroppedError).dropped), [5, 1, 1]);
    assert.equal(h.dropped, 7);
  });

  test('a peer that accepts and never reads: the stalled write times out and flush() gives the record up', async () => {
    const held: Socket[] = [];
    const server = createServer({ pauseOnConnect: true }, (s) => held.push(s));
    const path = join(tmp.dir, 'stall.sock');
    server.listen(path); // unix stream buffers are ~200 kB here (net.core.wmem_default), loopback TCP's ~36 MB
    await new Promise((r) => server.once('listening', r));
    const h = quiet(new SocketHandler(path, null, { timeout: 0.05 }));
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 6; i++) h.emit(new LogRecord('stall', 20, '/x.js', 1, big, null, null));
    await h.flush();
    assert.ok(h.dropped >= 1 && h.dropped <= 6, `dropped ${h.dropped}`);
    assert.deepEqual(h.errors.map((e) => (e as RecordsDroppedError).dropped), [h.dropped]);
    assert.match(String((h.errors[0] as Error).cause), /timed out/);
    await h.close();
    for (const s of held) s.destroy();
    server.close();
  });

  test('a peer that closes the connection: the next record reconnects and arrives', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = quiet(new SocketHandler('127.0.0.1', port));
    h.emit(rec(0));
    await server.waitFor(1);
    const closed = new Promise((r) => h.sock?.once('close', r));
    for (const s of server.sockets) s.end();
    await closed;
    h.emit(rec(1));
    await server.waitFor(2);
    assert.equal(server.connections, 2);
    assert.deepEqual(h.errors, []);
    await h.close();
    await server.close();
  });

  test('closeOnError: a failing emit closes the socket silently', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port);
    h.closeOnError = true;
    h.emit(rec(0));
    await h.flush();
    assert.notEqual(h.sock, null);
    h.emit(new LogRecord('a', 20, '/x.js', 1, '%d', ['not a number'], null));
    assert.equal(h.sock, null);
    await h.close();
    await server.close();
  });

  test('DatagramHandler: an unresolvable host backs off, nothing is thrown, close() reports the count', async () => {
    const h = quiet(new DatagramHandler('nonexistent.invalid', 9021));
    h.emit(rec(0));
    await h.close();
    assert.equal(h.dropped, 1);
    assert.equal(h.errors.length, 1);
    assert.notEqual(h.retryTime, null);
  });

  test('thread mode, peer down: records are kept, then given up by flush(); the worker\'s drops are counted here', async () => {
    const h = new SocketHandler(join(tmp.dir, 'never-thread.sock'), null, { capacity: 3, thread: true });
    h.handleError = () => {};
    for (let i = 0; i < 5; i++) h.emit(rec(i)); // the worker's backlog keeps 3
    await h.flush(); // gives up what waits for the peer, as in the logging thread
    assert.equal(h.dropped, 5);
    h.emit(rec(5));
    await h.close();
    assert.equal(h.dropped, 6);
    h.emit(rec(6)); // after close: dropped here
    assert.equal(h.dropped, 7);
  });

  test('thread mode validates its options and refuses subclasses whose connect or transmit would not run there', () => {
    assert.throws(() => new SocketHandler('h', 1, { thread: { overflowSize: -1 } }), /thread.overflowSize must be a whole number of bytes >= 0, got -1/);
    assert.throws(() => new SocketHandler('h', 1, { thread: { bufferSize: 0 } }), /bufferSize must be an integer/);
    assert.throws(() => new DatagramHandler('127.0.0.1', 9, { thread: true }), /thread mode writes with a plain SocketHandler in the worker: DatagramHandler overrides/);
    class Tls extends SocketHandler {
      override makeSocket(): Promise<Socket> {
        return super.makeSocket();
      }
    }
    assert.throws(() => new Tls('h', 1, { thread: true }), /Tls overrides how it connects or transmits/);
  });

  test('constructors validate their arguments', () => {
    assert.throws(() => new SocketHandler('localhost', 70000), RangeError);
    assert.throws(() => new SocketHandler('localhost', 1, { timeout: 0 }), RangeError);
    assert.throws(() => new SocketHandler('localhost', 1, { capacity: 0 }), RangeError);
  });
});

describe('SocketHandler({ thread: true }) with a 4 KiB ring', () => {
  test('a burst far larger than the ring waits in the overflow and arrives whole and in order', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port, { capacity: 3000, thread: { bufferSize: 4096 } });
    const log = getLogger('thread.small');
    log.propagate = false;
    log.setLevel(20);
    log.addHandler(h);
    for (let i = 0; i < 3000; i++) log.info('n=%d', i);
    await h.flush();
    await server.waitFor(3000);
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), Array.from({ length: 3000 }, (_, i) => `n=${i}`));
    assert.equal(h.dropped, 0);
    log.removeHandler(h);
    await h.close();
    await server.close();
  });

  test('the default makePickle and send: the frames makePickle gives, each message made once (in the ring or not)', async () => {
    // A 4 KiB ring: some frames are pickled in place (emit's path without a view), others go through the slab and
    // the overflow. Each is compared with what an in-process SocketHandler's makePickle gives for the same record.
    // (A one-character name or module, as '/x.js' would give, takes the general pickler and never the ring.)
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port, { capacity: 2000, thread: { bufferSize: 4096 } });
    const plain = new SocketHandler('127.0.0.1', port);
    try {
      let made = 0;
      const arg = { toString: () => `made ${++made}` };
      const records: LogRecord[] = [];
      for (let i = 0; i < 2000; i++) {
        const r = new LogRecord('thread.fast', 20, '/srv/app/server.js', i, 'n=%d %s', [i, arg], null);
        records.push(r);
        h.emit(r);
      }
      assert.equal(made, 2000);
      const withError = new LogRecord('thread.fast', 40, '/srv/app/server.js', 1, 'failed', null, [Error, new Error('boom'), null]);
      h.emit(withError); // makePickle formats it first: exc_text in the frame, as in-process
      await h.flush();
      await server.waitFor(2001);
      assert.equal(h.dropped, 0);
      made = 0; // the in-process handler makes the messages again, in the same order: the same texts
      const expected = [...records, withError].map((r) => Buffer.from(plain.makePickle(r)).subarray(4));
      assert.equal(server.frames.length, 2001);
      server.frames.forEach((f, i) => assert.ok(f.equals(expected[i] as Buffer), `frame ${i} differs`));
      assert.match(String((loads(server.frames[2000] as Buffer) as Record<string, unknown>)['exc_text']), /Error: boom/);
    } finally {
      await h.close();
      await plain.close();
      await server.close();
    }
  });

  test('a getter on the record that closes the handler while the frame is written: that record is dropped, counted and reported', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port, { thread: true });
    const errors: unknown[] = [];
    h.handleError = (_r, err) => void errors.push(err);
    h.emit(new LogRecord('thread.fast', 20, '/srv/app/server.js', 1, 'before', null, null));
    const r = new LogRecord('thread.fast', 20, '/srv/app/server.js', 2, 'while closing', null, null);
    const closing: { done: Promise<void> | null } = { done: null };
    // an own enumerable key in the same place: the record keeps its shape, and the frame writer reads it
    Object.defineProperty(r, 'funcName', { get: () => ((closing.done ??= h.close()), 'handler'), enumerable: true, configurable: true });
    h.emit(r);
    assert.ok(closing.done !== null, 'the getter ran');
    await closing.done;
    await server.waitFor(1);
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), ['before']);
    assert.equal(h.dropped, 1);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /1 record dropped \(the handler is closed\)/);
    await server.close();
  });

  test('frames larger than the worker\'s 256 KiB copy blocks arrive whole, between small ones', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port, { thread: true });
    const msgs = ['a', 'z'.repeat(600_000), 'b'.repeat(200_000), 'c', 'y'.repeat(300_000)];
    for (const m of msgs) h.emit(new LogRecord('big', 20, '/x.js', 1, m, null, null));
    await h.flush();
    await server.waitFor(msgs.length);
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), msgs);
    await h.close();
    await server.close();
  });

  test('a record larger than the ring is dropped and counted; the others arrive', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const h = new SocketHandler('127.0.0.1', port, { thread: { bufferSize: 4096, overflowSize: 0 } });
    const errors: unknown[] = [];
    h.handleError = (_r, err) => void errors.push(err);
    h.emit(new LogRecord('big', 20, '/x.js', 1, 'before', null, null));
    h.emit(new LogRecord('big', 20, '/x.js', 1, 'y'.repeat(10_000), null, null));
    h.emit(new LogRecord('big', 20, '/x.js', 1, 'after', null, null));
    await h.flush();
    await server.waitFor(2);
    assert.deepEqual(server.frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), ['before', 'after']);
    assert.equal(h.dropped, 1);
    assert.match(String(errors[0]), /1 record dropped \(the writer thread could not take them\)/);
    await h.close();
    await server.close();
  });
});

describe('SocketHandler({ thread: true }): nothing accepted is lost at exit (child processes)', () => {
  const child = fileURLToPath(new URL('../fixtures/socket-thread-child.js', import.meta.url));
  for (const [how, code] of [['natural', 0], ['exit', 3], ['throw', 1]] as const) {
    test(`${how} (exit code ${code}): the peer gets all 1000 frames`, async () => {
      const server = new FrameServer();
      const port = await server.listen();
      const proc = spawn(process.execPath, [child, how, String(port), '1000'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [status] = (await once(proc, 'exit')) as [number];
      await server.waitFor(1000);
      assert.equal(status, code, stderr);
      assert.equal(server.frames.length, 1000);
      const last = loads(server.frames[999] as Buffer) as Record<string, unknown>;
      assert.equal(last['msg'], 'record 999 of 1000');
      assert.doesNotMatch(stderr, /dropped|lost|did not deliver/);
      await server.close();
    });
  }
});

