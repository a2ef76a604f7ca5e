/**
 * The receiver against hostile or broken peers (#17 item 14): silent connections time out from accept (and an
 * established sender is never closed for idling), connections over maxConnections are reported as rate-limited
 * counts, a record that could format to gigabytes is refused before anything formats it, the output backlog is
 * bounded, and a unix socket path another server is serving is never taken over. Real sockets; no sleeps.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { getLogger, Handler, LogRecord } from '../src/index.js';
import { LogRecordReceiver, UnpicklingError, type DroppedInfo, type RefusedInfo } from '../src/receiver.js';
import { dumpsFramed, PyStr, PyTuple } from '../src/internal/pickle.js';
import { PYTHON } from './helpers/python.js';
import { FakeClock, tempDir } from './fixtures/socket-helpers.js';

class Collect extends Handler {
  readonly records: LogRecord[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
  }
}

/** A receiver on a free loopback TCP port whose records go to the logger `name` (not propagated). */
async function start(name: string, options: ConstructorParameters<typeof LogRecordReceiver>[0] = {}): Promise<LogRecordReceiver> {
  const r = new LogRecordReceiver({ host: '127.0.0.1', tcp: 0, logname: name, ...options });
  getLogger(name).propagate = false;
  await r.listen();
  return r;
}

async function open(r: LogRecordReceiver): Promise<Socket> {
  const s = connect(r.addresses.tcp?.port ?? 0, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  return s;
}

const frame = (d: Record<string, unknown>): Buffer => dumpsFramed({ name: 'x', levelno: 20, levelname: 'INFO', args: null, ...d });

describe('idleTimeout: a connection must deliver its first record in time', { timeout: 20_000 }, () => {
  test('a connection that never sends a byte is closed and reported; a sender that has delivered a record may idle', async (t) => {
    const r = await start('limits.idle', { idleTimeout: 0.3 });
    t.after(() => r.close());
    const refused: [UnpicklingError, RefusedInfo][] = [];
    r.on('refused', (e: UnpicklingError, i: RefusedInfo) => refused.push([e, i]));
    // an established sender: one record, then silence
    const sender = await open(r);
    const first = once(r, 'record');
    sender.write(frame({ msg: 'first' }));
    await first;
    // a silent connection opened after it: its timeout comes later than the sender's would have
    const silent = await open(r);
    await once(silent, 'close');
    assert.equal(refused.length, 1);
    assert.match(refused[0]?.[0].message ?? '', /^no complete record within 0\.3 s of connecting \(idleTimeout\)$/);
    assert.equal(refused[0]?.[1].transport, 'tcp');
    assert.equal(sender.destroyed, false, 'the established sender was closed for idling');
    const second = once(r, 'record') as Promise<[LogRecord]>;
    sender.write(frame({ msg: 'second, after the idle time' }));
    assert.equal((await second)[0].getMessage(), 'second, after the idle time');
    sender.destroy();
  });

  test('silent connections at the limit time out, and a real sender then gets in', async (t) => {
    const r = await start('limits.idle.full', { idleTimeout: 0.2, maxConnections: 3 });
    t.after(() => r.close());
    const silent = await Promise.all([open(r), open(r), open(r)]);
    await Promise.all(silent.map((s) => once(s, 'close')));
    const sender = await open(r);
    const got = once(r, 'record') as Promise<[LogRecord]>;
    sender.end(frame({ msg: 'let in' }));
    assert.equal((await got)[0].getMessage(), 'let in');
  });
});

describe('maxConnections: connections over it are reported as rate-limited counts', { timeout: 20_000 }, () => {
  test("one 'dropped' event per reportInterval (injected clock), with the count; close() reports the rest", async (t) => {
    const clock = new FakeClock();
    const r = await start('limits.conn', { maxConnections: 1, reportInterval: 60, clock });
    t.after(() => r.close());
    const events: DroppedInfo[] = [];
    r.on('dropped', (d: DroppedInfo) => events.push(d));
    const held = await open(r);
    const got = once(r, 'record');
    held.write(frame({ msg: 'holds the only slot' }));
    await got;
    const overLimit = async (): Promise<void> => {
      const s = await open(r);
      await once(s, 'close'); // the server closed it: its 'drop' was counted
    };
    await overLimit();
    assert.deepEqual(events, [{ reason: 'max-connections', count: 1, seconds: 0, limit: 1 }]);
    await overLimit();
    await overLimit();
    clock.t += 30;
    await overLimit();
    assert.equal(events.length, 1, 'a flood within the interval is not reported per connection');
    clock.t += 30;
    await overLimit();
    assert.deepEqual(events[1], { reason: 'max-connections', count: 4, seconds: 60, limit: 1 });
    await overLimit();
    held.destroy();
    await r.close();
    assert.deepEqual(events[2], { reason: 'max-connections', count: 1, seconds: 0, limit: 1 });
  });
});

describe('maxMessageSize: a record that could format to more is refused before formatting', { timeout: 20_000 }, () => {
  const cases: [string, Record<string, unknown>][] = [
    ["'%400000000d' % (1,)", { msg: '%400000000d', args: new PyTuple([1]) }],
    ["'%.400000000f' % (1.0,)", { msg: '%.400000000f', args: new PyTuple([1.5]) }],
    ["'%*d' % (400000000, 1)", { msg: '%*d', args: new PyTuple([400_000_000, 1]) }],
    ['%(a)s 5000 times over a 1000-character a', { msg: '%(a)s'.repeat(5000), args: { a: 'y'.repeat(1000) } }],
    ["'%a' of 300,000 'é' (each escapes to 4 characters)", { msg: 'x=%a', args: new PyTuple(['é'.repeat(300_000)]) }],
    ['%s of a list holding one 500-char string 3000 times (memo)', { msg: '%s', args: new PyTuple([Array(3000).fill(new PyStr('z'.repeat(500)))]) }],
  ];
  for (const [what, d] of cases) {
    test(`${what} is refused and reported; the next connection is served`, async (t) => {
      const r = await start('limits.size', { maxMessageSize: 1_000_000 });
      t.after(() => r.close());
      const sink = new Collect();
      getLogger('limits.size').addHandler(sink);
      t.after(() => getLogger('limits.size').removeHandler(sink));
      const s = await open(r);
      const refused = once(r, 'refused') as Promise<[UnpicklingError, RefusedInfo]>;
      const bytes = frame(d);
      assert.ok(bytes.length < 1024 * 1024, `${bytes.length} bytes on the wire`); // under maxRecordSize
      s.write(bytes);
      const [err] = await refused;
      assert.match(err.message, /^record refused \(maxMessageSize\): its (message \(msg % args\)|args) would format to more than 1000000 characters$/);
      await once(s, 'close');
      assert.equal(sink.records.length, 0);
      const s2 = await open(r);
      const got2 = once(r, 'record') as Promise<[LogRecord]>;
      const big = 'y'.repeat(500_000);
      s2.end(frame({ msg: '%5d|%-4s|%*s|%s', args: new PyTuple([42, 'ab', 3, 'c', big]) }));
      assert.equal((await got2)[0].getMessage(), `   42|ab  |  c|${big}`); // large, but under the limit
    });
  }
});

describe('--unix PATH: only a stale socket file is replaced', { timeout: 20_000 }, () => {
  test('a socket another receiver serves is left alone: listen() rejects with EADDRINUSE naming the path; the first keeps serving', async (t) => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'live.sock');
    const first = new LogRecordReceiver({ unix: path, logname: 'limits.unix' });
    getLogger('limits.unix').propagate = false;
    await first.listen();
    t.after(async () => {
      await first.close();
      tmp.remove();
    });
    const second = new LogRecordReceiver({ unix: path });
    await assert.rejects(second.listen(), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EADDRINUSE');
      assert.ok(err.message.includes(path), err.message);
      return true;
    });
    await second.close();
    assert.ok(lstatSync(path).isSocket());
    const s = connect(path);
    const got = once(first, 'record') as Promise<[LogRecord]>;
    s.end(frame({ msg: 'still served' }));
    assert.equal((await got)[0].getMessage(), 'still served');
  });

  test('a stale socket file (its server died) is replaced; a regular file is left untouched (EADDRINUSE)', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.remove());
    const path = join(tmp.dir, 'stale.sock');
    // a process binds a unix stream socket and exits without removing it: the file stays, connects are refused
    execFileSync(PYTHON, ['-c', `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path)}); s.listen(); import os; os._exit(0)`]);
    assert.ok(lstatSync(path).isSocket());
    const r = new LogRecordReceiver({ unix: path, logname: 'limits.unix' });
    await r.listen();
    const s = connect(path);
    const got = once(r, 'record') as Promise<[LogRecord]>;
    s.end(frame({ msg: 'over the stale path' }));
    assert.equal((await got)[0].getMessage(), 'over the stale path');
    await r.close();
    const file = join(tmp.dir, 'regular');
    writeFileSync(file, 'keep me');
    await assert.rejects(new LogRecordReceiver({ unix: file }).listen(), { code: 'EADDRINUSE' });
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    assert.ok(existsSync(file));
  });
});

describe('maxBacklog: records are dropped, and counted, while the output has more queued', { timeout: 20_000 }, () => {
  test("an output over maxBacklog drops records through 'dropped' (counted, rate-limited); under it they are handled", async (t) => {
    const clock = new FakeClock();
    // the backlog each record finds, in order: a getter the receiver reads once per record
    const backlog = [0, 101, 0, 5000, 101, 0, 100];
    const output = {
      get writableLength(): number {
        return backlog.shift() ?? 0;
      },
    };
    const r = await start('limits.backlog', { output, maxBacklog: 100, reportInterval: 60, clock });
    t.after(() => r.close());
    const sink = new Collect();
    getLogger('limits.backlog').addHandler(sink);
    t.after(() => getLogger('limits.backlog').removeHandler(sink));
    const events: DroppedInfo[] = [];
    r.on('dropped', (d: DroppedInfo) => events.push(d));
    const s = await open(r);
    const last = new Promise<void>((resolve) => r.on('record', (rec: LogRecord) => rec.msg === 'r6' && resolve()));
    s.write(Buffer.concat([0, 1, 2, 3, 4, 5, 6].map((i) => frame({ msg: `r${i}` }))));
    await last;
    assert.deepEqual(sink.records.map((x) => x.msg), ['r0', 'r2', 'r5', 'r6']);
    assert.deepEqual(events, [{ reason: 'backlog', count: 1, seconds: 0, limit: 100 }]);
    s.destroy();
    await r.close();
    assert.deepEqual(events[1], { reason: 'backlog', count: 2, seconds: 0, limit: 100 });
  });
});

test('the new limits are validated like the others: a bad value throws a RangeError naming it', () => {
  for (const key of ['idleTimeout', 'maxMessageSize', 'maxBacklog', 'reportInterval'] as const) {
    for (const bad of [0, -1, Infinity, NaN]) {
      assert.throws(() => new LogRecordReceiver({ [key]: bad }), new RangeError(`${key} must be a positive number, got ${String(bad)}`));
    }
  }
});
