/**
 * The worker thread of a `WorkerQueueListener` (entry file: `pylogging/worker`). It builds the handlers described in
 * `workerData`, then runs an ordinary {@link QueueListener} over a reader of the shared ring: every record is
 * `handle()`d exactly as CPython's listener thread does. After each batch (the ring ran dry, or `flushEvery`
 * records) it flushes the handlers and publishes DONE, which is what `flush()`, `stop()` and the exit hook of the
 * logging thread wait for.
 *
 * It exports nothing and is never imported: it is exported only so a bundled application can copy it as a second
 * entry point and pass its location as `WorkerQueueListener`'s `workerUrl` (unbundled, the listener finds it itself).
 *
 * @module pylogging/worker
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Handler } from '../core/handler.js';
import { loggingErrorReport } from '../core/handler.js';
import { LogRecord } from '../core/record.js';
import { state } from '../core/state.js';
import { RingBuffer, SENTINEL, STATE, type BinaryReader } from '../internal/ring-buffer.js';
import { writeStringSync } from '../internal/sync-write.js';
import { QueueEmpty, QueueListener, type GetQueue, type QueueItem } from './queue.js';
import type { WritableLike } from '../core/stream-handler.js';
import { buildHandlers } from '../config/dict-config.js';
import { preload, resolveName } from '../config/registry.js';
import { RecordDecoder } from '../internal/record-decoder.js';
import {
  type WorkerClassSpec,
  type WorkerHandlerSpec,
  type WorkerInit,
  type WorkerMessage,
} from './worker-protocol.js';

function report(err: unknown): void {
  if (!state.raiseExceptions) return;
  try {
    writeStringSync(2, loggingErrorReport(null, err));
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * Rebuilds a record from its JSON (the codec's fallback) without running the constructor (Python's `makeLogRecord`,
 * fast path). JSON.parse makes any `__proto__` key an own data property, so giving the parsed object LogRecord's
 * prototype is safe.
 */
function decode(text: string): LogRecord {
  // measured (Node 20): Object.assign(Object.create(LogRecord.prototype), parsed) costs ~2 µs more per record
  return Object.setPrototypeOf(JSON.parse(text) as object, LogRecord.prototype) as LogRecord;
}

const LINGER_MS = 1;
const LINGER_POLLS = 4;

/**
 * The worker's side of the ring as a queue for QueueListener: `get()` returns the next record (or `null` for the
 * sentinel) synchronously when one is there, else a promise; `task_done()` advances the "handled" position.
 */
class RingReader implements GetQueue<QueueItem> {
  #ring: RingBuffer;
  #handlers: readonly Handler[];
  #flushEvery: number;
  #handled: number;
  #published: number;
  #sinceFlush = 0;
  #chain: Promise<void> = Promise.resolve();
  readonly #binary: BinaryReader<LogRecord>;

  constructor(ring: RingBuffer, handlers: readonly Handler[], flushEvery: number, decoder: RecordDecoder) {
    this.#ring = ring;
    this.#binary = (bytes, view, start, end) => decoder.decode(bytes, view, start, end);
    this.#handlers = handlers;
    this.#flushEvery = flushEvery;
    this.#handled = this.#published = ring.readPosition();
  }

  get(block = true): QueueItem | Promise<QueueItem> {
    const item = this.#next();
    if (item !== undefined) return item;
    if (!block) throw new QueueEmpty('ring empty');
    return this.#wait();
  }

  /** The next record, null for the sentinel, undefined when the ring is empty. Undecodable entries are skipped. */
  #next(): QueueItem | undefined {
    for (;;) {
      try {
        const entry = this.#ring.read(this.#binary);
        if (entry === null) return undefined;
        if (entry === SENTINEL) return null;
        return typeof entry === 'string' ? decode(entry) : entry;
      } catch (err) {
        report(err);
        this.#handled = this.#ring.readPosition();
      }
    }
  }

  async #wait(): Promise<QueueItem> {
    void this.batchDone(); // never rejects: failures are reported inside
    // Linger before going idle: while records keep coming, the logging thread then publishes them without waking us
    // (a futex wake, a system call, for the first record after each idle wait) and writes ring lines we are not
    // reading. A record waits at most LINGER_MS more; an idle process polls LINGER_POLLS times, then sleeps.
    // measured (Node 20.20, 2-CPU VM, 1.2M records to a NullHandler worker): 33 700 wakes and 1.0 µs a logging call
    // when the worker waited at once; with the linger 0–3 wakes and 0.70–0.72 µs (steady rounds, 2 runs).
    for (let i = 0; i < LINGER_POLLS; i++) {
      await this.#ring.lingerForData(LINGER_MS);
      const item = this.#next();
      if (item !== undefined) return item;
    }
    for (;;) {
      await this.#ring.waitForData(1000);
      const item = this.#next();
      if (item !== undefined) return item;
    }
  }

  task_done(): void {
    this.#handled = this.#ring.readPosition();
    if (++this.#sinceFlush >= this.#flushEvery) void this.batchDone();
  }

  /**
   * Flushes the handlers, then publishes the handled position as DONE. Chained, so the reading goes on while a
   * slow handler (a network one) delivers; a failed flush is reported and counts as given up.
   */
  batchDone(): Promise<void> {
    const pos = this.#handled;
    if (pos !== this.#published) {
      this.#published = pos;
      this.#sinceFlush = 0;
      this.#chain = this.#chain
        .then(() => Promise.all(this.#handlers.map((h) => h.flush())))
        .catch(report)
        .then(() => this.#ring.markDone(pos));
    }
    return this.#chain;
  }
}

/** Synchronous writes to descriptor 1 or 2: a worker's own process.stdout goes through the logging thread. */
function fdStream(fd: 1 | 2): WritableLike & { name: string } {
  return {
    name: fd === 1 ? '<stdout>' : '<stderr>',
    write(text: string): void {
      const { rest } = writeStringSync(fd, text);
      if (rest) writeStringSync(fd, rest.toString('utf8'));
    },
  };
}

type HandlerClass = new (...args: unknown[]) => Handler;

function isHandler(v: unknown): v is Handler {
  return typeof v === 'object' && v !== null && typeof (v as Handler).handle === 'function';
}

async function fromModule(module: string, exportName: string, args: unknown[]): Promise<Handler[]> {
  const ns = (await import(module)) as Record<string, unknown>;
  const exp = ns[exportName];
  let made: unknown = exp;
  if (typeof exp === 'function') {
    const proto = (exp as { prototype?: unknown }).prototype;
    made =
      typeof proto === 'object' && proto !== null && typeof (proto as Handler).handle === 'function'
        ? new (exp as HandlerClass)(...args)
        : await (exp as (...a: unknown[]) => unknown)(...args);
  }
  const list = Array.isArray(made) ? (made as unknown[]) : [made];
  for (const h of list) {
    if (!isHandler(h)) throw new TypeError(`${module}#${exportName} did not give a Handler (got ${String(h)})`);
  }
  return list as Handler[];
}

/**
 * A class spec as a dictConfig handler entry (and its formatter entry): File/Stream/NullHandler take their keys by
 * Python's names, any other class of `pylogging/handlers` is called with its JavaScript `args`.
 */
function toEntry(spec: WorkerClassSpec, formatters: Record<string, unknown>, key: string): Record<string, unknown> {
  const name = spec.class.replace(/^logging\.(handlers\.)?/, '');
  const { class: _class, level, formatter, name: _name, args, stream, ...kwargs } = spec;
  const entry: Record<string, unknown> = { ...(level !== undefined && { level }) };
  if (formatter !== undefined) {
    formatters[key] = typeof formatter === 'string' ? { format: formatter } : { ...formatter };
    entry['formatter'] = key;
  }
  if (name === 'StreamHandler') {
    const s = stream ?? 'ext://sys.stderr';
    if (s !== 'ext://sys.stdout' && s !== 'ext://sys.stderr') {
      throw new RangeError(`StreamHandler stream must be 'ext://sys.stdout' or 'ext://sys.stderr', got ${String(s)}`);
    }
    return { ...entry, class: 'logging.StreamHandler', stream: fdStream(s === 'ext://sys.stdout' ? 1 : 2) };
  }
  if (name === 'FileHandler' || name === 'NullHandler') return { ...entry, ...kwargs, class: `logging.${name}` };
  const pyName = `logging.handlers.${name}`;
  preload([pyName]);
  let cls: unknown;
  try {
    cls = resolveName(pyName);
  } catch {
    cls = undefined;
  }
  if (typeof cls !== 'function') throw new TypeError(`Cannot resolve '${spec.class}': not a pylogging handler class`);
  return { ...entry, '()': () => new (cls as HandlerClass)(...(args ?? [])) };
}

/** Builds the handlers through dictConfig's builder (module specs: the module's own factory). */
async function build(specs: readonly WorkerHandlerSpec[]): Promise<Handler[]> {
  const formatters: Record<string, unknown> = {};
  const handlers: Record<string, unknown> = {};
  // Zero-padded keys: the builder builds in key order, which is then the specs' order.
  const keys = specs.map((_, i) => `h${String(i).padStart(6, '0')}`);
  specs.forEach((spec, i) => {
    if (!('module' in spec)) handlers[keys[i] as string] = toEntry(spec, formatters, keys[i] as string);
  });
  const built = buildHandlers({ version: 1, formatters, handlers });
  const out: Handler[] = [];
  for (const [i, spec] of specs.entries()) {
    if ('module' in spec) {
      out.push(...(await fromModule(spec.module, spec.export ?? 'default', spec.args ?? [])));
      continue;
    }
    const h = built.get(keys[i] as string) as Handler;
    if (spec.name !== undefined) h.name = spec.name;
    out.push(h);
  }
  return out;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-main.js runs only as a worker thread (WorkerQueueListener starts it)');
  const init = workerData as WorkerInit;
  const ring = new RingBuffer(init.sab);
  const send = (m: WorkerMessage): void => port.postMessage(m);
  // STATE = 2 tells the logging thread not to wait for us any more, whatever ends the thread.
  process.on('exit', () => ring.markStopped());
  port.on('message', () => {}); // a ref'd port keeps this thread's loop alive while it waits with Atomics.waitAsync
  let handlers: Handler[];
  try {
    handlers = await build(init.handlers);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, ...(e.stack !== undefined && { stack: e.stack }) });
    process.exit(1);
  }
  ring.prefault(); // before 'ready': the first records logged then meet mapped pages
  Atomics.store(ring.header, STATE, 1);
  const reader = new RingReader(ring, handlers, init.flushEvery, new RecordDecoder(init.codec));
  const listener = new QueueListener(reader, ...handlers, { respectHandlerLevel: init.respectHandlerLevel });
  send({ type: 'ready' });
  listener.start();
  await listener._thread;
  await reader.batchDone();
  for (const h of handlers) {
    try {
      await h.close();
    } catch (err) {
      report(err);
    }
  }
  process.exit(0);
}

await main();
