/**
 * Issue 5: RotatingFileHandler (`maxBytes` 1 MiB, `backupCount` 5) against winston File (`maxsize`, `maxFiles`),
 * log4js `file` (`maxLogSize`, `backups`) and pino-roll (`size: '1m'`, `limit.count`), on the same records.
 *
 * Every round gives each contender a fresh directory, opens its sink, logs `n` records, then closes the sink and
 * waits until it says every byte is in a file (pylogging: `close()`; pino-roll: `flush()` then `end()`; winston:
 * `end()` then the transport's 'finish'; log4js: `shutdown()`). The clock runs from opening the sink to that point;
 * removing the directory afterwards is not timed. After each round the newest file is checked to hold the round's
 * last record, so nobody wins by losing the tail.
 *
 * Standalone: `npx tsc -p . && node --expose-gc build/bench/rotating.js [n] [rounds]`; bench/index.ts imports `run(n)`.
 */
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Formatter, getLogger, INFO } from '../src/index.js';
import { RotatingFileHandler } from '../src/handlers/rotating.js';
import { FORMAT, MSG, NAME, USER, removeTmp, tmpPath } from './common.js';
import { median, ratio, runScenario, type Contender, type Row } from './runner.js';
import { check, formatTargetLine, type Target } from './target-list.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;
const pinoRoll = require('pino-roll') as (opts: Record<string, unknown>) => Promise<import('sonic-boom').SonicBoom>;
const winston = require('winston') as typeof import('winston');
const log4js = require('log4js') as typeof import('log4js');

/** 1 MiB: pino-roll's `'1m'` is 1024² bytes, so every contender rolls at the same size. */
export const MAX_BYTES = 1024 * 1024;
/** Backups kept besides the live file. */
export const BACKUPS = 5;
/** pylogging's optional write buffer in the second pylogging row. */
export const BUFFER_SIZE = 64 * 1024;

let rounds = 0;
/** A fresh, empty directory for one contender's round. */
function freshDir(tag: string): string {
  const dir = tmpPath(`rot-${tag}-${rounds++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** True when some file in `dir` ends with the line of record `last` (the check that nothing was lost at the end). */
function holdsLast(dir: string, last: number): boolean {
  const needle = `query took ${last} ms for user ${USER}`;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const size = statSync(p).size;
    if (size === 0) continue;
    const text = readFileSync(p, 'latin1');
    const tail = text.slice(Math.max(0, text.length - 200));
    const lastLine = tail.trimEnd().split('\n').pop() ?? '';
    if (lastLine.includes(needle)) return true;
  }
  return false;
}

/** Runs `body` timed, checks the round's last record arrived, removes the directory; returns the timed seconds. */
async function timed(tag: string, n: number, body: (dir: string) => Promise<void> | void): Promise<number> {
  const dir = freshDir(tag);
  const t0 = performance.now();
  await body(dir);
  const secs = (performance.now() - t0) / 1000;
  if (!holdsLast(dir, n - 1)) throw new Error(`${tag}: record ${n - 1} is not at the end of any file in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  return secs;
}

function pyContender(name: string, bufferSize: number): Contender {
  const log = getLogger(NAME);
  return {
    name,
    run: (n) =>
      timed(`py${bufferSize}`, n, async (dir) => {
        for (const old of [...log.handlers]) log.removeHandler(old);
        log.setLevel(INFO);
        log.propagate = false;
        const h = new RotatingFileHandler(join(dir, 'app.log'), { maxBytes: MAX_BYTES, backupCount: BACKUPS, bufferSize });
        h.setFormatter(new Formatter(FORMAT));
        log.addHandler(h);
        for (let i = 0; i < n; i++) log.info(MSG, i, USER);
        log.removeHandler(h);
        await h.close();
      }),
  };
}

function pinoRollContender(): Contender {
  return {
    name: 'pino-roll',
    run: (n) =>
      timed('pinoroll', n, async (dir) => {
        const dest = await pinoRoll({ file: join(dir, 'app.log'), size: '1m', limit: { count: BACKUPS } });
        const log = pino({ level: 'info', base: { name: NAME } }, dest);
        for (let i = 0; i < n; i++) log.info(MSG, i, USER);
        await new Promise<void>((resolve, reject) => dest.flush((err) => (err ? reject(err) : resolve())));
        const closed = once(dest, 'close');
        dest.end();
        await closed;
      }),
  };
}

function winstonContender(): Contender {
  return {
    name: 'winston File',
    run: (n) =>
      timed('winston', n, async (dir) => {
        const file = new winston.transports.File({ filename: join(dir, 'app.log'), maxsize: MAX_BYTES, maxFiles: BACKUPS + 1 });
        const log = winston.createLogger({
          level: 'info',
          format: winston.format.combine(
            winston.format.splat(),
            winston.format.timestamp(),
            winston.format.label({ label: NAME }),
            winston.format.printf((i) => `${String(i['timestamp'])} ${i.level} ${String(i['label'])}: ${String(i.message)}`),
          ),
          transports: [file],
        });
        for (let i = 0; i < n; i++) log.info(MSG, i, USER);
        const finished = once(file, 'finish');
        log.end();
        await finished;
      }),
  };
}

function log4jsContender(): Contender {
  return {
    name: 'log4js file',
    run: (n) =>
      timed('log4js', n, async (dir) => {
        log4js.configure({
          appenders: {
            out: {
              type: 'file',
              filename: join(dir, 'app.log'),
              maxLogSize: MAX_BYTES,
              backups: BACKUPS,
              layout: { type: 'pattern', pattern: '%d %p %c: %m' },
            },
          },
          categories: { default: { appenders: ['out'], level: 'info' } },
        });
        const log = log4js.getLogger(NAME);
        for (let i = 0; i < n; i++) log.info(MSG, i, USER);
        await new Promise<void>((resolve) => log4js.shutdown(() => resolve()));
      }),
  };
}

/** One row of the result. */
export interface RotatingRow {
  name: string;
  recordsPerRound: number;
  recordsPerSec: number;
  /** Median over rounds of this row's records/s ÷ the fastest rival's in the same round (pylogging rows). */
  ratioToFastestRival: number | null;
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const PLAIN = 'pylogging RotatingFileHandler';
const BUFFERED = `pylogging RotatingFileHandler (bufferSize ${BUFFER_SIZE / 1024} KiB)`;

/** The rows of the rotating table and its targets (`rotating`, `rotating-buffered`). */
export interface RotatingResult {
  rows: RotatingRow[];
  targets: Target[];
}

/**
 * Runs every contender for `roundsWanted` interleaved rounds of `n` records and returns one row each and the
 * targets; prints the table and the target line unless `quiet`.
 */
export async function run(n: number, roundsWanted = 5, quiet = false): Promise<RotatingResult> {
  const contenders: Contender[] = [
    pyContender(PLAIN, 0),
    pyContender(BUFFERED, BUFFER_SIZE),
    pinoRollContender(),
    winstonContender(),
    log4jsContender(),
  ];
  let rows: Row[];
  try {
    rows = await runScenario({ id: 'rotating', title: '', n, warmup: Math.min(n, 20_000), contenders }, roundsWanted);
  } finally {
    removeTmp();
  }
  const rivals = rows.filter((r) => !r.name.startsWith('pylogging'));
  const fastest = rivals.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a));
  const out: RotatingRow[] = rows.map((r) => ({
    name: r.name,
    recordsPerRound: r.calls,
    recordsPerSec: r.opsPerSec,
    // per round against the fastest rival of that round, so a noisy round moves both sides
    ratioToFastestRival: r.name.startsWith('pylogging')
      ? median(r.rounds.map((x, k) => x / Math.max(...rivals.map((v) => v.rounds[k] ?? 0))))
      : null,
  }));
  // Issue 5: ≥ 1.0× the fastest rival; the default (write-through) handler and the buffered one each get a line.
  const of = (name: string): number | undefined => out.find((r) => r.name === name)?.ratioToFastestRival ?? undefined;
  const plain = of(PLAIN);
  const buffered = of(BUFFERED);
  const targets: Target[] = [];
  if (plain !== undefined) targets.push(check('rotating', 'RotatingFileHandler ≥ 1.0× the fastest rival (issue 5)', plain, '×', { min: 1.0 }));
  if (buffered !== undefined) {
    targets.push(check('rotating-buffered', `RotatingFileHandler, bufferSize ${BUFFER_SIZE / 1024} KiB, ≥ 1.0× the fastest rival (issue 5)`, buffered, '×', { min: 1.0 }));
  }
  if (!quiet) {
    console.log(`### rotating: maxBytes 1 MiB, ${BACKUPS} backups (bench/rotating.ts)`);
    console.log(`(median of ${roundsWanted} interleaved rounds, ${n} records per round, each round from open to closed)\n`);
    console.log('| contender | records/s | × fastest rival |');
    console.log('| --- | ---: | ---: |');
    for (const r of out) {
      const x = r.ratioToFastestRival === null ? `${ratio(rows.find((q) => q.name === r.name) as Row, fastest).toFixed(2)}× (rival)` : `${r.ratioToFastestRival.toFixed(2)}×`;
      console.log(`| ${r.name} | ${fmt(r.recordsPerSec)} | ${x} |`);
    }
    console.log(`\nfastest rival by median records/s: ${fastest.name} (each ratio is to the fastest rival of its round)`);
    for (const t of targets) console.log(formatTargetLine(t));
    console.log('');
  }
  return { rows: out, targets };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 200_000);
  const r = Number(process.argv[3] ?? 5);
  await run(n, r);
}
