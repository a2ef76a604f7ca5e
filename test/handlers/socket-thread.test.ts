/**
 * SocketHandler's `thread` mode on the one worker host: a start-up burst far beyond the worker SocketHandler's
 * backlog waits in the ring (back-pressure) and arrives whole; drops are counted exactly and reported with their
 * cause (the ring and overflow full, here; the peer unreachable, by the worker's SocketHandler).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLogger, INFO, LogRecord } from '../../src/index.js';
import { SocketHandler } from '../../src/handlers/socket.js';
import { loads } from '../../src/internal/unpickle.js';
import { dumpsFramed } from '../../src/internal/pickle.js';
import { FrameServer, JsonLinesChild, tempDir } from '../fixtures/socket-helpers.js';

const child = fileURLToPath(new URL('../fixtures/socket-thread-child.js', import.meta.url));
const counter = fileURLToPath(new URL('../fixtures/frame-counter.js', import.meta.url));

/** Runs the child fixture; resolves with its exit code and stderr. */
async function runChild(args: string[]): Promise<{ code: number; stderr: string }> {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(proc, 'exit')) as [number];
  return { code, stderr };
}

describe('SocketHandler({ thread: true }): a start-up burst to a live peer', () => {
  test('100,000 records logged before the worker started arrive, every one, in order, with the default bounds', async () => {
    const n = 100_000;
    const peer = new JsonLinesChild(spawn(process.execPath, [counter, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const [{ port }] = (await peer.waitFor(1)) as [{ port: number }];
    const h = new SocketHandler('127.0.0.1', port, { thread: true }); // default maxBytes (64 MiB), no record bound
    const errors: unknown[] = [];
    h.handleError = (_r, err) => void errors.push(err);
    const log = getLogger('thread.burst');
    log.propagate = false;
    log.setLevel(INFO);
    log.addHandler(h);
    for (let i = 0; i < n; i++) log.info('record %d', i);
    await h.flush();
    const [, got] = await peer.waitFor(2);
    assert.deepEqual(got, { frames: n, outOfOrder: -1 });
    assert.equal(h.dropped, 0);
    assert.deepEqual(errors, []);
    log.removeHandler(h);
    await h.close();
    await peer.stop();
  });

  test('the same burst with no flush or close: the exit hook delivers it all (child process)', async () => {
    const server = new FrameServer();
    const port = await server.listen();
    const { code, stderr } = await runChild(['natural', String(port), '100000', '1000']);
    await server.waitFor(100_000);
    assert.equal(code, 0, stderr);
    assert.equal(server.frames.length, 100_000);
    assert.equal((loads(server.frames[99_999] as Buffer) as Record<string, unknown>)['msg'], 'record 99999 of 100000');
    assert.doesNotMatch(stderr, /dropped|lost|did not/);
    await server.close();
  });
});

describe('SocketHandler({ thread: true }): drops are exact and say why', () => {
  test('peer down: every record is given up by the worker, counted once, reported as unreachable (child process)', async () => {
    const tmp = tempDir();
    const { code, stderr } = await runChild(['natural', join(tmp.dir, 'nobody.sock'), '5000', '1000']);
    assert.equal(code, 0, stderr);
    const counts = [...stderr.matchAll(/^RecordsDroppedError: .*?: (\d+) records? dropped \((.*)\)$/gm)].map((m) => [Number(m[1]), m[2]]);
    assert.ok(counts.length > 0, stderr);
    assert.equal(counts.reduce((a, [k]) => a + (k as number), 0), 5000, stderr);
    // The worker's SocketHandler keeps `capacity` (1000) frames while the peer is down; a flush gives the rest up as
    // "the backlog was full", the in-process handler's reason too. Either way the peer is named as unreachable.
    for (const [, why] of counts) assert.match(String(why), /^the peer was unreachable(?:$|: \d+; the backlog was full \(64 MiB, capacity 1000\): \d+$)/);
    tmp.remove();
  });

  test("maxBytes bounds the worker's backlog: peer down, what is beyond it is reported as the backlog full at that bound", async () => {
    const tmp = tempDir();
    const { code, stderr } = await runChild(['natural', join(tmp.dir, 'nobody.sock'), '5000', '100000', '65536']);
    assert.equal(code, 0, stderr);
    const counts = [...stderr.matchAll(/^RecordsDroppedError: .*?: (\d+) records? dropped \((.*)\)$/gm)].map((m) => [Number(m[1]), m[2]]);
    assert.equal(counts.reduce((a, [k]) => a + (k as number), 0), 5000, stderr);
    assert.ok(counts.some(([, why]) => /the backlog was full \(64 KiB, capacity 100000\): \d+/.test(String(why))), stderr);
    tmp.remove();
  });

  test('peer down and the ring full: the records that did not fit are counted here, the rest by the worker; the total is exact', async () => {
    const tmp = tempDir();
    const h = new SocketHandler(join(tmp.dir, 'nobody.sock'), null, { capacity: 10, thread: { bufferSize: 4096, overflowSize: 0 } });
    const errors: unknown[] = [];
    h.handleError = (_r, err) => void errors.push(err);
    const n = 2000; // the worker holds 10 (its capacity) and stops taking: the 4 KiB ring fills, the rest is dropped here
    for (let i = 0; i < n; i++) h.emit(new LogRecord('full', 20, '/x.js', 1, `n=${i}`, null, null));
    await h.flush(); // the worker gives up what it holds and what waits in the ring
    assert.equal(h.dropped, n);
    assert.equal(errors.length, 1);
    const here = Number(/: (\d+) records dropped \(the writer thread could not take them\)/.exec(String(errors[0]))?.[1]);
    assert.ok(here > n - 40 && here < n, String(errors[0]));
    await h.close();
    assert.equal(h.dropped, n);
    tmp.remove();
  });
});

describe('SocketHandler({ thread: true }): subclasses overriding makePickle or send', { timeout: 60_000 }, () => {
  /** Logs `n` records through `h` to `server`, flushes, and returns what arrived (each frame as its body). */
  async function logThrough(h: SocketHandler, server: FrameServer, n: number, name: string): Promise<Buffer[]> {
    const errors: unknown[] = [];
    h.handleError = (_r, err) => void errors.push(err);
    const log = getLogger(name);
    log.propagate = false;
    log.setLevel(INFO);
    log.addHandler(h);
    for (let i = 0; i < n; i++) log.info('record %d', i);
    await h.flush();
    await server.waitFor(n);
    log.removeHandler(h);
    await h.close();
    assert.deepEqual(errors, []);
    assert.equal(h.dropped, 0);
    return server.frames;
  }

  /** A frame as CPython's receiver reads it: a 4-byte big-endian length, then the body. */
  function framed(body: Buffer): Buffer {
    const out = Buffer.alloc(4 + body.length);
    out.writeUInt32BE(body.length, 0);
    body.copy(out, 4);
    return out;
  }

  const n = 5000; // with a 4 KiB ring: many wrap-arounds, frames waiting in the overflow, and the in-place path
  for (const bufferSize of [4096, 4 << 20]) {
    test(`makePickle returning other bytes (JSON; one calling super.makePickle first), ${bufferSize}-byte ring: every frame intact, in order`, async () => {
      class JsonSocket extends SocketHandler {
        override makePickle(record: LogRecord): Buffer {
          if (record.msg === 'record %d' && (record.args as number[])[0]! % 2 === 0) super.makePickle(record); // made, never sent
          return framed(Buffer.from(JSON.stringify({ msg: record.getMessage(), name: record.name })));
        }
      }
      const server = new FrameServer();
      const h = new JsonSocket('127.0.0.1', await server.listen(), { thread: { bufferSize } });
      const frames = await logThrough(h, server, n, `thread.json.${bufferSize}`);
      assert.deepEqual(
        frames.map((f) => JSON.parse(f.toString()) as unknown),
        Array.from({ length: n }, (_, i) => ({ msg: `record ${i}`, name: `thread.json.${bufferSize}` })),
      );
      await server.close();
    });

    test(`send calling super.send with transformed bytes, ${bufferSize}-byte ring: every frame intact, in order`, async () => {
      class Tagging extends SocketHandler {
        override send(s: Uint8Array): void {
          const d = loads(s.subarray(4)) as Record<string, unknown>;
          d['tag'] = `sent:${String(d['msg'])}`;
          super.send(dumpsFramed(d));
        }
      }
      const server = new FrameServer();
      const h = new Tagging('127.0.0.1', await server.listen(), { thread: { bufferSize } });
      const frames = await logThrough(h, server, n, `thread.tag.${bufferSize}`);
      const got = frames.map((f) => loads(f) as Record<string, unknown>);
      assert.deepEqual(got.map((d) => [d['msg'], d['tag'], d['name']]), Array.from({ length: n }, (_, i) => [`record ${i}`, `sent:record ${i}`, `thread.tag.${bufferSize}`]));
      await server.close();
    });

    test(`send keeping frames and sending them later, in order, ${bufferSize}-byte ring: every frame intact`, async () => {
      class Batching extends SocketHandler {
        readonly held: Uint8Array[] = [];
        override send(s: Uint8Array): void {
          this.held.push(s);
          if (this.held.length < 7) return;
          for (const b of this.held.splice(0)) super.send(b);
        }
        override async flush(): Promise<void> {
          for (const b of this.held.splice(0)) super.send(b);
          await super.flush();
        }
      }
      const server = new FrameServer();
      const h = new Batching('127.0.0.1', await server.listen(), { thread: { bufferSize } });
      const frames = await logThrough(h, server, n, `thread.batch.${bufferSize}`);
      assert.deepEqual(frames.map((f) => (loads(f) as Record<string, unknown>)['msg']), Array.from({ length: n }, (_, i) => `record ${i}`));
      await server.close();
    });
  }
});

describe('SocketHandler({ thread: true }): the message written from its template', { timeout: 60_000 }, () => {
  /**
   * The same record objects emitted to an in-process SocketHandler (its frames checked against CPython in
   * socket.test.ts; it writes into the shared slab) and a threaded one (it writes into the ring), both writing the
   * common message from its template and arguments (`pendingMerge`) without merging it: every frame must be the same
   * bytes, including the records that take the merged message instead (a lone surrogate half in a piece, a
   * 1-character message, another conversion, an object argument, a record class with its own getMessage).
   */
  class Shout extends LogRecord {
    override getMessage(): string {
      return super.getMessage().toUpperCase();
    }
  }
  const cases: [unknown, unknown[] | null][] = [
    ['query took %d ms for user %s', [12, 'alice']],
    ['%s', ['x']], // one character: CPython's singleton, memoized by value
    ['%s%s', ['\uD83D', '\uDE00']], // two lone halves that pair up when merged
    ['%d%s', [1, '']],
    ['é %s → %s', ['naïve', '😀 ok']],
    ['ints %d %d %d %d %d', [0, -0, -17, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
    ['100%% of %s', ['requests']],
    ['%r seen', ['quoted']], // not the common case: merged here
    ['value %s', [{ k: 1 }]],
    ['%d items', [2.5]],
    ['%s', ['y'.repeat(1500)]], // often more than a 4 KiB ring has left before its end: the slab and put()
    ['no args', null],
  ];

  for (const bufferSize of [4096, 4 << 20]) {
    test(`${bufferSize}-byte ring: the same bytes as the in-process handler, frame by frame`, async () => {
      const plain = new FrameServer();
      const threaded = new FrameServer();
      const a = new SocketHandler('127.0.0.1', await plain.listen());
      const b = new SocketHandler('127.0.0.1', await threaded.listen(), { thread: { bufferSize } });
      const errors: unknown[] = [];
      a.handleError = b.handleError = (_r, err) => void errors.push(err);
      const records: LogRecord[] = [];
      for (let round = 0; round < 50; round++) {
        for (const [msg, args] of cases) {
          const Cls = round % 5 === 4 ? Shout : LogRecord;
          const rec = new Cls(`tpl.${round % 3}`, 20, '/srv/app.py', round, msg, args, null, 'handler');
          records.push(rec);
          a.emit(rec);
          b.emit(rec);
        }
      }
      await Promise.all([a.flush(), b.flush()]);
      await Promise.all([plain.waitFor(records.length), threaded.waitFor(records.length)]);
      assert.deepEqual(errors, []);
      assert.equal(threaded.frames.length, records.length);
      for (let i = 0; i < records.length; i++) {
        assert.ok((threaded.frames[i] as Buffer).equals(plain.frames[i] as Buffer), `frame ${i}: ${String(records[i]?.msg)}`);
      }
      const shouted = loads(threaded.frames[4 * cases.length] as Buffer) as Record<string, unknown>;
      assert.equal(shouted['msg'], 'QUERY TOOK 12 MS FOR USER ALICE');
      assert.ok(records.every((r) => !('message' in r)), 'the records logged are left as they were');
      await Promise.all([a.close(), b.close(), plain.close(), threaded.close()]);
    });
  }
});
