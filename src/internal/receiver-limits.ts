/**
 * The receiver's guards against hostile or broken peers that are not about decoding: a rate-limited counter for
 * reports that could flood (connections over the limit, records dropped for a full output), an upper estimate of
 * how long a received record can format to (so `'%400000000d' % (1,)` is refused before anything expands it), and
 * the stale-socket probe for a unix stream socket path.
 */
import { net } from './builtins.js';
import { compilePercent, STAR } from '../core/printf.js';
import type { Clock } from './clock.js';
import { socketFileAt, unlinkSameSocket } from './socket-file.js';

/**
 * Counts events and reports them at most once per `interval` seconds: the first event at once (count 1), the ones
 * after it within the interval summed into the next report, which a timer sends when the interval ends (or
 * {@link flush} sends now). A flood thus costs one report per interval, each with its count.
 */
export class RateLimitedCount {
  #count = 0;
  #since = 0;
  #last = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly interval: number,
    private readonly clock: Clock,
    private readonly report: (count: number, seconds: number) => void,
  ) {}

  /** Counts `n` events; reports now when the last report is at least `interval` seconds old. */
  add(n = 1): void {
    const now = this.clock.now();
    if (this.#count === 0) this.#since = now;
    this.#count += n;
    if (now - this.#last >= this.interval) {
      this.flush();
    } else {
      this.#timer ??= setTimeout(() => this.flush(), Math.max(0, (this.#last + this.interval - now) * 1000)).unref();
    }
  }

  /** Reports what was counted since the last report, if anything. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#count === 0) return;
    const now = this.clock.now();
    const count = this.#count;
    const seconds = Math.max(0, now - this.#since);
    this.#count = 0;
    this.#last = now;
    this.report(count, seconds);
  }
}

/**
 * An upper estimate of `len(str(value))` (a container's repr), counting only until it passes `budget`: a pickle's
 * memo can make a 1 KiB record hold a list whose text is gigabytes, so this never walks further than the budget.
 */
export function textSize(value: unknown, budget: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= budget) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (v instanceof Uint8Array) total += v.length * 4 + 3; // b'\xNN' per byte at worst
    else if (typeof v === 'bigint') total += v.toString().length;
    else if (Array.isArray(v)) {
      total += 2 + 2 * v.length;
      for (const x of v) stack.push(x);
    } else if (v instanceof Map) {
      total += 2 + 4 * v.size;
      for (const [k, x] of v) stack.push(k, x);
    } else if (v instanceof Set) {
      total += 11 + 2 * v.size; // frozenset({…})
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      total += 2 + 4 * keys.length;
      for (const k of keys) stack.push(k, (v as Record<string, unknown>)[k]);
    } else {
      total += 24; // None, bool, a float's repr
    }
  }
  return total;
}

/**
 * Why the record dict `d` could format to more than `max` characters, or null when it cannot: `msg % args` (the
 * literal text, each conversion's width and precision, a `*` as the int it takes from the arguments, and the text of
 * the value it converts, five times for `%r`/`%a`, which escape) and every field on its own (a format may print any
 * of them). Arguments are taken in CPython's order: `*` width, `.*` precision, then the value.
 */
export function formattedSizeProblem(d: Record<string, unknown>, max: number): string | null {
  for (const key of Object.keys(d)) {
    if (textSize(d[key], max) > max) return `its ${key} would format to more than ${max} characters`;
  }
  const { msg, args } = d;
  if (typeof msg !== 'string' || args === null || args === undefined) return null;
  const tuple = Array.isArray(args);
  if (tuple && args.length === 0) return null;
  let next = 0;
  // a positional spec's value: the tuple's next item, or (not a tuple) the whole args object, once
  const take = (): unknown => (tuple ? (args as unknown[])[next++] : next++ === 0 ? args : undefined);
  const asInt = (v: unknown): number => (typeof v === 'bigint' ? Math.abs(Number(v)) : typeof v === 'number' ? Math.abs(v) : 0);
  let size = 0;
  for (const seg of compilePercent(msg)) {
    if (typeof seg === 'string') {
      size += seg.length;
    } else {
      const width = seg.width === STAR ? asInt(take()) : seg.width;
      const precision = seg.precision === STAR ? asInt(take()) : seg.precision;
      size += Math.max(width, precision, 0);
      let value: unknown;
      if (seg.key === null) value = take();
      else if (args instanceof Map) value = (args as Map<unknown, unknown>).get(seg.key);
      else if (!tuple) value = (args as Record<string, unknown>)[seg.key];
      size += textSize(value, max) * (seg.conversion === 'r' || seg.conversion === 'a' ? 5 : 1);
    }
    if (size > max) return `its message (msg % args) would format to more than ${max} characters`;
  }
  return null;
}

/**
 * Prepares `path` for a unix stream server: a live socket there (a connect succeeds) rejects with `EADDRINUSE`
 * naming the path; a stale one (the connect is refused: its server died) is removed; nothing there, something that
 * is not a socket, or a socket the probe cannot judge (a datagram socket), is left for `listen()` to succeed or fail
 * on.
 */
export async function replaceStaleStreamSocket(path: string): Promise<void> {
  const st = socketFileAt(path);
  if (st === null) return; // nothing there, or not a socket
  const state = await new Promise<'live' | 'stale' | 'other'>((resolve) => {
    const probe = net().connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve('live');
    });
    // EPROTOTYPE (a datagram socket), EACCES: not ours to remove; listen() then fails with its own error
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'stale' : 'other'));
  });
  if (state === 'other') return;
  if (state === 'live') {
    throw Object.assign(new Error(`listen EADDRINUSE: ${path} is a socket another process is serving`), {
      code: 'EADDRINUSE',
      path,
    });
  }
  unlinkSameSocket(path, st);
}
