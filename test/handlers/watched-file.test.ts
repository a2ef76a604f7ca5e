/**
 * WatchedFileHandler: rename and delete between records, as logrotate does.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLogRecord } from '../../src/index.js';
import { WatchedFileHandler } from '../../src/handlers/watched-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pylogging-watch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rec = (msg: string) => makeLogRecord({ name: 'w', msg, levelno: 20, levelname: 'INFO' });

describe('WatchedFileHandler', () => {
  test('a renamed file keeps the old records; new records go to a new file at the path', async () => {
    const p = join(dir, 'app.log');
    const h = new WatchedFileHandler(p);
    h.handle(rec('one'));
    renameSync(p, `${p}.1`);
    h.handle(rec('two'));
    h.handle(rec('three'));
    await h.close();
    assert.equal(readFileSync(`${p}.1`, 'utf8'), 'one\n');
    assert.equal(readFileSync(p, 'utf8'), 'two\nthree\n');
  });

  test('a deleted file is recreated and no record is lost or written to the old file', async () => {
    const p = join(dir, 'app.log');
    const h = new WatchedFileHandler(p);
    for (let round = 0; round < 5; round++) {
      h.handle(rec(`before ${round}`));
      unlinkSync(p);
      h.handle(rec(`after ${round}`));
      assert.equal(readFileSync(p, 'utf8'), `after ${round}\n`);
    }
    await h.close();
  });

  test('with delay the file is opened on the first record; dev/ino follow the open file', async () => {
    const p = join(dir, 'delayed.log');
    const h = new WatchedFileHandler(p, { delay: true });
    assert.equal(h.dev, -1);
    h.handle(rec('x'));
    h.handle(rec('y'));
    assert.notEqual(h.ino, -1);
    await h.close();
    assert.equal(readFileSync(p, 'utf8'), 'x\ny\n');
  });

  test('a failure to reopen is reported and writing resumes once the directory is back', (t) => {
    const sub = join(dir, 'sub');
    const p = join(sub, 'x.log');
    mkdirSync(sub);
    const h = new WatchedFileHandler(p);
    const errors: unknown[] = [];
    t.mock.method(h, 'handleError', (_r: unknown, err: unknown) => errors.push(err));
    h.handle(rec('a'));
    rmSync(sub, { recursive: true });
    h.handle(rec('lost'));
    mkdirSync(sub);
    h.handle(rec('b'));
    void h.close();
    assert.equal(errors.length, 1);
    assert.equal(readFileSync(p, 'utf8'), 'b\n');
  });
});
