/**
 * A disk that fills up (issue #17 item 16): every loss is reported with its count, and a record cut short by the
 * full disk never has the next record glued onto it. The child process runs under a soft file-size limit, which
 * makes the kernel stop a write part-way through exactly as a full disk does (EFBIG instead of ENOSPC: the same
 * partial-write path), then the limit is lifted, as when space is freed.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('../fixtures/full-disk-child.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pylogging-full-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  name: string;
  code: string | null;
  dropped: number | null;
  /** The message up to its first colon. */
  head: string;
  cause: string | null;
}

async function run(bufferSize: number): Promise<{ reports: Report[]; text: string }> {
  const path = join(dir, `full-${bufferSize}.log`);
  // 1024 bytes: three 301-byte records fit, the fourth is cut after 121 bytes.
  const p = spawn('prlimit', ['--fsize=1024:unlimited', process.execPath, child, path, String(bufferSize)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const reports: Report[] = [];
  const lines = createInterface({ input: p.stdout });
  for await (const line of lines) {
    if (line === 'full') {
      execFileSync('prlimit', ['--pid', String(p.pid), '--fsize=unlimited:unlimited']);
      p.stdin.end('go\n');
    } else if (line === 'done') {
      break;
    } else {
      reports.push(JSON.parse(line) as Report);
    }
  }
  const [code] = (await once(p, 'exit')) as [number | null];
  assert.equal(code, 0);
  return { reports, text: readFileSync(path, 'utf8') };
}

const record = (i: number): string => `record ${String(i).padStart(3, '0')} ${'x'.repeat(289)}`;

function assertNoGluedLine(text: string): void {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines.slice(0, 3), [record(0), record(1), record(2)]);
  // The cut record stands alone on its line; the records after the space came back are whole.
  assert.equal(lines[3], record(3).slice(0, 121));
  assert.deepEqual(lines.slice(4), [record(10), record(11), record(12)]);
}

describe('a full disk', () => {
  test('unbuffered: each lost record reported once, the cut one ends its own line', async () => {
    const { reports, text } = await run(0);
    assert.equal(reports.length, 7); // records 3 (cut) to 9
    for (const r of reports) assert.equal(r.code, 'EFBIG');
    assertNoGluedLine(text);
  });

  test('bufferSize: one report says how many records the lost buffer held', async () => {
    const { reports, text } = await run(65536);
    assert.deepEqual(reports, [
      { name: 'RecordsDroppedError', code: 'ERR_PYLOGGING_RECORDS_DROPPED', dropped: 7, cause: 'EFBIG', head: '7 records lost from the buffer' },
    ]);
    assertNoGluedLine(text);
  });
});
