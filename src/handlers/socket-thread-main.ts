/**
 * The worker of SocketHandler's `thread` mode (see socket-thread.ts): reads the frames the logging thread pickled and
 * hands them to an ordinary SocketHandler, which owns the connection, the backoff, the backlog and the drop reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RingBuffer, SENTINEL, STATE, type BinaryReader } from '../internal/ring-buffer.js';
import { FLUSH_REQ, WORKER_DROPPED, type SocketThreadInit } from './socket-thread.js';
import { SocketHandler } from './socket.js';

/** Frames handed to the handler before the loop yields, so its socket writes run between batches. */
const BATCH = 1024;
/** Frames are copied out of the ring into blocks this large: adjacent views, which the handler writes as one. */
const BLOCK = 256 * 1024;

const init = workerData as SocketThreadInit;
const ring = new RingBuffer(init.sab);
const h = ring.header;
const handler = new SocketHandler(init.host, init.port, { capacity: init.capacity, timeout: init.timeout });
handler.retryStart = init.retryStart;
handler.retryFactor = init.retryFactor;
handler.retryMax = init.retryMax;

process.on('exit', () => ring.markStopped()); // the logging thread stops waiting for us, whatever ends the thread
parentPort?.on('message', () => {}); // a ref'd port keeps this thread alive while it waits with Atomics.waitAsync
Atomics.store(h, STATE, 1);

let block = Buffer.allocUnsafeSlow(BLOCK);
let used = 0;
const frames: Buffer[] = [];
const take: BinaryReader<0> = (bytes, _view, start, end) => {
  const n = end - start;
  if (used + n > block.length) {
    block = Buffer.allocUnsafeSlow(Math.max(BLOCK, n)); // the old block stays alive while its views are queued
    used = 0;
  }
  bytes.copy(block, used, start, end);
  frames.push(block.subarray(used, used + n));
  used += n;
  return 0;
};

// 0: nothing asked yet. A flush asked before this script ran has already stored its position: it is pending.
let flushed = 0;
let idlePolls = 0;
for (;;) {
  let stop = false;
  while (frames.length < BATCH) {
    const entry = ring.read(take);
    if (entry === null) break;
    if (entry === SENTINEL) {
      stop = true;
      break;
    }
  }
  const got = frames.length;
  for (const f of frames) handler.send(f);
  frames.length = 0;
  Atomics.store(h, WORKER_DROPPED, handler.dropped);
  if (stop) {
    await handler.close();
    Atomics.store(h, WORKER_DROPPED, handler.dropped);
    ring.markDone(ring.readPosition());
    process.exit(0);
  }
  const req = Atomics.load(h, FLUSH_REQ);
  if (req !== flushed && ((ring.readPosition() - req) | 0) >= 0) {
    // everything up to the requested position is with the handler: deliver it or give it up, as its flush does
    flushed = req;
    await handler.flush();
    Atomics.store(h, WORKER_DROPPED, handler.dropped);
    ring.markDone(req);
    continue;
  }
  if (got > 0) {
    idlePolls = 0;
    await yieldToLoop(); // the handler's writes and reconnects run
  } else if (idlePolls < 4) {
    idlePolls++;
    await ring.lingerForData(1); // a steady stream is read in batches without a wake-up per batch
  } else {
    await ring.waitForData(1000);
  }
}
