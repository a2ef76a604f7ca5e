/**
 * QueueHandler into a WorkerQueueListener leaves the message merge to the worker when its format is `%(message)s`
 * alone (the default): the worker's handlers must write exactly what they write when the merge is made on the
 * logging thread, and every other format keeps CPython's prepare() (the merge, and `record.message` set on the way).
 */
import { describe, test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBUG, Formatter, getLogger, kw, LogRecord } from '../../src/index.js';
import { putDeferred, QueueHandler, type PreparedPutQueue } from '../../src/handlers/queue.js';
import { WorkerQueueListener } from '../../src/handlers/worker-listener.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-deferred-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let saved: Saved;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());
let seq = 0;

/** A QueueHandler whose format() is its own: the prepared path, as before the worker could merge. */
class MergingHere extends QueueHandler {
  override format(record: LogRecord): string {
    return super.format(record);
  }
}

const FORMAT = '%(levelname)s|%(name)s|%(msg)s|%(message)s|%(args)s|%(user)s|%(exc_text)s';

/** Logs the same calls through `qh` into a worker FileHandler; returns the file's lines and the records seen. */
async function run(makeHandler: (l: WorkerQueueListener) => QueueHandler): Promise<{ lines: string[]; records: LogRecord[] }> {
  const path = join(dir, `out-${seq++}.log`);
  const listener = new WorkerQueueListener([{ class: 'FileHandler', filename: path, formatter: FORMAT }]);
  const qh = makeHandler(listener);
  qh.listener = listener;
  const records: LogRecord[] = [];
  qh.addFilter({ filter: (r: LogRecord) => (records.push(r), true) });
  const log = getLogger('deferred'); // one name for both runs: the lines compare whole
  log.propagate = false;
  log.setLevel(DEBUG);
  log.addHandler(qh);
  listener.start();
  const extra = kw({ extra: { user: 'ann' } });
  log.info('query took %d ms for user %s', 12, 'alice', extra);
  log.info('query took %d ms for user %s', 13, 'bob', extra);
  log.warning('%s|%d', 'é ✓ 😀', -(2 ** 53 - 1), extra); // (a lone surrogate: the codec's tests; a file refuses it)
  log.info('100%% of %s', 'x'.repeat(300), extra);
  log.info('not deferred: %r and %5d', 'x', 7, extra); // the general merge
  log.info('not deferred: %s', { a: 1 }, extra); // an object argument
  log.info('no arguments at all', extra);
  log.error('failed: %s', 'boom', kw({ exc_info: new Error('x'), extra: { user: 'ann' } }));
  log.info('last %s', 'one', extra);
  await listener.stop();
  log.removeHandler(qh);
  const lines = readFileSync(path, 'utf8').split('\n');
  // exc_text's traceback names this file's lines and columns the same in both runs; only its first line is kept
  return { lines: lines.filter((l) => !l.startsWith('    at ')), records };
}

describe('QueueHandler → WorkerQueueListener with the merge in the worker', () => {
  test('the worker writes byte for byte what it writes when the logging thread merges', async () => {
    const deferred = await run((l) => new QueueHandler(l.queue));
    const merged = await run((l) => new MergingHere(l.queue));
    assert.deepEqual(deferred.lines, merged.lines);
    assert.ok(deferred.lines.some((l) => l.startsWith('INFO|deferred|query took 12 ms for user alice|query took 12 ms')));
    // Which records took the worker's merge: those the logging thread never merged (CPython's prepare() sets
    // `message` on the original). The merging handler set it on every one.
    const merges = (r: { records: LogRecord[] }): boolean[] => r.records.map((x) => Object.hasOwn(x, 'message'));
    assert.deepEqual(merges(deferred), [false, false, false, false, true, true, true, true, false]);
    assert.ok(merges(merged).every(Boolean));
  });

  test("only a plain `%(message)s` format defers; any other format, or a formatter's own format(), merges here", async () => {
    const cases: [string, Formatter | null, boolean][] = [
      ['the default', null, true],
      ["Formatter('%(message)s')", new Formatter('%(message)s'), true],
      ['with defaults', new Formatter('%(message)s', { defaults: { user: 'd' } }), true],
      ["'%(levelname)s %(message)s'", new Formatter('%(levelname)s %(message)s'), false],
      ["'{message}' ('{' style)", new Formatter('{message}', null, '{'), false],
      [
        'a subclass with its own format()',
        new (class extends Formatter {
          override format(r: LogRecord): string {
            return super.format(r).toUpperCase();
          }
        })('%(message)s'),
        false,
      ],
    ];
    for (const [name, formatter, defers] of cases) {
      const listener = new WorkerQueueListener([{ class: 'NullHandler' }]);
      const qh = new QueueHandler(listener.queue);
      if (formatter !== null) qh.setFormatter(formatter);
      const records: LogRecord[] = [];
      qh.addFilter({ filter: (r: LogRecord) => (records.push(r), true) });
      const log = getLogger(`deferred.case${seq++}`);
      log.propagate = false;
      log.addHandler(qh);
      listener.start();
      log.warning('n=%d %s', 1, 'x');
      assert.equal(Object.hasOwn(records[0] as LogRecord, 'message'), !defers, name);
      log.removeHandler(qh);
      await listener.stop();
    }
  });

  test('the queue refuses (false, nothing written) whatever the worker could merge differently', async () => {
    const listener = new WorkerQueueListener([{ class: 'NullHandler' }]);
    const put = (r: LogRecord): boolean => ((listener.queue as unknown as PreparedPutQueue)[putDeferred] as (r: LogRecord) => boolean).call(listener.queue, r);
    const record = (msg: unknown, args: unknown[] | null, extra: Record<string, unknown> = {}): LogRecord =>
      Object.assign(new LogRecord('app', 20, 'app.py', 1, msg, args, null), extra);
    const Sub = class extends LogRecord {
      override getMessage(): string {
        return 'mine';
      }
    };
    const refused: [string, LogRecord][] = [
      ['no args', record('plain', null)],
      ['a mapping', record('%(a)s', [{ a: 1 }])],
      ['a %d of a float', record('%d', [1.5])],
      ['a %d of an unsafe integer', record('%d', [2 ** 53])],
      ['a %s of a number', record('%s', [1])],
      ['a %s of null', record('%s', [null])],
      ['a %r', record('%r', ['x'])],
      ['a flag', record('%5s', ['x'])],
      ['too few args (must raise on the logging thread)', record('%s %s', ['x'])],
      ['too many args', record('%s', ['x', 'y'])],
      ['a message that is not a string', record(42, ['x'])],
      ['exc_info', record('%s', ['x'], { exc_info: new Error('boom') })],
      ['exc_text', record('%s', ['x'], { exc_text: 'Traceback' })],
      ['stack_info', record('%s', ['x'], { stack_info: 'Stack' })],
      ['a record class with its own getMessage', new Sub('n', 20, 'p', 1, '%s', ['x'], null)],
    ];
    for (const [why, r] of refused) assert.equal(put(r), false, why);
    assert.equal(listener.queue.ring.used(), 0);
    assert.equal(put(record('%s and %d', ['x', 1])), true);
    assert.ok(listener.queue.ring.used() > 0);
    listener.start();
    await listener.stop();
  });
});
