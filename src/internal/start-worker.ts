/**
 * Starts a worker thread for pylogging's own workers (WorkerQueueListener, SocketHandler's thread mode) with the
 * process's Node options, minus those a worker refuses.
 */
import { Worker } from 'node:worker_threads';

/** `new Worker(url, { workerData })`, passing on `process.execArgv` where a worker accepts it. */
export function startWorker(url: string | URL, workerData: unknown): Worker {
  // `--input-type` (node -e) is refused by a worker that runs a file: do not pass it on.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  try {
    return new Worker(url, { workerData, execArgv });
  } catch (err) {
    // Per-process V8 flags (`--expose-gc`, `--max-old-space-size`) are refused by workers: start it without them.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(url, { workerData, execArgv: [] });
  }
}
