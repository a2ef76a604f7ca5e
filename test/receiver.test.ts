/**
 * The receiver: CPython's SocketHandler/DatagramHandler (test/fixtures/socket-sender.py) → LogRecordReceiver →
 * local loggers over TCP, UDP, unix stream and unix datagram sockets; hostile and slow peers are refused without
 * disturbing others; the `pylogging listen` CLI in a child.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { existsSync, lstatSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getLogger, Handler, LogRecord } from '../src/index.js';
import { SocketHandler } from '../src/handlers/socket.js';
import { LogRecordReceiver, UnpicklingError, type RefusedInfo } from '../src/receiver.js';
import { hasUnixDgram, openUnixDgram } from '../src/internal/unix-dgram.js';
import { PYTHON, runPython } from './helpers/python.js';
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

const NO_ADDON = !hasUnixDgram() && 'the optional unix-dgram addon is not installed';

/** A hook that makes `require('unix-dgram')` fail as it does when the optional package is absent. */
const WITHOUT_ADDON = `import Module from 'node:module';
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'unix-dgram') throw Object.assign(new Error("Cannot find module 'unix-dgram'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};`;

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
    const unixDgram = NO_ADDON ? null : join(tmp.dir, 'recv.dgram');
    receiver = new LogRecordReceiver({ host: '127.0.0.1', tcp: 0, udp: 0, unix: join(tmp.dir, 'recv.sock'), unixDgram, recordTimeout: 0.2 });
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

  for (const kind of ['tcp', 'udp', 'unix', 'unix-dgram'] as const) {
    const dgram = kind === 'udp' || kind === 'unix-dgram';
    test(`decodes what CPython's ${dgram ? 'DatagramHandler' : 'SocketHandler'} sends over ${kind}`, { skip: kind === 'unix-dgram' && NO_ADDON }, async () => {
      const before = sink.records.length;
      const got = records(receiver, 3);
      const transports: string[] = [];
      const onRecord = (_r: LogRecord, transport: string): number => transports.push(transport);
      receiver.on('record', onRecord);
      const a = receiver.addresses;
      const target = kind === 'unix' ? a.unix : kind === 'unix-dgram' ? a.unixDgram : (kind === 'tcp' ? a.tcp : a.udp)?.port;
      await pySend(kind, target ?? 0, sent);
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
      receiver.off('record', onRecord);
      assert.deepEqual(transports, [kind, kind, kind]);
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

  test('constructor refuses one path for unix and unixDgram, and a unixDgram that is not a path', () => {
    assert.throws(() => new LogRecordReceiver({ unix: '/tmp/x.sock', unixDgram: '/tmp/x.sock' }), { name: 'RangeError', message: /different paths/ });
    assert.throws(() => new LogRecordReceiver({ unixDgram: '' }), TypeError);
    assert.throws(() => new LogRecordReceiver({ unixDgram: 5 as unknown as string }), TypeError);
  });
});

describe('LogRecordReceiver over a unix datagram socket (unixDgram)', { skip: NO_ADDON }, () => {
  let tmp: ReturnType<typeof tempDir>;
  const sink = new Collect();
  before(() => {
    tmp = tempDir();
    const log = getLogger('from.dgram');
    log.propagate = false;
    log.addHandler(sink);
  });
  after(() => {
    getLogger('from.dgram').removeHandler(sink);
    tmp.remove();
  });

  /** Collects 'refused' events until `n` have arrived. */
  function refusals(receiver: LogRecordReceiver, n: number): Promise<[UnpicklingError, RefusedInfo][]> {
    const got: [UnpicklingError, RefusedInfo][] = [];
    return new Promise((resolve) => {
      const on = (err: UnpicklingError, info: RefusedInfo): void => {
        got.push([err, info]);
        if (got.length === n) {
          receiver.off('refused', on);
          resolve(got);
        }
      };
      receiver.on('refused', on);
    });
  }
  const frame = (body: string | Buffer, claimed?: number): Buffer => {
    const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    const head = Buffer.alloc(4);
    head.writeUInt32BE(claimed ?? b.length);
    return Buffer.concat([head, b]);
  };
  /** A dict pickle of `n` bytes: {'name': 'from.dgram', 'msg': 'x' * …}, protocol 1. */
  const recordPickle = (msg: string): Buffer =>
    Buffer.concat([
      Buffer.from('}(X\x04\x00\x00\x00nameX\x0a\x00\x00\x00from.dgramX\x03\x00\x00\x00msgX', 'latin1'),
      Buffer.from([msg.length & 0xff, (msg.length >> 8) & 0xff, 0, 0]),
      Buffer.from(`${msg}u.`, 'latin1'),
    ]);

  test('hostile, short, oversized and non-dict datagrams are each refused and reported; the socket keeps serving CPython', async () => {
    const path = join(tmp.dir, 'hostile.dgram');
    const receiver = new LogRecordReceiver({ unixDgram: path, maxRecordSize: 1000 });
    await receiver.listen();
    try {
      const bad: [string, Buffer, RegExp][] = [
        ['GLOBAL + REDUCE (os.system)', frame('cos\nsystem\n(S"echo pwned"\ntR.'), /refused opcode GLOBAL/],
        ['STACK_GLOBAL at protocol 4', frame('\x80\x04\x8c\x02os\x8c\x06system\x93.'), /refused opcode STACK_GLOBAL/],
        ['BUILD on a dict', frame('}Nb.'), /refused opcode BUILD/],
        ['a length prefix past the datagram', frame('}.', 100), /shorter than its length prefix/],
        ['no length prefix at all', Buffer.from([0, 0]), /shorter than its length prefix/],
        ['an empty datagram', Buffer.alloc(0), /shorter than its length prefix/],
        ['a record over maxRecordSize', frame(recordPickle('x'.repeat(2000))), /record of \d+ bytes is over maxRecordSize \(1000\)/],
        ['a record that is not a dict', frame('N.'), /must be a dict/],
        ['a truncated pickle', frame('}(X\x04\x00\x00\x00na'), /truncated/],
        ['deep nesting', frame(`}(X\x03\x00\x00\x00msg${']'.repeat(150)}${'a'.repeat(149)}u.`), /nesting/],
      ];
      const refused = refusals(receiver, bad.length);
      const got = records(receiver, 1);
      const sender = openUnixDgram(path);
      try {
        for (const [, datagram] of bad) await sender.send(datagram);
        await sender.send(frame(recordPickle('sent by node after the hostile ones')));
      } finally {
        sender.close();
      }
      const results = await refused;
      for (const [i, [err, info]] of results.entries()) {
        const [name, , re] = bad[i] as [string, Buffer, RegExp];
        assert.ok(err instanceof UnpicklingError, name);
        assert.equal(err.code, 'ERR_PYLOGGING_UNPICKLING', name);
        assert.match(err.message, re, name);
        assert.deepEqual(info, { transport: 'unix-dgram', peer: path }, name);
      }
      assert.equal((await got)[0]?.getMessage(), 'sent by node after the hostile ones');
      // then CPython's own DatagramHandler(path, None): still served, and a __proto__ key stays data
      const fromPython = records(receiver, 2);
      const polluting = Object.defineProperty({ name: 'from.dgram', msg: 'pollute?' }, '__proto__', { value: { polluted: true }, enumerable: true });
      await pySend('unix-dgram', path, [{ name: 'from.dgram', levelno: 30, levelname: 'WARNING', msg: 'still %s', args: ['here'] }, polluting]);
      const [r0, r1] = await fromPython;
      assert.equal(r0?.getMessage(), 'still here');
      assert.equal(r1?.getMessage(), 'pollute?');
      assert.deepEqual(Object.getOwnPropertyDescriptor(r1, '__proto__')?.value, Object.assign(Object.create(null), { polluted: true }));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    } finally {
      await receiver.close();
    }
  });

  test('listen() replaces a stale socket file; close() removes the socket file it bound', async () => {
    const path = join(tmp.dir, 'stale.dgram');
    // a receiver that died: CPython binds an AF_UNIX datagram socket and exits without unlinking it
    runPython<null>(`import socket, sys, json; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(path)}); print('null')`);
    assert.ok(lstatSync(path).isSocket());
    const receiver = new LogRecordReceiver({ unixDgram: path });
    assert.deepEqual(await receiver.listen(), { unixDgram: path });
    const got = records(receiver, 1);
    await pySend('unix-dgram', path, [{ name: 'from.dgram', msg: 'after the stale socket' }]);
    assert.equal((await got)[0]?.getMessage(), 'after the stale socket');
    await receiver.close();
    assert.equal(existsSync(path), false);
  });

  test('listen() rejects with EADDRINUSE for a regular file (left untouched) and for a socket another receiver serves', async () => {
    const file = join(tmp.dir, 'regular.dgram');
    writeFileSync(file, 'not a socket');
    const onFile = new LogRecordReceiver({ unixDgram: file });
    await assert.rejects(onFile.listen(), { code: 'EADDRINUSE', message: /bind EADDRINUSE .*regular\.dgram/ });
    await onFile.close();
    assert.equal(readFileSync(file, 'utf8'), 'not a socket');

    const path = join(tmp.dir, 'live.dgram');
    const first = new LogRecordReceiver({ unixDgram: path });
    await first.listen();
    const second = new LogRecordReceiver({ unixDgram: path });
    await assert.rejects(second.listen(), { code: 'EADDRINUSE' });
    await second.close();
    const got = records(first, 1);
    await pySend('unix-dgram', path, [{ name: 'from.dgram', msg: 'the first keeps it' }]);
    assert.equal((await got)[0]?.getMessage(), 'the first keeps it');
    // someone replaced the socket file meanwhile: close() leaves theirs alone
    unlinkSync(path);
    writeFileSync(path, 'theirs');
    await first.close();
    assert.equal(readFileSync(path, 'utf8'), 'theirs');
  });

  test('without the unix-dgram addon, listen() rejects with UnixDgramMissingError naming the package, opening nothing', async () => {
    const script = `${WITHOUT_ADDON}
const { LogRecordReceiver } = await import(${JSON.stringify(new URL('../src/receiver.js', import.meta.url).href)});
const receiver = new LogRecordReceiver({ host: '127.0.0.1', tcp: 0, unixDgram: ${JSON.stringify(join(tmp.dir, 'none.dgram'))} });
try { await receiver.listen(); console.log(JSON.stringify({ listened: true })); }
catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, addresses: receiver.addresses })); }
await receiver.close();`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, out) => (err ? reject(new Error(err.message)) : resolve(out)));
    });
    const got = JSON.parse(stdout) as { name: string; code: string; message: string; addresses: object };
    assert.equal(got.name, 'UnixDgramMissingError');
    assert.equal(got.code, 'ERR_PYLOGGING_UNIX_DGRAM_MISSING');
    assert.match(got.message, /unix datagram sockets need the optional package 'unix-dgram' \(npm install unix-dgram\)/);
    assert.deepEqual(got.addresses, {}); // the TCP input was not opened
    assert.equal(existsSync(join(tmp.dir, 'none.dgram')), false);
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

  test('--unix-dgram PATH prints what CPython\'s DatagramHandler(path, None) sends, refuses hostile datagrams, removes the socket on SIGTERM', { skip: NO_ADDON }, async (t) => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'cli.dgram');
    const cli = join(FIXTURES, '..', '..', 'build', 'src', 'cli.js');
    const child = spawn(process.execPath, [cli, 'listen', '--unix-dgram', path, '--format', '%(name)s %(levelname)s %(message)s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      tmp.remove();
    });
    const err = createInterface({ input: child.stderr });
    const out = createInterface({ input: child.stdout });
    const [listening] = (await once(err, 'line')) as [string];
    assert.equal(listening, `listening unix-dgram ${path}`); // and only that: no default TCP/UDP ports
    const refusal = once(err, 'line');
    const sender = openUnixDgram(path);
    await sender.send(Buffer.from('\x00\x00\x00\x1dcos\nsystem\n(S"echo pwned"\ntR.', 'latin1'));
    sender.close();
    const [text] = (await refusal) as [string];
    assert.equal(text, `pylogging listen: refused unix-dgram input from ${path}: refused opcode GLOBAL: this receiver decodes data only`);
    const line = once(out, 'line');
    await pySend('unix-dgram', path, [{ name: 'cli.dgram', levelno: 40, levelname: 'ERROR', msg: 'over %s', args: ['AF_UNIX'] }]);
    assert.deepEqual(await line, ['cli.dgram ERROR over AF_UNIX']);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
    assert.equal(existsSync(path), false);
  });

  test('--unix-dgram without the unix-dgram addon exits 1 naming the package', async () => {
    const tmp = tempDir();
    const cli = join(FIXTURES, '..', '..', 'build', 'src', 'cli.js');
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(WITHOUT_ADDON)}`, cli, 'listen', '--unix-dgram', join(tmp.dir, 'x.dgram')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    tmp.remove();
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^pylogging listen: unix datagram sockets need the optional package 'unix-dgram' \(npm install unix-dgram\)/);
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
