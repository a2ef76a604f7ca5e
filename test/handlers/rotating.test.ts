/**
 * RotatingFileHandler: file names and contents compared with CPython's for the same records; rollover edge cases;
 * namer/rotator (gzip); faults.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Formatter, makeLogRecord, type LogRecord } from '../../src/index.js';
import { RotatingFileHandler } from '../../src/handlers/rotating.js';
import { runPython } from '../helpers/python.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pylogging-rot-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rec = (msg: string): LogRecord => makeLogRecord({ name: 'rot', msg, levelname: 'INFO', levelno: 20 });

/** Runs CPython's RotatingFileHandler over `msgs` in `pyDir` and returns {name: content}. */
const PY_ROTATE = `
import json, sys, logging, logging.handlers, os
c = json.load(sys.stdin)
h = logging.handlers.RotatingFileHandler(os.path.join(c['dir'], 'app.log'), mode=c['mode'], maxBytes=c['maxBytes'], backupCount=c['backupCount'], encoding='utf-8', delay=c['delay'])
h.setFormatter(logging.Formatter(c['fmt']))
for m in c['msgs']:
    h.handle(logging.makeLogRecord({'name': 'rot', 'msg': m, 'levelname': 'INFO', 'levelno': 20}))
h.close()
print(json.dumps({n: open(os.path.join(c['dir'], n), encoding='utf-8').read() for n in sorted(os.listdir(c['dir']))}))
`;

function runOurs(d: string, c: { mode: string; maxBytes: number; backupCount: number; delay: boolean; fmt: string; msgs: string[] }): Record<string, string> {
  const h = new RotatingFileHandler(join(d, 'app.log'), { mode: c.mode, maxBytes: c.maxBytes, backupCount: c.backupCount, delay: c.delay });
  h.setFormatter(new Formatter(c.fmt));
  for (const m of c.msgs) h.handle(rec(m));
  void h.close();
  return Object.fromEntries(readdirSync(d).sort().map((n) => [n, readFileSync(join(d, n), 'utf8')]));
}

describe('RotatingFileHandler matches CPython file by file', () => {
  const msgs = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
  const cases = [
    { maxBytes: 1, backupCount: 2, msgs: ['m0', 'm1', 'm2', 'm3'] },
    { maxBytes: 100, backupCount: 3, msgs: msgs(40, (i) => `record number ${i}`) },
    { maxBytes: 20, backupCount: 2, msgs: ['ééééé', 'ééééé', 'ééééé', 'abc'] },
    { maxBytes: 64, backupCount: 0, msgs: msgs(20, (i) => `no backups ${i}`) },
    { maxBytes: 0, backupCount: 5, msgs: msgs(20, (i) => `never rolls ${i}`) },
    { maxBytes: 50, backupCount: 1, msgs: msgs(15, (i) => 'x'.repeat(i * 7)) },
    { maxBytes: 30, backupCount: 4, msgs: msgs(25, (i) => `${'✓'.repeat(i % 5)}😀${i}`) },
  ];
  for (const base of cases) {
    for (const delay of [false, true]) {
      for (const mode of ['a', 'w']) {
        const c = { ...base, delay, mode, fmt: '%(levelname)s %(name)s %(message)s' };
        test(`maxBytes=${c.maxBytes} backupCount=${c.backupCount} delay=${delay} mode=${mode} ${c.msgs.length} records`, () => {
          const pyDir = join(dir, 'py');
          const jsDir = join(dir, 'js');
          mkdirSync(pyDir);
          mkdirSync(jsDir);
          const expected = runPython<Record<string, string>>(PY_ROTATE, { ...c, dir: pyDir });
          assert.deepEqual(runOurs(jsDir, c), expected);
        });
      }
    }
  }
});

describe('RotatingFileHandler', () => {
  test('an empty file never rolls over (gh-116263), nor /dev/null (bpo-45401)', () => {
    const h = new RotatingFileHandler(join(dir, 'e.log'), { maxBytes: 1, backupCount: 1 });
    assert.equal(h.shouldRollover(rec('a long message')), false);
    void h.close();
    const n = new RotatingFileHandler('/dev/null', { maxBytes: 1, backupCount: 1 });
    n.handle(rec('x'));
    assert.equal(n.shouldRollover(rec('y')), false);
    void n.close();
  });

  test('never loses or duplicates a record across many rollovers', async () => {
    const h = new RotatingFileHandler(join(dir, 'n.log'), { maxBytes: 200, backupCount: 1000 });
    for (let i = 0; i < 2000; i++) h.handle(rec(`#${i}`));
    await h.close();
    const seen = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    assert.equal(seen.length, 2000);
    assert.deepEqual(new Set(seen).size, 2000);
  });

  test('namer and rotator gzip the backups (the cookbook recipe)', async () => {
    const h = new RotatingFileHandler(join(dir, 'z.log'), { maxBytes: 40, backupCount: 2 });
    h.namer = (name) => `${name}.gz`;
    h.rotator = (source, dest) => {
      writeFileSync(dest, gzipSync(readFileSync(source)));
      rmSync(source);
    };
    for (let i = 0; i < 6; i++) h.handle(rec(`compressed record ${i}`));
    await h.close();
    assert.deepEqual(readdirSync(dir).sort(), ['z.log', 'z.log.1.gz', 'z.log.2.gz']);
    assert.equal(gunzipSync(readFileSync(join(dir, 'z.log.1.gz'))).toString(), 'compressed record 4\n');
    assert.equal(readFileSync(join(dir, 'z.log'), 'utf8'), 'compressed record 5\n');
  });

  test('invalid options throw naming the value, before any file is touched', () => {
    const p = join(dir, 'bad.log');
    assert.throws(() => new RotatingFileHandler(p, { maxBytes: -1 }), { name: 'RangeError', message: 'maxBytes must be a non-negative integer, got -1' });
    assert.throws(() => new RotatingFileHandler(p, { backupCount: 1.5 }), { name: 'RangeError', message: 'backupCount must be a non-negative integer, got 1.5' });
    assert.throws(() => new RotatingFileHandler(p, { maxBytes: 'big' as unknown as number }), /got big/);
    assert.equal(existsSync(p), false);
  });

  test('a failed rotation goes to handleError and later records are written once the cause is gone', (t) => {
    const p = join(dir, 'f.log');
    const h = new RotatingFileHandler(p, { maxBytes: 10, backupCount: 1 });
    const errors: unknown[] = [];
    t.mock.method(h, 'handleError', (_r: LogRecord, err: unknown) => errors.push(err));
    let fail = true;
    h.rotator = (source, dest) => {
      if (fail) throw Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
      writeFileSync(dest, readFileSync(source));
      rmSync(source);
    };
    h.handle(rec('first record'));
    h.handle(rec('second record')); // rollover fails: reported, record not written
    fail = false;
    h.handle(rec('third record'));
    void h.close();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /EBUSY/);
    assert.equal(readFileSync(`${p}.1`, 'utf8'), 'first record\n');
    assert.equal(readFileSync(p, 'utf8'), 'third record\n');
  });

  test('a full disk (/dev/full) is reported per record and the handler keeps going', (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
    const h = new RotatingFileHandler('/dev/full', { maxBytes: 10, backupCount: 2 });
    const errors: unknown[] = [];
    t.mock.method(h, 'handleError', (_r: LogRecord, err: unknown) => errors.push(err));
    for (let i = 0; i < 3; i++) h.handle(rec(`record ${i}`));
    void h.close();
    assert.deepEqual(errors.map((e) => (e as NodeJS.ErrnoException).code), ['ENOSPC', 'ENOSPC', 'ENOSPC']);
  });

  test('a deleted directory is reported, and writing resumes when it is back', (t) => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const p = join(sub, 'd.log');
    const h = new RotatingFileHandler(p, { maxBytes: 10, backupCount: 1 });
    const errors: unknown[] = [];
    t.mock.method(h, 'handleError', (_r: LogRecord, err: unknown) => errors.push(err));
    h.handle(rec('before removal'));
    rmSync(sub, { recursive: true });
    h.handle(rec('lost: no directory'));
    mkdirSync(sub);
    h.handle(rec('after'));
    void h.close();
    assert.equal(errors.length, 1);
    assert.equal(readFileSync(p, 'utf8'), 'after\n');
  });
});
