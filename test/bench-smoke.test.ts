/**
 * Keeps `bench/` from rotting: runs the whole bench with a tiny N in a child process and checks that it printed
 * its tables. Never asserts timing (STYLE §7): the numbers of a smoke run mean nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL('../bench/index.js', import.meta.url));

test('bench --smoke prints a ratio table for every scenario and the targets', async () => {
  const { stdout } = await run(process.execPath, ['--expose-gc', BENCH, '--smoke'], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const id of ['1', '2+5', '3', '4', 'fanout', 'fanout-file', 'floor']) assert.match(stdout, new RegExp(`^### ${id.replace('+', '\\+')}\\. `, 'm'));
  assert.match(stdout, /^\| contender \| calls\/round \| ops\/s \| × pino \| GCs \| heap Δ \| retained Δ \|$/m);
  // every scenario has a pylogging row and a pino row with a ratio (pino's own is 1.00×)
  const core = stdout.slice(0, stdout.indexOf('### Targets (issue 4)'));
  const rows = core.split('\n').filter((l) => /^\| (pylogging|pino)/.test(l));
  assert.ok(rows.length >= 8, `expected pylogging and pino rows in 4 scenarios, got:\n${rows.join('\n')}`);
  for (const row of rows) assert.match(row, /\| \d+\.\d\d× \|/);
  assert.match(stdout, /^\| pino[^|]*\| [^|]+\| [^|]+\| 1\.00× \|/m);
  assert.match(stdout, /^### Targets \(issue 4\)$/m);
  assert.match(stdout, /^\| sync file ≥ 4× CPython \| \d+\.\d\d× \|/m);
  // issue 18's rows print their targets too
  assert.match(stdout, /^\| 8 handlers, one Formatter ≥ 1\.0× pino\.multistream, null sinks \(issue 18\) \| \d+\.\d\d× \|/m);
  assert.match(stdout, /^\| sync FileHandler ≥ 70% of the writeSync floor \(issue 18\) \| \d+% \|/m);
  // the rows added by the handler issues: rotation, socket, syslog, HTTP, queue
  for (const name of ['RotatingFileHandler', 'SocketHandler', 'SysLogHandler', 'HTTPHandler', 'QueueHandler']) {
    assert.ok(stdout.includes(name), `no ${name} row in the bench output`);
  }
});
