/**
 * Issue 15: what `pylogging/context` costs. Null sink (formatting only), the records of bench/contenders.ts:
 *
 * - pylogging with context off (`state.addContext` null: one null test per record, what a program that never
 *   binds a field pays), and inside `withContext` with two fields (an AsyncLocalStorage lookup and two attributes
 *   copied onto every record);
 * - pino, and pino with the usual AsyncLocalStorage recipe (`mixin: () => als.getStore()`) carrying the same fields.
 *
 * Standalone: `npx tsc -p . && node --expose-gc build/bench/context.js [n] [rounds]`; bench/index.ts imports `run`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { getLogger, StreamHandler, type Logger } from '../src/index.js';
import { state } from '../src/core/state.js';
import { withContext } from '../src/context.js';
import { MSG, NAME, USER, pyLogger } from './common.js';
import { ratio, runScenario, type Contender, type Row } from './runner.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;

const FIELDS = { requestId: 'r-0001', userId: 42 };
const nullStream = { write(_s: string): void {} };

function contenders(): Contender[] {
  let py: Logger;
  let pn: import('pino').Logger;
  let pm: import('pino').Logger;
  const als = new AsyncLocalStorage<Record<string, unknown>>();
  const pyLoop = (k: number): void => {
    for (let i = 0; i < k; i++) py.info(MSG, i, USER);
  };
  return [
    {
      name: 'pylogging, context off',
      setup: () => {
        py = pyLogger(new StreamHandler(nullStream));
        withContext({}, () => undefined); // installs the hook, which this row then takes out for its own run
      },
      run: (k) => {
        const installed = state.addContext;
        state.addContext = null;
        try {
          pyLoop(k);
        } finally {
          state.addContext = installed;
        }
      },
      teardown: () => {
        for (const h of [...getLogger(NAME).handlers]) getLogger(NAME).removeHandler(h);
      },
    },
    {
      name: 'pylogging in withContext (2 fields)',
      run: (k) => withContext(FIELDS, () => pyLoop(k)),
    },
    {
      name: 'pino',
      setup: () => void (pn = pino({ level: 'info', base: { name: NAME } }, nullStream)),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      },
    },
    {
      name: 'pino, mixin from AsyncLocalStorage (2 fields)',
      setup: () =>
        void (pm = pino({ level: 'info', base: { name: NAME }, mixin: () => als.getStore() ?? {} }, nullStream)),
      run: (k) =>
        als.run(FIELDS, () => {
          for (let i = 0; i < k; i++) pm.info(MSG, i, USER);
        }),
    },
  ];
}

/** One row of the context table. */
export interface ContextRow {
  name: string;
  recordsPerSec: number;
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Runs the scenario and prints its table and ratios (unless `quiet`). */
export async function run(n: number, rounds = 5, quiet = false): Promise<ContextRow[]> {
  const rows: Row[] = await runScenario({ id: 'context', title: '', n, warmup: Math.min(n, 20_000), contenders: contenders() }, rounds);
  const [off, on, pn, pm] = rows as [Row, Row, Row, Row];
  if (!quiet) {
    console.log('### context: null sink, off vs inside withContext (bench/context.ts)');
    console.log(`(median of ${rounds} interleaved rounds, ${n} records per round)\n`);
    console.log('| contender | records/s | × pino |');
    console.log('| --- | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.name} | ${fmt(r.opsPerSec)} | ${r.ratioToPino.toFixed(2)}× |`);
    console.log(`\ncontext on ÷ off: ${ratio(on, off).toFixed(2)}×; with context, pylogging ÷ pino mixin: ${ratio(on, pm).toFixed(2)}×; without, pylogging ÷ pino: ${ratio(off, pn).toFixed(2)}×\n`);
  }
  return rows.map((r) => ({ name: r.name, recordsPerSec: r.opsPerSec }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 200_000);
  const rounds = Number(process.argv[3] ?? 5);
  await run(n, rounds);
}
