/**
 * `npm run bench`: pylogging against pino, winston, log4js and CPython on the same records, in one process.
 *
 *   node --expose-gc build/bench/index.js [--smoke] [--n=200000] [--rounds=5] [--disabled-n=50000000]
 *                                         [--only=disabled,sync,buffered,null,rotating,network,queue,context,json,
 *                                                  fanout,fanout-file,floor,floor-stages,exception,caller,startup,memory]
 *                                         [--json-out=FILE]
 *
 * Every target a scenario checks (`json`, `floor`, `queue-calls`, `socket-thread`, …) is one entry of a structured
 * list (bench/target-list.ts) from which the tables print; `--json-out=FILE` writes that list with the load average
 * at the start and end of the run. One run is not a claim (issue 18: a target is met only when it holds in every
 * one of five runs): `npm run bench:targets` (bench/targets.ts) runs this file five times in fresh processes and
 * prints each target's spread, the load of each run, and "met in k of 5".
 *
 * Environment: BENCH_N, BENCH_ROUNDS, BENCH_DISABLED_N (flags win); BENCH_CONTENDERS, a regular expression that keeps
 * only the matching contenders (and the pino ones) of each scenario. `--smoke` runs every scenario with a tiny N in a
 * few seconds, to keep the bench from rotting (test/bench-smoke.test.ts); its numbers mean nothing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  BUFFER_SIZE,
  bufferedFileContenders,
  disabledContenders,
  nullSinkContenders,
  syncFileContenders,
} from './contenders.js';
import { removeTmp } from './common.js';
import { jsonFileContenders } from './json.js';
import { FAN_OUT, fanOutContenders } from './multi.js';
import { cpythonContender, floorContender, floorFileContenders } from './reference.js';
import { floorStageContenders } from './floor-stages.js';
import { formatTable, ratio, runScenario, type Contender, type Row, type Scenario } from './runner.js';
import { run as runNetwork } from './network.js';
import { run as runRotating } from './rotating.js';
import { run as runContext } from './context.js';
import { run as runTrailing } from './trailing.js';
import type { QueueResult } from './queue.js';
import { check, formatTargetLine, formatTargets, type RunReport, type Target } from './target-list.js';

interface Options {
  smoke: boolean;
  n: number;
  rounds: number;
  disabledN: number;
  only: Set<string> | null;
  /** `--json-out=FILE`: where to write the run's {@link RunReport}. */
  jsonOut: string | null;
}

function positive(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const x = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(x) || x <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return x;
}

/** What `--only` may name: the scenarios, in the order they run. */
const SCENARIOS = [
  'disabled', 'sync', 'buffered', 'null', 'json', 'fanout', 'fanout-file', 'floor', 'floor-stages', 'rotating', 'network',
  'context', 'exception', 'caller', 'startup', 'memory', 'queue',
] as const;
const FLAGS = new Set(['smoke', 'n', 'rounds', 'disabled-n', 'only', 'json-out']);

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m || !FLAGS.has(m[1] as string)) throw new RangeError(`unknown argument: ${a} (expected ${[...FLAGS].map((f) => `--${f}`).join(', ')})`);
    flags.set(m[1] as string, m[2] ?? 'true');
  }
  const smoke = flags.get('smoke') === 'true';
  const env = process.env;
  const n = positive(flags.get('n'), '--n') ?? positive(env['BENCH_N'], 'BENCH_N') ?? (smoke ? 300 : 200_000);
  const rounds =
    positive(flags.get('rounds'), '--rounds') ?? positive(env['BENCH_ROUNDS'], 'BENCH_ROUNDS') ?? (smoke ? 2 : 7);
  const disabledN =
    positive(flags.get('disabled-n'), '--disabled-n') ??
    positive(env['BENCH_DISABLED_N'], 'BENCH_DISABLED_N') ??
    (smoke ? 20_000 : 50_000_000);
  const only = flags.has('only') ? new Set((flags.get('only') as string).split(',')) : null;
  // A misspelt scenario would run nothing and print an empty table: refuse it.
  for (const id of only ?? []) {
    if (!(SCENARIOS as readonly string[]).includes(id)) throw new RangeError(`--only: unknown scenario '${id}' (expected ${SCENARIOS.join(', ')})`);
  }
  const jsonOut = flags.get('json-out') ?? null;
  if (jsonOut === 'true' || jsonOut === '') throw new RangeError('--json-out needs a file: --json-out=FILE');
  return { smoke, n, rounds, disabledN, only, jsonOut };
}

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = loadavg();
  const o = parseOptions(process.argv.slice(2));
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const warmup = o.smoke ? 50 : Math.min(o.n, 20_000);
  const scenarios: Scenario[] = [];
  const want = (id: string): boolean => o.only === null || o.only.has(id);
  if (want('disabled')) {
    scenarios.push({
      id: '1',
      title: 'disabled `debug(msg, i, user)` (level INFO)',
      n: o.disabledN,
      warmup: o.smoke ? 1000 : 1_000_000,
      contenders: disabledContenders(o.disabledN),
    });
  }
  if (want('sync')) {
    const extra = [cpythonContender(o.n), floorContender()].filter((c): c is Contender => c !== null);
    scenarios.push({
      id: '2+5',
      title: 'enabled `info` → file, synchronous (each line with the OS when the call returns); CPython and the floor',
      n: o.n,
      warmup,
      contenders: [...syncFileContenders(o.n), ...extra],
    });
  }
  if (want('buffered')) {
    scenarios.push({
      id: '3',
      title: `enabled \`info\` → file, buffered (pylogging bufferSize ${BUFFER_SIZE / 1024} KiB); timed until the bytes are in the file`,
      n: o.n,
      warmup,
      contenders: bufferedFileContenders(o.n),
    });
  }
  if (want('null')) {
    scenarios.push({
      id: '4',
      title: 'enabled `info` → null sink (formatting only)',
      n: o.n,
      warmup,
      contenders: nullSinkContenders(o.n),
    });
  }

  if (want('json')) {
    scenarios.push({
      id: 'json',
      title: 'enabled `info` → file as JSON lines, synchronous: FileHandler + JsonFormatter vs pino (same fields)',
      n: o.n,
      warmup,
      contenders: jsonFileContenders(),
    });
  }

  if (want('fanout')) {
    scenarios.push({
      id: 'fanout',
      title: `enabled \`info\` → ${FAN_OUT} handlers sharing one Formatter vs pino.multistream with ${FAN_OUT} streams, null sinks (issue 18)`,
      n: o.n,
      warmup,
      contenders: fanOutContenders('null'),
    });
  }
  if (want('fanout-file')) {
    scenarios.push({
      id: 'fanout-file',
      title: `enabled \`info\` → ${FAN_OUT} FileHandlers sharing one Formatter vs pino.multistream with ${FAN_OUT} sync destinations (issue 18)`,
      n: Math.max(1, Math.floor(o.n / FAN_OUT)),
      warmup: Math.max(1, Math.floor(warmup / FAN_OUT)),
      contenders: fanOutContenders('file'),
    });
  }
  if (want('floor-stages')) {
    scenarios.push({
      id: 'floor-stages',
      title: "where the synchronous FileHandler's time goes: the floor, then each stage of a logging call before the same write (issue 18)",
      n: o.n,
      warmup,
      contenders: floorStageContenders(),
    });
  }
  if (want('floor')) {
    scenarios.push({
      id: 'floor',
      title: 'synchronous FileHandler vs the floor: one `fs.writeSync` per preformatted line of the same text (issue 18)',
      n: o.n,
      warmup,
      contenders: floorFileContenders(),
    });
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `# pylogging bench — Node ${process.version}, ${cpu} × ${cpus().length}, ${new Date().toISOString().slice(0, 10)}` +
      `${o.smoke ? ' (SMOKE: tiny N, numbers meaningless)' : ''}`,
  );
  console.log(`N=${o.n} (disabled: ${o.disabledN}), ${o.rounds} rounds${gcExposed ? '' : ' (run with --expose-gc for exact heap numbers)'}\n`);

  const targets: Target[] = [];
  const find = (rows: readonly Row[], prefix: string): Row | undefined => rows.find((r) => r.name.startsWith(prefix));
  try {
    for (const s of scenarios) {
      const rows = await runScenario(s, o.rounds);
      console.log(`${formatTable(s, rows, o.rounds)}\n`);
      if (s.id === 'floor-stages') {
        const floor = rows[0];
        if (floor) for (const r of rows.slice(1)) console.log(`${r.name}: ${(100 * ratio(r, floor)).toFixed(0)}% of the floor`);
        console.log('');
        continue;
      }
      if (s.id === 'floor') {
        // No pino row here (so the row's name does not start with "pylogging": every such row has a × pino ratio).
        const fh = find(rows, 'FileHandler');
        const floor = find(rows, 'floor');
        if (fh && floor) targets.push(check('floor', 'sync FileHandler ≥ 70% of the writeSync floor (issue 18)', ratio(fh, floor), '%', { min: 0.7 }));
        continue;
      }
      const py = find(rows, 'pylogging');
      const pino = find(rows, 'pino');
      if (!py || !pino) continue;
      if (s.id === '1') {
        targets.push(check('disabled', 'disabled ≥ 1.0× pino', ratio(py, pino), '×', { min: 1.0 }));
        targets.push(check('disabled-gc', `disabled: GCs during ${py.calls} calls = 0`, py.gcs === 0 ? 1 : 0, 'yes/no', { min: 1 }));
      } else if (s.id === '2+5') {
        targets.push(check('sync', 'sync file ≥ 1.2× pino sync', ratio(py, pino), '×', { min: 1.2 }));
        const cp = find(rows, 'CPython');
        if (cp) targets.push(check('sync-cpython', 'sync file ≥ 4× CPython', ratio(py, cp), '×', { min: 4 }));
        const floor = find(rows, 'floor');
        if (floor) console.log(`(pylogging sync reaches ${(100 * ratio(py, floor)).toFixed(0)}% of the writeSync floor)\n`);
      } else if (s.id === '3') {
        targets.push(check('buffered', 'buffered file ≥ 1.5× pino async', ratio(py, pino), '×', { min: 1.5 }));
      } else if (s.id === '4') {
        targets.push(check('null', 'null sink ≥ 1.5× pino', ratio(py, pino), '×', { min: 1.5 }));
      } else if (s.id === 'fanout') {
        targets.push(check('fanout', `${FAN_OUT} handlers, one Formatter ≥ 1.0× pino.multistream, null sinks (issue 18)`, ratio(py, pino), '×', { min: 1.0 }));
      } else if (s.id === 'json') {
        targets.push(check('json', 'JSON lines to a file ≥ 1.3× pino sync (issue 15)', ratio(py, pino), '×', { min: 1.3 }));
      }
    }
  } finally {
    removeTmp();
  }

  console.log(formatTargets('Targets (issue 4)', targets));

  // Rows added by the handler issues: rotation (issue 5), socket/syslog/HTTP (issues 6–8).
  if (want('rotating')) targets.push(...(await runRotating(o.smoke ? 300 : Math.min(o.n, 100_000), o.smoke ? 1 : 5)).targets);
  if (want('network')) targets.push(...(await runNetwork(o.smoke ? 300 : o.n, o.smoke ? 1 : 5, false, null, o.smoke ? 20_000 : 1_000_000)).targets);

  // Issue 15: pylogging/context off and on, against pino with an AsyncLocalStorage mixin.
  if (want('context')) await runContext(o.smoke ? 300 : o.n, o.smoke ? 1 : 5);

  // Issue 18: exceptions, caller info, start-up and memory per logger (bench/trailing.ts).
  const trailing = ['exception', 'caller', 'startup', 'memory'].filter(want);
  if (trailing.length > 0) {
    try {
      targets.push(...(await runTrailing(o.smoke ? 300 : o.n, o.smoke ? 2 : o.rounds, new Set(trailing), o.smoke)));
    } finally {
      removeTmp();
    }
  }

  // bench/queue.ts belongs to the queue handler issue; run it when it exists.
  const queueModule = './queue.js';
  let queue: typeof import('./queue.js') | null = null;
  try {
    queue = (await import(queueModule)) as typeof import('./queue.js');
  } catch (err) {
    // Only "queue.js itself is absent" is expected; a missing import inside it is a real failure.
    const own = fileURLToPath(new URL(queueModule, import.meta.url));
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String(err).includes(own)) throw err;
  }
  if (queue && want('queue')) {
    console.log('### queue: QueueHandler → worker FileHandler vs pino.transport (bench/queue.ts)\n');
    let result: QueueResult;
    try {
      result = await queue.run(o.n, o.smoke ? 1 : 5);
    } catch (err) {
      // A Worker inherits execArgv, and Node refuses `--expose-gc` there: run it in a child without our flags.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
      const child = spawnSync(process.execPath, [fileURLToPath(new URL(queueModule, import.meta.url)), String(o.n), String(o.smoke ? 1 : 5)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (child.status !== 0) throw new Error(`bench/queue.js exited with ${String(child.status)}`);
      result = JSON.parse(child.stdout) as QueueResult;
    }
    console.log(`\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`\n`);
    const threads = queue.queueThreadsTable(result);
    if (threads !== '') console.log(`Where the CPU went while the calls were timed, per call:\n\n${threads}\n`);
    const checked = queue.queueTargets(result);
    for (const t of checked) console.log(formatTargetLine(t));
    console.log('');
    targets.push(...checked);
  }

  if (o.jsonOut !== null) {
    const report: RunReport = {
      node: process.version,
      cpu,
      cpus: cpus().length,
      argv: process.argv.slice(2),
      start: { time: started.toISOString(), loadavg: startLoad },
      end: { time: new Date().toISOString(), loadavg: loadavg() },
      targets,
    };
    writeFileSync(o.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
