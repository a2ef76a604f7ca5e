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
import { check, type Target } from './target-list.js';

interface Figures {
  /** Logging calls per second on the logging thread. */
  callsPerSec: number;
  /** Milliseconds from the first call until every record was in the file. */
  untilOnDiskMs: number;
  lines: number;
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

async function ours(n: number, path: string, bufferSize: number): Promise<Figures> {
  const listener = new WorkerQueueListener(
    [{ class: 'FileHandler', filename: path, bufferSize: 65536, formatter: '%(asctime)s %(levelname)s %(name)s: %(message)s' }],
    { bufferSize },
  );
  const qh = new QueueHandler(listener.queue);
  qh.listener = listener;
  const log = getLogger(`bench.queue.${bufferSize}`);
  log.propagate = false;
  log.setLevel(INFO);
  log.addHandler(qh);
  listener.start();
  await listener.ready(); // boot time is not counted, as pino's 'ready' below
  await settle();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) log.info('record %d of %s', i, 'bench');
  const t1 = performance.now();
  await listener.stop();
  const t2 = performance.now();
  log.removeHandler(qh);
  return { callsPerSec: n / ((t1 - t0) / 1000), untilOnDiskMs: t2 - t0, lines: countLines(path) };
}

async function rival(n: number, path: string): Promise<Figures> {
  const transport = pino.transport({ target: 'pino/file', options: { destination: path } });
  await once(transport, 'ready');
  const logger = pino({ name: 'bench.queue' }, transport);
  await settle();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) logger.info('record %d of %s', i, 'bench');
  const t1 = performance.now();
  const closed = once(transport, 'close');
  const keepAlive = setInterval(() => {}, 1000); // pino unref()s its worker: hold the loop while it closes
  transport.end();
  await closed;
  clearInterval(keepAlive);
  const t2 = performance.now();
  return { callsPerSec: n / ((t1 - t0) / 1000), untilOnDiskMs: t2 - t0, lines: countLines(path) };
}

const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** The median of each figure over rounds (lines: the fewest, so a lost record shows). */
const medianOf = (fs: Figures[]): Figures => ({
  callsPerSec: med(fs.map((f) => f.callsPerSec)),
  untilOnDiskMs: med(fs.map((f) => f.untilOnDiskMs)),
  lines: Math.min(...fs.map((f) => f.lines)),
});

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
  ];
}

/**
 * Runs the contenders in `rounds` interleaved rounds (each round: ours with the default ring, ours with a ring that
 * fits the burst, pino; the order rotates) with `n` records, and returns the median figures and the medians of the
 * per-round ratios (> 1 means pylogging is better): calls/s ours ÷ pino, and time-to-disk pino ÷ ours.
 * `defaultRing` uses the default 4 MiB ring (and the default 16 MiB overflow), `ringFitsAll` a ring large enough
 * for the whole burst.
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 100_000);
  console.log(JSON.stringify(await run(n, Number(process.argv[3] ?? 5)), null, 2));
}
