/**
 * The receiver: CPython's SocketHandler/DatagramHandler (test/fixtures/socket-sender.py) → LogRecordReceiver →
 * local loggers; hostile and slow peers are refused without disturbing others; the `pylogging listen` CLI in a child.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getLogger, Handler, LogRecord } from '../src/index.js';
import { SocketHandler } from '../src/handlers/socket.js';
import { LogRecordReceiver, UnpicklingError, type RefusedInfo } from '../src/receiver.js';
import { PYTHON } from './helpers/python.js';
import { FIXTURES, tempDir } from './fixtures/socket-helpers.js';

/** Collects the records a logger hands it. */
class Collect extends Handler {
  readonly records: LogRecord[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
  }
}

function pySend(kind: string, target: string | number, records: object[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [join(FIXTURES, 'socket-sender.py'), kind, String(target)], (err) => (err ? reject(new Error(err.message)) : resolve()));
    child.stdin?.end(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
}

/** Resolves after `n` 'record' events. */
function records(receiver: LogRecordReceiver, n: number): Promise<LogRecord[]> {
  const got: LogRecord[] = [];
  return new Promise((resolve) => {
    const on = (r: LogRecord): void => {
      got.push(r);
      if (got.length === n) {
        receiver.off('record', on);
        resolve(got);
      }
    };
    receiver.on('record', on);
  });
}

describe('LogRecordReceiver', () => {
  let tmp: ReturnType<typeof tempDir>;
  let receiver: LogRecordReceiver;
  const sink = new Collect();
  before(async () => {
    tmp = tempDir();
    receiver = new LogRecordReceiver({ host: '127.0.0.1', tcp: 0, udp: 0, unix: join(tmp.dir, 'recv.sock'), recordTimeout: 0.2 });
    await receiver.listen();
    const log = getLogger('from.python');
    log.propagate = false;
    log.addHandler(sink);
  });
  after(async () => {
    getLogger('from.python').removeHandler(sink);
    await receiver.close();
    tmp.remove();
  });

  const sent = [
    { name: 'from.python', levelno: 40, levelname: 'ERROR', msg: 'x=%s y=%d', args: ['ü 😀', 5], exc: 'boom', extra_field: { k: [1, 2] }, lineno: 7, pathname: '/srv/app.py' },
    { name: 'from.python.child', levelno: 20, levelname: 'INFO', msg: '', thread: 140470634826624 },
    { name: 'from.python', levelno: 10, levelname: 'DEBUG', msg: 'big %s', args: ['y'.repeat(20_000)] },
  ];

  for (const kind of ['tcp', 'udp', 'unix'] as const) {
    test(`decodes what CPython's ${kind === 'udp' ? 'DatagramHandler' : 'SocketHandler'} sends over ${kind}`, async () => {
      const before = sink.records.length;
      const got = records(receiver, 3);
      const a = receiver.addresses;
      await pySend(kind, kind === 'unix' ? (a.unix as string) : (kind === 'tcp' ? a.tcp : a.udp)?.port ?? 0, sent);
      const recs = await got;
      assert.deepEqual(recs.map((r) => r.getMessage()), ['x=ü 😀 y=5', '', `big ${'y'.repeat(20_000)}`]);
      const [r0, r1] = recs as [LogRecord, LogRecord];
      assert.deepEqual([r0.name, r0.levelno, r0.levelname, r0.lineno, r0.pathname, r0.args, r0.exc_info], ['from.python', 40, 'ERROR', 7, '/srv/app.py', null, null]);
      assert.match(String(r0.exc_text), /^Traceback \(most recent call last\):\n[\s\S]*ValueError: boom$/);
      assert.deepEqual({ ...(r0['extra_field'] as object) }, { k: [1, 2] });
      assert.equal(r1.thread, 140470634826624);
      assert.equal(typeof r0.created, 'number');
      // routed through getLogger(record.name).handle(): the child logger propagates to from.python
      assert.equal(sink.records.length - before, 3);
    });
  }

  test("decodes pylogging's own SocketHandler, and extra keys such as __proto__ stay data", async () => {
    const h = new SocketHandler('127.0.0.1', receiver.addresses.tcp?.port ?? 0);
    const got = records(receiver, 2);
    const log = getLogger('from.python.js');
    log.addHandler(h);
    log.warning('hi %s', 'there');
    const r = new LogRecord('from.python.js', 30, '/x.js', 1, 'p', null, null);
    Object.defineProperty(r, '__proto__', { value: { polluted: true }, enumerable: true });
    h.handle(r);
    await h.close();
    log.removeHandler(h);
    const [first, second] = await got;
    assert.equal(first?.getMessage(), 'hi there');
    assert.deepEqual(Object.getOwnPropertyDescriptor(second, '__proto__')?.value, Object.assign(Object.create(null), { polluted: true }));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  async function refusedOn(bytes: Buffer): Promise<{ err: UnpicklingError; closed: boolean }> {
    const sock: Socket = connect(receiver.addresses.tcp?.port ?? 0, '127.0.0.1');
    await once(sock, 'connect');
    const refused = once(receiver, 'refused') as Promise<[UnpicklingError, RefusedInfo]>;
    const closed = once(sock, 'close');
    sock.on('error', () => {});
    sock.write(bytes);
    const [[err]] = await Promise.all([refused, closed]);
    return { err, closed: true };
  }
  const frame = (body: string | Buffer): Buffer => {
    const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    const head = Buffer.alloc(4);
    head.writeUInt32BE(b.length);
    return Buffer.concat([head, b]);
  };

  test('a hostile pickle closes that connection (UnpicklingError, stable code); other peers keep being served', async () => {
    const { err } = await refusedOn(frame('cos\nsystem\n(S"echo pwned"\ntR.'));
    assert.ok(err instanceof UnpicklingError);
    assert.equal(err.code, 'ERR_PYLOGGING_UNPICKLING');
    const got = records(receiver, 1);
    await pySend('tcp', receiver.addresses.tcp?.port ?? 0, [{ name: 'from.python', msg: 'still here' }]);
    assert.equal((await got)[0]?.getMessage(), 'still here');
  });

  test('a length prefix over maxRecordSize, a non-dict record, and a slow (slowloris) peer are refused', async () => {
    assert.match((await refusedOn(Buffer.from([0xff, 0xff, 0xff, 0xff]))).err.message, /over maxRecordSize/);
    assert.match((await refusedOn(frame('N.'))).err.message, /must be a dict/);
    const partial = Buffer.concat([Buffer.from([0, 0, 0, 100]), Buffer.from('}q\x00', 'latin1')]); // 3 of 100 bytes
    assert.match((await refusedOn(partial)).err.message, /not finished within 0.2 s/);
  });

  test('a bad datagram is refused and the UDP socket keeps serving', async () => {
    const { createSocket } = await import('node:dgram');
    const s = createSocket('udp4');
    const refused = once(receiver, 'refused');
    s.send(Buffer.from([0, 0, 0, 9, 0x4e]), receiver.addresses.udp?.port ?? 0, '127.0.0.1');
    const [err, info] = (await refused) as [Error, RefusedInfo];
    assert.match(err.message, /shorter than its length prefix/);
    assert.equal(info.transport, 'udp');
    s.close();
  });

  test('constructor validates options', () => {
    assert.throws(() => new LogRecordReceiver({ tcp: 70000 }), RangeError);
    assert.throws(() => new LogRecordReceiver({ maxRecordSize: 0 }), RangeError);
  });
});

describe('pylogging listen (CLI)', () => {
  test('prints received records with the default format, refuses hostile input, exits 0 on SIGTERM', async (t) => {
    const tmp = tempDir();
    const cli = join(FIXTURES, '..', '..', 'build', 'src', 'cli.js');
    const child = spawn(process.execPath, [cli, 'listen', '--tcp', '0', '--udp', '0', '--host', '127.0.0.1', '--unix', join(tmp.dir, 'cli.sock')], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      tmp.remove();
    });
    const err = createInterface({ input: child.stderr });
    const out = createInterface({ input: child.stdout });
    const ports: Record<string, string> = {};
    for await (const line of err) {
      const m = /^listening (\w+) (\S+)$/.exec(line);
      if (m) ports[m[1] as string] = m[2] as string;
      if (ports['unix']) break;
    }
    const port = Number(ports['tcp']?.split(':').pop());
    const line = once(out, 'line');
    await pySend('tcp', port, [{ name: 'cli.test', levelno: 30, levelname: 'WARNING', msg: 'hello %s', args: ['cli'], process: 77 }]);
    const [text] = (await line) as [string];
    assert.match(text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} {4}77 cli\.test {8}WARNING {2}hello cli$/);
    const sock = connect(port, '127.0.0.1');
    sock.on('error', () => {});
    sock.end(Buffer.from('\x00\x00\x00\x10cos\nsystem\n(S"x"\ntR.', 'latin1'));
    const [refusal] = (await once(err, 'line')) as [string];
    assert.match(refusal, /refused tcp input from 127\.0\.0\.1:\d+: refused opcode GLOBAL/);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  });

  test('--config applies a dictConfig JSON: received records go to its handlers', async (t) => {
    const tmp = tempDir();
    const logFile = join(tmp.dir, 'received.log');
    const configPath = join(tmp.dir, 'logging.json');
    writeFileSync(configPath, JSON.stringify({
      version: 1,
      formatters: { plain: { format: '%(name)s %(levelname)s %(message)s' } },
      handlers: { file: { class: 'logging.FileHandler', filename: logFile, formatter: 'plain' } },
      root: { level: 'DEBUG', handlers: ['file'] },
    }));
    const cli = join(FIXTURES, '..', '..', 'build', 'src', 'cli.js');
    const child = spawn(process.execPath, [cli, 'listen', '--tcp', '0', '--host', '127.0.0.1', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      tmp.remove();
    });
    const err = createInterface({ input: child.stderr });
    let port = 0;
    for await (const line of err) {
      const m = /^listening tcp \S+:(\d+)$/.exec(line);
      if (m) {
        port = Number(m[1]);
        break;
      }
    }
    await pySend('tcp', port, [{ name: 'svc.api', levelno: 40, levelname: 'ERROR', msg: 'from %s', args: ['python'] }]);
    const deadline = Date.now() + 5000;
    while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').includes('\n'))) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the configured FileHandler');
      await new Promise<void>((r) => setTimeout(r, 10));
    }
    assert.equal(readFileSync(logFile, 'utf8'), 'svc.api ERROR from python\n');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  });

  test('--config with a missing file exits 2 naming it', async () => {
    const cli = join(FIXTURES, '..', '..', 'build', 'src', 'cli.js');
    const child = spawn(process.execPath, [cli, 'listen', '--config', '/nonexistent/logging.json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    assert.deepEqual(await once(child, 'exit'), [2, null]);
    assert.match(stderr, /\/nonexistent\/logging\.json/);
  });
});
