/**
 * `npm run bench:targets`: runs the bench several times, one fresh process after another, and prints every target's
 * figure in each run, its spread and in how many runs it held. Issue 18: a speed target is met only when it holds in
 * every one of five runs; the figures of one favourable run are not a claim.
 *
 *   node --expose-gc build/bench/targets.js [--runs=5] [--only=json,floor,queue] [--rounds=5] [--n=200000]
 *                                           [--disabled-n=50000000] [--smoke] [--out-dir=DIR]
 *
 * `--only`, `--rounds`, `--n`, `--disabled-n` and `--smoke` go to each run of build/bench/index.js unchanged; each run
 * writes its targets with `--json-out` (bench/target-list.ts) and its whole output to `run-<k>.md` in `--out-dir`
 * (default: a new directory under the OS temporary directory, kept and named at the end). A report, not a test: the
 * exit code is 0 whatever the targets did, and non-zero only when a run crashed (the runs after it are not started).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundText, shown, type RunReport, type Target } from './target-list.js';

const INDEX = fileURLToPath(new URL('./index.js', import.meta.url));
/** The flags passed through to every run. */
const PASSED = new Set(['only', 'rounds', 'n', 'disabled-n', 'smoke']);

interface Options {
  runs: number;
  passed: string[];
  outDir: string | null;
}

function parseOptions(argv: readonly string[]): Options {
  let runs = 5;
  let outDir: string | null = null;
  const passed: string[] = [];
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const name = m?.[1];
    if (name === 'runs') {
      runs = Number(m?.[2]);
      if (!Number.isInteger(runs) || runs <= 0) throw new RangeError(`--runs must be a positive integer, got ${a}`);
    } else if (name === 'out-dir' && m?.[2]) {
      outDir = m[2];
    } else if (name !== undefined && PASSED.has(name)) {
      passed.push(a);
    } else {
      throw new RangeError(`unknown argument: ${a} (expected --runs=N, --out-dir=DIR, or ${[...PASSED].map((p) => `--${p}`).join(', ')})`);
    }
  }
  return { runs, passed, outDir };
}

/** One finished run. */
interface Run {
  report: RunReport;
  /** Wall time of the whole child process, seconds. */
  seconds: number;
  output: string;
}

const loads = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(' / ');

/** JSON has no NaN: a figure that could not be computed arrives as null. */
const valueOf = (t: Target): number => (typeof t.value === 'number' ? t.value : NaN);

/**
 * The Markdown table, one row per target id (in the order the runs first printed them) and one column per run, and
 * the summary: which targets held in every run.
 */
function formatRuns(runs: readonly RunReport[]): { table: string; summary: string } {
  const first = new Map<string, Target>();
  for (const r of runs) for (const t of r.targets) if (!first.has(t.id)) first.set(t.id, t);
  const n = runs.length;
  const head = ['target', 'bound', ...runs.map((_, k) => `run ${k + 1}`), 'min–max', `met in k of ${n}`];
  const lines = [`| ${head.join(' | ')} |`, `| --- | --- | ${runs.map(() => '---: | ').join('')}---: | :---: |`];
  const held: string[] = [];
  const missed: string[] = [];
  for (const [id, t] of first) {
    const per = runs.map((r) => r.targets.find((x) => x.id === id));
    const values = per.map((x) => (x ? valueOf(x) : NaN)).filter((x) => !Number.isNaN(x));
    const k = per.filter((x) => x?.met === true).length;
    const cells = per.map((x) => (x === undefined ? '—' : `${shown(valueOf(x), x.unit)}${x.met ? '' : ' ✗'}`));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const spread = values.length === 0 ? '—' : lo === hi ? shown(lo, t.unit) : `${shown(lo, t.unit)}–${shown(hi, t.unit)}`;
    lines.push(`| ${id}: ${t.text} | ${boundText(t)} | ${cells.join(' | ')} | ${spread} | ${k} of ${n} |`);
    (k === n ? held : missed).push(k === n ? id : `${id} (${k} of ${n})`);
  }
  const summary = [
    ...(missed.length > 0 ? [`Not in every run: ${missed.join(', ')}.`] : []),
    `Held in every run (${n} of ${n}): ${held.length > 0 ? held.join(', ') : 'none'}.`,
  ];
  return { table: lines.join('\n'), summary: summary.join('\n') };
}

function main(): void {
  const o = parseOptions(process.argv.slice(2));
  const dir = o.outDir ?? mkdtempSync(join(tmpdir(), 'pylogging-bench-targets-'));
  mkdirSync(dir, { recursive: true });
  const done: Run[] = [];
  let crashed: string | null = null;
  for (let k = 1; k <= o.runs; k++) {
    const json = join(dir, `run-${k}.json`);
    const output = join(dir, `run-${k}.md`);
    const args = ['--expose-gc', INDEX, ...o.passed, `--json-out=${json}`];
    process.stderr.write(`run ${k} of ${o.runs}: node ${args.join(' ')} > ${output}\n`);
    const fd = openSync(output, 'w');
    const t0 = performance.now();
    // One after another, each a fresh process: no JIT state, heap or worker threads carried from the run before.
    const child = spawnSync(process.execPath, args, { stdio: ['ignore', fd, 'inherit'] });
    const seconds = (performance.now() - t0) / 1000;
    closeSync(fd);
    if (child.error || child.status !== 0) {
      crashed = `run ${k} crashed (${child.error ? child.error.message : child.signal ? `signal ${child.signal}` : `exit code ${String(child.status)}`}); its output: ${output}`;
      break;
    }
    let report: RunReport;
    try {
      report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    } catch (err) {
      crashed = `run ${k} wrote no readable ${json}: ${String(err)}`;
      break;
    }
    done.push({ report, seconds, output });
  }

  const cpu = done[0]?.report.cpu ?? cpus()[0]?.model ?? 'unknown CPU';
  const node = done[0]?.report.node ?? process.version;
  console.log(`# bench targets: ${done.length} of ${o.runs} runs of \`node --expose-gc build/bench/index.js${o.passed.map((a) => ` ${a}`).join('')}\``);
  console.log(`Node ${node}, ${cpu} × ${cpus().length}, ${new Date().toISOString().slice(0, 10)}. Each figure is one run's median of its rounds;`);
  console.log('✗ marks a run where the target was not met. A target is met only when it holds in every run.\n');
  if (done.length > 0) {
    const { table, summary } = formatRuns(done.map((r) => r.report));
    console.log(`${table}\n`);
    done.forEach((r, i) => {
      const rep = r.report;
      console.log(`run ${i + 1}: load ${loads(rep.start.loadavg)} at start, ${loads(rep.end.loadavg)} at end (1 / 5 / 15 min); ${r.seconds.toFixed(1)} s; ${r.output}`);
    });
    console.log('');
    if (crashed !== null) console.log(`${crashed}\n`);
    console.log(summary);
  } else if (crashed !== null) {
    console.log(crashed);
  }
  if (crashed !== null) process.exitCode = 1;
}

main();
