/**
 * Issue 18's rows.
 *
 * - Fan-out: one logger with 8 handlers sharing one `Formatter`, against `pino.multistream` over 8 streams (pino
 *   serialises once and writes the line to each stream). Destinations are like for like: 8 null sinks (objects
 *   whose `write()` drops the text) on both sides, so the row measures the per-handler work, not the disk; a second
 *   scenario writes to 8 files synchronously on both sides (`FileHandler` against `pino.destination({ sync: true })`).
 * - Floor: the synchronous `FileHandler` against one `fs.writeSync` per preformatted line of the same text.
 */
import { createRequire } from 'node:module';
import { FileHandler, Formatter, getLogger, INFO, StreamHandler, type Handler, type Logger } from '../src/index.js';
import type { Contender } from './runner.js';
import { FORMAT, MSG, NAME, USER, tmpPath } from './common.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;

/** How many handlers (and pino streams) the fan-out row uses. */
export const FAN_OUT = 8;

const nullStream = { write(_s: string): void {} };

/** The fan-out contenders: `dest` 'null' (null sinks) or 'file' (one synchronous file per handler or stream). */
export function fanOutContenders(dest: 'null' | 'file'): Contender[] {
  let py: Logger;
  let handlers: Handler[] = [];
  let pn: import('pino').Logger;
  return [
    {
      name: `pylogging (${FAN_OUT} ${dest === 'null' ? 'StreamHandlers' : 'FileHandlers'}, one Formatter)`,
      setup: () => {
        py = getLogger(`${NAME}.fanout`);
        for (const old of [...py.handlers]) py.removeHandler(old);
        py.setLevel(INFO);
        py.propagate = false;
        const shared = new Formatter(FORMAT);
        handlers = Array.from({ length: FAN_OUT }, (_, i) => {
          const h = dest === 'null' ? new StreamHandler(nullStream) : new FileHandler(tmpPath(`pylogging-fan-${i}.log`));
          h.setFormatter(shared);
          py.addHandler(h);
          return h;
        });
      },
      run: (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      },
      teardown: async () => {
        for (const h of handlers) {
          py.removeHandler(h);
          await h.close();
        }
        handlers = [];
      },
    },
    {
      name: `pino.multistream (${FAN_OUT} ${dest === 'null' ? 'null streams' : 'sync destinations'})`,
      setup: () => {
        const streams = Array.from({ length: FAN_OUT }, (_, i) => ({
          level: 'info' as const,
          stream: dest === 'null' ? nullStream : pino.destination({ dest: tmpPath(`pino-fan-${i}.log`), sync: true }),
        }));
        pn = pino({ level: 'info', base: { name: NAME } }, pino.multistream(streams));
      },
      run: (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      },
    },
  ];
}
