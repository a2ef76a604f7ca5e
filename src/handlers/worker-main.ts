/**
 * The worker thread of pylogging's worker host (entry file: `pylogging/worker`; `pylogging/socket-worker` loads this
 * file too). Started by a WorkerQueueListener, it builds the handlers described in `workerData` and hands them every
 * record of the shared ring through an ordinary {@link QueueListener}'s `handle()`, as CPython's listener thread
 * does; started by SocketHandler's `thread` mode, it sends the pickled frames of the ring with a SocketHandler of its
 * own. Either way one loop (worker-loop.ts) reads the ring, flushes after each batch and publishes DONE, which is
 * what `flush()`, `stop()` and the exit hook of the logging thread wait for.
 *
 * It exports nothing and is never imported: it is exported only so a bundled application can copy it as a second
 * entry point and pass its location as `WorkerQueueListener`'s `workerUrl` or SocketHandler's `thread.workerUrl`
 * (unbundled, they find it themselves).
 *
 * @module pylogging/worker
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Handler } from '../core/handler.js';
import type { WritableLike } from '../core/stream-handler.js';
import { RingBuffer, STATE } from '../internal/ring-buffer.js';
import { writeStringSync } from '../internal/sync-write.js';
import { RecordDecoder } from '../internal/record-decoder.js';
import { buildHandlers } from '../config/dict-config.js';
import { preload, resolveName } from '../config/registry.js';
import { QueueListener } from './queue.js';
import { WorkerLoop } from './worker-loop.js';
import { FrameSink, RecordSink, report } from './worker-sinks.js';
import {
  markStopped,
  WORKER_DROPPED,
  type WorkerClassSpec,
  type WorkerHandlerSpec,
  type WorkerInit,
  type WorkerMessage,
} from './worker-protocol.js';

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

/** What the loop hands the ring's entries to: the handlers built from the specs, or a SocketHandler. */
async function makeSink(init: WorkerInit): Promise<RecordSink | FrameSink> {
  if (init.kind === 'frames') return new FrameSink(init.socket);
  const handlers = await build(init.handlers);
  // Only its handle() is used (the loop reads the ring): the queue it is given is never read.
  const listener = new QueueListener({ get: () => null }, ...handlers, { respectHandlerLevel: init.respectHandlerLevel });
  return new RecordSink(listener, new RecordDecoder(init.codec), init.flushEvery);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-main.js runs only as a worker thread (WorkerQueueListener and SocketHandler start it)');
  const init = workerData as WorkerInit;
  const ring = new RingBuffer(init.sab);
  const send = (m: WorkerMessage): void => port.postMessage(m);
  // STATE = 2 tells the logging thread not to wait for us any more, whatever ends the thread.
  process.on('exit', () => markStopped(ring.header));
  port.on('message', () => {}); // a ref'd port keeps this thread's loop alive while it waits with Atomics.waitAsync
  let sink: RecordSink | FrameSink;
  try {
    sink = await makeSink(init);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, ...(e.stack !== undefined && { stack: e.stack }) });
    process.exit(1);
  }
  ring.prefault(); // before 'ready': the first records logged then meet mapped pages
  Atomics.store(ring.header, STATE, 1);
  send({ type: 'ready' });
  await new WorkerLoop(ring, sink, report).run();
  await sink.close();
  Atomics.store(ring.header, WORKER_DROPPED, sink.dropped); // what closing gave up too
  process.exit(0);
}

await main();
