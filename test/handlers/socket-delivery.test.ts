/**
 * SocketHandler and DatagramHandler on the shared delivery component (issue 16): a start-up burst arrives whole, the
 * backlog is bounded in bytes with exact drop counts, and a collector that never reads cannot hold `close()`,
 * `shutdown()` or a natural exit beyond the give-up bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { getLogger, LogRecord, shutdown, type Logger } from '../../src/index.js';
import { DatagramHandler } from '../../src/handlers/datagram.js';
import { RecordsDroppedError, SocketHandler } from '../../src/handlers/socket.js';
import { bindUnixDgram, hasUnixDgram } from '../../src/internal/unix-dgram.js';
import { loads } from '../../src/internal/unpickle.js';
import { FakeClock, FrameServer, tempDir } from '../fixtures/socket-helpers.js';

const BURST = 100_000;

/** A receiver that only counts length-prefixed frames (and keeps the last one), as a collector would read them. */
class CountingServer {
  count = 0;
  last: Buffer | null = null;
  readonly server: Server;
  #waiters: { n: number; resolve: () => void }[] = [];
  constructor() {
    this.server = createServer((s) => {
      s.on('error', () => {});
      let pending: Buffer | null = null;
      s.on('data', (chunk: Buffer) => {
        let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
        let at = 0;
        while (buf.length - at >= 4) {
          const end = at + 4 + buf.readUInt32BE(at);
          if (end > buf.length) break;
          this.last = buf.subarray(at + 4, end);
          this.count++;
          at = end;
        }
        pending = at === buf.length ? null : Buffer.from(buf.subarray(at));
        buf = pending ?? buf;
        this.#waiters = this.#waiters.filter((w) => (this.count >= w.n ? (w.resolve(), false) : true));
      });
    });
  }
  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as { port: number }).port;
  }
  waitFor(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function quiet<H extends SocketHandler<object>>(h: H): H & { errors: RecordsDroppedError[] } {
  const errors: RecordsDroppedError[] = [];
  h.handleError = (_record, err) => void errors.push(err as RecordsDroppedError);
  return Object.assign(h, { errors });
}

function logger(name: string, h: SocketHandler<object>): Logger {
  const log = getLogger(name);
  log.propagate = false;
  log.setLevel(10);
  for (const old of [...log.handlers]) log.removeHandler(old);
  log.addHandler(h);
  return log;
}

const msgOf = (frame: Buffer): unknown => (loads(frame) as Record<string, unknown>)['msg'];

describe('a start-up burst of 100,000 records, logged before the connection exists, arrives whole', () => {
  test('SocketHandler over TCP, default bounds', async () => {
    const receiver = new CountingServer();
    const port = await receiver.listen();
    const h = quiet(new SocketHandler('127.0.0.1', port));
    const log = logger('burst.tcp', h);
    for (let i = 0; i < BURST; i++) log.info('query took %d ms for user %s', i, 'alice');
    assert.equal(h.sock, null); // nothing was connected while the loop ran
    await h.close();
    await receiver.waitFor(BURST);
    assert.equal(receiver.count, BURST);
    assert.equal(msgOf(receiver.last as Buffer), `query took ${BURST - 1} ms for user alice`);
    assert.equal(h.dropped, 0);
    assert.deepEqual(h.errors, []);
    await receiver.close();
  });

  test('DatagramHandler over a unix datagram socket', { skip: !hasUnixDgram() && 'unix-dgram not installed' }, async () => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'burst.dgram');
    const sock = bindUnixDgram(path);
    let count = 0;
    let last: Buffer | null = null;
    const all = new Promise<void>((resolve) => {
      sock.on('message', (buf) => {
        last = buf;
        if (++count === BURST) resolve();
      });
    });
    const h = quiet(new DatagramHandler(path, null));
    const log = logger('burst.dgram', h);
    for (let i = 0; i < BURST; i++) log.info('query took %d ms for user %s', i, 'alice');
    await h.close();
    await all;
    assert.equal(count, BURST);
    assert.equal(msgOf((last as unknown as Buffer).subarray(4)), `query took ${BURST - 1} ms for user alice`);
    assert.equal(h.dropped, 0);
    assert.deepEqual(h.errors, []);
    sock.close();
    tmp.remove();
  });
});

describe('the backlog is bounded in bytes while the peer is down; every record is delivered or counted', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.remove());
  const rec = (i: number): LogRecord => new LogRecord('down', 20, '/x.js', 1, 'r%d', [i], null);

  test('what is kept fits maxBytes; dropped + delivered = logged; one report says the backlog was full', async () => {
    const clock = new FakeClock();
    const path = join(tmp.dir, 'bound.sock');
    const maxBytes = 64 * 1024;
    const h = quiet(new SocketHandler(path, null, { clock, maxBytes }));
    const logged = 2000;
    for (let i = 0; i < logged - 1; i++) h.emit(rec(i));
    await h.createSocket(); // the writer's attempt failed: the peer is down
    assert.equal(h.sock, null);
    assert.ok(h.dropped > 0);
    assert.equal(h.errors.length, 0); // reported when the episode ends, not per record
    const server = new FrameServer();
    await server.listen(path);
    clock.t = h.retryTime as number;
    h.emit(rec(logged - 1)); // the next record is when the reconnect is tried (and is itself over the bound)
    const kept = logged - h.dropped;
    await server.waitFor(kept);
    await h.close();
    assert.equal(server.frames.length + h.dropped, logged);
    const keptBytes = server.frames.reduce((n, f) => n + f.length + 4, 0);
    assert.ok(keptBytes <= maxBytes && keptBytes > maxBytes - 1024, `kept ${keptBytes} bytes`);
    assert.deepEqual(server.frames.slice(0, 3).map(msgOf), ['r0', 'r1', 'r2']); // the oldest are kept
    assert.deepEqual(h.errors.map((e) => e.dropped), [h.dropped]);
    assert.match(h.errors[0]?.message ?? '', new RegExp(`^SocketHandler to ${path}: ${h.dropped} records dropped \\(the backlog was full \\(64 KiB\\)\\)$`));
    await server.close();
  });

  test('a peer that never comes up: close() gives everything up; the count per reason adds up to what was logged', async () => {
    const h = quiet(new SocketHandler(join(tmp.dir, 'never.sock'), null, { maxBytes: 16 * 1024 }));
    for (let i = 0; i < 500; i++) h.emit(rec(i));
    const full = h.dropped;
    await h.close();
    assert.equal(h.dropped, 500);
    assert.equal(h.errors.length, 1);
    const err = h.errors[0] as RecordsDroppedError;
    assert.equal(err.dropped, 500);
    assert.match(err.message, new RegExp(`500 records dropped \\(the peer was unreachable: ${500 - full}; the backlog was full \\(16 KiB\\): ${full}\\)`));
    assert.match(String(err.cause), /ENOENT/);
  });

  test('maxBytes and capacity are validated and closed options', () => {
    assert.throws(() => new SocketHandler('h', 1, { maxBytes: 0 }), /maxBytes must be a positive whole number of bytes, got 0/);
    assert.throws(() => new SocketHandler('h', 1, { maxBytes: 1.5 }), /got 1.5/);
    assert.throws(() => new SocketHandler('h', 1, { maxbytes: 1 } as never), /maxBytes/);
    assert.throws(() => new DatagramHandler('h', 1, { capacity: -1 }), /capacity must be a positive integer/);
  });
});

describe('a collector that accepts and never reads: the give-up is bounded by timeout and reported', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: Server;
  const held: Socket[] = [];
  let path: string;
  before(async () => {
    tmp = tempDir();
    path = join(tmp.dir, 'silent.sock'); // unix stream buffers are ~200 kB: a few MB fill them
    server = createServer({ pauseOnConnect: true }, (s) => held.push(s));
    server.listen(path);
    await once(server, 'listening');
  });
  after(() => {
    for (const s of held) s.destroy();
    server.close();
    tmp.remove();
  });

  const TIMEOUT = 0.2;
  const big = 'x'.repeat(4096);
  async function fillThen(end: (h: SocketHandler) => Promise<void>): Promise<void> {
    const h = quiet(new SocketHandler(path, null, { timeout: TIMEOUT }));
    const log = logger('silent', h);
    for (let i = 0; i < 2000; i++) log.info(big); // 8 MB: far beyond what the kernel buffers
    const t0 = performance.now();
    await end(h);
    const seconds = (performance.now() - t0) / 1000;
    // the bound: nothing delivered for TIMEOUT gives up; allow a loaded machine its scheduling slack
    assert.ok(seconds < TIMEOUT + 2, `took ${seconds} s`);
    assert.ok(h.dropped > 0);
    assert.deepEqual(h.errors.map((e) => e.dropped), [h.dropped]);
    assert.match(h.errors[0]?.message ?? '', /records dropped \(the peer took nothing for 0.2 s\)$/);
    assert.match(String(h.errors[0]?.cause), /timed out/);
    log.removeHandler(h);
  }

  test('close()', () => fillThen((h) => h.close()));

  test('shutdown()', () => fillThen((h) => shutdown([h])));

  test('a natural exit (child process) ends within the bound and reports what was still queued', async () => {
    const child = fileURLToPath(new URL('../fixtures/socket-exit-child.js', import.meta.url));
    const proc = spawn(process.execPath, [child, path, '2000', String(TIMEOUT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [status] = (await once(proc, 'exit')) as [number];
    assert.equal(status, 0, stderr);
    const afterLogging = Number(/exit after (\S+) s/.exec(stdout)?.[1]);
    assert.ok(afterLogging < TIMEOUT + 2, `the event loop ran ${afterLogging} s after the last record`);
    const m = /SocketHandler to \S+: (\d+) records dropped \(([^)]*still queued at process exit[^)]*)\)/.exec(stderr);
    assert.ok(m, stderr);
    assert.ok(Number(m[1]) > 0);
  });
});
