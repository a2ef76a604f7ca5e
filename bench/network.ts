/**
 * Issues 6, 7 and 8: the network handlers against their rivals, each sending to a local receiver in this process
 * (127.0.0.1, port 0) that counts what arrives. A timed round runs from the first logging call until the receiver
 * has every record of the round.
 *
 * - socket: SocketHandler (length-prefixed pickles over TCP) vs pino-socket (TCP, JSON lines), in-process stream and
 *   as a pino transport (worker thread); SocketHandler also behind QueueHandler → WorkerQueueListener (pickling and
 *   socket writes in a worker thread, as pino.transport does); then the heap after 1M records with the peer down.
 * - syslog: SysLogHandler over UDP vs winston-syslog (UDP) and pino-syslog → pino-socket (UDP, transport pipeline).
 *   UDP may lose datagrams when the receiver falls behind: a round then ends 250 ms after the last datagram, and
 *   records/s counts delivered records up to the last arrival (the loss is printed).
 * - http: HTTPHandler POST vs winston's Http transport, to a local `http` server.
 *
 * The receivers are plain Node servers in this process, so they share the CPU with the logger (as a local agent
 * would on a 2-core box). pylogging's queues get `capacity` ≥ the records of a round (SocketHandler also `maxBytes`
 * of 1 KiB a record): the defaults bound memory, and a burst of 200 000 synchronous calls (≈ 100 MB pickled) would
 * otherwise be partly dropped by design, not delivered.
 *
 * Standalone: `npx tsc -p . && node --expose-gc build/bench/network.js [n] [rounds]`; bench/index.ts imports `run(n)`.
 */
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { type Logger } from '../src/index.js';
import { SocketHandler } from '../src/handlers/socket.js';
import { SysLogHandler } from '../src/handlers/syslog.js';
import { HTTPHandler } from '../src/handlers/http.js';
import { QueueHandler } from '../src/handlers/queue.js';
import { WorkerQueueListener } from '../src/handlers/worker-listener.js';
import { endTransport, MSG, NAME, USER, pyLogger } from './common.js';
import { median, ratio, runScenario, type Contender, type Row } from './runner.js';
import { check, formatTargetLine, type Target } from './target-list.js';

const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;
const pinoSocket = require('pino-socket') as (opts: Record<string, unknown>) => Promise<import('node:stream').Writable>;
const winston = require('winston') as typeof import('winston');

type WinstonTransportCtor = new (opts: Record<string, unknown>) => import('winston-transport');

/** winston-syslog, or null when it does not load (it registers itself on winston.transports). */
function loadWinstonSyslog(): WinstonTransportCtor | null {
  try {
    const m = require('winston-syslog') as { Syslog: WinstonTransportCtor };
    return m.Syslog;
  } catch {
    return null;
  }
}

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------------------- receivers

/**
 * The receivers run in one worker thread (their own event loop, as a real collector is another process): TCP
 * servers counting CPython frames (4-byte big-endian length + pickle) or newline-terminated lines, UDP sockets
 * counting datagrams (receive buffer as large as net.core.rmem_max allows), HTTP servers answering 200 once a
 * request's body is read. Each slot of a shared array holds a count and the epoch-ms time of the last arrival.
 * measured (Node 20.20): an in-thread UDP receiver kept ~10 000 of 50 000 datagrams; it never read while the
 * sender ran, and the socket buffer overflowed.
 */
const RECEIVER_SOURCE = String.raw`
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const dgram = require('node:dgram');
const http = require('node:http');
const { kinds, sab } = workerData;
const counts = new Float64Array(sab);
const now = () => performance.timeOrigin + performance.now();
const closers = [];
function add(slot, k) { counts[2 * slot] += k; counts[2 * slot + 1] = now(); }
function tcp(slot, mode) {
  const server = net.createServer((sock) => {
    // frames: the body bytes still to skip, and a length prefix split across chunks (bytes seen, value so far);
    // no allocation per frame, as the line counter makes none per line
    let need = 0, headBytes = 0, headValue = 0;
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      let frames = 0;
      if (mode === 'lines') {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) frames++;
      } else {
        const n = chunk.length;
        let at = 0;
        while (at < n) {
          if (need > 0) {
            const take = Math.min(need, n - at);
            need -= take; at += take;
            if (need === 0) frames++;
          } else if (headBytes === 0 && n - at >= 4) {
            need = chunk.readUInt32BE(at); at += 4;
            if (need === 0) frames++;
          } else {
            headValue = headValue * 256 + chunk[at++]; headBytes++;
            if (headBytes === 4) { need = headValue; headBytes = 0; headValue = 0; if (need === 0) frames++; }
          }
        }
      }
      if (frames > 0) add(slot, frames);
    });
  });
  closers.push(() => new Promise((r) => server.close(r)));
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
}
function udp(slot) {
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => add(slot, 1));
  closers.push(() => new Promise((r) => sock.close(r)));
  return new Promise((r) => sock.bind(0, '127.0.0.1', () => {
    for (let size = 64 << 20; size >= 256 << 10; size >>= 1) {
      try { sock.setRecvBufferSize(size); break; } catch {}
    }
    r(sock.address().port);
  }));
}
function web(slot) {
  const server = http.createServer((req, res) => {
    // One record per request, or one per line of an opt-in batch (form lines; urlencode escapes every LF in a value).
    let records = 1;
    req.on('data', (chunk) => { for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) records++; });
    req.on('end', () => { add(slot, records); res.end('ok'); });
  });
  closers.push(() => { server.closeAllConnections(); return new Promise((r) => server.close(r)); });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
}
Promise.all(kinds.map((k, slot) => (k === 'udp' ? udp(slot) : k === 'http' ? web(slot) : tcp(slot, k)))).then((ports) =>
  parentPort.postMessage(ports),
);
parentPort.on('message', async () => {
  await Promise.all(closers.map((c) => c()));
  parentPort.close();
});
`;

type ReceiverKind = 'frames' | 'lines' | 'udp' | 'http';

/** Reads one receiver's count; `until()` resolves when a count is reached (or the stream went quiet). */
class Counter {
  constructor(
    readonly port: number,
    readonly counts: Float64Array,
    readonly slot: number,
  ) {}

  get count(): number {
    return this.counts[2 * this.slot] as number;
  }

  /** Epoch milliseconds of the last arrival. */
  get last(): number {
    return this.counts[2 * this.slot + 1] as number;
  }

  /**
   * Resolves once `count` reaches `target`, polling every millisecond. With `quietMs`, also once nothing arrived
   * for that long (UDP loss); without, rejects after 60 s without progress (lost records over TCP/HTTP).
   */
  until(target: number, quietMs: number | null = null): Promise<void> {
    const limit = quietMs ?? 60_000;
    return new Promise<void>((resolve, reject) => {
      let seen = this.count;
      let since = performance.now();
      const poll = (): void => {
        const c = this.count;
        if (c >= target) return resolve();
        const t = performance.now();
        if (c !== seen) {
          seen = c;
          since = t;
        } else if (t - since > limit) {
          if (quietMs === null) return reject(new Error(`receiver stuck at ${c} of ${target}`));
          return resolve();
        }
        setTimeout(poll, 1);
      };
      poll();
    });
  }
}

/** Starts one receiver per kind in a worker thread; `close()` stops them and the worker. */
async function receivers(kinds: readonly ReceiverKind[]): Promise<{ counters: Counter[]; close: () => Promise<void> }> {
  const sab = new SharedArrayBuffer(16 * kinds.length);
  const counts = new Float64Array(sab);
  const worker = new Worker(RECEIVER_SOURCE, { eval: true, workerData: { kinds, sab }, execArgv: [] });
  const [ports] = (await once(worker, 'message')) as [number[]];
  return {
    counters: ports.map((port, slot) => new Counter(port, counts, slot)),
    close: async () => {
      const exited = once(worker, 'exit');
      worker.postMessage('close');
      await exited;
    },
  };
}

// --------------------------------------------------------------------------------------------------- helpers


const winstonFormat = (): ReturnType<typeof winston.format.combine> =>
  winston.format.combine(
    winston.format.splat(),
    winston.format.timestamp(),
    winston.format.label({ label: NAME }),
    winston.format.printf((i) => `${String(i['timestamp'])} ${i.level} ${String(i['label'])}: ${String(i.message)}`),
  );

/**
 * A timed run that ends when the receiver has `k` more records (or, with `quietMs`, went quiet). Returns its own
 * seconds: up to the last arrival, scaled so that the runner's k ÷ seconds is delivered records per second.
 */
function untilReceived(counter: Counter, log: (k: number) => void, quietMs: number | null, lost: number[]) {
  return async (k: number): Promise<number> => {
    const start = counter.count;
    const t0 = performance.timeOrigin + performance.now(); // the receivers' clock (another thread)
    log(k);
    await counter.until(start + k, quietMs);
    const got = counter.count - start;
    lost.push(k - got);
    if (got <= 0) throw new Error(`nothing arrived (${k} records sent, receiver at ${counter.count})`);
    return ((counter.last - t0) / 1000) * (k / got);
  };
}

/** A fresh list, under `name`, for the records of each round that never arrived. */
function track(lost: Map<string, number[]>, name: string): number[] {
  const xs: number[] = [];
  lost.set(name, xs);
  return xs;
}

/** A table row. */
export interface NetRow {
  name: string;
  recordsPerRound: number;
  recordsPerSec: number;
  /** pylogging rows: median over rounds of its records/s ÷ the fastest rival's in the same round. */
  ratioToFastestRival: number | null;
  /** Records that never arrived, summed over the timed rounds and the warm-up (UDP only). */
  lost: number;
}

function rowsOf(rows: readonly Row[], lost: Map<string, number[]>): NetRow[] {
  const rivals = rows.filter((r) => !r.name.startsWith('pylogging'));
  return rows.map((r) => ({
    name: r.name,
    recordsPerRound: r.calls,
    recordsPerSec: r.opsPerSec,
    ratioToFastestRival:
      r.name.startsWith('pylogging') && rivals.length > 0
        ? median(r.rounds.map((x, k) => x / Math.max(...rivals.map((v) => v.rounds[k] ?? 0))))
        : null,
    lost: (lost.get(r.name) ?? []).reduce((a, b) => a + b, 0),
  }));
}

/** A scenario's table rows and the targets checked on them. */
interface Measured {
  rows: NetRow[];
  targets: Target[];
}

/**
 * The target "`pyName` ≥ `min`× `rivalName`" as the median of the per-round ratios, when both rows ran (the
 * `BENCH_CONTENDERS` filter may leave one out).
 */
function against(rows: readonly Row[], id: string, text: string, pyName: string, rivalName: string, min: number): Target[] {
  const py = rows.find((r) => r.name === pyName);
  const rival = rows.find((r) => r.name === rivalName);
  return py && rival ? [check(id, text, ratio(py, rival), '×', { min })] : [];
}

function printTable(title: string, note: string, rows: readonly NetRow[], targets: readonly Target[]): void {
  console.log(`### ${title}`);
  console.log(`${note}\n`);
  const withLoss = rows.some((r) => r.lost > 0);
  console.log(`| contender | records/round | records/s | × fastest rival |${withLoss ? ' lost |' : ''}`);
  console.log(`| --- | ---: | ---: | ---: |${withLoss ? ' ---: |' : ''}`);
  for (const r of rows) {
    const x = r.ratioToFastestRival === null ? '—' : `${r.ratioToFastestRival.toFixed(2)}×`;
    console.log(
      `| ${r.name} | ${r.recordsPerRound.toLocaleString('en-US')} | ${Math.round(r.recordsPerSec).toLocaleString('en-US')} | ${x} |${withLoss ? ` ${r.lost} |` : ''}`,
    );
  }
  console.log('');
  for (const t of targets) console.log(formatTargetLine(t));
  console.log('');
}

// ---------------------------------------------------------------------------------------------- (a) socket

async function socketScenario(n: number, rounds: number): Promise<Measured> {
  const rx = await receivers(['frames', 'lines', 'lines', 'frames', 'frames']);
  const [mine, theirs, theirs2, viaWorker, threaded] = rx.counters as [Counter, Counter, Counter, Counter, Counter];
  const lost = new Map<string, number[]>();
  let h: SocketHandler | null = null;
  let py: Logger;
  let ht: SocketHandler | null = null;
  let pyt: Logger;
  let listener: WorkerQueueListener | null = null;
  let pyw: Logger;
  let pn: import('pino').Logger;
  let pt: import('pino').Logger;
  let dest: import('node:stream').Writable | null = null;
  let transport: ReturnType<typeof pino.transport> | null = null;
  const contenders: Contender[] = [
    {
      name: 'pylogging SocketHandler',
      setup: () => {
        h = new SocketHandler('127.0.0.1', mine.port, { capacity: Math.max(n, 1000), maxBytes: Math.max(n, 1000) * 1024 });
        py = pyLogger(h);
      },
      run: untilReceived(mine, (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      }, null, track(lost, 'pylogging SocketHandler')),
      teardown: async () => {
        pyLogger(null);
        await h?.close();
      },
    },
    {
      name: 'pylogging SocketHandler({ thread: true })',
      setup: async () => {
        // pickles on the logging thread, writes from a worker thread: the split pino.transport makes
        ht = new SocketHandler('127.0.0.1', threaded.port, { capacity: Math.max(n, 1000), maxBytes: Math.max(n, 1000) * 1024, thread: true });
        pyt = pyLogger(ht, `${NAME}.thread`);
        await ht.flush(); // the writer thread has started and connected: not timed, as pino's 'ready'
      },
      run: untilReceived(threaded, (k) => {
        for (let i = 0; i < k; i++) pyt.info(MSG, i, USER);
      }, null, track(lost, 'pylogging SocketHandler({ thread: true })')),
      teardown: async () => {
        pyLogger(null, `${NAME}.thread`);
        await ht?.close();
      },
    },
    {
      name: 'pylogging QueueHandler → WorkerQueueListener(SocketHandler)',
      setup: async () => {
        // The worker builds the SocketHandler (pickling and socket writes on its thread). The QueueHandler keeps its
        // default '%(message)s' formatter, so the pickled msg is the merged message, as the SocketHandler row sends.
        listener = new WorkerQueueListener([
          { class: 'SocketHandler', args: ['127.0.0.1', viaWorker.port, { capacity: Math.max(n, 1000), maxBytes: Math.max(n, 1000) * 1024 }] },
        ]);
        const qh = new QueueHandler(listener.queue);
        qh.listener = listener;
        pyw = pyLogger(null, `${NAME}.worker`); // its own logger: the runner sets every contender up first
        pyw.addHandler(qh);
        listener.start();
        await listener.ready(); // boot time is not timed, as pino.transport's 'ready' is not
      },
      run: untilReceived(viaWorker, (k) => {
        for (let i = 0; i < k; i++) pyw.info(MSG, i, USER);
      }, null, track(lost, 'pylogging QueueHandler → WorkerQueueListener(SocketHandler)')),
      teardown: async () => {
        pyLogger(null, `${NAME}.worker`);
        await listener?.stop(); // the worker closes its SocketHandler and exits
      },
    },
    {
      name: 'pino-socket (in-process stream)',
      setup: async () => {
        dest = await pinoSocket({ mode: 'tcp', address: '127.0.0.1', port: theirs.port });
        pn = pino({ level: 'info', base: { name: NAME } }, dest);
      },
      run: untilReceived(theirs, (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      }, null, track(lost, 'pino-socket (in-process stream)')),
      teardown: () => void dest?.destroy(),
    },
    {
      name: 'pino-socket (pino.transport, worker)',
      setup: async () => {
        transport = pino.transport({ target: 'pino-socket', options: { mode: 'tcp', address: '127.0.0.1', port: theirs2.port } });
        await once(transport, 'ready');
        pt = pino({ level: 'info', base: { name: NAME } }, transport);
      },
      run: untilReceived(theirs2, (k) => {
        for (let i = 0; i < k; i++) pt.info(MSG, i, USER);
      }, null, track(lost, 'pino-socket (pino.transport, worker)')),
      teardown: async () => {
        if (transport) await endTransport(transport);
      },
    },
  ];
  try {
    const rows = await runScenario({ id: 'socket', title: '', n, warmup: Math.min(n, 20_000), contenders }, rounds);
    // Like for like: in-process against in-process, a worker thread against pino's worker thread. The
    // QueueHandler → WorkerQueueListener row has no target of its own (issue 6's is SocketHandler's): a table row only.
    const transport = 'pino-socket (pino.transport, worker)';
    return {
      rows: rowsOf(rows, lost),
      targets: [
        ...against(rows, 'socket', 'SocketHandler ≥ 1.0× pino-socket, both in-process (issue 6)', 'pylogging SocketHandler', 'pino-socket (in-process stream)', 1.0),
        ...against(rows, 'socket-thread', 'SocketHandler({ thread: true }) ≥ 1.2× pino-socket as pino.transport (issue 18)', 'pylogging SocketHandler({ thread: true })', transport, 1.2),
      ],
    };
  } finally {
    await rx.close();
  }
}

/** Heap after `records` records with the peer down: the backlog must stay within its default byte bound (64 MiB). */
export interface PeerDown {
  records: number;
  capacity: number;
  heapBefore: number;
  heapAfter: number;
  dropped: number;
  seconds: number;
}

async function peerDown(records: number): Promise<PeerDown> {
  // a port nobody listens on: bind one, note it, close it
  const probe = createNetServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const gc = (globalThis as { gc?: () => void }).gc;
  const h = new SocketHandler('127.0.0.1', port);
  let reports = 0;
  h.handleError = () => void reports++; // the drop reports are the point here, not their text
  const log = pyLogger(h);
  for (let i = 0; i < 10_000; i++) log.info(MSG, i, USER); // warm-up: JIT, first failed connect, backoff
  await new Promise((r) => setTimeout(r, 50));
  gc?.();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < records; i++) log.info(MSG, i, USER);
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setImmediate(r));
  gc?.();
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const dropped = h.dropped;
  pyLogger(null);
  await h.close();
  return { records, capacity: 1000, heapBefore, heapAfter, dropped, seconds };
}

// ---------------------------------------------------------------------------------------------- (b) syslog

async function syslogScenario(n: number, rounds: number): Promise<Measured> {
  const QUIET = 250;
  const lost = new Map<string, number[]>();
  const rx = await receivers(['udp', 'udp', 'udp']);
  const udp = rx.counters as [Counter, Counter, Counter];
  const contenders: Contender[] = [];
  let h: SysLogHandler | null = null;
  let py: Logger;
  contenders.push({
    name: 'pylogging SysLogHandler (UDP)',
    setup: () => {
      h = new SysLogHandler({ address: ['127.0.0.1', udp[0].port], capacity: Math.max(n, 1000) });
      py = pyLogger(h);
    },
    run: untilReceived(udp[0], (k) => {
      for (let i = 0; i < k; i++) py.info(MSG, i, USER);
    }, QUIET, track(lost, 'pylogging SysLogHandler (UDP)')),
    teardown: async () => {
      pyLogger(null);
      await h?.close();
    },
  });
  const Syslog = loadWinstonSyslog();
  if (Syslog) {
    let wn: import('winston').Logger;
    contenders.push({
      name: 'winston-syslog (UDP)',
      setup: () => {
        wn = winston.createLogger({
          levels: winston.config.syslog.levels,
          level: 'info',
          format: winstonFormat(),
          transports: [new Syslog({ host: '127.0.0.1', port: udp[1].port, protocol: 'udp4', app_name: 'bench' })],
        });
      },
      run: untilReceived(udp[1], (k) => {
        for (let i = 0; i < k; i++) wn.info(MSG, i, USER);
      }, QUIET, track(lost, 'winston-syslog (UDP)')),
      teardown: () => {
        // its close() waits (up to 6 tries) for sends in flight; winston's logger.close() would call it a second time
        for (const t of wn.transports) (t as unknown as { close?: () => void }).close?.();
      },
    });
  } else {
    console.log('(winston-syslog does not load: row skipped)');
  }
  if (installed('pino-syslog') && installed('pino-socket')) {
    let transport: ReturnType<typeof pino.transport> | null = null;
    let pn: import('pino').Logger;
    contenders.push({
      name: 'pino-syslog → pino-socket (UDP, pino.transport)',
      setup: async () => {
        transport = pino.transport({
          pipeline: [
            { target: 'pino-syslog', options: { enablePipelining: true, modern: false, appname: 'bench' } },
            { target: 'pino-socket', options: { mode: 'udp', address: '127.0.0.1', port: udp[2].port } },
          ],
        });
        await once(transport, 'ready');
        pn = pino({ level: 'info', name: NAME }, transport); // pino-syslog reads pid and hostname from the base
      },
      run: untilReceived(udp[2], (k) => {
        for (let i = 0; i < k; i++) pn.info(MSG, i, USER);
      }, QUIET, track(lost, 'pino-syslog → pino-socket (UDP, pino.transport)')),
      teardown: async () => {
        if (transport) await endTransport(transport);
      },
    });
  } else {
    console.log('(pino-syslog or pino-socket not installed: row skipped)');
  }
  try {
    const rows = await runScenario({ id: 'syslog', title: '', n, warmup: Math.min(n, 20_000), contenders }, rounds);
    const out = rowsOf(rows, lost);
    const x = out.find((r) => r.name === 'pylogging SysLogHandler (UDP)')?.ratioToFastestRival;
    const targets = typeof x !== 'number' ? [] : [check('syslog', 'SysLogHandler (UDP) ≥ 1.0× the fastest rival (issue 7)', x, '×', { min: 1.0 })];
    return { rows: out, targets };
  } finally {
    await rx.close();
  }
}

// ------------------------------------------------------------------------------------------------ (c) http

async function httpScenario(n: number, rounds: number): Promise<Measured> {
  const rx = await receivers(['http', 'http', 'http']);
  const [mine, theirs, batched] = rx.counters as [Counter, Counter, Counter];
  const lost = new Map<string, number[]>();
  let h: HTTPHandler | null = null;
  let hb: HTTPHandler | null = null;
  let py: Logger;
  let pyb: Logger;
  let wn: import('winston').Logger;
  const contenders: Contender[] = [
    {
      name: 'pylogging HTTPHandler (POST)',
      setup: () => {
        h = new HTTPHandler(`127.0.0.1:${mine.port}`, '/log', { method: 'POST', capacity: Math.max(n, 1000) });
        py = pyLogger(h);
      },
      run: untilReceived(mine, (k) => {
        for (let i = 0; i < k; i++) py.info(MSG, i, USER);
      }, null, track(lost, 'pylogging HTTPHandler (POST)')),
      teardown: async () => {
        pyLogger(null);
        await h?.close();
      },
    },
    {
      name: 'pylogging HTTPHandler (POST, opt-in batch of 100)',
      setup: () => {
        hb = new HTTPHandler(`127.0.0.1:${batched.port}`, '/log', {
          method: 'POST',
          capacity: Math.max(n, 1000),
          batch: { maxRecords: 100, maxDelay: 0.05 },
        });
        pyb = pyLogger(hb, `${NAME}.batched`); // its own logger: the runner sets every contender up first
      },
      run: untilReceived(batched, (k) => {
        for (let i = 0; i < k; i++) pyb.info(MSG, i, USER);
        void hb?.flush(); // send the last partial batch now instead of after maxDelay
      }, null, track(lost, 'pylogging HTTPHandler (POST, opt-in batch of 100)')),
      teardown: async () => {
        pyLogger(null, `${NAME}.batched`);
        await hb?.close();
      },
    },
    {
      name: 'winston Http transport',
      setup: () => {
        wn = winston.createLogger({
          level: 'info',
          format: winstonFormat(),
          transports: [new winston.transports.Http({ host: '127.0.0.1', port: theirs.port, path: '/log' })],
        });
      },
      run: untilReceived(theirs, (k) => {
        for (let i = 0; i < k; i++) wn.info(MSG, i, USER);
      }, null, track(lost, 'winston Http transport')),
      teardown: () => void wn.close(),
    },
  ];
  try {
    const rows = await runScenario({ id: 'http', title: '', n, warmup: Math.min(n, 2_000), contenders }, rounds);
    return {
      rows: rowsOf(rows, lost),
      targets: [
        ...against(rows, 'http', 'HTTPHandler (POST) ≥ 1.0× winston Http (issue 8)', 'pylogging HTTPHandler (POST)', 'winston Http transport', 1.0),
        ...against(rows, 'http-batch', 'HTTPHandler (POST, opt-in batch of 100) ≥ 1.0× winston Http (issue 8)', 'pylogging HTTPHandler (POST, opt-in batch of 100)', 'winston Http transport', 1.0),
      ],
    };
  } finally {
    await rx.close();
  }
}

// --------------------------------------------------------------------------------------------------- run

/** Everything `run()` measured. */
export interface NetworkResult {
  socket: NetRow[];
  peerDown: PeerDown;
  syslog: NetRow[];
  http: NetRow[];
  /** The targets checked, in the order printed (`socket`, `socket-thread`, `syslog`, `http`, …). */
  targets: Target[];
}

const MiB = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Runs the three scenarios: `n` records per round for TCP, `n / 2` for UDP, `n / 40` for HTTP (a request per
 * record), over `rounds` interleaved rounds, and `downRecords` records with the peer down (after the TCP table).
 * `only` picks scenarios: 'socket', 'down', 'syslog', 'http'. Prints the tables unless `quiet`.
 */
export async function run(
  n: number,
  rounds = 5,
  quiet = false,
  only: readonly string[] | null = null,
  downRecords = 1_000_000,
): Promise<NetworkResult> {
  const want = (s: string): boolean => only === null || only.includes(s);
  const print = quiet ? (): void => {} : printTable;
  const result: NetworkResult = { socket: [], peerDown: { records: 0, capacity: 0, heapBefore: 0, heapAfter: 0, dropped: 0, seconds: 0 }, syslog: [], http: [], targets: [] };
  const note = (k: number): string => `(median of ${rounds} interleaved rounds, ${k.toLocaleString('en-US')} records per round, timed until the receiver has them)`;
  if (want('socket')) {
    const s = await socketScenario(n, rounds);
    result.socket = s.rows;
    result.targets.push(...s.targets);
    print('socket: SocketHandler vs pino-socket, TCP to a local receiver (bench/network.ts)', note(n), s.rows, s.targets);
  }
  if (want('down')) {
    const d = (result.peerDown = await peerDown(downRecords));
    if (!quiet) {
      console.log(`### socket, peer down: ${downRecords.toLocaleString('en-US')} records to a closed port (default maxBytes 64 MiB)\n`);
      console.log(`heapUsed after GC: before ${MiB(d.heapBefore)}, after ${MiB(d.heapAfter)} (Δ ${MiB(d.heapAfter - d.heapBefore)}); ` +
        `${d.dropped.toLocaleString('en-US')} records dropped and counted; ${Math.round(d.records / d.seconds).toLocaleString('en-US')} records/s while down\n`);
    }
  }
  if (want('syslog')) {
    const k = Math.max(1, Math.floor(n / 2));
    const s = await syslogScenario(k, rounds);
    result.syslog = s.rows;
    result.targets.push(...s.targets);
    print('syslog: SysLogHandler vs winston-syslog, pino-syslog + pino-socket, UDP to a local socket (bench/network.ts)', `${note(k)}; UDP: a round ends 250 ms after the last datagram, records/s counts delivered ones`, s.rows, s.targets);
  }
  if (want('http')) {
    const k = Math.max(1, Math.floor(n / 40));
    const s = await httpScenario(k, rounds);
    result.http = s.rows;
    result.targets.push(...s.targets);
    print('http: HTTPHandler POST vs winston Http, to a local http server (bench/network.ts)', note(k), s.rows, s.targets);
  }
  return result;
}

if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 200_000);
  const rounds = Number(process.argv[3] ?? 5);
  const only = process.argv[4] ? process.argv[4].split(',') : null;
  await run(n, rounds, false, only);
}
