/**
 * Runs contenders in interleaved rounds and prints one table per scenario: median ops/s, the median of the
 * per-round ratios to pino, GCs and heap growth.
 *
 * Every round runs each contender once, starting one place later than the round before, so a contender is not
 * always the one after (or before) an expensive neighbour. The machine is shared and noisy: only medians are shown.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';

/** One library (or reference point) in a scenario. */
export interface Contender {
  /** Shown in the table. */
  readonly name: string;
  /** Calls per round, when it must differ from the scenario's (slow contenders on the disabled path). */
  readonly n?: number;
  /** Untimed preparation, run once before the first round. */
  setup?(n: number): void | Promise<void>;
  /**
   * The timed work: `n` logging calls and, for asynchronous sinks, waiting until everything reached the sink.
   * May return its own elapsed seconds (the CPython child times itself so its start-up is not counted).
   */
  run(n: number): void | number | Promise<void | number>;
  /** Untimed clean-up after the last round. */
  teardown?(): void | Promise<void>;
}

/** A scenario: a title and the contenders, run on the same records. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly n: number;
  readonly contenders: readonly Contender[];
  /** Untimed warm-up calls per contender before round 1 (JIT tiers, file creation). */
  readonly warmup: number;
}

/** The medians of one contender over the rounds. */
export interface Row {
  readonly name: string;
  readonly calls: number;
  readonly opsPerSec: number;
  /** Median over rounds of (this contender's ops/s ÷ pino's in the same round); NaN without a pino row. */
  readonly ratioToPino: number;
  /** Garbage collections during the timed run (median). */
  readonly gcs: number;
  /** heapUsed after the timed run minus before it (after a forced GC): the bytes allocated when gcs is 0. */
  readonly heapDelta: number;
  /** heapUsed after a forced GC following the run, minus before: what the run left behind. */
  readonly retained: number;
  /** False when the contender measured itself in another process (no heap numbers). */
  readonly inProcess: boolean;
  /** ops/s of each round, in round order (for per-round ratios between any two rows). */
  readonly rounds: readonly number[];
}

/** The median over rounds of `a`'s ops/s divided by `b`'s in the same round. */
export function ratio(a: Row, b: Row): number {
  return median(a.rounds.map((x, r) => x / (b.rounds[r] ?? NaN)));
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
observer.observe({ entryTypes: ['gc'] });

async function settle(): Promise<void> {
  await tick();
  await tick();
}

function forceGc(): void {
  if (gc) {
    gc();
    gc();
  }
}

/** The median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface Sample {
  ops: number;
  gcs: number;
  heapDelta: number;
  retained: number;
  self: boolean;
}

async function measure(c: Contender, n: number): Promise<Sample> {
  forceGc();
  await settle(); // the forced GCs' entries arrive now, before the count is reset
  observer.takeRecords();
  gcCount = 0;
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const own = await c.run(n);
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  // Node records a GC's performance entry in a setImmediate after the GC: a synchronous loop sees none until it
  // yields, so let those callbacks run before counting.
  await settle();
  const gcs = gcCount + observer.takeRecords().length;
  forceGc();
  const kept = process.memoryUsage().heapUsed;
  const secs = typeof own === 'number' ? own : (t1 - t0) / 1000;
  return { ops: n / secs, gcs, heapDelta: after - before, retained: kept - before, self: typeof own === 'number' };
}

/**
 * `BENCH_CONTENDERS`: a regular expression; only contenders whose name matches it run (the pino ones always run, as
 * the ratios' denominator). For iterating on one row without the others' minutes.
 */
const CONTENDERS = process.env['BENCH_CONTENDERS'] ? new RegExp(process.env['BENCH_CONTENDERS']) : null;

/** Runs `s` for `rounds` interleaved rounds and returns one row per contender. */
export async function runScenario(s: Scenario, rounds: number): Promise<Row[]> {
  const cs = CONTENDERS === null ? s.contenders : s.contenders.filter((c) => c.name.startsWith('pino') || CONTENDERS.test(c.name));
  for (const c of cs) {
    const n = c.n ?? s.n;
    await c.setup?.(n);
    if (s.warmup > 0) await c.run(Math.min(n, s.warmup));
  }
  const samples: Sample[][] = cs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cs.length; k++) {
      const i = (k + r) % cs.length;
      const c = cs[i] as Contender;
      (samples[i] as Sample[]).push(await measure(c, c.n ?? s.n));
    }
  }
  for (const c of cs) await c.teardown?.();
  const pino = cs.findIndex((c) => c.name.startsWith('pino'));
  return cs.map((c, i) => {
    const mine = samples[i] as Sample[];
    const ratios = mine.map((x, r) => (pino < 0 ? NaN : x.ops / ((samples[pino] as Sample[])[r] as Sample).ops));
    return {
      name: c.name,
      calls: c.n ?? s.n,
      opsPerSec: median(mine.map((x) => x.ops)),
      ratioToPino: median(ratios),
      gcs: median(mine.map((x) => x.gcs)),
      heapDelta: median(mine.map((x) => x.heapDelta)),
      retained: median(mine.map((x) => x.retained)),
      inProcess: !mine.some((x) => x.self),
      rounds: mine.map((x) => x.ops),
    };
  });
}

function bytes(b: number): string {
  const a = Math.abs(b);
  if (a < 1024) return `${Math.round(b)} B`;
  if (a < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

function count(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** The table for one scenario, as Markdown (readable in a terminal, pasteable into the README). */
export function formatTable(s: Scenario, rows: readonly Row[], rounds: number): string {
  const lines = [
    `### ${s.id}. ${s.title}`,
    `(median of ${rounds} interleaved rounds)`,
    '',
    '| contender | calls/round | ops/s | × pino | GCs | heap Δ | retained Δ |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const ratio = Number.isNaN(r.ratioToPino) ? '—' : `${r.ratioToPino.toFixed(2)}×`;
    const heap = r.inProcess ? [String(r.gcs), bytes(r.heapDelta), bytes(r.retained)] : ['—', '—', '—'];
    lines.push(
      `| ${r.name} | ${count(r.calls)} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${ratio} | ${heap.join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
