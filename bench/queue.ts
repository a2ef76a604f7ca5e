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

interface Figures {
  /** Logging calls per second on the logging thread. */
  callsPerSec: number;
  /** Milliseconds from the first call until every record was in the file. */
  untilOnDiskMs: number;
  lines: number;
}

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

const best = (a: Figures, b: Figures): Figures => ({
  callsPerSec: Math.max(a.callsPerSec, b.callsPerSec),
  untilOnDiskMs: Math.min(a.untilOnDiskMs, b.untilOnDiskMs),
  lines: Math.min(a.lines, b.lines),
});

/**
 * Runs each contender twice (alternating, best of two) with `n` records and returns the figures and the ratios
 * (> 1 means pylogging is better): calls/s ours ÷ pino, and time-to-disk pino ÷ ours. `ringFitsAll` is the same
 * with a ring large enough for the whole burst (no back-pressure), `defaultRing` uses the default 4 MiB ring.
 */
export async function run(n: number): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-bench-queue-'));
  try {
    let k = 0;
    const file = (): string => join(dir, `${k++}.log`);
    const big = 2 ** Math.ceil(Math.log2(Math.max(n * 512, 4 * 1024 * 1024)));
    const warm = Math.min(n, 20_000); // let both hot paths be optimised before anything is timed
    await ours(warm, file(), 4 * 1024 * 1024);
    await rival(warm, file());
    let d = await ours(n, file(), 4 * 1024 * 1024);
    let g = await ours(n, file(), big);
    let p = await rival(n, file());
    d = best(d, await ours(n, file(), 4 * 1024 * 1024));
    g = best(g, await ours(n, file(), big));
    p = best(p, await rival(n, file()));
    const ratio = (o: Figures): object => ({
      callsPerSec: +(o.callsPerSec / p.callsPerSec).toFixed(2),
      untilOnDisk: +(p.untilOnDiskMs / o.untilOnDiskMs).toFixed(2),
    });
    return {
      n,
      node: process.version,
      pylogging: { defaultRing: d, ringFitsAll: { ...g, ringBytes: big } },
      pino: p,
      ratios: { defaultRing: ratio(d), ringFitsAll: ratio(g) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 100_000);
  console.log(JSON.stringify(await run(n), null, 2));
}
