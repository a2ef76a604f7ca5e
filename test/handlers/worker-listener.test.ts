/**
 * WorkerQueueListener and its shared ring: records cross to a worker thread intact and in order, flush()/stop()
 * mean "on disk", nothing accepted is lost at exit (child processes, 1000 records, counted), a full ring blocks or
 * drops with a count, and the packed package finds its worker file.
 */
import { describe, test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEBUG,
  ERROR,
  Formatter,
  getLogger,
  getLogRecordFactory,
  kw,
  LogRecord,
  makeLogRecord,
  setLogRecordFactory,
  WARNING,
} from '../../src/index.js';
import { preparedCopy, QueueFull, QueueHandler } from '../../src/handlers/queue.js';
import { WorkerQueueListener, type WorkerHandlerSpec } from '../../src/handlers/worker-listener.js';
import { RecordDecoder } from '../../src/internal/record-decoder.js';
import { RecordEncoder } from '../../src/internal/record-encoder.js';
import { RingBuffer, SENTINEL } from '../../src/internal/ring-buffer.js';
import { roundTrip, viaJson } from '../helpers/record-json.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let saved: Saved;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);
let seq = 0;
const file = (name: string): string => join(dir, `${name}-${seq++}.log`);

describe('RingBuffer', () => {
  test('entries wrap around the end intact (multi-byte text), in order, with the sentinel', () => {
    const ring = RingBuffer.create(1); // rounded up to 4096
    assert.equal(ring.capacity, 4096);
    const texts: string[] = [];
    for (let i = 0; i < 500; i++) texts.push(`${i}:` + 'é✓😀x'.repeat(i % 97));
    const got: string[] = [];
    let w = 0;
    while (got.length < texts.length) {
      while (w < texts.length && ring.tryWrite(texts[w] as string)) w++;
      for (let t = ring.read(); t !== null; t = ring.read()) got.push(t as string);
    }
    assert.deepEqual(got, texts);
    assert.ok(ring.tryWriteSentinel());
    assert.equal(ring.read(), SENTINEL);
    assert.equal(ring.read(), null);
    assert.equal(ring.used(), 0);
  });

  test('binary entries are read in place (joined when they wrap), between text entries and the sentinel', () => {
    const ring = RingBuffer.create(4096);
    const sent: string[] = [];
    const got: string[] = [];
    const asText = (b: Buffer, view: DataView, start: number, end: number): string => {
      assert.equal(view.getUint8(start), b[start]);
      return `bin:${b.toString('utf8', start, end)}`;
    };
    for (let i = 0, w = 0; got.length < 600; ) {
      for (; w < 600; w++) {
        const text = `${w}:` + 'é✓'.repeat(w % 53);
        const ok = w % 3 === 0 ? ring.tryWrite(text) : ring.tryWriteBytes(Buffer.from(text), Buffer.byteLength(text));
        if (!ok) break;
        sent.push(w % 3 === 0 ? text : `bin:${text}`);
      }
      for (let e = ring.read(asText); e !== null; e = ring.read(asText)) got.push(e as string);
      assert.ok(++i < 10_000);
    }
    assert.deepEqual(got, sent);
    ring.tryWriteBytes(Buffer.from('x'), 1);
    assert.throws(() => ring.read(), TypeError); // a binary entry needs a reader; it is freed all the same
    assert.equal(ring.used(), 0);
    assert.ok(ring.tryWriteSentinel());
    assert.equal(ring.read(asText), SENTINEL);
  });

  test('tryWrite() returns false and writes nothing when the entry does not fit', () => {
    const ring = RingBuffer.create(4096);
    assert.equal(ring.tryWrite('x'.repeat(ring.maxPayload + 1)), false);
    assert.ok(ring.tryWrite('y'.repeat(3000)));
    assert.equal(ring.tryWrite('z'.repeat(2000)), false);
    assert.equal(ring.used(), 4 + 3000);
    assert.throws(() => RingBuffer.create(0), RangeError);
  });
});

describe('the record codec (binary ring entries)', () => {
  test('a record decodes to what the JSON path gives: same keys in the same order, values, prototype', () => {
    const enc = new RecordEncoder();
    const dec = new RecordDecoder();
    const long = 'ünï '.repeat(400);
    const records = [
      makeLogRecord({ name: 'a.b', msg: 'plain', message: 'plain' }),
      makeLogRecord({ name: 'ünï', msg: 'é✓😀 and a lone \ud800 surrogate', message: 'x', levelno: 300, lineno: 70000 }),
      makeLogRecord({
        ...(JSON.parse('{"__proto__": "own data"}') as object),
        name: 'x'.repeat(2000), msg: long, message: long, created: 1.5, msecs: -0, relativeCreated: NaN, thread: Infinity,
        process: 2 ** 40, user: { id: 7, tags: ['a', 'é'], nested: { __proto__: 1 } }, flag: true, off: false, none: null,
        big: 12n, 0: 'zero', filename: 5, module: null,
      }),
      makeLogRecord({ name: 'a.b', msg: 'again', message: 'again', user: 'ann' }),
    ];
    for (const r of records) {
      const got = roundTrip(enc, dec, enc.encode(r));
      const want = viaJson(r);
      assert.deepEqual(Object.keys(got), Object.keys(want));
      assert.deepStrictEqual(got, want);
      assert.equal(Object.getPrototypeOf(got), Object.getPrototypeOf(r));
    }
    const third = roundTrip(enc, dec, enc.encode(records[2] as LogRecord));
    assert.ok(Object.prototype.hasOwnProperty.call(third, '__proto__'), '__proto__ stays an own data property');
    assert.equal(typeof third.getMessage, 'function');
  });

  test('short strings around the ASCII copy: every length up to past its 64, with one non-ASCII unit anywhere', () => {
    const enc = new RecordEncoder();
    const dec = new RecordDecoder();
    for (let len = 0; len <= 70; len++) {
      const ascii = 'abcdefghij'.repeat(8).slice(0, len);
      const texts = [ascii];
      // Each kind of unit that stops the copy: 2- and 3-byte UTF-8, a pair, a lone surrogate, at the start, middle, end.
      for (const odd of ['é', '✓', '😀', '\ud800']) {
        for (const at of new Set([0, len >> 1, len])) texts.push(ascii.slice(0, at) + odd + ascii.slice(at));
      }
      for (const text of texts) {
        const r = makeLogRecord({ name: 'a', msg: text, message: text, other: `${text}!` });
        const got = roundTrip(enc, dec, enc.encode(r));
        assert.deepStrictEqual(got, viaJson(r), JSON.stringify(text));
      }
    }
  });

  test('what JSON would leave out or call toJSON on goes as JSON (encode() says -1)', () => {
    const enc = new RecordEncoder();
    assert.equal(enc.encode(makeLogRecord({ msg: 'x', gone: undefined })), -1);
    assert.equal(enc.encode(makeLogRecord({ msg: 'x', fn: () => 1 })), -1);
    assert.equal(enc.encode(makeLogRecord({ msg: 'x', when: new Date(0) })), -1);
    assert.equal(enc.encode(Object.assign(makeLogRecord({ msg: 'x' }), { toJSON: () => ({}) })), -1);
    assert.ok(enc.encode(makeLogRecord({ msg: 'x', cyclic: ((o: Record<string, unknown>) => (o.self = o))({}) })) >= 0);
    for (const odd of ['a string from a custom prepare()', ['an', 'array'], null]) assert.equal(enc.encode(odd as never), -1);
  });

  test('encodePrepared(r, msg) writes exactly the bytes of encode(preparedCopy(r, msg)), and r is untouched', () => {
    const a = new RecordEncoder();
    const b = new RecordEncoder();
    const r = makeLogRecord({ name: 'p', msg: 'n=%d', args: [3], exc_info: true, exc_text: 'tb', stack_info: 'st', x: 1 });
    r.message = 'n=3';
    const before = JSON.stringify(r);
    const n = a.encodePrepared(r, 'formatted');
    assert.deepEqual(a.buf.subarray(0, n), b.buf.subarray(0, b.encode(preparedCopy(r, 'formatted'))));
    assert.equal(JSON.stringify(r), before);
    const lacking = makeLogRecord({ msg: 'm' }); // no `message` key yet: the copy would add it at the end
    assert.equal(a.encodePrepared(lacking, 'm'), -1);
  });

  test('definitions are sent until an entry carrying them is committed; tables() serve a worker started later', () => {
    const enc = new RecordEncoder();
    const r1 = makeLogRecord({ name: 'first', msg: 'a', message: 'a' });
    enc.encode(r1);
    enc.rollback(); // dropped: the shape and 'first' were never sent
    const fresh = new RecordDecoder();
    assert.equal(roundTrip(enc, fresh, enc.encode(r1)).name, 'first');
    const later = new RecordDecoder(structuredClone(enc.tables()));
    const n = enc.encode(makeLogRecord({ name: 'first', msg: 'b', message: 'b' }));
    assert.equal(enc.buf[0], 0xf2, 'the entry starts with the record: no definitions left to send');
    assert.equal(roundTrip(enc, later, n).msg, 'b');
    assert.throws(() => roundTrip(enc, new RecordDecoder(), enc.encode(r1)), /unknown shape/);
  });

  test('encoders share their shape writers, not their tables: two rings with different histories stay apart', () => {
    // The generated writer of a shape is shared by every encoder (so a second listener runs optimised code); the
    // last string and id of each interned key must still be each encoder's own.
    const a = new RecordEncoder();
    const b = new RecordEncoder();
    const da = new RecordDecoder();
    const db = new RecordDecoder();
    const rec = (name: string, msg: string): LogRecord => Object.assign(makeLogRecord({ name, msg }), { message: msg });
    for (let i = 0; i < 5; i++) roundTrip(a, da, a.encodePrepared(rec(`a.${i}`, 'x'), 'x')); // ids b never gave
    for (let i = 0; i < 50; i++) {
      const ra = rec(i % 2 ? 'shared' : 'only.in.a', `a${i}`);
      const rb = rec(i % 3 ? 'shared' : 'only.in.b', `b${i}`);
      assert.equal(roundTrip(a, da, a.encodePrepared(ra, ra.msg as string)).name, ra.name);
      assert.equal(roundTrip(b, db, b.encodePrepared(rb, rb.msg as string)).name, rb.name);
    }
  });

  test('more than 256 interned strings and many shapes round-trip', () => {
    const enc = new RecordEncoder();
    const dec = new RecordDecoder();
    for (let i = 0; i < 600; i++) {
      const r = makeLogRecord({ name: `logger.${i % 300}`, msg: `m${i}`, [`k${i % 40}`]: i });
      assert.deepStrictEqual(roundTrip(enc, dec, enc.encode(r)), viaJson(r));
    }
  });
});

/** QueueHandler → WorkerQueueListener wired as the README recipe does, on a fresh logger. */
function setup(
  handlers: WorkerHandlerSpec | WorkerHandlerSpec[],
  options: ConstructorParameters<typeof WorkerQueueListener>[1] = {},
): { listener: WorkerQueueListener; qh: QueueHandler; log: ReturnType<typeof getLogger> } {
  const listener = new WorkerQueueListener(handlers, options);
  const qh = new QueueHandler(listener.queue);
  qh.listener = listener;
  const log = getLogger(`worker.t${seq++}`);
  log.propagate = false;
  log.setLevel(DEBUG);
  log.addHandler(qh);
  return { listener, qh, log };
}

/**
 * Runs `fill` with every record made at one fixed instant. A record's size in the ring follows the wall clock: the
 * codec writes whole numbers short, so a record made at an exact second (`created` whole) is 4 bytes smaller than
 * the others. A burst that spans a second boundary after the ring (and overflow) filled then has a smaller record
 * fit where larger ones were just dropped: it is accepted, which ends the drop episode (the next drop is reported
 * again), and the accepted records are no longer the first ones. measured (Node 20.20, 2-CPU VM, load 4–6): the
 * overflow test below failed (2 reports) in 14 of 20 runs with a clock that advances 1 ms a read, 0 of 20 with the
 * instant fixed. Its 1000-record fill took 30–115 ms under --disallow-code-generation-from-strings (load ~5), the
 * drops most of that: a real clock crosses a second during them in some 2–8 runs in a hundred, more under a loaded
 * full suite. With the instant fixed, a later record is never smaller than an earlier one (`record %d` only grows).
 */
function atFixedTime(fill: () => void): void {
  const factory = getLogRecordFactory();
  setLogRecordFactory(
    (name, level, pathname, lineno, msg, args, excInfo, func, sinfo) =>
      new LogRecord(name, level, pathname, lineno, msg, args, excInfo, func ?? null, sinfo ?? null, 1_700_000_000_500),
  );
  try {
    fill();
  } finally {
    setLogRecordFactory(factory);
  }
}

describe('WorkerQueueListener', () => {
  test('records reach the worker FileHandler with their fields intact; flush() means on disk', async () => {
    const path = file('fields');
    const fmt = '%(name)s|%(levelname)s|%(levelno)d|%(created).6f|%(msecs)03d|%(process)d|%(user)s|%(message)s';
    const { listener, qh, log } = setup({ class: 'FileHandler', filename: path, formatter: fmt });
    listener.start();
    const local: string[] = [];
    const localFmt = new Formatter(fmt);
    const tap = { filter: (r: LogRecord): boolean => (local.push(localFmt.format(r)), true) };
    log.addFilter(tap);
    log.info('plain ünïcødé ✓ 😀 %s', 'arg', kw({ extra: { user: 'ann' } }));
    log.warning('n=%d', 7, kw({ extra: { user: 'bob' } }));
    await qh.flush();
    assert.deepEqual(lines(path), local);
    await listener.stop();
  });

  test('binary and JSON-fallback records interleave in order; extras arrive as JSON would carry them', async () => {
    const path = file('mixed');
    const { listener, log } = setup({ class: 'FileHandler', filename: path, formatter: '%(k)s|%(message)s' });
    listener.start();
    log.info('one', kw({ extra: { k: { a: [1, 'é'] } } }));
    log.info('two', kw({ extra: { k: new Date(0) } })); // toJSON: the JSON path
    log.info('three 😀', kw({ extra: { k: 12n } }));
    log.info('four', kw({ extra: { k: 'x', gone: undefined } })); // undefined: the JSON path
    log.info('five', kw({ extra: { k: -0 } }));
    await listener.stop();
    const local = new Formatter('%(k)s|%(message)s');
    const expect = (k: unknown, m: string): string => local.format(makeLogRecord({ k, msg: m }));
    assert.deepEqual(lines(path), [
      expect({ a: [1, 'é'] }, 'one'),
      expect('1970-01-01T00:00:00.000Z', 'two'),
      expect('12', 'three 😀'),
      expect('x', 'four'),
      expect(0, 'five'),
    ]);
  });

  test('the copy-free path steps aside for a replaced put_nowait or an overridden prepare/enqueue', () => {
    const { listener, qh, log } = setup({ class: 'NullHandler' });
    const seen: unknown[] = [];
    listener.queue.put_nowait = (item) => void seen.push(item);
    log.warning('n=%d', 1);
    const got = seen[0] as LogRecord;
    assert.deepEqual([got.msg, got.message, got.args, got.exc_info, got.exc_text, got.stack_info], ['n=1', 'n=1', null, null, null, null]);
    const prepared: unknown[] = [];
    qh.prepare = (r) => (prepared.push(r.getMessage()), preparedCopy(r, 'custom'));
    log.warning('n=%d', 2);
    assert.deepEqual(prepared, ['n=2']);
    assert.equal((seen[1] as LogRecord).msg, 'custom');
    const enqueued: unknown[] = [];
    qh.enqueue = (r) => void enqueued.push(r);
    log.warning('n=%d', 3);
    assert.equal((enqueued[0] as LogRecord).msg, 'custom');
    assert.equal(seen.length, 2);
  });

  test('stop() drains, closes the worker handlers, is repeatable; start() again resumes on the same ring', async () => {
    const path = file('stop');
    const { listener, log } = setup({ class: 'FileHandler', filename: path });
    listener.start();
    for (let i = 0; i < 100; i++) log.info('r%d', i);
    const a = listener.stop();
    assert.equal(listener.stop(), a);
    await a;
    await listener.stop();
    assert.equal(lines(path).length, 100);
    log.info('after stop'); // waits in the ring, as it would in CPython's queue
    listener.start();
    await listener.ready();
    await listener.stop();
    assert.deepEqual(lines(path).slice(-1), ['after stop']);
  });

  test('respectHandlerLevel applies the worker handlers\' levels', async () => {
    const all = file('all');
    const errors = file('errors');
    const specs: WorkerHandlerSpec[] = [
      { class: 'FileHandler', filename: all, level: 'ERROR' },
      { class: 'logging.FileHandler', filename: errors, level: ERROR },
    ];
    const plain = setup(specs);
    plain.listener.start();
    plain.log.info('i');
    plain.log.error('e');
    await plain.listener.stop();
    assert.deepEqual(lines(all), ['i', 'e']); // CPython default: levels ignored (Trap 5)
    const respect = setup({ class: 'FileHandler', filename: errors, level: ERROR }, { respectHandlerLevel: true });
    respect.listener.start();
    respect.log.warning('w');
    respect.log.critical('c');
    await respect.listener.stop();
    assert.deepEqual(lines(errors), ['i', 'e', 'c']);
  });

  test('handlers from a module: a default-export factory and a Handler class export', async () => {
    const mod = fileURLToPath(new URL('../fixtures/worker-handlers.js', import.meta.url));
    const a = file('factory');
    const b = file('class');
    const { listener, log } = setup([
      { module: mod, args: [a, '%(levelname)s %(message)s'] },
      { module: mod, export: 'UpperFileHandler', args: [b] },
    ]);
    listener.start();
    await listener.ready();
    log.warning('hi %s', 'there');
    await listener.stop();
    assert.deepEqual(lines(a), ['WARNING hi there']);
    assert.deepEqual(lines(b), ['WARNING:HI THERE']);
  });

  test('a spec that cannot be built rejects ready() and is reported; records are then dropped and counted', async (t) => {
    const writes: string[] = [];
    t.mock.method(process.stderr, 'write', (s: string) => (writes.push(String(s)), true));
    const mod = fileURLToPath(new URL('../fixtures/worker-handlers.js', import.meta.url));
    for (const spec of [
      { module: mod, export: 'notAHandler' },
      { module: join(dir, 'missing.js') },
      { class: 'NoSuchHandler' },
    ] as WorkerHandlerSpec[]) {
      const { listener, qh, log } = setup(spec);
      const errs: unknown[] = [];
      qh.handleError = (_r, err) => errs.push(err);
      listener.start();
      await assert.rejects(listener.ready(), /pylogging worker/);
      await listener.stop();
      log.info('lost 1');
      log.info('lost 2');
      await qh.flush();
      // The ring holds them (no worker to block for); nothing was dropped yet.
      assert.equal(listener.dropped, 0);
      assert.equal(errs.length, 0);
    }
    assert.ok(writes.some((w) => w.includes('did not give a Handler')));
    assert.ok(writes.some((w) => w.includes('Cannot resolve')));
  });

  test("onFull 'drop': a full ring drops at once, counts, and reports the first drop of the episode only", () => {
    const { listener, qh, log } = setup({ class: 'NullHandler' }, { bufferSize: 4096, onFull: 'drop', overflowSize: 0 });
    const errs: unknown[] = [];
    qh.handleError = (_r, err) => errs.push(err);
    atFixedTime(() => {
      for (let i = 0; i < 200; i++) log.info('record %d %s', i, 'x'.repeat(50)); // not started: nobody drains
    });
    assert.ok(listener.dropped > 150, String(listener.dropped));
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof QueueFull);
    assert.match((errs[0] as Error).message, /ring buffer full \(4096 bytes, no worker running\)/);
  });

  test('the overflow: records beyond the ring wait in order, up to overflowSize, then onFull applies', async () => {
    const path = file('overflow');
    const { listener, qh, log } = setup(
      { class: 'FileHandler', filename: path },
      { bufferSize: 4096, onFull: 'drop', overflowSize: 16 * 1024 },
    );
    const errs: unknown[] = [];
    qh.handleError = (_r, err) => errs.push(err);
    atFixedTime(() => {
      for (let i = 0; i < 1000; i++) log.info('record %d', i); // not started: the ring, then the overflow, then drops
    });
    const held = listener.queue.overflowBytes;
    assert.ok(held > 12 * 1024 && held <= 16 * 1024, String(held));
    const kept = 1000 - listener.dropped;
    assert.ok(listener.dropped > 0 && kept > 200, `kept ${kept}`);
    assert.equal(errs.length, 1);
    assert.match((errs[0] as Error).message, /ring buffer full \(4096 bytes and 16384 of overflow, no worker running\)/);
    listener.start();
    await listener.flush(); // waits for the overflow too
    assert.equal(listener.queue.overflowBytes, 0);
    await listener.stop();
    const got = lines(path);
    assert.equal(got.length, kept);
    got.forEach((line, i) => assert.equal(line, `record ${i}`)); // the first `kept` records, in order
  });

  test('bursts larger than the ring go through the overflow, before and while the worker runs: none lost, in order', async () => {
    const path = file('burst');
    const { listener, log } = setup({ class: 'FileHandler', filename: path }, { bufferSize: 4096 });
    for (let i = 0; i < 5000; i++) log.info('record %d', i); // no worker yet: the ring fills, the rest waits
    assert.ok(listener.queue.overflowBytes > 0, 'the burst outran the 4 KiB ring');
    listener.start();
    await listener.ready();
    for (let i = 5000; i < 10_000; i++) log.info('record %d', i); // the worker drains while these come
    await listener.stop();
    assert.equal(listener.dropped, 0);
    assert.equal(listener.queue.overflowBytes, 0);
    const got = lines(path);
    assert.equal(got.length, 10_000);
    got.forEach((line, i) => assert.equal(line, `record ${i}`));
  });

  test("onFull 'block' (the default): a 4 KiB ring and 3000 records lose none while the worker runs", async () => {
    const path = file('block');
    const { listener, log } = setup({ class: 'FileHandler', filename: path }, { bufferSize: 4096, overflowSize: 0 });
    listener.start();
    for (let i = 0; i < 3000; i++) log.info('record %d', i);
    await listener.stop();
    assert.equal(listener.dropped, 0);
    const got = lines(path);
    assert.equal(got.length, 3000);
    assert.equal(got[2999], 'record 2999');
  });

  test('a record larger than the ring is refused with QueueFull', () => {
    const { listener, qh } = setup({ class: 'NullHandler' }, { bufferSize: 4096 });
    const errs: unknown[] = [];
    qh.handleError = (_r, err) => errs.push(err);
    qh.handle(makeLogRecord({ msg: 'x'.repeat(5000), levelno: WARNING }));
    assert.match((errs[0] as Error).message, /does not fit in the ring/);
    assert.equal(listener.dropped, 1);
  });

  test('options are validated before anything starts', () => {
    assert.throws(() => new WorkerQueueListener([], { onFull: 'never' as never }), /onFull/);
    assert.throws(() => new WorkerQueueListener([], { blockTimeout: -1 }), /blockTimeout/);
    assert.throws(() => new WorkerQueueListener([], { bufferSize: 0 }), /bufferSize/);
    assert.throws(() => new WorkerQueueListener([], { overflowSize: -1 }), /overflowSize must be a whole number of bytes >= 0, got -1/);
    assert.throws(() => new WorkerQueueListener([], { overflowSize: 1.5 }), /overflowSize/);
    assert.throws(() => new WorkerQueueListener([{ nope: 1 } as never]), /'class' or 'module'/);
  });
});

const child = fileURLToPath(new URL('../fixtures/worker-child.js', import.meta.url));
describe('no accepted record is lost at exit (child processes)', () => {
  const endings: [string, number, string, string][] = [
    ['natural', 0, '', ''],
    ['exit', 3, '', ''],
    ['throw', 1, '', ''],
    ['stop', 0, '', ''],
    // a ring far smaller than 1000 records: the rest waits in the overflow, which the exit hook moves into the ring
    ['exit', 3, '4096', ''],
    ['natural', 0, '4096', ''],
    ['stop', 0, '4096', ''],
    ['exit', 3, '4096', '0'], // no overflow: the logging thread blocks for the worker
  ];
  for (const [how, code, ring, overflow] of endings) {
    const what = `${ring ? ` with a ${ring}-byte ring` : ''}${overflow ? ` and overflowSize ${overflow}` : ''}`;
    test(`${how} (exit code ${code})${what}: 1000 lines in the worker's file`, () => {
      const path = file(`exit-${how}-${ring}-${overflow}`);
      const args = [child, how, path, '1000', ...(ring ? [ring] : []), ...(overflow ? [overflow] : [])];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      assert.equal(r.status, code, r.stderr);
      // the small ring with the default overflow did hold records outside the ring when the loop ended
      if (ring && !overflow) assert.match(r.stderr, /^overflow \d+$/m);
      const got = lines(path);
      assert.equal(got.length, 1000, r.stderr);
      assert.match(got[999] as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO child: record 999 of 1000$/);
      assert.doesNotMatch(r.stderr, /dropped|lost/);
    });
  }
});

describe('records that no worker will handle are reported at exit, not lost silently', () => {
  for (const how of ['never', 'after-stop']) {
    test(`${how === 'never' ? 'a listener never started' : 'records logged after stop()'}: one report on stderr`, () => {
      const path = file(`orphans-${how}`);
      const r = spawnSync(process.execPath, [child, how, path, '300', '4096'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /no worker was running at exit; records never handled were lost \(\d+ bytes in the ring, \d+ records in the overflow\)/);
      assert.equal((r.stderr.match(/no worker was running/g) ?? []).length, 1);
    });
  }
});

describe('the packed package', () => {
  test('npm pack → npm install --offline in a temp project → the worker listener finds its worker file', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const work = mkdtempSync(join(tmpdir(), 'pylogging-pack-'));
    try {
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts', '--json'], {
          cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as { filename: string; files: { path: string }[] }[];
      const tarball = join(work, packed[0]?.filename as string);
      assert.ok(packed[0]?.files.some((f) => f.path === 'build/src/handlers/worker-main.js'), 'worker file packed');
      assert.ok(packed[0]?.files.some((f) => f.path === 'build/src/handlers/socket-thread-main.js'), 'socket worker packed');
      const proj = join(work, 'proj');
      mkdirSync(proj);
      writeFileSync(join(proj, 'package.json'), '{"name":"t","private":true,"type":"module"}');
      execFileSync('npm', ['install', tarball, '--offline', '--omit=optional', '--omit=peer', '--ignore-scripts',
        '--no-audit', '--no-fund', '--no-package-lock'], { cwd: proj, stdio: 'pipe' });
      writeFileSync(join(proj, 'main.js'), `
import { getLogger, INFO } from 'pylogging';
import { fileURLToPath, pathToFileURL } from 'node:url';
// 'pylogging/handlers' exports them once src/handlers.ts lists them; until then load the built files directly.
const fromEntry = await import('pylogging/handlers');
const base = new URL('./node_modules/pylogging/build/src/handlers/', import.meta.url);
const { QueueHandler } = fromEntry.QueueHandler ? fromEntry : await import(new URL('queue.js', base));
const { WorkerQueueListener } = fromEntry.WorkerQueueListener ? fromEntry : await import(new URL('worker-listener.js', base));
const listener = new WorkerQueueListener([{ class: 'FileHandler', filename: 'app.log', formatter: '%(levelname)s %(message)s' }]);
const qh = new QueueHandler(listener.queue);
qh.listener = listener;
const log = getLogger('packed');
log.setLevel(INFO);
log.addHandler(qh);
listener.start();
for (let i = 0; i < 500; i++) log.info('n=%d', i);
await listener.stop();
`);
      execFileSync(process.execPath, ['main.js'], { cwd: proj, stdio: 'pipe' });
      const got = lines(join(proj, 'app.log'));
      assert.equal(got.length, 500);
      assert.equal(got[499], 'INFO n=499');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
