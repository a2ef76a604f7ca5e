/**
 * The worker of SocketHandler's `thread` mode (see socket-thread.ts): reads the frames the logging thread pickled and
 * hands them to an ordinary SocketHandler, which owns the connection, the backoff, the backlog and the drop reports.
 *
 * It exports nothing and is never imported: it is exported only so a bundled application can copy it as a second
 * entry point and pass its location as the `workerUrl` of SocketHandler's `thread` settings (unbundled, the handler
 * finds it itself).
 *
 * @module pylogging/socket-worker
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RingBuffer, STATE } from '../internal/ring-buffer.js';
import { FLUSH_REQ, WORKER_DROPPED, type SocketThreadInit } from './socket-thread.js';
import { SocketHandler } from './socket.js';

/** Frames handed to the handler before the loop yields, so its socket writes run between batches. */
const BATCH = 1024;
/** Frames are copied out of the ring into blocks this large: adjacent views, which the handler writes as one. */
const BLOCK = 256 * 1024;

if (!parentPort) throw new Error('socket-thread-main.js runs only as a worker thread (SocketHandler thread mode starts it)');
const init = workerData as SocketThreadInit;
const ring = new RingBuffer(init.sab);
const h = ring.header;
const handler = new SocketHandler(init.host, init.port, { capacity: init.capacity, timeout: init.timeout });
handler.retryStart = init.retryStart;
handler.retryFactor = init.retryFactor;
handler.retryMax = init.retryMax;

process.on('exit', () => ring.markStopped()); // the logging thread stops waiting for us, whatever ends the thread
parentPort.on('message', () => {}); // a ref'd port keeps this thread alive while it waits with Atomics.waitAsync
Atomics.store(h, STATE, 1);

let block = Buffer.allocUnsafeSlow(BLOCK);
let used = 0;
/**
 * Hands the frames of the next run of entries to the handler: one copy out of the ring for the whole run, then a view
 * per frame (adjacent views, which the handler writes as one). Returns how many; 0 when the next entry is the
 * sentinel (or anything but a frame) or the ring is empty.
 * measured (Node 20.20, --cpu-prof of this worker, 600k frames): a copy per frame was 17–21 % of its time.
 */
function sendRun(): number {
  if (block.length - used < BLOCK / 4) {
    block = Buffer.allocUnsafeSlow(BLOCK); // the old block stays alive while its views are queued
    used = 0;
  }
  let n = ring.readEntries(block, used, block.length - used);
  if (n < 0) {
    block = Buffer.allocUnsafeSlow(Math.max(BLOCK, -n)); // one large frame: a block of its own
    used = 0;
    n = ring.readEntries(block, 0, block.length);
  }
  if (n <= 0) return 0;
  let frames = 0;
  for (let p = used, end = used + n; p < end; frames++) {
    const len = block.readInt32LE(p) & 0x3fffffff;
    handler.send(block.subarray(p + 4, p + 4 + len));
    p += 4 + ((len + 3) & ~3);
  }
  used += n;
  return frames;
}

// 0: nothing asked yet. A flush asked before this script ran has already stored its position: it is pending.
let flushed = 0;
let idlePolls = 0;
for (;;) {
  let got = 0;
  for (let k; got < BATCH && (k = sendRun()) > 0; ) got += k;
  const stop = got < BATCH && ring.readSentinel();
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
