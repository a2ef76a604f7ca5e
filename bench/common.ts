/**
 * What every contender logs, and helpers for sinks that finish writing after the logging calls returned.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import type pino from 'pino';
import { Formatter, getLogger, INFO, type Handler, type Logger } from '../src/index.js';

/** The record: `logger.info(MSG, i, USER)` under logger {@link NAME}. */
export const MSG = 'query took %d ms for user %s';
export const USER = 'alice';
export const NAME = 'app.db';
/** pylogging's (and CPython's) format. Rivals are configured to print the same fields: time, level, name, message. */
export const FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s';

/**
 * The pylogging logger `name` at INFO, not propagating, with `h` (formatted with {@link FORMAT}) as its only
 * handler; `null` leaves it without handlers.
 */
export function pyLogger(h: Handler | null, name = NAME): Logger {
  const log = getLogger(name);
  for (const old of [...log.handlers]) log.removeHandler(old);
  log.setLevel(INFO);
  log.propagate = false;
  if (h) {
    h.setFormatter(new Formatter(FORMAT));
    log.addHandler(h);
  }
  return log;
}

let dir: string | null = null;

/** A fresh path in this run's temporary directory. */
export function tmpPath(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'pylogging-bench-'));
  return join(dir, name);
}

/** Removes this run's temporary directory. */
export function removeTmp(): void {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
}

/** The size of `path` in bytes (0 while it does not exist). */
export function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Resolves once `path` holds at least `size` bytes, checking once per event-loop turn. */
export async function waitForSize(path: string, size: number): Promise<void> {
  while (sizeOf(path) < size) await tick();
}

/** Resolves once `path` stopped growing for ~100 ms (untimed: used to learn how many bytes a round writes). */
export async function waitUntilQuiet(path: string): Promise<number> {
  let last = -1;
  let same = 0;
  while (same < 5) {
    await new Promise((r) => setTimeout(r, 20));
    const now = sizeOf(path);
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Wraps an asynchronous file sink so that each timed run waits until the round's bytes are in the file. The
 * bytes per round are learnt from the untimed warm-up (run with the same `n`; the records are the same every
 * round, and every contender's timestamp has a fixed width).
 */
export function untilWritten(
  path: string,
  log: (n: number) => void,
): { setup: (n: number) => Promise<void>; run: (n: number) => Promise<void> } {
  let learnt = -1;
  let perRound = 0;
  return {
    setup: async (n: number): Promise<void> => {
      const start = await waitUntilQuiet(path);
      log(n);
      perRound = (await waitUntilQuiet(path)) - start;
      learnt = n;
    },
    run: async (n: number): Promise<void> => {
      if (n !== learnt) {
        log(n); // a warm-up of another size: untimed, so just let it settle
        await waitUntilQuiet(path);
        return;
      }
      const target = sizeOf(path) + perRound;
      log(n);
      await waitForSize(path, target);
    },
  };
}

/** Ends a pino transport (worker thread) and waits for it; pino unref()s the worker, so hold the loop meanwhile. */
export async function endTransport(t: ReturnType<typeof pino.transport>): Promise<void> {
  const keep = setInterval(() => {}, 1000);
  const closed = once(t, 'close');
  t.end();
  await closed;
  clearInterval(keep);
}
