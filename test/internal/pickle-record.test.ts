/**
 * SocketHandler's record fast path (`src/internal/pickle-record.ts`) against the general pickler: for random records
 * (fast-check: standard and extra fields, every value type the general path degrades, the pathname/filename/module
 * sharing cases, missing msg/args/exc_info), `dumpsRecordShared(record)` must return exactly the bytes of
 * the general path, `dumpsFramedShared(recordDict(record))` (what `makePickle` pickles when the fast path declines) —
 * or decline (and then leave the slab untouched). Runs of records check the fast path's cached runs of unchanged
 * values. The general path itself is checked against CPython in pickle.test.ts and socket.test.ts.
 *
 * `FC_SEED=… FC_PATH=…` replay a failure, `FC_RUNS=N` sets the number of runs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { compileMessage, LogRecord } from '../../src/core/record.js';
import { recordDict } from '../../src/handlers/socket-pickle.js';
import { dumpsFramedShared, LONE_SURROGATE, shared } from '../../src/internal/pickle.js';
import { dumpsRecordInto, dumpsRecordShared, GENERAL, NO_ROOM } from '../../src/internal/pickle-record.js';

const FC_RUNS = Number(process.env['FC_RUNS']) || 0;
const params = (runs: number): fc.Parameters<unknown> => ({
  numRuns: FC_RUNS > 0 ? FC_RUNS : runs,
  ...(process.env['FC_SEED'] !== undefined && { seed: Number(process.env['FC_SEED']) }),
  ...(process.env['FC_PATH'] !== undefined && { path: process.env['FC_PATH'] }),
});

/** The general path's frame for `rec` (makePickle's when the fast path declines), copied out of the slab. */
function general(rec: LogRecord): Buffer {
  return Buffer.from(dumpsFramedShared(recordDict(rec)));
}
/** Where the in-place variant writes. */
const target = Buffer.alloc(1 << 20);
const targetView = new DataView(target.buffer, target.byteOffset, target.length);

const text = fc.oneof(
  fc.constantFrom('', 'a', 'é', '€', 'ab', 'app.py', 'app', '.bashrc', '..x', 'dir/app.py', '/abs/dir/mod.js'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }), // lone surrogates, astral characters
  fc.string({ minLength: 60, maxLength: 200 }),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.constantFrom(0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -0, 0.5, NaN, Infinity),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, undefined, 12n, [1, 'a'], { k: 1 }, new Date(0)),
);
const standard = ['name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'exc_info',
  'exc_text', 'stack_info', 'lineno', 'funcName', 'created', 'msecs', 'relativeCreated', 'thread', 'threadName',
  'processName', 'process', 'taskName'];

const recordArb = fc.record({
  overrides: fc.dictionary(fc.constantFrom(...standard), value, { maxKeys: 6 }),
  extras: fc.dictionary(fc.oneof(fc.constantFrom('x', 'user', 'é', 'request_id', '__proto__'), fc.string({ maxLength: 8 })), value, { maxKeys: 3 }),
  drop: fc.subarray(['msg', 'args', 'exc_info', 'pathname', 'filename', 'module']),
  message: fc.boolean(),
  path: fc.constantFrom('/srv/app.py', 'app.py', 'app', '.hidden', 'noext', '/srv/noext', 'a.b.c'),
  msg: fc.oneof(fc.constantFrom('hello %s', 'plain', '', 'x'), fc.string({ maxLength: 30 })),
  args: fc.oneof(fc.constant(null), fc.constant(['world']), fc.constant([])),
});

type Drawn = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

function build(r: Drawn): LogRecord {
  const args = r.args !== null && r.msg.includes('%s') && r.args.length === 1 ? r.args : null;
  const rec = new LogRecord('app.db', 20, r.path, 7, r.msg.replace(/%(?!s)/g, '%%'), args, null, 'handler');
  for (const [k, v] of Object.entries(r.overrides)) if (k !== 'msg' && k !== 'args') (rec as Record<string, unknown>)[k] = v;
  for (const [k, v] of Object.entries(r.extras)) Object.defineProperty(rec, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const k of r.drop) delete (rec as Record<string, unknown>)[k];
  if (r.message) rec.message = 'stale';
  return rec;
}

describe('pickle-record: the fast path writes the general path’s bytes', () => {
  test('random records: same bytes, or declined without writing', () => {
    let fast = 0;
    fc.assert(
      fc.property(recordArb, (r) => {
        const rec = build(r);
        let expected: Buffer;
        try {
          expected = general(rec);
        } catch (err) {
          // a record whose message cannot be made (msg deleted, args left): the fast path throws the same, unless
          // it declined before making the message
          let got: unknown;
          try {
            got = dumpsRecordShared(rec);
          } catch (e) {
            assert.equal((e as Error).message, (err as Error).message);
            return;
          }
          assert.equal(got, null);
          return;
        }
        const before = shared.used;
        const slab = shared.slab;
        const got = dumpsRecordShared(rec);
        if (got === null || typeof got === 'string') {
          assert.ok(shared.slab === slab && shared.used === before, 'a declined record must not take slab space');
          if (typeof got === 'string') assert.equal(got, rec.getMessage());
          return;
        }
        fast++;
        assert.deepEqual([...got], [...expected]);
        // in place (thread mode's ring), at an odd offset, with room to spare, then with too little room
        const msg = rec.getMessage();
        const at = 3 + (expected.length % 5);
        const end = dumpsRecordInto(rec, msg, target, targetView, at, target.length);
        assert.equal(end, at + expected.length);
        assert.deepEqual([...target.subarray(at, end)], [...expected]);
        assert.equal(dumpsRecordInto(rec, msg, target, targetView, at, at + expected.length - 1), NO_ROOM);
      }),
      params(3000),
    );
    assert.ok(fast > 300, `the fast path took only ${fast} records`);
  });

  test('in place from the template: the merged message written from its pieces is the general path’s bytes', () => {
    // thread mode's emit() hands dumpsRecordInto the message's template (pendingMerge's, compiled here directly: its
    // cache takes 1,024 messages) instead of the merged text: for
    // random templates (literals with any characters, %s, %d, %%) and arguments (any strings, lone surrogates and
    // astral characters split across pieces, safe integers of every size and sign), the frame is the general path's,
    // or the call declines (GENERAL) exactly when the merged text is 3 bytes or less or a piece has a lone surrogate
    const piece = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('%%', 'é', '\uD83D', '\uDE00'));
    const arg = fc.oneof(
      fc.string({ maxLength: 10 }).map((v) => ['s', v] as const),
      fc.string({ unit: 'binary', maxLength: 4 }).map((v) => ['s', v] as const),
      fc.constantFrom('', 'x', '\uD83D', '\uDE00', 'ann').map((v) => ['s', v] as const),
      fc.maxSafeInteger().map((v) => ['d', v] as const),
      fc.constantFrom(0, -0, 9, 10, -1, 99, 100, 2 ** 31, -(2 ** 31) - 1, 1e15, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER).map((v) => ['d', v] as const),
    );
    const drawn = fc.record({ lits: fc.array(piece, { minLength: 2, maxLength: 5 }), args: fc.array(arg, { minLength: 1, maxLength: 4 }), extra: fc.boolean() });
    let written = 0;
    let declined = 0;
    fc.assert(
      fc.property(drawn, ({ lits, args, extra }) => {
        const n = Math.min(lits.length - 1, args.length);
        const esc = (l: string): string => l.replace(/%/g, '%%');
        let msg = esc(lits[0] as string);
        for (let i = 0; i < n; i++) msg += `%${(args[i] as readonly [string, unknown])[0]}${esc(lits[i + 1] as string)}`;
        const values = args.slice(0, n).map((a) => a[1]);
        const rec = new LogRecord('app.db', 20, '/srv/app.py', 7, msg, values, null, 'handler');
        if (extra) Object.assign(rec, { user: 'ann', port: 8080 });
        const template = compileMessage(msg);
        assert.ok(template !== null, `not the common case: ${JSON.stringify(msg)}`);
        const expected = general(rec);
        const at = 1 + (expected.length % 7);
        const end = dumpsRecordInto(rec, template, target, targetView, at, target.length);
        const merged = rec.getMessage();
        const pieces = [...template.lits, ...values.filter((v): v is string => typeof v === 'string')];
        const mustDecline = Buffer.byteLength(merged) <= 3 || pieces.some((p) => LONE_SURROGATE.test(p));
        // the in-process handler's slab path (pickleRecord) takes the same template
        const inSlab = dumpsRecordShared(rec, template);
        if (end === GENERAL) {
          assert.ok(mustDecline, `declined ${JSON.stringify(msg)} % ${JSON.stringify(values)}`);
          assert.equal(inSlab, null, 'the slab path declines the same records, with nothing made');
          declined++;
          return;
        }
        assert.ok(Buffer.isBuffer(inSlab) && inSlab.equals(expected), `slab: ${JSON.stringify(msg)} % ${JSON.stringify(values)}`);
        assert.ok(!mustDecline, `wrote ${JSON.stringify(merged)}`);
        written++;
        assert.deepEqual([...target.subarray(at, end)], [...expected], `${JSON.stringify(msg)} % ${JSON.stringify(values)}`);
        // one byte short anywhere in the message: no room, never a partial frame counted
        assert.equal(dumpsRecordInto(rec, template, target, targetView, at, at + expected.length - 1), NO_ROOM);
      }),
      params(3000),
    );
    assert.ok(written > 1000 && declined > 50, `written ${written}, declined ${declined}`); // about half and half
  });

  test('in place from the template: arguments a getter changed since pendingMerge decline, as does a stale template', () => {
    const rec = new LogRecord('app', 20, '/srv/app.py', 1, 'took %d ms for %s', [5, 'ann'], null, 'main');
    const template = compileMessage(rec.msg as string);
    assert.ok(template !== null);
    const ok = dumpsRecordInto(rec, template, target, targetView, 0, target.length);
    assert.deepEqual([...target.subarray(0, ok)], [...general(rec)]);
    for (const args of [[5], [5, 'ann', 'x'], ['5', 'ann'], [5.5, 'ann'], [5, 7], [2 ** 53, 'ann'], null, { a: 1 }]) {
      rec.args = args;
      assert.equal(dumpsRecordInto(rec, template, target, targetView, 0, target.length), GENERAL, JSON.stringify(args));
      assert.equal(dumpsRecordShared(rec, template), null, JSON.stringify(args));
    }
  });

  test('in the slab from the template: a message larger than the slab grows it, and the frame is exact', () => {
    const rec = new LogRecord('app', 20, '/srv/app.py', 1, 'big %s and %s', ['y'.repeat(100_000), 'é'.repeat(70_000)], null, 'main');
    const template = compileMessage(rec.msg as string);
    assert.ok(template !== null);
    const expected = general(rec);
    const got = dumpsRecordShared(rec, template);
    assert.ok(Buffer.isBuffer(got) && got.equals(expected));
  });

  test('in place: a record that needs the general path says so and a nested call declines', () => {
    const rec = new LogRecord('app', 20, '/srv/app.py', 1, 'hello', null, null, 'main');
    Object.assign(rec, { ctx: { nested: true } });
    assert.equal(dumpsRecordInto(rec, 'hello', target, targetView, 0, target.length), GENERAL);
    const plain = new LogRecord('app', 20, '/srv/app.py', 1, 'hello', null, null, 'main');
    let nested = 0;
    Object.defineProperty(plain, 'user', {
      enumerable: true,
      get: () => ((nested = dumpsRecordInto(plain, 'x', target, targetView, 100_000, target.length)), 'ann'),
    });
    const end = dumpsRecordInto(plain, 'hello', target, targetView, 0, 50_000);
    assert.equal(nested, GENERAL);
    assert.deepEqual([...target.subarray(0, end)], [...general(plain)]);
  });

  test('a standard record takes the fast path, and its frame follows the previous one in the slab', () => {
    const a = new LogRecord('app', 20, '/srv/app.py', 1, 'one %s', ['x'], null, 'main');
    const b = new LogRecord('app', 30, '/srv/app.py', 2, 'two', null, null, 'main');
    // the expected bytes first: the general path pickles into the shared slab too
    const ea = [...general(a)];
    const eb = [...general(b)];
    shared.slab = null; // a fresh slab: the property test above may have left this one nearly full
    shared.used = 0;
    const fa = dumpsRecordShared(a);
    const fb = dumpsRecordShared(b);
    assert.ok(Buffer.isBuffer(fa) && Buffer.isBuffer(fb));
    assert.deepEqual([...fa], ea);
    assert.deepEqual([...fb], eb);
    assert.equal(fa.buffer, fb.buffer);
    assert.equal(fa.byteOffset + fa.length, fb.byteOffset);
    // and the general path's next frame follows it too
    const g = dumpsFramedShared({ k: 1 });
    assert.equal(g.byteOffset, fb.byteOffset + fb.length);
  });

  test('a record with a nested extra, a bigint or a 1-character string declines with the message made once', () => {
    let calls = 0;
    const arg = { toString: () => `v${++calls}` };
    for (const extra of [{ ctx: { user: 1 } }, { num: 5n }, { flag: 'y' }]) {
      const rec = new LogRecord('app', 20, '/srv/app.py', 1, 'value %s', [arg], null, 'main');
      Object.assign(rec, extra);
      const before = calls;
      const got = dumpsRecordShared(rec);
      assert.equal(typeof got, 'string');
      assert.equal(calls, before + 1);
    }
  });

  test('a getter on the record that pickles another record meanwhile does not write into this frame', () => {
    const inner = new LogRecord('inner', 20, '/srv/in.py', 1, 'inner message', null, null, 'main');
    let nested: Buffer | string | null = null;
    const rec = new LogRecord('outer', 20, '/srv/app.py', 1, 'outer message', null, null, 'main');
    Object.defineProperty(rec, 'user', {
      enumerable: true,
      get: () => {
        nested = dumpsRecordShared(inner);
        return 'ann';
      },
    });
    const got = dumpsRecordShared(rec);
    assert.equal(nested, null, 'the nested call declines while the slab is in use');
    assert.ok(Buffer.isBuffer(got));
    const expected = general(rec);
    assert.deepEqual([...got], [...expected]);
  });

  test('a huge message gets a slab of its own and the frame is still exact', () => {
    const rec = new LogRecord('app', 20, '/srv/app.py', 1, 'y'.repeat(300_000), null, null, 'main');
    const got = dumpsRecordShared(rec);
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(got.equals(general(rec)), true);
  });

  test('runs of records: the runs of unchanged values a frame copies from the previous one give the same bytes', () => {
    // Records of one shape whose repeating fields change now and then (name, level, lineno 0/-0, the path sharing,
    // funcName, thread name, an extra that is 0, -0, a string or a 1-character string), each pickled right after the
    // previous one, as a handler does: every frame must still be the general path's.
    const variant = fc.record({
      name: fc.constantFrom('app', 'app.db'),
      level: fc.constantFrom(20, 30),
      lineno: fc.constantFrom(0, -0, 7),
      path: fc.constantFrom('/srv/app.py', 'app.py', 'app', 'noext'),
      func: fc.constantFrom('main', null, 'handler'),
      thread: fc.constantFrom('MainThread', 'Thread-1'),
      user: fc.constantFrom<unknown>(undefined, 'ann', 'bob', 0, -0, 'y', 1.5),
    });
    let hits = 0;
    fc.assert(
      fc.property(fc.array(variant, { minLength: 2, maxLength: 25 }), (vs) => {
        vs.forEach((v, i) => {
          const rec = new LogRecord(v.name, v.level, v.path, v.lineno, 'took %s ms', [String(i)], null, v.func);
          rec.threadName = v.thread;
          if (v.user !== undefined) Object.assign(rec, { user: v.user });
          const expected = general(rec);
          const got = dumpsRecordShared(rec);
          if (!Buffer.isBuffer(got)) {
            assert.equal(v.user, 'y', 'only the 1-character string declines');
            return;
          }
          hits++;
          assert.deepEqual([...got], [...expected], `record ${i} of ${JSON.stringify(vs)}`);
          const end = dumpsRecordInto(rec, rec.getMessage(), target, targetView, 1 + i, target.length);
          assert.deepEqual([...target.subarray(1 + i, end)], [...expected], `in place, record ${i}`);
        });
      }),
      params(400),
    );
    assert.ok(hits > 2000, `only ${hits} frames took the fast path`);
  });
});
