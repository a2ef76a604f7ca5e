/**
 * The contenders of each scenario. Every one logs `info(MSG, i, USER)` (or `debug`, disabled) under `app.db` and
 * prints time, level, logger name and message:
 *
 *   pylogging  2026-01-05 10:00:00,123 INFO app.db: query took 7 ms for user alice
 *   pino       {"level":30,"time":1767607200123,"name":"app.db","msg":"query took 7 ms for user alice"}
 *   winston    2026-01-05T10:00:00.123Z info app.db: query took 7 ms for user alice
 *   log4js     2026-01-05T10:00:00.123 INFO app.db: query took 7 ms for user alice
 *
 * Each contender has its own loop function, so every call site sees one logger class (no polymorphism penalty
 * shared between libraries).
 */
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { FileHandler, getLogger, StreamHandler, type Handler, type Logger } from '../src/index.js';
import type { Contender } from './runner.js';
import { MSG, NAME, USER, pyLogger as configureLogger, tmpPath, untilWritten } from './common.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;
const winston = require('winston') as typeof import('winston');
const log4js = require('log4js') as typeof import('log4js');

// ---------------------------------------------------------------------------------------------------- pylogging

let pyHandler: Handler | null = null;

function pyLogger(h: Handler | null): Logger {
  pyHandler = h;
  return configureLogger(h);
}

async function pyTeardown(): Promise<void> {
  const h = pyHandler;
  pyHandler = null;
  if (h) {
    getLogger(NAME).removeHandler(h);
    await h.close();
  }
}

// ------------------------------------------------------------------------------------------------------ rivals

const nullStream = { write(_s: string): void {} };

function pinoLogger(dest: { write(s: string): unknown }): import('pino').Logger {
  return pino({ level: 'info', base: { name: NAME } }, dest);
}

const winstonFormat = (): ReturnType<typeof winston.format.combine> =>
  winston.format.combine(
    winston.format.splat(),
    winston.format.timestamp(),
    winston.format.label({ label: NAME }),
    winston.format.printf((i) => `${String(i['timestamp'])} ${i.level} ${String(i['label'])}: ${String(i.message)}`),
  );

const LAYOUT = { type: 'pattern', pattern: '%d %p %c: %m' };

function log4jsWith(appender: Record<string, unknown>): import('log4js').Logger {
  log4js.configure({
    appenders: { out: appender as unknown as import('log4js').Appender },
    categories: { default: { appenders: ['out'], level: 'info' } },
  });
  return log4js.getLogger(NAME);
}

function log4jsShutdown(): Promise<void> {
  return new Promise((resolve) => log4js.shutdown(() => resolve()));
}

/** A log4js appender that formats each event with the pattern layout and counts it. */
function log4jsNull(counter: { n: number }): Record<string, unknown> {
  return {
    type: {
      configure: (_config: unknown, layouts: { patternLayout(p: string): (ev: unknown) => string }) => {
        const layout = layouts.patternLayout(LAYOUT.pattern);
        return (ev: unknown) => {
          if (layout(ev).length > 0) counter.n++;
        };
      },
    },
  };
}

/**
 * Calls per round for a contender far slower than pylogging: a fraction of the scenario's `n`, so a round takes
 * seconds, not minutes. ops/s (and so the ratios) do not depend on it; the table shows each row's count.
 */
function slow(n: number, divisor: number): number {
  return Math.max(1, Math.floor(n / divisor));
}

// ------------------------------------------------------------------------------------------------ 1. disabled

/** A disabled `debug` with two arguments. Slow rivals make fewer calls per round (ops/s stays comparable). */
export function disabledContenders(n: number): Contender[] {
  let py: Logger;
  let pn: import('pino').Logger;
  let wn: import('winston').Logger;
  let l4: import('log4js').Logger;
  return [
    {
      name: 'pylogging',
      setup: () => void (py = pyLogger(null)),
      run: (k) => {
        for (let i = 0; i < k; i++) py.debug(MSG, i, USER);
      },
    },
    {
      name: 'pino',
      setup: () => void (pn = pinoLogger(nullStream)),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.debug(MSG, i, USER);
      },
    },
    {
      name: 'winston',
      n: slow(n, 100),
      setup: () =>
        void (wn = winston.createLogger({
          level: 'info',
          format: winstonFormat(),
          transports: [new winston.transports.Stream({ stream: new Writable({ write: (_c, _e, cb) => cb() }) })],
        })),
      run: (k) => {
        for (let i = 0; i < k; i++) wn.debug(MSG, i, USER);
      },
      teardown: () => void wn.close(),
    },
    {
      name: 'log4js',
      n: slow(n, 10),
      setup: () => void (l4 = log4jsWith(log4jsNull({ n: 0 }))),
      run: (k) => {
        for (let i = 0; i < k; i++) l4.debug(MSG, i, USER);
      },
      teardown: log4jsShutdown,
    },
  ];
}

// --------------------------------------------------------------------------------------------- 2. sync file

/** Enabled `info` to a file; the line is with the OS when the call returns (winston cannot: it is async). */
export function syncFileContenders(n: number): Contender[] {
  let py: Logger;
  let pn: import('pino').Logger;
  let l4: import('log4js').Logger;
  let wn: import('winston').Logger;
  const winstonPath = tmpPath('winston-sync.log');
  const winstonRun = untilWritten(winstonPath, (k) => {
    for (let i = 0; i < k; i++) wn.info(MSG, i, USER);
  });
  return [
    {
      name: 'pylogging',
      setup: () => void (py = pyLogger(new FileHandler(tmpPath('pylogging-sync.log')))),
      run: (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      },
      teardown: pyTeardown,
    },
    {
      name: 'pino (sync)',
      setup: () => void (pn = pinoLogger(pino.destination({ dest: tmpPath('pino-sync.log'), sync: true }))),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      },
    },
    {
      name: 'winston File (async)',
      n: slow(n, 4),
      setup: (k) => {
        wn = winston.createLogger({
          level: 'info',
          format: winstonFormat(),
          transports: [new winston.transports.File({ filename: winstonPath })],
        });
        return winstonRun.setup(k);
      },
      run: winstonRun.run,
      teardown: () => void wn.close(),
    },
    {
      name: 'log4js fileSync',
      setup: () => void (l4 = log4jsWith({ type: 'fileSync', filename: tmpPath('log4js-sync.log'), layout: LAYOUT })),
      run: (k) => {
        for (let i = 0; i < k; i++) l4.info(MSG, i, USER);
      },
      teardown: log4jsShutdown,
    },
  ];
}

// ----------------------------------------------------------------------------------------- 3. buffered file

/** pylogging's buffer size in the buffered scenario (sonic-boom, under pino, writes in chunks of up to 16 KiB). */
export const BUFFER_SIZE = 64 * 1024;

/** Enabled `info` to a file through a buffer; each timed run includes waiting until its bytes are in the file. */
export function bufferedFileContenders(n: number): Contender[] {
  let py: Logger;
  let pyH: FileHandler;
  let pn: import('pino').Logger;
  let wn: import('winston').Logger;
  let l4: import('log4js').Logger;
  const pinoPath = tmpPath('pino-async.log');
  const winstonPath = tmpPath('winston-buffered.log');
  const log4jsPath = tmpPath('log4js-async.log');
  const pinoRun = untilWritten(pinoPath, (k) => {
    for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
  });
  const winstonRun = untilWritten(winstonPath, (k) => {
    for (let i = 0; i < k; i++) wn.info(MSG, i, USER);
  });
  const log4jsRun = untilWritten(log4jsPath, (k) => {
    for (let i = 0; i < k; i++) l4.info(MSG, i, USER);
  });
  return [
    {
      name: `pylogging (bufferSize ${BUFFER_SIZE / 1024} KiB)`,
      setup: () => {
        pyH = new FileHandler(tmpPath('pylogging-buffered.log'), { bufferSize: BUFFER_SIZE });
        py = pyLogger(pyH);
      },
      run: async (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
        await pyH.flush();
      },
      teardown: pyTeardown,
    },
    {
      name: 'pino (async destination)',
      setup: (k) => {
        pn = pinoLogger(pino.destination({ dest: pinoPath, sync: false }));
        return pinoRun.setup(k);
      },
      run: pinoRun.run,
    },
    {
      name: 'winston File',
      n: slow(n, 4),
      setup: (k) => {
        wn = winston.createLogger({
          level: 'info',
          format: winstonFormat(),
          transports: [new winston.transports.File({ filename: winstonPath })],
        });
        return winstonRun.setup(k);
      },
      run: winstonRun.run,
      teardown: () => void wn.close(),
    },
    {
      name: 'log4js file',
      n: slow(n, 10),
      setup: (k) => {
        l4 = log4jsWith({ type: 'file', filename: log4jsPath, layout: LAYOUT });
        return log4jsRun.setup(k);
      },
      run: log4jsRun.run,
      teardown: log4jsShutdown,
    },
  ];
}

// --------------------------------------------------------------------------------------------- 4. null sink

/** Formatting alone: each library writes to a sink that drops the text. */
export function nullSinkContenders(n: number): Contender[] {
  let py: Logger;
  let pn: import('pino').Logger;
  let wn: import('winston').Logger;
  let l4: import('log4js').Logger;
  const winstonSeen = { n: 0 };
  const log4jsSeen = { n: 0 };
  return [
    {
      name: 'pylogging (StreamHandler)',
      setup: () => void (py = pyLogger(new StreamHandler(nullStream))),
      run: (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      },
      teardown: pyTeardown,
    },
    {
      name: 'pino',
      setup: () => void (pn = pinoLogger(nullStream)),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      },
    },
    {
      name: 'winston (Stream)',
      // measured: flooding winston's stream pipeline is superlinear (20k calls drain in 3 s, 100k in 9.6 s)
      n: slow(n, 20),
      setup: () => {
        const sink = new Writable({
          write: (_c, _e, cb) => {
            winstonSeen.n++;
            cb();
          },
        });
        wn = winston.createLogger({
          level: 'info',
          format: winstonFormat(),
          transports: [new winston.transports.Stream({ stream: sink })],
        });
      },
      run: async (k) => {
        const target = winstonSeen.n + k;
        for (let i = 0; i < k; i++) wn.info(MSG, i, USER);
        while (winstonSeen.n < target) await new Promise((r) => setImmediate(r));
      },
      teardown: () => void wn.close(),
    },
    {
      name: 'log4js',
      setup: () => void (l4 = log4jsWith(log4jsNull(log4jsSeen))),
      run: (k) => {
        for (let i = 0; i < k; i++) l4.info(MSG, i, USER);
      },
      teardown: log4jsShutdown,
    },
  ];
}

