/**
 * BufferingHandler and MemoryHandler, checked against CPython: the same sequences of operations run on python3 and
 * here, and after every operation the records the target has received and the buffer length must agree.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRITICAL, DEBUG, ERROR, getLevelName, getLogger, Handler, INFO, makeLogRecord, root, shutdown, WARNING,
  type LogRecord,
} from '../../src/index.js';
import { BufferingHandler, MemoryHandler } from '../../src/handlers/memory.js';
import { runPython } from '../helpers/python.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

type Op =
  | { op: 'log'; level: number; id: number }
  | { op: 'flush' }
  | { op: 'setTarget'; on: boolean }
  | { op: 'close' }
  | { op: 'shutdown' };

interface Sequence {
  name: string;
  capacity: number;
  flushLevel: number;
  flushOnClose: boolean;
  target: boolean;
  /** The target drops records whose id is a multiple of 3 (target filters apply). */
  targetFilter: boolean;
  /** The target's own level: CPython ignores it (Handler.handle does not check it). */
  targetLevel: number;
  ops: Op[];
}

/** After each op: the ids the target has received so far, and `len(buffer)`. */
type Trace = [number[], number][];

// A small deterministic PRNG (mulberry32) so the table is the same on every run.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEVELS = [DEBUG, INFO, WARNING, ERROR, CRITICAL];

function randomSequence(seed: number): Sequence {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const ops: Op[] = [];
  let id = 0;
  const n = 8 + Math.floor(rnd() * 20);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.7) ops.push({ op: 'log', level: pick(LEVELS), id: id++ });
    else if (r < 0.8) ops.push({ op: 'flush' });
    else if (r < 0.9) ops.push({ op: 'setTarget', on: rnd() < 0.6 });
    else if (r < 0.95) ops.push({ op: 'close' });
    else ops.push({ op: 'shutdown' });
  }
  const s: Omit<Sequence, 'name'> = {
    capacity: pick([0, 1, 2, 3, 5, 10, -1]),
    flushLevel: pick([DEBUG, WARNING, ERROR, CRITICAL, 60]),
    flushOnClose: rnd() < 0.5,
    target: rnd() < 0.7,
    targetFilter: rnd() < 0.3,
    targetLevel: pick([0, CRITICAL]),
    ops,
  };
  const kinds = ops.map((o) => (o.op === 'log' ? o.level / 10 : o.op[0])).join('');
  return {
    ...s,
    name: `seed ${seed}: capacity=${s.capacity} flushLevel=${s.flushLevel} flushOnClose=${s.flushOnClose} target=${s.target} filter=${s.targetFilter} ops=${kinds}`,
  };
}

// test_logging.MemoryHandlerTest (3.13): capacity 10, flushLevel WARNING; two lower records stay, a warning flushes
// all three, then the buffer fills to capacity.
const testLoggingSequence: Sequence = {
  name: 'test_logging MemoryHandlerTest: capacity 10, WARNING',
  capacity: 10,
  flushLevel: WARNING,
  flushOnClose: true,
  target: true,
  targetFilter: false,
  targetLevel: 0,
  ops: [
    { op: 'log', level: DEBUG, id: 0 },
    { op: 'log', level: INFO, id: 1 },
    { op: 'log', level: WARNING, id: 2 },
    ...Array.from({ length: 10 }, (_, i): Op => ({ op: 'log', level: DEBUG, id: 3 + i })),
    { op: 'log', level: DEBUG, id: 13 },
    { op: 'close' },
  ],
};

const sequences: Sequence[] = [testLoggingSequence, ...Array.from({ length: 80 }, (_, i) => randomSequence(i + 1))];

const PY = String.raw`
import json, sys, logging, logging.handlers
seqs = json.load(sys.stdin)
out = []
for s in seqs:
    got = []
    class Target(logging.Handler):
        def emit(self, record):
            got.append(record.msg)
    target = Target(s['targetLevel'])
    if s['targetFilter']:
        target.addFilter(lambda r: r.msg % 3 != 0)
    mh = logging.handlers.MemoryHandler(s['capacity'], flushLevel=s['flushLevel'],
                                        target=target if s['target'] else None, flushOnClose=s['flushOnClose'])
    trace = []
    for op in s['ops']:
        k = op['op']
        if k == 'log':
            mh.handle(logging.makeLogRecord({'msg': op['id'], 'levelno': op['level'],
                                             'levelname': logging.getLevelName(op['level'])}))
        elif k == 'flush':
            mh.flush()
        elif k == 'setTarget':
            mh.setTarget(target if op['on'] else None)
        elif k == 'close':
            mh.close()
        elif k == 'shutdown':
            logging.shutdown([lambda: mh])
        trace.append([list(got), len(mh.buffer)])
    out.append(trace)
print(json.dumps(out))
`;

const expected = runPython<Trace[]>(PY, sequences);

class Target extends Handler {
  got: number[] = [];
  override emit(record: LogRecord): void {
    this.got.push(record.msg as number);
  }
}

async function runSequence(s: Sequence): Promise<Trace> {
  const target = new Target(s.targetLevel);
  if (s.targetFilter) target.addFilter((r: LogRecord) => (r.msg as number) % 3 !== 0);
  const mh = new MemoryHandler(s.capacity, {
    flushLevel: s.flushLevel,
    target: s.target ? target : null,
    flushOnClose: s.flushOnClose,
  });
  const trace: Trace = [];
  for (const op of s.ops) {
    if (op.op === 'log') {
      mh.handle(makeLogRecord({ msg: op.id, levelno: op.level, levelname: getLevelName(op.level) }));
    } else if (op.op === 'flush') await mh.flush();
    else if (op.op === 'setTarget') mh.setTarget(op.on ? target : null);
    else if (op.op === 'close') await mh.close();
    else await shutdown([mh]);
    trace.push([[...target.got], mh.buffer.length]);
  }
  return trace;
}

describe('MemoryHandler matches CPython operation by operation', () => {
  sequences.forEach((s, i) => {
    test(s.name, async () => {
      assert.deepEqual(await runSequence(s), expected[i]);
    });
  });
});

describe('MemoryHandler', () => {
  test('a record at flushLevel reaches the target synchronously, before the logging call returns', () => {
    const target = new Target();
    const mh = new MemoryHandler(10, { target });
    const log = getLogger('memory.sync');
    log.propagate = false;
    log.addHandler(mh);
    log.warning('w');
    assert.deepEqual(target.got, []);
    log.error('e');
    assert.deepEqual(target.got, ['w', 'e']);
    log.removeHandler(mh);
  });

  test('defaults: flushLevel ERROR, no target, flushOnClose true; constructor validates', () => {
    const mh = new MemoryHandler(3);
    assert.equal(mh.flushLevel, ERROR);
    assert.equal(mh.target, null);
    assert.equal(mh.flushOnClose, true);
    assert.throws(() => new MemoryHandler(3, { flushLevel: 'NOPE' }), /NOPE/);
    assert.throws(() => new MemoryHandler(Number.NaN), TypeError);
  });

  test('flush() returns the target flush() promise; a rejection from a triggered flush goes to handleError', async () => {
    const target = new Target();
    let flushed = 0;
    target.flush = () => {
      flushed++;
      return flushed === 1 ? Promise.resolve() : Promise.reject(new Error('disk gone'));
    };
    const mh = new MemoryHandler(2, { target });
    const errors: unknown[] = [];
    mh.handleError = (_r, err) => errors.push(err);
    await mh.flush(); // nothing buffered: still asks the target
    assert.equal(flushed, 1);
    mh.handle(makeLogRecord({ msg: 1, levelno: INFO }));
    mh.handle(makeLogRecord({ msg: 2, levelno: INFO })); // full: triggers flush, target.flush rejects
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(target.got, [1, 2]);
    assert.equal((errors[0] as Error).message, 'disk gone');
  });

  test('shutdown() with flushOnClose false leaves the records buffered (root handler list)', async () => {
    const target = new Target();
    const mh = new MemoryHandler(10, { target, flushOnClose: false });
    root.addHandler(mh);
    getLogger('memory.shutdown').warning('kept');
    await shutdown([mh]);
    assert.deepEqual(target.got, []);
    assert.equal(mh.buffer.length, 1);
    assert.equal(mh.target, null);
    root.removeHandler(mh);
  });
});

describe('BufferingHandler', () => {
  test('flush() just empties the buffer; shouldFlush() at capacity; close() flushes', async () => {
    const bh = new BufferingHandler(2);
    bh.handle(makeLogRecord({ msg: 'a' }));
    assert.equal(bh.buffer.length, 1);
    bh.handle(makeLogRecord({ msg: 'b' }));
    assert.equal(bh.buffer.length, 0);
    bh.handle(makeLogRecord({ msg: 'c' }));
    await bh.close();
    assert.equal(bh.buffer.length, 0);
    assert.equal(bh._closed, true);
  });

  test('a subclass overriding shouldFlush()/flush() ports line by line from Python', async () => {
    const batches: string[][] = [];
    class Batcher extends BufferingHandler {
      override shouldFlush(record: LogRecord): boolean {
        return record.msg === 'end' || super.shouldFlush(record);
      }
      override flush(): Promise<void> {
        if (this.buffer.length) batches.push(this.buffer.map((r) => String(r.msg)));
        return super.flush();
      }
    }
    const b = new Batcher(100);
    for (const m of ['a', 'b', 'end', 'c']) b.handle(makeLogRecord({ msg: m }));
    await b.close();
    assert.deepEqual(batches, [['a', 'b', 'end'], ['c']]);
  });

  test('capacity 0 flushes after every record (len(buffer) >= 0), as in CPython', () => {
    const b = new BufferingHandler(0);
    b.handle(makeLogRecord({ msg: 'x' }));
    assert.equal(b.buffer.length, 0);
  });
});

