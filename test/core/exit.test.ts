/**
 * Records accepted by stream and file handlers survive process.exit(), an uncaught exception, an unhandled
 * rejection and a normal exit (child processes, 1000 records each, counted).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('../fixtures/exit-child.js', import.meta.url));
const memoryChild = fileURLToPath(new URL('../fixtures/memory-exit-child.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pylogging-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const endings: [string, number][] = [['natural', 0], ['exit', 3], ['throw', 1], ['reject', 1]];
describe('no record is lost at exit', () => {
  for (const bufferSize of [0, 65536]) {
    for (const [how, code] of endings) {
      test(`${how} (exit code ${code}) with bufferSize=${bufferSize}: 1000 lines in the file and on stdout`, () => {
        const path = join(dir, `${how}-${bufferSize}.log`);
        const r = spawnSync(process.execPath, [child, how, path, '1000', String(bufferSize)], { encoding: 'utf8' });
        assert.equal(r.status, code, r.stderr);
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        assert.equal(lines.length, 1000);
        assert.match(lines[999] as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO child: record 999 of 1000$/);
        assert.equal(r.stdout.split('\n').filter(Boolean).length, 1000);
      });
    }
  }
});

// CPython's atexit shutdown() flushes a MemoryHandler into its target (issue #17 item 11: 500 of 100,500 were lost).
describe('a MemoryHandler\'s buffer reaches its target at exit', () => {
  for (const bufferSize of [0, 65536]) {
    for (const [how, code] of endings) {
      test(`${how} (exit code ${code}), target bufferSize=${bufferSize}: 100,500 of 100,500 records written`, () => {
        const path = join(dir, `memory-${how}-${bufferSize}.log`);
        const r = spawnSync(process.execPath, [memoryChild, how, path, '100500', String(bufferSize)], { encoding: 'utf8' });
        assert.equal(r.status, code, r.stderr);
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        assert.equal(lines.length, 100500);
        assert.equal(lines[100499], 'record 100499');
      });
    }
  }

  test('flushOnClose: false keeps the buffer at exit, as CPython\'s shutdown() does', () => {
    const path = join(dir, 'memory-keep.log');
    const r = spawnSync(process.execPath, [memoryChild, 'natural', path, '1500', '0', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path, 'utf8').split('\n').filter(Boolean).length, 1000);
  });
});
