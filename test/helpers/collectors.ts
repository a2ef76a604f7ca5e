/**
 * Small TCP peers for the delivery tests of the network handlers: a syslog collector that counts NUL-terminated
 * records (and can hold its connections without reading, as a stalled collector does), a server that accepts and
 * never says a word (a hung HTTP server, a silent SMTP server), a port nobody listens on, and the arithmetic that
 * turns `handleError` reports into "records given up". Everything waits for events; nothing sleeps.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RecordsDroppedError } from '../../src/index.js';

/** Seconds `work` took (the give-up tests compare it with the documented bound). */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

/** Records covered by a list of `handleError` errors: a RecordsDroppedError counts `dropped`, any other error 1. */
export function recordsReported(errors: readonly unknown[]): number {
  let n = 0;
  for (const e of errors) n += e instanceof RecordsDroppedError ? e.dropped : 1;
  return n;
}

/**
 * The same count from a child's stderr: one `--- Logging error ---` report each, a `RecordsDroppedError: …` report
 * counting the first number followed by "record" in its message, any other report 1.
 */
export function recordsReportedInText(stderr: string): { reports: number; records: number } {
  const parts = stderr.split('--- Logging error ---').slice(1);
  let records = 0;
  for (const p of parts) {
    const m = /RecordsDroppedError: [^\n]*?(\d+) record/.exec(p);
    records += m ? Number(m[1]) : 1;
  }
  return { reports: parts.length, records };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A port on 127.0.0.1 that refuses connections (it was bound, then closed). */
export async function refusedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A TCP syslog collector counting records that end in `'\0'` (CPython's `append_nul`, on a stream without framing).
 * With `read: false` it accepts and never reads (`pauseOnConnect`) until {@link resume}: the kernel buffers fill, then
 * the sender's writes stall, as with a collector that hangs.
 */
export class CountingCollector {
  records = 0;
  connections = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #open = new Set<Socket>();
  #reading: boolean;
  #waiters: { n: number; resolve: () => void }[] = [];
  #drained: (() => void)[] = [];
  port = 0;

  private constructor(read: boolean) {
    this.#reading = read;
    this.#server = createServer({ pauseOnConnect: !read }, (s) => this.#accept(s));
  }

  /** Listens on 127.0.0.1 port 0. */
  static async start(options: { read?: boolean } = {}): Promise<CountingCollector> {
    const c = new CountingCollector(options.read ?? true);
    c.port = await listen(c.#server);
    return c;
  }

  #accept(s: Socket): void {
    this.connections++;
    this.#sockets.add(s);
    this.#open.add(s);
    s.on('error', () => {});
    s.on('data', (chunk: Buffer) => {
      let i = chunk.indexOf(0);
      while (i !== -1) {
        this.records++;
        i = chunk.indexOf(0, i + 1);
      }
      this.#waiters = this.#waiters.filter((w) => (this.records >= w.n ? (w.resolve(), false) : true));
    });
    s.on('close', () => {
      this.#open.delete(s);
      this.#sockets.delete(s);
      if (this.#open.size === 0) for (const d of this.#drained.splice(0)) d();
    });
    if (this.#reading) s.resume();
  }

  /** Starts reading every held connection (and those accepted later). */
  resume(): void {
    this.#reading = true;
    for (const s of this.#sockets) s.resume();
  }

  /** Resolves once `n` records in total have arrived. */
  waitFor(n: number): Promise<void> {
    if (this.records >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  /**
   * Resolves once every connection accepted so far was closed by the sender and read to its end: after that,
   * `records` counts everything the sender's kernel had accepted. Call after {@link resume}.
   */
  allClosed(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }
}

/**
 * Accepts TCP connections, reads and discards what arrives, and never writes a byte: an HTTP server that never
 * answers, an SMTP server that never greets.
 */
export class SilentServer {
  connections = 0;
  bytes = 0;
  port = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor() {
    this.#server = createServer((s) => {
      this.connections++;
      this.#sockets.add(s);
      s.on('error', () => {});
      s.on('data', (c: Buffer) => (this.bytes += c.length));
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  /** Listens on 127.0.0.1 port 0. */
  static async start(): Promise<SilentServer> {
    const s = new SilentServer();
    s.port = await listen(s.#server);
    return s;
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }
}
