/**
 * Keeps `bench/` from rotting: runs the whole bench with a tiny N in a child process and checks that it printed
 * its tables. Never asserts timing (STYLE §7): the numbers of a smoke run mean nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL('../bench/index.js', import.meta.url));
const TARGETS = fileURLToPath(new URL('../bench/targets.js', import.meta.url));

/** Every target id the whole bench checks (bench/target-list.ts), in the order it checks them. */
const ALL_IDS = [
  'disabled', 'disabled-gc', 'sync', 'sync-cpython', 'buffered', 'null', 'json', 'fanout', 'floor',
  'rotating', 'rotating-buffered', 'socket', 'socket-thread', 'syslog', 'http', 'http-batch',
  'exception', 'caller', 'startup', 'memory', 'queue-calls', 'queue-disk', 'queue-calls-warm',
];

test('bench --smoke prints a ratio table for every scenario and the targets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const json = join(dir, 'run.json');
  const { stdout } = await run(process.execPath, ['--expose-gc', BENCH, '--smoke', `--json-out=${json}`], {
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
  // where the floor row's time goes: each stage as a fraction of the floor
  for (const stage of ['a LogRecord', 'Logger → FileHandler', 'the message merge', 'the whole format']) {
    assert.match(stdout, new RegExp(`^\\+ ${stage}[^\\n]*: \\d+% of the floor$`, 'm'));
  }
  // the rows added by the handler issues: rotation, socket, syslog, HTTP, queue
  for (const name of ['RotatingFileHandler', 'SocketHandler', 'SysLogHandler', 'HTTPHandler', 'QueueHandler']) {
    assert.ok(stdout.includes(name), `no ${name} row in the bench output`);
  }
  // --json-out: every target, each printed from the same entry
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.node, process.version);
  assert.equal(report.start.loadavg.length, 3);
  assert.equal(report.end.loadavg.length, 3);
  assert.deepEqual(report.targets.map((x: { id: string }) => x.id), ALL_IDS);
  for (const x of report.targets) {
    assert.ok(['×', '%', 'B', 'yes/no'].includes(x.unit), `unit of ${x.id}: ${x.unit}`);
    assert.equal(typeof x.met, 'boolean');
    assert.ok(typeof x.min === 'number' || typeof x.max === 'number', `${x.id} has no bound`);
    assert.ok(stdout.includes(x.text), `${x.id}'s text is not in the output: ${x.text}`);
  }
  assert.match(stdout, /^SocketHandler\(\{ thread: true \}\) ≥ 1\.2× pino-socket as pino\.transport \(issue 18\): \d+\.\d\d× → (met|NOT met)$/m);
  assert.match(stdout, /^QueueHandler → worker FileHandler calls\/s ≥ 1\.2× pino\.transport \(issue 18\): \d+\.\d\d× → (met|NOT met)$/m);
  // where the queue row's CPU went, thread by thread (Linux: /proc/self/task/*/schedstat)
  if (existsSync('/proc/self/schedstat')) {
    for (const row of ['pylogging, fresh worker, default ring', 'pino.transport, fresh worker', 'pylogging, worker running', 'pino.transport, worker running']) {
      assert.match(stdout, new RegExp(`^\\| ${row} \\| [\\d,]+ \\| \\d+ ns \\| \\d+ ns \\| \\d+ ns \\| \\d+ ns \\|$`, 'm'));
    }
  }
});

test('bench refuses an unknown argument or scenario instead of running nothing', async () => {
  for (const [arg, message] of [
    ['--only=json,flor', /--only: unknown scenario 'flor' \(expected disabled, sync, /],
    ['--round=3', /unknown argument: --round=3 \(expected --smoke, --n, --rounds/],
  ] as const) {
    await assert.rejects(run(process.execPath, [BENCH, '--smoke', arg], { timeout: 30_000 }), (err: { code?: number; stderr?: string }) => {
      assert.notEqual(err.code, 0);
      assert.match(err.stderr ?? '', message);
      return true;
    });
  }
});

test('bench/targets.js runs the bench twice and tabulates each target over the runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-bench-targets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const only = 'disabled,json,floor,exception,queue';
  const { stdout } = await run(process.execPath, [TARGETS, '--runs=2', '--smoke', `--only=${only}`, `--out-dir=${dir}`], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.match(stdout, /^\| target \| bound \| run 1 \| run 2 \| min–max \| met in k of 2 \|$/m);
  const ids = ['disabled', 'disabled-gc', 'json', 'floor', 'exception', 'queue-calls', 'queue-disk', 'queue-calls-warm'];
  const rows = stdout.split('\n').filter((l) => /^\| [a-z-]+: /.test(l));
  assert.deepEqual(rows.map((l) => /^\| ([a-z-]+): /.exec(l)?.[1]), ids);
  for (const row of rows) {
    const cells = row.split(' | ');
    assert.equal(cells.length, 6, row); // target, bound, run 1, run 2, min–max, met in
    assert.match(cells[1] as string, /^(≥|≤) \S+$|^yes$/, row);
    const met = /^(\d) of 2 \|$/.exec(cells[5] as string);
    assert.ok(met, row);
    // a run's cell carries ✗ exactly when that run missed the target
    assert.equal(cells.slice(2, 4).filter((c) => !c.endsWith(' ✗')).length, Number(met[1]), row);
  }
  assert.match(stdout, /^\| floor: sync FileHandler ≥ 70% of the writeSync floor \(issue 18\) \| ≥ 70% \| \d+%( ✗)? \| \d+%( ✗)? \| /m);
  assert.match(stdout, /^run 1: load \d+\.\d\d \/ \d+\.\d\d \/ \d+\.\d\d at start, .* at end \(1 \/ 5 \/ 15 min\); \d+\.\d s; /m);
  assert.match(stdout, /^run 2: load /m);
  const last = stdout.trimEnd().split('\n').at(-1) as string;
  assert.match(last, /^Held in every run \(2 of 2\): /);
  // each run's whole output and JSON are kept
  for (const k of [1, 2]) {
    assert.match(readFileSync(join(dir, `run-${k}.md`), 'utf8'), /^### Targets \(issue 4\)$/m);
    const report = JSON.parse(readFileSync(join(dir, `run-${k}.json`), 'utf8'));
    assert.deepEqual(report.targets.map((x: { id: string }) => x.id), ids);
  }
});

test('bench/targets.js exits non-zero when a run crashes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-bench-targets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // --n=0 makes bench/index.js refuse its arguments: the first run fails, the second is not started
  const child = run(process.execPath, [TARGETS, '--runs=2', '--smoke', '--n=0', `--out-dir=${dir}`], { timeout: 60_000 });
  await assert.rejects(child, (err: { code?: number; stdout?: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stdout ?? '', /^run 1 crashed \(exit code 1\); its output: /m);
    assert.doesNotMatch(err.stdout ?? '', /run 2/);
    return true;
  });
});
