/**
 * Reference points for the synchronous file scenario: CPython 3.13's FileHandler doing the same work in a python3
 * child (timing itself, so interpreter start-up is not counted), and the floor: one `fs.writeSync` per
 * preformatted line of the same length as pylogging's.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FileHandler, getLogger, type Formatter, type Logger } from '../src/index.js';
import type { Contender } from './runner.js';
import { FORMAT, MSG, NAME, USER, pyLogger, tmpPath } from './common.js';

/** CPython 3.13 from pyenv when present, else `python3`; `PYLOGGING_PYTHON` overrides both. */
export function findPython(): string {
  const fromEnv = process.env['PYLOGGING_PYTHON'];
  if (fromEnv) return fromEnv;
  const pyenv313 = join(homedir(), '.pyenv', 'versions', '3.13.0', 'bin', 'python3');
  return existsSync(pyenv313) ? pyenv313 : 'python3';
}

const SCRIPT = `
import logging, sys, time
path, n = sys.argv[1], int(sys.argv[2])
log = logging.getLogger(${JSON.stringify(NAME)})
log.setLevel(logging.INFO)
log.propagate = False
h = logging.FileHandler(path)
h.setFormatter(logging.Formatter(${JSON.stringify(FORMAT)}))
log.addHandler(h)
for i in range(min(n, 1000)):
    log.info(${JSON.stringify(MSG)}, i, ${JSON.stringify(USER)})
t0 = time.perf_counter()
for i in range(n):
    log.info(${JSON.stringify(MSG)}, i, ${JSON.stringify(USER)})
t1 = time.perf_counter()
h.close()
print(sys.version.split()[0], t1 - t0)
`;

/** The CPython contender, or null (with a note on stderr) when no python3 runs. */
export function cpythonContender(n: number): Contender | null {
  const python = findPython();
  const probe = spawnSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`bench: no python3 (${python}); skipping the CPython row\n`);
    return null;
  }
  const path = tmpPath('cpython.log');
  return {
    name: `CPython ${probe.stdout.trim()} FileHandler`,
    n: Math.max(1, Math.floor(n / 4)), // ~30k records/s: a quarter of N keeps a round near a second
    run: (k) => {
      const r = spawnSync(python, ['-c', SCRIPT, path, String(k)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
      const secs = Number(r.stdout.trim().split(' ')[1]);
      if (!(secs > 0)) throw new Error(`python3 printed ${JSON.stringify(r.stdout)}`);
      return secs;
    },
  };
}

/** The line pylogging writes for record `i`, with a fixed timestamp of the same width. */
export function sampleLine(i: number): string {
  return `2026-01-05 10:00:00,123 INFO ${NAME}: query took ${i} ms for user ${USER}\n`;
}

/** One `fs.writeSync` per preformatted line: what any synchronous file logger pays at least. */
export function floorContender(): Contender {
  let fd = -1;
  let lines: string[] = [];
  return {
    name: 'floor: fs.writeSync per line',
    setup: (n) => {
      fd = openSync(tmpPath('floor.log'), 'a');
      lines = Array.from({ length: n }, (_, i) => sampleLine(i));
    },
    run: (k) => {
      for (let i = 0; i < k; i++) writeSync(fd, lines[i] as string);
    },
    teardown: () => {
      closeSync(fd);
      lines = [];
    },
  };
}

/**
 * The default synchronous FileHandler logging `info(MSG, i, USER)` through `logger` (its own logger, so contenders of
 * one scenario do not replace one another's handler), with the bench's Formatter or `formatter`.
 */
export function fileHandlerContender(name: string, file: string, logger = NAME, formatter: Formatter | null = null): Contender {
  let py: Logger;
  let handler: FileHandler | null = null;
  return {
    name,
    setup: () => {
      handler = new FileHandler(tmpPath(file));
      py = pyLogger(handler, logger); // sets the bench's Formatter
      if (formatter !== null) handler.setFormatter(formatter);
    },
    run: (k) => {
      for (let i = 0; i < k; i++) py.info(MSG, i, USER);
    },
    teardown: async () => {
      if (handler) {
        getLogger(logger).removeHandler(handler);
        await handler.close();
      }
    },
  };
}

/**
 * The synchronous FileHandler and the floor alone (issue 18's row): what a logging call adds to the write. The floor
 * writes the same text as the handler (`sampleLine` is its line with a fixed timestamp of the same width).
 */
export function floorFileContenders(): Contender[] {
  return [fileHandlerContender('FileHandler (pylogging, synchronous)', 'pylogging-floor.log'), floorContender()];
}
