/**
 * Issue 18: the paths where pylogging trailed. Four rows, each printing its ratio and its target:
 *
 * - `exception`: `log.exception(msg, kw({ exc_info: err }))` against pino's `log.error(err)`, null sink;
 * - `caller`: `%(filename)s:%(lineno)d` from 40 frames deep against log4js with `enableCallStack` (`%f:%l`);
 * - `startup`: a whole `node` process that imports `pylogging/handlers`, logs one line to a FileHandler and exits,
 *   against the same with pino (child processes run alternately; median wall time);
 * - `memory`: heap per `getLogger(name)` against per pino `child()`, over 100k loggers (needs `--expose-gc`).
 *
 * Standalone: `npx tsc -p . && node --expose-gc build/bench/trailing.js [--only=exception,caller,startup,memory]`;
 * bench/index.ts imports `run`.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Formatter, getLogger, kw, StreamHandler, type Logger } from '../src/index.js';
import { NAME, pyLogger, tmpPath } from './common.js';
import { median, ratio, runScenario, type Contender, type Row } from './runner.js';
import { check, formatTargets, type Target } from './target-list.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;
const log4js = require('log4js') as typeof import('log4js');

const nullStream = { write(_s: string): void {} };
const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // the package root (build/bench/ → ../../)

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

// -------------------------------------------------------------------------------------------------- exception

function thrower(depth: number, i: number): never {
  if (depth > 0) thrower(depth - 1, i);
  throw new Error(`connection reset by peer (${i})`);
}

/** Plain errors as a program catches them: thrown 5 frames down, distinct messages. */
function makeErrors(count: number): Error[] {
  const out: Error[] = [];
  for (let i = 0; i < count; i++) {
    try {
      thrower(5, i);
    } catch (err) {
      out.push(err as Error);
    }
  }
  return out;
}

function exceptionContenders(): Contender[] {
  const errors = makeErrors(1000);
  let py: Logger;
  let pn: import('pino').Logger;
  return [
    {
      name: 'pylogging `exception(msg, kw({ exc_info: err }))`',
      setup: () => void (py = pyLogger(new StreamHandler(nullStream))),
      run: (k) => {
        for (let i = 0; i < k; i++) py.exception('request failed', kw({ exc_info: errors[i % 1000] }));
      },
      teardown: () => void pyLogger(null),
    },
    {
      name: 'pino `error(err)`',
      setup: () => void (pn = pino({ level: 'info', base: { name: NAME } }, nullStream)),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.error(errors[i % 1000]);
      },
    },
  ];
}

// ----------------------------------------------------------------------------------------------------- caller

const CALLER_DEPTH = 40;

/** Runs `fn` under `depth` more frames of this module. */
function deep(depth: number, fn: () => void): void {
  if (depth > 0) deep(depth - 1, fn);
  else fn();
}

function callerContenders(): Contender[] {
  let py: Logger;
  let l4: import('log4js').Logger;
  const seen = { n: 0 };
  return [
    {
      name: `pylogging \`%(filename)s:%(lineno)d\`, ${CALLER_DEPTH} frames deep`,
      setup: () => {
        py = pyLogger(new StreamHandler(nullStream));
        py.handlers[0]?.setFormatter(new Formatter('%(filename)s:%(lineno)d %(levelname)s %(name)s: %(message)s'));
      },
      run: (k) =>
        deep(CALLER_DEPTH, () => {
          for (let i = 0; i < k; i++) py.info('query took %d ms', i);
        }),
      teardown: () => void pyLogger(null),
    },
    {
      name: `log4js \`enableCallStack\` \`%f:%l\`, ${CALLER_DEPTH} frames deep`,
      setup: () => {
        log4js.configure({
          appenders: {
            out: {
              type: {
                configure: (_c: unknown, layouts: { patternLayout(p: string): (ev: unknown) => string }) => {
                  const layout = layouts.patternLayout('%f:%l %p %c: %m');
                  return (ev: unknown) => {
                    if (layout(ev).length > 0) seen.n++;
                  };
                },
              },
            } as unknown as import('log4js').Appender,
          },
          categories: { default: { appenders: ['out'], level: 'info', enableCallStack: true } },
        });
        l4 = log4js.getLogger(NAME);
      },
      run: (k) =>
        deep(CALLER_DEPTH, () => {
          for (let i = 0; i < k; i++) l4.info('query took %d ms', i);
        }),
      teardown: () => new Promise<void>((resolve) => log4js.shutdown(() => resolve())),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------- startup

function startupCode(lib: 'pylogging' | 'pino', file: string): string {
  const f = JSON.stringify(file);
  return lib === 'pylogging'
    ? `import { getLogger } from 'pylogging'; import { FileHandler } from 'pylogging/handlers';
       const log = getLogger('app'); log.addHandler(new FileHandler(${f})); log.warning('started');`
    : `import pino from 'pino'; const log = pino(pino.destination({ dest: ${f}, sync: true })); log.warn('started');`;
}

function timeChild(code: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`startup child failed: ${r.stderr.toString()}`);
  return t;
}

/** Median wall time (ms) of `runs` child processes per library, started alternately. */
export function startup(runs: number): { py: number; pino: number; ratios: number } {
  const pyFile = tmpPath('startup-py.log');
  const pnFile = tmpPath('startup-pino.log');
  const py: number[] = [];
  const pn: number[] = [];
  timeChild(startupCode('pylogging', pyFile)); // warm the OS file cache for both
  timeChild(startupCode('pino', pnFile));
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other.
    if (i % 2) {
      pn.push(timeChild(startupCode('pino', pnFile)));
      py.push(timeChild(startupCode('pylogging', pyFile)));
    } else {
      py.push(timeChild(startupCode('pylogging', pyFile)));
      pn.push(timeChild(startupCode('pino', pnFile)));
    }
  }
  return { py: median(py), pino: median(pn), ratios: median(py.map((x, i) => x / (pn[i] as number))) };
}

// ----------------------------------------------------------------------------------------------------- memory

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Bytes per logger: `getLogger('mem<run>.mod<i>')` against pino `child({ module })` kept in an array. */
export function memory(count: number, round: number): { py: number; pino: number } {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(`mem${round}.mod${i}`);
  const keep: unknown[] = new Array<unknown>(count).fill(null);
  const base = heapAfterGc();
  for (let i = 0; i < count; i++) getLogger(names[i]);
  const py = (heapAfterGc() - base) / count;
  const parent = pino({ level: 'info' }, nullStream);
  const base2 = heapAfterGc();
  for (let i = 0; i < count; i++) keep[i] = parent.child({ module: names[i] });
  const pn = (heapAfterGc() - base2) / count;
  keep.length = 0;
  // The loggers stay in the registry (as in CPython): each round uses fresh names.
  return { py, pino: pn };
}

// -------------------------------------------------------------------------------------------------------- run

/** Runs the selected rows (all when `only` is null), prints their tables and returns the target lines. */
export async function run(
  n: number,
  rounds: number,
  only: ReadonlySet<string> | null,
  smoke = false,
): Promise<Target[]> {
  const want = (id: string): boolean => only === null || only.has(id);
  const targets: Target[] = [];
  if (want('exception')) {
    const rows: Row[] = await runScenario(
      { id: 'exception', title: '', n, warmup: Math.min(n, 20_000), contenders: exceptionContenders() },
      rounds,
    );
    const [py, pn] = rows as [Row, Row];
    console.log(`### exception: \`log.exception\` with an Error vs pino \`error(err)\`, null sink (load ${load()})`);
    console.log(`(median of ${rounds} interleaved rounds, ${n} records per round)\n`);
    console.log('| contender | records/s |\n| --- | ---: |');
    for (const r of rows) console.log(`| ${r.name} | ${fmt(r.opsPerSec)} |`);
    const x = ratio(py, pn);
    console.log(`\nexception ÷ pino: ${x.toFixed(2)}× (target ≥ 2×)\n`);
    targets.push(check('exception', 'exception ≥ 2× pino `error(err)`', x, '×', { min: 2 }));
  }
  if (want('caller')) {
    const k = Math.max(1, Math.floor(n / 4));
    const rows: Row[] = await runScenario(
      { id: 'caller', title: '', n: k, warmup: Math.min(k, 10_000), contenders: callerContenders() },
      rounds,
    );
    const [py, l4] = rows as [Row, Row];
    console.log(`### caller: \`%(filename)s:%(lineno)d\` ${CALLER_DEPTH} frames deep vs log4js \`enableCallStack\` (load ${load()})`);
    console.log(`(median of ${rounds} interleaved rounds, ${k} records per round)\n`);
    console.log('| contender | records/s |\n| --- | ---: |');
    for (const r of [py, l4]) console.log(`| ${r.name} | ${fmt(r.opsPerSec)} |`);
    const x = ratio(py, l4);
    console.log(`\ncaller ÷ log4js: ${x.toFixed(2)}× (target ≥ 2×)\n`);
    targets.push(check('caller', `caller info ${CALLER_DEPTH} frames deep ≥ 2× log4js`, x, '×', { min: 2 }));
  }
  if (want('startup')) {
    const runs = smoke ? 2 : 31;
    const s = startup(runs);
    console.log(`### startup: \`node -e\` importing pylogging/handlers, one line to a file, exit, vs pino (load ${load()})`);
    console.log(`(median of ${runs} child processes each, started alternately)\n`);
    console.log(`| contender | wall ms |\n| --- | ---: |\n| pylogging | ${s.py.toFixed(1)} |\n| pino | ${s.pino.toFixed(1)} |`);
    console.log(`\nstartup pylogging ÷ pino: ${s.ratios.toFixed(2)}× the wall time (target ≤ 1.1×)\n`);
    targets.push(check('startup', 'startup ≤ 1.1× pino wall time', s.ratios, '×', { max: 1.1 }));
  }
  if (want('memory')) {
    if (!gc) {
      console.log('### memory: skipped (run with --expose-gc)\n');
    } else {
      const count = smoke ? 1000 : 100_000;
      const per: { py: number; pino: number }[] = [];
      for (let r = 0; r < (smoke ? 1 : 3); r++) per.push(memory(count, r));
      const py = median(per.map((x) => x.py));
      const pn = median(per.map((x) => x.pino));
      console.log(`### memory: heap per logger over ${count} loggers (median of ${per.length}; load ${load()})\n`);
      console.log(`| contender | bytes per logger |\n| --- | ---: |\n| pylogging \`getLogger(name)\` | ${fmt(py)} |\n| pino \`child({ module })\` | ${fmt(pn)} |\n`);
      targets.push(check('memory', '`getLogger` ≤ 400 B per logger', py, 'B', { max: 400 }));
    }
  }
  console.log(formatTargets('Targets (issue 18)', targets));
  return targets;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.find((a) => a.startsWith('--only='));
  const nArg = process.argv.find((a) => a.startsWith('--n='));
  const n = nArg ? Number(nArg.slice(4)) : 200_000;
  const { removeTmp } = await import('./common.js');
  try {
    await run(n, 7, only ? new Set(only.slice(7).split(',')) : null);
  } finally {
    removeTmp();
  }
}
