/**
 * The JSON-lines row (issue 15): pylogging's `FileHandler` + `JsonFormatter` against pino's default JSON lines,
 * both synchronous (each line is with the OS when the call returns), on the same fields: time, level, name, message.
 *
 *   pylogging  {"asctime": "2026-01-05 10:00:00,123", "levelname": "INFO", "name": "app.db", "message": "query took 7 ms for user alice"}
 *   pino       {"level":30,"time":1767607200123,"name":"app.db","msg":"query took 7 ms for user alice"}
 *
 * Only the synchronous pair is compared: FileHandler's buffered mode and pino's async destination are a different
 * trade (scenario 3 compares those for text lines).
 */
import { createRequire } from 'node:module';
import { FileHandler, getLogger, INFO, type Logger } from '../src/index.js';
import { JsonFormatter } from '../src/json.js';
import type { Contender } from './runner.js';
import { MSG, NAME, USER, tmpPath } from './common.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;

/** The format of the JSON row: the fields pino writes by default (with `base: { name }`). */
export const JSON_FORMAT = '%(asctime)s %(levelname)s %(name)s %(message)s';

/** pylogging (FileHandler + JsonFormatter) and pino (sync destination), logging `info(MSG, i, USER)`. */
export function jsonFileContenders(): Contender[] {
  let py: Logger;
  let handler: FileHandler | null = null;
  let pn: import('pino').Logger;
  return [
    {
      name: 'pylogging FileHandler + JsonFormatter',
      setup: () => {
        handler = new FileHandler(tmpPath('pylogging-json.log'));
        handler.setFormatter(new JsonFormatter(JSON_FORMAT));
        py = getLogger(NAME);
        for (const old of [...py.handlers]) py.removeHandler(old);
        py.setLevel(INFO);
        py.propagate = false;
        py.addHandler(handler);
      },
      run: (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      },
      teardown: async () => {
        if (handler) {
          py.removeHandler(handler);
          await handler.close();
        }
      },
    },
    {
      name: 'pino (sync destination)',
      setup: () =>
        void (pn = pino({ level: 'info', base: { name: NAME } }, pino.destination({ dest: tmpPath('pino-json.log'), sync: true }))),
      run: (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      },
    },
  ];
}
