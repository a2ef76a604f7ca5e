/**
 * Where a timed burst's CPU went, thread by thread: the logging thread, the contender's worker thread, and every
 * other thread of the process (V8's compiler and GC helpers, libuv's pool). Linux only (`/proc/self/task/<tid>/
 * schedstat`: nanoseconds on a CPU, nanoseconds runnable but waiting for one); elsewhere the figures are null.
 *
 * Why the queue bench prints it: on a 2-CPU machine the logging thread's calls/s depends on what else wants the CPUs
 * while it runs. A worker thread started for the round compiles its code (TurboFan, on V8's helper threads) while
 * the burst is timed; the logging thread then waits for a CPU. These figures show that wait instead of guessing it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Per thread id: [ns on a CPU, ns waiting for a CPU]. */
export type TaskTimes = Map<string, readonly [number, number]>;

const TASKS = '/proc/self/task';

/** The process's threads now, or null where `/proc` has no schedstat (not Linux, or a kernel without it). */
export function taskTimes(): TaskTimes | null {
  let ids: string[];
  try {
    ids = readdirSync(TASKS);
  } catch {
    return null;
  }
  const out: TaskTimes = new Map();
  for (const id of ids) {
    try {
      const [cpu, wait] = readFileSync(`${TASKS}/${id}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(id, [cpu ?? 0, wait ?? 0]);
    } catch {
      // The thread ended between the listing and the read: it used nothing we can still count.
    }
  }
  return out.size > 0 ? out : null;
}

/** The ids of the threads alive now (to tell a contender's worker from the threads that were there before it). */
export function taskIds(): Set<string> {
  try {
    return new Set(readdirSync(TASKS));
  } catch {
    return new Set();
  }
}

/** A burst's CPU per logging call, in nanoseconds. */
export interface BurstThreads {
  /** The logging thread on a CPU. */
  mainCpu: number;
  /** The logging thread runnable but waiting for a CPU (another thread had it). */
  mainWait: number;
  /** The contender's own worker thread(s) on a CPU. */
  workerCpu: number;
  /** Every other thread on a CPU: V8's compiler and GC helpers, libuv's pool. */
  otherCpu: number;
}

/**
 * Splits the CPU time between two snapshots over `calls`. `workers`: the ids of the contender's worker threads
 * (those that appeared when it was set up). Null when either snapshot is.
 */
export function burstThreads(
  before: TaskTimes | null,
  after: TaskTimes | null,
  workers: ReadonlySet<string>,
  calls: number,
): BurstThreads | null {
  if (before === null || after === null) return null;
  const main = String(process.pid);
  const r = { mainCpu: 0, mainWait: 0, workerCpu: 0, otherCpu: 0 };
  for (const [id, [cpu, wait]] of after) {
    const [cpu0, wait0] = before.get(id) ?? [0, 0];
    const dc = cpu - cpu0;
    if (id === main) {
      r.mainCpu += dc;
      r.mainWait += wait - wait0;
    } else if (workers.has(id)) r.workerCpu += dc;
    else r.otherCpu += dc;
  }
  return {
    mainCpu: Math.round(r.mainCpu / calls),
    mainWait: Math.round(r.mainWait / calls),
    workerCpu: Math.round(r.workerCpu / calls),
    otherCpu: Math.round(r.otherCpu / calls),
  };
}
