/**
 * QueueHandler → WorkerQueueListener → FileHandler (in the worker) against pino.transport({ target: 'pino/file' }):
 * records per second on the logging thread, and the time until every record is in the file (stop()/end() included).
 *
 * Standalone: `npx tsc -p . && node build/bench/queue.js [n]`; the main bench imports `run(n)`.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { getLogger, INFO } from '../src/index.js';
import { QueueHandler } from '../src/handlers/queue.js';
import { WorkerQueueListener } from '../src/handlers/worker-listener.js';
import { endTransport } from './common.js';
import { check, type Target } from './target-list.js';
import { burstThreads, taskIds, taskTimes, type BurstThreads } from './thread-times.js';

interface Figures {
  /** Logging calls per second on the logging thread. */
  callsPerSec: number;
  /** Milliseconds from the first call until every record was in the file. */
  untilOnDiskMs: number;
  lines: number;
  /** Where the CPU went while the calls were timed, per call (null off Linux). */
  threads: BurstThreads | null;
}

/**
 * Lets the previous round's worker finish exiting (its heap and ring are freed on other threads) before the clock
 * starts, for both contenders alike.
 */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

const countLines = (path: string): number => {
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/**
 * pylogging's contender: a listener whose worker writes `path` with a buffered FileHandler (`bufferSize`: the
 * ring).
 */
const fileListener = (path: string, bufferSize?: number): WorkerQueueListener =>
  new WorkerQueueListener(
    [{ class: 'FileHandler', filename: path, bufferSize: 65536, formatter: '%(asctime)s %(levelname)s %(name)s: %(message)s' }],
    bufferSize === undefined ? {} : { bufferSize },
  );

async function ours(n: number, path: string, bufferSize: number): Promise<Figures> {
  const before = taskIds();
  const listener = fileListener(path, bufferSize);
  const qh = new QueueHandler(listener.queue);
  qh.listener = listener;
  const log = getLogger(`bench.queue.${bufferSize}`);
  log.propagate = false;
  log.setLevel(INFO);
  log.addHandler(qh);
  listener.start();
  await listener.ready(); // boot time is not counted, as pino's 'ready' below
  await settle();
  const workers = newThreads(before);
  const s0 = taskTimes();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) log.info('record %d of %s', i, 'bench');
  const t1 = performance.now();
  const threads = burstThreads(s0, taskTimes(), workers, n);
  await listener.stop();
  const t2 = performance.now();
  log.removeHandler(qh);
  return { callsPerSec: n / ((t1 - t0) / 1000), untilOnDiskMs: t2 - t0, lines: countLines(path), threads };
}

async function rival(n: number, path: string): Promise<Figures> {
  const before = taskIds();
  const transport = pino.transport({ target: 'pino/file', options: { destination: path } });
  await once(transport, 'ready');
  const logger = pino({ name: 'bench.queue' }, transport);
  await settle();
  const workers = newThreads(before);
  const s0 = taskTimes();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) logger.info('record %d of %s', i, 'bench');
  const t1 = performance.now();
  const threads = burstThreads(s0, taskTimes(), workers, n);
  await endTransport(transport);
  const t2 = performance.now();
  return { callsPerSec: n / ((t1 - t0) / 1000), untilOnDiskMs: t2 - t0, lines: countLines(path), threads };
}

const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** The threads that appeared since `before`: the worker a contender just started. */
const newThreads = (before: ReadonlySet<string>): Set<string> => new Set([...taskIds()].filter((id) => !before.has(id)));

/** Each thread figure's median over rounds (null when a round has none: not Linux). */
function threadsMedian(ts: readonly (BurstThreads | null)[]): BurstThreads | null {
  if (ts.length === 0 || ts.some((t) => t === null)) return null;
  const all = ts as readonly BurstThreads[];
  const of = (k: keyof BurstThreads): number => Math.round(med(all.map((t) => t[k])));
  return { mainCpu: of('mainCpu'), mainWait: of('mainWait'), workerCpu: of('workerCpu'), otherCpu: of('otherCpu') };
}

/** The median of each figure over rounds (lines: the fewest, so a lost record shows). */
const medianOf = (fs: Figures[]): Figures => ({
  callsPerSec: med(fs.map((f) => f.callsPerSec)),
  untilOnDiskMs: med(fs.map((f) => f.untilOnDiskMs)),
  lines: Math.min(...fs.map((f) => f.lines)),
  threads: threadsMedian(fs.map((f) => f.threads)),
});

/** A contender set up once and kept across rounds (a running service's logger): see {@link runWarm}. */
interface Kept {
  log(n: number): void;
  /** Resolves once its worker has taken everything logged so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Its worker thread(s). */
  workers: Set<string>;
}

async function keptOurs(path: string): Promise<Kept> {
  const before = taskIds();
  const listener = fileListener(path);
  const qh = new QueueHandler(listener.queue);
  qh.listener = listener;
  const log = getLogger('bench.queue.kept');
  log.propagate = false;
  log.setLevel(INFO);
  log.addHandler(qh);
  listener.start();
  await listener.ready();
  return {
    log: (n) => {
      for (let i = 0; i < n; i++) log.info('record %d of %s', i, 'bench');
    },
    flush: () => listener.flush(),
    close: async () => {
      await listener.stop();
      log.removeHandler(qh);
    },
    workers: newThreads(before),
  };
}

async function keptRival(path: string): Promise<Kept> {
  const before = taskIds();
  const transport = pino.transport({ target: 'pino/file', options: { destination: path } });
  await once(transport, 'ready');
  const logger = pino({ name: 'bench.queue' }, transport);
  return {
    log: (n) => {
      for (let i = 0; i < n; i++) logger.info('record %d of %s', i, 'bench');
    },
    // pino.flush() resolves once thread-stream's worker has read everything written so far.
    flush: () => new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve()))),
    close: () => endTransport(transport),
    workers: newThreads(before),
  };
}

/** One timed burst into a kept contender; its worker then catches up (not timed) before the next one. */
async function burst(c: Kept, n: number): Promise<{ callsPerSec: number; threads: BurstThreads | null }> {
  await settle();
  const s0 = taskTimes();
  const t0 = performance.now();
  c.log(n);
  const t1 = performance.now();
  const threads = burstThreads(s0, taskTimes(), c.workers, n);
  await c.flush();
  return { callsPerSec: n / ((t1 - t0) / 1000), threads };
}

/** What {@link runWarm} measures for one contender: medians over rounds. */
export interface WarmFigures {
  callsPerSec: number;
  threads: BurstThreads | null;
}

/**
 * The same burst into a listener (or transport) that has been running: each contender is started once, warmed with
 * `warm` records, then `rounds` interleaved bursts of `n`, each after its worker caught up with the last. This is
 * what a service that has been up for a while sees; the rounds of {@link run} start a fresh worker each time, whose
 * code V8 compiles while the burst is timed.
 */
async function runWarm(n: number, rounds: number, warm: number, file: () => string): Promise<{ pylogging: WarmFigures; pino: WarmFigures; ratio: number }> {
  const mine = await keptOurs(file());
  const theirs = await keptRival(file());
  try {
    for (const c of [mine, theirs]) {
      c.log(warm);
      await c.flush();
    }
    const ms: WarmFigures[] = [];
    const ps: WarmFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        ms.push(await burst(mine, n));
        ps.push(await burst(theirs, n));
      } else {
        ps.push(await burst(theirs, n));
        ms.push(await burst(mine, n));
      }
    }
    const medianOfWarm = (xs: WarmFigures[]): WarmFigures => ({
      callsPerSec: med(xs.map((x) => x.callsPerSec)),
      threads: threadsMedian(xs.map((x) => x.threads)),
    });
    return {
      pylogging: medianOfWarm(ms),
      pino: medianOfWarm(ps),
      ratio: +med(ms.map((m, r) => m.callsPerSec / (ps[r] as WarmFigures).callsPerSec)).toFixed(2),
    };
  } finally {
    await mine.close();
    await theirs.close();
  }
}

/** Per-round ratios, medians: > 1 favours pylogging. */
interface Ratios {
  callsPerSec: number;
  untilOnDisk: number;
}

/** What {@link run} returns (and the standalone script prints as JSON). */
export interface QueueResult {
  n: number;
  rounds: number;
  node: string;
  pylogging: { defaultRing: Figures; ringFitsAll: Figures & { ringBytes: number } };
  pino: Figures;
  ratios: { defaultRing: Ratios; ringFitsAll: Ratios };
  /** The same bursts into a listener and a transport kept running across rounds ({@link runWarm}). */
  warm: { pylogging: WarmFigures; pino: WarmFigures; ratio: number };
}

/**
 * The targets on the default ring: logging calls per second ≥ 1.2× pino.transport (issue 18), and the time until
 * every record is in the file no longer than pino's. Takes the result as JSON too (bench/index.ts may run this
 * file in a child process).
 */
export function queueTargets(r: QueueResult): Target[] {
  const x = r.ratios.defaultRing;
  return [
    check('queue-calls', 'QueueHandler → worker FileHandler calls/s ≥ 1.2× pino.transport (issue 18)', x.callsPerSec, '×', { min: 1.2 }),
    check('queue-disk', 'QueueHandler → worker FileHandler time to disk ≥ 1.0× pino.transport (pino ÷ ours)', x.untilOnDisk, '×', { min: 1.0 }),
    check('queue-calls-warm', 'the same calls/s into a listener and a transport already running ≥ 1.2× (not the issue\'s row)', r.warm.ratio, '×', { min: 1.2 }),
  ];
}

/**
 * Where the CPU went during the timed calls, per call: the table bench/index.ts prints under the JSON. Empty off
 * Linux (no per-thread figures).
 */
export function queueThreadsTable(r: QueueResult): string {
  const rows: [string, number, BurstThreads | null][] = [
    ['pylogging, fresh worker, default ring', r.pylogging.defaultRing.callsPerSec, r.pylogging.defaultRing.threads],
    ['pylogging, fresh worker, ring fits the burst', r.pylogging.ringFitsAll.callsPerSec, r.pylogging.ringFitsAll.threads],
    ['pino.transport, fresh worker', r.pino.callsPerSec, r.pino.threads],
    ['pylogging, worker running', r.warm.pylogging.callsPerSec, r.warm.pylogging.threads],
    ['pino.transport, worker running', r.warm.pino.callsPerSec, r.warm.pino.threads],
  ];
  if (rows.some(([, , t]) => t === null)) return '';
  const ns = (x: number): string => `${x} ns`;
  return [
    '| contender (medians over rounds) | calls/s | logging thread on a CPU | logging thread waiting for a CPU | its worker thread | other threads (V8 compiler and GC helpers, libuv) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(([name, cps, t]) => {
      const x = t as BurstThreads;
      return `| ${name} | ${Math.round(cps).toLocaleString('en-US')} | ${ns(x.mainCpu)} | ${ns(x.mainWait)} | ${ns(x.workerCpu)} | ${ns(x.otherCpu)} |`;
    }),
  ].join('\n');
}

/**
 * Runs the contenders in `rounds` interleaved rounds (each round: ours with the default ring, ours with a ring that
 * fits the burst, pino; the order rotates) with `n` records, and returns the median figures and the medians of the
 * per-round ratios (> 1 means pylogging is better): calls/s ours ÷ pino, and time-to-disk pino ÷ ours.
 * `defaultRing` uses the default 4 MiB ring (and the default 16 MiB overflow), `ringFitsAll` a ring large enough
 * for the whole burst. Then the same bursts into contenders kept running ({@link runWarm}).
 */
export async function run(n: number, rounds = 5): Promise<QueueResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-bench-queue-'));
  try {
    let k = 0;
    const file = (): string => join(dir, `${k++}.log`);
    const big = 2 ** Math.ceil(Math.log2(Math.max(n * 512, 4 * 1024 * 1024)));
    const warm = Math.min(n, 20_000); // let both hot paths be optimised before anything is timed
    await ours(warm, file(), 4 * 1024 * 1024);
    await rival(warm, file());
    const ds: Figures[] = [];
    const gs: Figures[] = [];
    const ps: Figures[] = [];
    const runs: (() => Promise<void>)[] = [
      async () => void ds.push(await ours(n, file(), 4 * 1024 * 1024)),
      async () => void gs.push(await ours(n, file(), big)),
      async () => void ps.push(await rival(n, file())),
    ];
    for (let r = 0; r < rounds; r++) for (let k = 0; k < runs.length; k++) await (runs[(k + r) % runs.length] as () => Promise<void>)();
    const warmRows = await runWarm(n, rounds, warm, file);
    const ratio = (os: Figures[]): Ratios => ({
      callsPerSec: +med(os.map((o, r) => o.callsPerSec / (ps[r] as Figures).callsPerSec)).toFixed(2),
      untilOnDisk: +med(os.map((o, r) => (ps[r] as Figures).untilOnDiskMs / o.untilOnDiskMs)).toFixed(2),
    });
    return {
      n,
      rounds,
      node: process.version,
      pylogging: { defaultRing: medianOf(ds), ringFitsAll: { ...medianOf(gs), ringBytes: big } },
      pino: medianOf(ps),
      ratios: { defaultRing: ratio(ds), ringFitsAll: ratio(gs) },
      warm: warmRows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 100_000);
  console.log(JSON.stringify(await run(n, Number(process.argv[3] ?? 5)), null, 2));
}
