/**
 * The log-record receiver: the logging cookbook's "many processes, one log file" server. It accepts what CPython's
 * (and pylogging's) SocketHandler and DatagramHandler send — a 4-byte big-endian length, then a pickle of the record
 * dict — over TCP, UDP, a unix stream socket and a unix datagram socket, rebuilds each record with `makeLogRecord`,
 * and hands it to `getLogger(record.name).handle(record)`, as the cookbook's `LogRecordStreamHandler` does.
 *
 * The receiver faces the network, so decoding is data-only (`internal/unpickle.ts`): a pickle that names code, is
 * malformed, or is over the limits is refused, that connection is closed (a datagram is dropped), and the others keep
 * being served.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { dgram, net } from './internal/builtins.js';
import { getLogger } from './core/api.js';
import { makeLogRecord, type LogRecord } from './core/record.js';
import { systemClock, type Clock } from './internal/clock.js';
import { formattedSizeProblem, RateLimitedCount, replaceStaleStreamSocket } from './internal/receiver-limits.js';
import { loads, UnpicklingError } from './internal/unpickle.js';
import { bindUnixDgram, type UnixDgramSocket } from './internal/unix-dgram.js';
import { checkOptions, optionKeys } from './internal/options.js';

export { UnpicklingError } from './internal/unpickle.js';
export { UnixDgramMissingError } from './internal/unix-dgram.js';

/** Options of {@link LogRecordReceiver}. Leave a transport out (or null) not to listen on it. */
export interface LogRecordReceiverOptions {
  /** Interface for TCP and UDP. @default 'localhost' (as the cookbook's receiver) */
  host?: string;
  /** TCP port (SocketHandler); 0 picks a free one. */
  tcp?: number | null;
  /** UDP port (DatagramHandler); 0 picks a free one. */
  udp?: number | null;
  /**
   * Path of a unix stream socket (`SocketHandler(path, null)`). A stale socket file there (a connect to it is
   * refused: its server died) is replaced; a socket another server is serving makes `listen()` reject with
   * `EADDRINUSE` naming the path, and a regular file is left untouched (`EADDRINUSE` too).
   */
  unix?: string | null;
  /**
   * Path of a unix datagram socket (`DatagramHandler(path, null)`, CPython's `DatagramHandler(path, None)`); needs
   * the optional package `unix-dgram`. A stale socket file there (one nobody receives on) is replaced; a regular
   * file, or a socket another process receives on, makes `listen()` reject with `EADDRINUSE`. `close()` removes the
   * socket file. The addon reads at most 64 KiB per datagram, so longer records cannot arrive whole and are refused.
   */
  unixDgram?: string | null;
  /**
   * Largest pickle accepted, in bytes; a length prefix over it closes the connection (or drops the datagram).
   * @default 1 MiB
   */
  maxRecordSize?: number;
  /** Deepest nesting accepted in a record. @default 100 */
  maxDepth?: number;
  /** Seconds a peer may take to finish a record it started (slowloris guard). @default 30 */
  recordTimeout?: number;
  /**
   * Seconds a new TCP/unix connection may take to deliver its first complete record; one that has not is closed
   * and reported (`'refused'`), so connections that never send a byte cannot hold the slots real senders need.
   * A connection that has delivered a record is never closed for being idle: CPython's SocketHandler keeps one
   * connection for the life of its process and notices a close only when a send fails, losing that record.
   * @default 60
   */
  idleTimeout?: number;
  /**
   * Most TCP/unix connections at once, per listener. Connections over it are closed at once and reported,
   * counted, through the `'dropped'` event (at most one event per `reportInterval`). @default 1024
   */
  maxConnections?: number;
  /**
   * Most characters one record may format to: a record whose `msg % args` (widths, precisions, `*` and the
   * converted values counted) or any single field could exceed it is refused (`'refused'`) before anything
   * formats it, so a 211-byte `'%400000000d' % (1,)` cannot make gigabytes. @default 1048576 (1 Mi characters)
   */
  maxMessageSize?: number;
  /**
   * The stream the local handlers write to, watched for its backlog (Node's `writableLength`: bytes queued
   * because the reader is not keeping up), e.g. `process.stdout`. Null: no backlog bound. @default null
   */
  output?: {
    /** Bytes written but not yet handed to the OS: Node's `Writable.writableLength`. */
    readonly writableLength?: number;
  } | null;
  /**
   * Most bytes `output` may have queued: while it has more, received records are dropped instead of handled,
   * and counted through the `'dropped'` event. The backlog thus ends at most one record past it. @default 16 MiB
   */
  maxBacklog?: number;
  /** Seconds between two `'dropped'` events of the same reason (a flood is reported as counts). @default 10 */
  reportInterval?: number;
  /** Time source of the `reportInterval` rate limit (tests inject one). @default the system clock */
  clock?: Clock;
  /** The cookbook's `logname`: log every record to this logger instead of `record.name`'s. @default null */
  logname?: string | null;
}

/** Where the receiver listens, once {@link LogRecordReceiver.listen} resolved. */
export interface ReceiverAddresses {
  /** The TCP listener's bound address; its `port` is the real one when `tcp: 0` asked for a free port. */
  tcp?: AddressInfo;
  /** The UDP socket's bound address (the real port when `udp: 0`). */
  udp?: AddressInfo;
  /** The unix stream socket's path. */
  unix?: string;
  /** The unix datagram socket's path. */
  unixDgram?: string;
}

/** Details of a refused input, given with the `'refused'` event. */
export interface RefusedInfo {
  /** The listener the refused input came in on. */
  transport: 'tcp' | 'udp' | 'unix' | 'unix-dgram';
  /** `host:port` of the peer, or the socket path (the sender's, for a unix datagram sent from a bound socket). */
  peer: string;
}

/** What a `'dropped'` event reports: inputs dropped, counted, over one period. */
export interface DroppedInfo {
  /**
   * `'max-connections'`: connections closed on arrival because `maxConnections` were open; `'backlog'`: records
   * dropped because `output` had more than `maxBacklog` bytes queued.
   */
  reason: 'max-connections' | 'backlog';
  /** How many were dropped in the period. */
  count: number;
  /** The period's length in seconds, from the first drop it counts to this report. */
  seconds: number;
  /** The limit that was hit (`maxConnections`, or `maxBacklog` in bytes). */
  limit: number;
}

const RECEIVER_KEYS = optionKeys<LogRecordReceiverOptions>()([
  'host', 'tcp', 'udp', 'unix', 'unixDgram', 'maxRecordSize', 'maxDepth', 'recordTimeout', 'idleTimeout', 'maxConnections',
  'maxMessageSize', 'output', 'maxBacklog', 'reportInterval', 'clock', 'logname',
]);

/**
 * Receives pickled log records and logs them locally.
 *
 * Events: `'record'` (record, transport) after a record was handled; `'refused'` (UnpicklingError, RefusedInfo)
 * when an input was refused (the connection is closed; a refused datagram is dropped, and its socket keeps
 * receiving); `'dropped'` ({@link DroppedInfo}) at most once per `reportInterval` and reason, counting connections
 * over `maxConnections` and records dropped for `output`'s backlog (the last count is sent by `close()`);
 * `'error'` (Error) for a listening socket's error. Count `'refused'` events to count refusals.
 *
 * Datagram inputs (`udp`, `unixDgram`) take one record per datagram, as CPython's DatagramHandler sends it: the
 * 4-byte length, then the pickle. The length must fit in the datagram and in `maxRecordSize`.
 *
 * @example
 * ```ts
 * basicConfig({ format: '%(asctime)s %(name)-15s %(levelname)-8s %(process)d %(message)s' });
 * const receiver = new LogRecordReceiver({ tcp: DEFAULT_TCP_LOGGING_PORT, udp: DEFAULT_UDP_LOGGING_PORT });
 * await receiver.listen();
 * ```
 */
export class LogRecordReceiver extends EventEmitter {
  /** The options it was built with, after validation (a copy: changing the caller's object changes nothing). */
  readonly options: Readonly<LogRecordReceiverOptions>;
  readonly #servers: Server[] = [];
  readonly #conns = new Set<Socket>();
  #udp: DgramSocket | null = null;
  #unixDgram: UnixDgramSocket | null = null;
  #addresses: ReceiverAddresses = {};
  #closing: Promise<void> | null = null;
  readonly #connectionDrops: RateLimitedCount;
  readonly #backlogDrops: RateLimitedCount;

  constructor(options: LogRecordReceiverOptions = {}) {
    if (new.target === LogRecordReceiver) checkOptions('LogRecordReceiver', options, RECEIVER_KEYS);
    super();
    for (const key of ['tcp', 'udp'] as const) {
      const p = options[key];
      if (p !== undefined && p !== null && !(Number.isInteger(p) && p >= 0 && p <= 65535)) {
        throw new RangeError(`${key} must be a port number (0..65535), got ${String(p)}`);
      }
    }
    const limits = ['maxRecordSize', 'maxDepth', 'recordTimeout', 'idleTimeout', 'maxConnections', 'maxMessageSize', 'maxBacklog', 'reportInterval'] as const;
    for (const key of limits) {
      const v = options[key];
      if (v !== undefined && !(v > 0 && v < Infinity)) throw new RangeError(`${key} must be a positive number, got ${String(v)}`);
    }
    const { unix, unixDgram } = options;
    if (unixDgram !== undefined && unixDgram !== null && (typeof unixDgram !== 'string' || unixDgram === '')) {
      throw new TypeError(`unixDgram must be a socket path, got ${String(unixDgram)}`);
    }
    if (unixDgram && unixDgram === unix) throw new RangeError(`unix and unixDgram must be different paths, got ${unix} for both`);
    this.options = { ...options };
    const clock = options.clock ?? systemClock;
    const interval = options.reportInterval ?? 10;
    const dropped = (reason: DroppedInfo['reason'], limit: number) => (count: number, seconds: number) =>
      this.emit('dropped', { reason, count, seconds, limit } satisfies DroppedInfo);
    this.#connectionDrops = new RateLimitedCount(interval, clock, dropped('max-connections', this.#maxConnections));
    this.#backlogDrops = new RateLimitedCount(interval, clock, dropped('backlog', this.#maxBacklog));
  }

  get #maxConnections(): number {
    return this.options.maxConnections ?? 1024;
  }

  get #maxBacklog(): number {
    return this.options.maxBacklog ?? 16 * 1024 * 1024;
  }

  /** Where it listens (after `listen()`). */
  get addresses(): ReceiverAddresses {
    return this.#addresses;
  }

  /**
   * Starts listening on every configured transport; resolves with the addresses (ports chosen for 0).
   * @throws {UnixDgramMissingError} (`ERR_PYLOGGING_UNIX_DGRAM_MISSING`, naming the package) for `unixDgram`
   * without the optional `unix-dgram` package, before any transport is opened; a transport's bind error otherwise.
   */
  async listen(): Promise<ReceiverAddresses> {
    const host = this.options.host ?? 'localhost';
    const { tcp, udp, unix, unixDgram } = this.options;
    if (unixDgram !== undefined && unixDgram !== null) {
      // first: a missing addon or a taken path then leaves nothing half-open
      const sock = bindUnixDgram(unixDgram);
      this.#unixDgram = sock;
      sock.on('message', (msg, from) => this.#datagram(msg, 'unix-dgram', from ?? unixDgram));
      this.#addresses.unixDgram = unixDgram;
    }
    if (tcp !== undefined && tcp !== null) {
      const server = this.#streamServer('tcp');
      server.listen(tcp, host);
      await once(server, 'listening');
      this.#addresses.tcp = server.address() as AddressInfo;
    }
    if (unix !== undefined && unix !== null) {
      await replaceStaleStreamSocket(unix);
      const server = this.#streamServer('unix');
      server.listen(unix);
      await once(server, 'listening');
      this.#addresses.unix = unix;
    }
    if (udp !== undefined && udp !== null) {
      const sock = dgram().createSocket(host.includes(':') ? 'udp6' : 'udp4');
      this.#udp = sock;
      sock.on('message', (msg, rinfo) => this.#datagram(msg, 'udp', `${rinfo.address}:${rinfo.port}`));
      sock.bind(udp, host);
      await once(sock, 'listening');
      sock.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
      this.#addresses.udp = sock.address();
    }
    return this.#addresses;
  }

  /**
   * The cookbook's `handleLogRecord`: logs `record` through `getLogger(logname ?? record.name).handle(record)`
   * (every record is handled: logger-level filtering happened at the sender). Override to route differently.
   */
  handleLogRecord(record: LogRecord): void {
    const name = this.options.logname ?? (typeof record.name === 'string' ? record.name : null);
    getLogger(name).handle(record);
  }

  /** Stops listening and closes every connection. Every call returns the first call's promise. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      for (const c of this.#conns) c.destroy();
      await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      if (this.#udp) await new Promise<void>((resolve) => this.#udp?.close(() => resolve()));
      this.#unixDgram?.close(); // also removes its socket file
      this.#connectionDrops.flush();
      this.#backlogDrops.flush();
    })());
  }

  #streamServer(transport: 'tcp' | 'unix'): Server {
    const server = net().createServer((sock) => this.#connection(sock, transport));
    server.maxConnections = this.#maxConnections;
    server.on('drop', () => this.#connectionDrops.add());
    server.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
    this.#servers.push(server);
    return server;
  }

  /** Splits one connection's bytes into records; buffers at most 4 + maxRecordSize bytes. */
  #connection(sock: Socket, transport: 'tcp' | 'unix'): void {
    this.#conns.add(sock);
    const peer = transport === 'tcp' ? `${sock.remoteAddress}:${sock.remotePort}` : (this.options.unix ?? '');
    const max = this.options.maxRecordSize ?? 1024 * 1024;
    const chunks: Buffer[] = [];
    let have = 0;
    let need = 4; // header first, then the pickle
    let inBody = false;
    let timer: NodeJS.Timeout | null = null;
    const idle = this.options.idleTimeout ?? 60;
    // until its first record, a connection must deliver one within idleTimeout (a silent one holds a slot)
    let idleTimer: NodeJS.Timeout | null = setTimeout(
      () => refuse(new UnpicklingError(`no complete record within ${idle} s of connecting (idleTimeout)`)),
      idle * 1000,
    ).unref();
    const refuse = (err: UnpicklingError): void => {
      if (timer) clearTimeout(timer);
      if (idleTimer) clearTimeout(idleTimer);
      if (sock.destroyed) return;
      sock.destroy();
      this.emit('refused', err, { transport, peer } satisfies RefusedInfo);
    };
    const take = (n: number): Buffer => {
      const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      chunks.length = 0;
      if (all.length > n) chunks.push(all.subarray(n));
      have -= n;
      return all.subarray(0, n);
    };
    sock.on('error', () => {}); // a reset peer just goes away
    sock.on('close', () => {
      if (timer) clearTimeout(timer);
      if (idleTimer) clearTimeout(idleTimer);
      this.#conns.delete(sock);
    });
    sock.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      while (have >= need && !sock.destroyed) {
        if (!inBody) {
          need = take(4).readUInt32BE(0);
          if (need > max) return refuse(new UnpicklingError(`record of ${need} bytes is over maxRecordSize (${max})`));
          inBody = true;
        } else {
          const body = take(need);
          need = 4;
          inBody = false;
          if (!this.#decode(body, transport, peer)) return sock.destroy();
          if (idleTimer) clearTimeout(idleTimer);
          idleTimer = null;
        }
      }
      // slowloris: a record, once started, must be finished within recordTimeout
      if (have > 0 || inBody) {
        timer ??= setTimeout(
          () => refuse(new UnpicklingError(`record not finished within ${this.options.recordTimeout ?? 30} s`)),
          (this.options.recordTimeout ?? 30) * 1000,
        ).unref();
      } else if (timer) {
        clearTimeout(timer);
        timer = null;
      }
    });
  }

  /** One datagram, one record: the 4-byte length, then the pickle (bytes after it are ignored). */
  #datagram(msg: Buffer, transport: 'udp' | 'unix-dgram', peer: string): void {
    const max = this.options.maxRecordSize ?? 1024 * 1024;
    const n = msg.length < 4 ? -1 : msg.readUInt32BE(0);
    let err: UnpicklingError | null = null;
    if (n < 0 || n > msg.length - 4) err = new UnpicklingError('datagram shorter than its length prefix');
    else if (n > max) err = new UnpicklingError(`record of ${n} bytes is over maxRecordSize (${max})`);
    if (err) {
      this.emit('refused', err, { transport, peer } satisfies RefusedInfo);
      return;
    }
    this.#decode(msg.subarray(4, 4 + n), transport, peer);
  }

  /** Unpickles one record and handles it; false (after a 'refused' event) when it was refused. */
  #decode(body: Buffer, transport: RefusedInfo['transport'], peer: string): boolean {
    let record: LogRecord;
    try {
      const d = loads(body, { maxBytes: this.options.maxRecordSize ?? 1024 * 1024, maxDepth: this.options.maxDepth ?? 100 });
      if (d === null || typeof d !== 'object' || Object.getPrototypeOf(d) !== null) {
        throw new UnpicklingError('a log record must be a dict with str keys');
      }
      const max = this.options.maxMessageSize ?? 1024 * 1024;
      const problem = formattedSizeProblem(d as Record<string, unknown>, max);
      if (problem !== null) throw new UnpicklingError(`record refused (maxMessageSize): ${problem}`);
      record = makeLogRecord(d as Record<string, unknown>);
    } catch (err) {
      const e = err instanceof UnpicklingError ? err : new UnpicklingError(String(err), { cause: err });
      this.emit('refused', e, { transport, peer } satisfies RefusedInfo);
      return false;
    }
    const out = this.options.output;
    if (out && (out.writableLength ?? 0) > this.#maxBacklog) {
      this.#backlogDrops.add(); // the reader of output is not keeping up: drop rather than queue without end
      return true;
    }
    try {
      this.handleLogRecord(record);
      this.emit('record', record, transport);
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', err); // a handler bug must not stop the receiver
    }
    return true;
  }
}
