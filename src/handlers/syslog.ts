/**
 * SysLogHandler and the syslog constants (CPython's `logging.handlers.SysLogHandler`).
 *
 * By default the bytes on the wire are CPython's: `<PRI>` + UTF-8 of `ident + format(record) + '\0'`, one record
 * per UDP or unix datagram, or back to back on a stream (REFERENCE §3.7). Sending never blocks the logging call:
 * `emit()` encodes the record and pushes it on the shared delivery component (internal/delivery.ts), which owns the
 * byte-bounded backlog, connecting through `createSocket()` with CPython's backoff on this handler's `retry*`
 * attributes, batching, giving up and the drop episodes; this file keeps CPython's hooks and the syslog wording.
 *
 * ```
 * emit() ─encode─▶ Delivery (≤ maxBytes) ─▶ createSocket() when not connected ─▶ transport.send ─▶ daemon
 *            full: dropped + counted       daemon down: retry after 1, 2, 4 … 30 s, the backlog kept;
 *                                          a send stalled for `timeout` (5 s if null): once more on a new
 *                                          connection, then back off; flush()/close(): give up what cannot go now
 * every drop episode ends in ONE handleError report (RecordsDroppedError) with its exact count
 * ```
 */
import type { ConnectionOptions } from 'node:tls';
import { Handler } from '../core/handler.js';
import { KeyError } from '../core/errors.js';
import { NOTSET } from '../core/levels.js';
import type { LogRecord } from '../core/record.js';
import { systemClock, type Clock } from '../internal/clock.js';
import { Delivery, formatBytes, type DropEpisode } from '../internal/delivery.js';
import { dropReport, udpRefused } from './syslog-report.js';
import { octetFrame, Rfc5424Encoder } from './syslog-rfc5424.js';
import {
  errorCode,
  normalizeError,
  openTransport,
  type SysLogAddress,
  type SysLogSocket,
  type SysLogSocktype,
  type SysLogTransport,
} from './syslog-transport.js';
import * as C from './syslog-constants.js';
import { FACILITY_NAMES, PRIORITY_MAP, PRIORITY_NAMES } from './syslog-constants.js';
import { DEFAULT_GIVE_UP, resolveOptions, type SysLogHandlerOptions } from './syslog-options.js';
import { checkOptions, optionKeys } from '../internal/options.js';

export * from './syslog-constants.js';
export type { SysLogHandlerOptions } from './syslog-options.js';
export type { SysLogAddress, SysLogSocket, SysLogSocktype } from './syslog-transport.js';
export type { Rfc5424Options } from './syslog-rfc5424.js';

/** One encoded record on its way. */
interface Item {
  readonly bytes: Buffer;
  readonly record: LogRecord;
}

/** Errors that belong to one record (it cannot be sent as it is), not to the connection. */
const RECORD_ERRORS = new Set(['EMSGSIZE', 'ENOBUFS', 'ERR_SOCKET_DGRAM_NOT_RUNNING']);
const isRecordError = (err: unknown): boolean => RECORD_ERRORS.has(errorCode(err) ?? '');
const STANDARD_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
/** Most records merged into one stream write (the records queued behind a write, as SocketHandler's batches). */
const MAX_BATCH = 64;

const SYSLOG_KEYS = optionKeys<SysLogHandlerOptions>()([
  'address', 'facility', 'socktype', 'timeout', 'level', 'framing', 'tls', 'maxBytes', 'capacity', 'clock', 'rfc5424',
]);

/**
 * Python's `SysLogHandler`: sends each record to a syslog daemon over UDP (the default, `localhost:514`), TCP,
 * or a unix socket such as `/dev/log`.
 *
 * @example
 * ```ts
 * const h = new SysLogHandler({ address: '/dev/log', facility: LOG_LOCAL0 });
 * h.ident = 'myapp: ';
 * h.setFormatter(new Formatter('%(name)s %(levelname)s %(message)s'));
 * getLogger().addHandler(h);
 * ```
 *
 * Differs from CPython: the constructor validates but does not connect (the first record, or `createSocket()`,
 * does), so an unresolvable host is reported through `handleError`, not thrown. While the daemon is unreachable
 * records wait in a backlog bounded in bytes (`maxBytes`) and reconnects back off as CPython's SocketHandler's
 * (`retryStart`, `retryFactor`, `retryMax`) instead of each record failing into `handleError`; drops are counted in
 * `dropped` and reported once per episode. A send that makes no progress for `timeout` seconds (5 s when `timeout`
 * is null, where CPython would block for ever) ends the connection; the records are sent once more on a new one, and
 * if that stalls too they are given up. So `flush()`, `close()`, `shutdown()` and the process's exit finish within
 * about twice that against a collector that accepts and never reads. A lone UTF-16 surrogate is sent as U+FFFD
 * (CPython's `encode('utf-8')` raises).
 */
export class SysLogHandler extends Handler {
  /** Prepended to every formatted message (CPython's class attribute `ident`), e.g. `'myapp: '`. */
  declare ident: string;
  /** Append `'\0'` to each message, as old daemons expect (CPython's class attribute). Not with octet counting. */
  declare append_nul: boolean;
  /** CPython's `facility_names`: name → facility number. */
  declare readonly facility_names: Readonly<Record<string, number>>;
  /** CPython's `priority_names`: name → severity number. */
  declare readonly priority_names: Readonly<Record<string, number>>;

  /** The destination (CPython's `address`). */
  readonly address: SysLogAddress;
  /** The socket type in use: null until a connection decided it for a unix path (CPython's `socktype`). */
  socktype: SysLogSocktype | null;
  /** True for a unix socket path (CPython's `unixsocket`). */
  readonly unixsocket: boolean;
  /** Seconds for a connect or a stalled send, or null: 5 s then (CPython 3.14's `timeout`, blocking when None). */
  readonly timeout: number | null;
  /** Backoff after a failed connect, in seconds (CPython's SocketHandler names). */
  retryStart = 1.0;
  /** Factor applied to the backoff after each failed connect. */
  retryFactor = 2.0;
  /** Longest backoff, in seconds. */
  retryMax = 30.0;
  /** Epoch seconds (by the `clock` option) before which no reconnect is tried, or null. */
  retryTime: number | null = null;
  /** The current backoff, in seconds, or null. */
  retryPeriod: number | null = null;
  /** `'none'` or `'octet-counting'`. */
  readonly framing: 'none' | 'octet-counting';

  #facility: number | string;
  #priorityMap: Readonly<Record<string, string>> = PRIORITY_MAP;
  /** levelname → `<PRI>` (or `<PRI>1 `): built on first use after a configuration change (the hot path). */
  #prefixes: Map<string, string> | null = null;
  readonly #rfc5424: Rfc5424Encoder | null;
  readonly #tls: ConnectionOptions | null;
  readonly #maxBytes: number;
  readonly #capacity: number | undefined;
  readonly #clock: Clock;
  #delivery: Delivery<Item>;
  /** Records dropped by the backlogs of earlier opens (a record after `close()` starts a new backlog). */
  #droppedBefore = 0;
  #transport: SysLogTransport | null = null;
  #missingReported = false;
  #udpRefusedReported = false;
  /** The last record sent, and the last one emitted: the records a report without a dropped one names. */
  #lastSent: LogRecord | null = null;
  #lastEmitted: LogRecord | null = null;
  #idleTimer: NodeJS.Immediate | null = null;
  /** Connections opened to resend after a stall: a stall there too is not retried (the collector takes nothing). */
  readonly #afterStall = new WeakSet<SysLogTransport>();
  /** Set when `close()` has finished: the next record reopens, as CPython's emit() does after close(). */
  #closeDone = false;

  /** Python's `SysLogHandler(address, facility, socktype)` for dictConfig; `socktype` 1/2 is socket.SOCK_STREAM/DGRAM. */
  static override pySignature: typeof Handler.pySignature = {
    params: ['address', 'facility', 'socktype'],
    build: (C, kw) =>
      new C(kw['socktype'] === 1 || kw['socktype'] === 2 ? { ...kw, socktype: kw['socktype'] === 1 ? 'stream' : 'dgram' } : kw),
  };
  constructor(options: SysLogHandlerOptions = {}) {
    if (new.target === SysLogHandler) checkOptions('SysLogHandler', options, SYSLOG_KEYS);
    super(options.level ?? NOTSET);
    const o = resolveOptions(options);
    this.#rfc5424 = o.rfc5424 === null ? null : new Rfc5424Encoder(o.rfc5424);
    this.address = o.address;
    this.#facility = o.facility;
    this.socktype = o.socktype;
    this.unixsocket = typeof o.address === 'string';
    this.timeout = o.timeout;
    this.framing = o.framing;
    this.#tls = o.tls;
    this.#maxBytes = o.maxBytes;
    this.#capacity = o.capacity;
    this.#clock = options.clock ?? systemClock;
    this.#delivery = this.#newDelivery();
  }

  #newDelivery(): Delivery<Item> {
    return new Delivery<Item>({
      maxBytes: this.#maxBytes,
      ...(this.#capacity === undefined ? {} : { capacity: this.#capacity }),
      sizeOf: (item) => item.bytes.length,
      write: (item) => this.#write(item),
      // A stream takes the records queued behind a write in one write, UDP hands them over back to back. Not the
      // unix-dgram addon, whose send can fail half-way through a batch (the batch retried would repeat datagrams).
      ...(this.socktype === 'stream' || !this.unixsocket ? { writeBatch: (items: Item[]) => this.#writeMany(items), maxBatch: MAX_BATCH } : {}),
      link: {
        isOpen: () => this.#transport !== null && !this.#transport.dead,
        connect: () => this.createSocket(),
        shut: () => this.#closeTransport(),
        idle: () => this.#idle(),
      },
      retry: this,
      clock: this.#clock,
      onDrop: (n, episode) => this.#report(n, episode),
      teardown: async () => {
        await this.#transport?.drain();
        this.#closeTransport();
      },
      exitReport: true,
    });
  }

  /**
   * A record after `close()` finished: start over with a new backlog, as CPython's `emit()` reopens the socket
   * (`createSocket()` when `self.socket` is None) for UDP, unix and IPv6 alike.
   */
  #reopen(): void {
    this.#closeDone = false;
    this.#droppedBefore += this.#delivery.dropped;
    this.retryTime = null;
    this.retryPeriod = null;
    this.#delivery = this.#newDelivery();
  }

  /** CPython's `facility`; assigning it rebuilds the `<PRI>` table. */
  get facility(): number | string {
    return this.#facility;
  }

  /**
   * Changes the facility of later messages: a number (`SysLogHandler.LOG_LOCAL0`) or a name from `facility_names`
   * (`'local0'`). A bad name is reported per record by `emit()`, as CPython's `KeyError` is.
   */
  set facility(value: number | string) {
    this.#facility = value;
    this.#prefixes = null;
  }

  /**
   * CPython's `priority_map` (levelname → priority name). The default table is frozen: assign a new object
   * (which rebuilds the `<PRI>` table) or override {@link SysLogHandler.mapPriority}.
   */
  get priority_map(): Readonly<Record<string, string>> {
    return this.#priorityMap;
  }

  /** Replaces the whole levelname → priority name table for later messages (`{ INFO: 'notice', … }`). */
  set priority_map(value: Readonly<Record<string, string>>) {
    this.#priorityMap = value;
    this.#prefixes = null;
  }

  /** The socket in use (CPython's `socket`), or null while not connected. */
  get socket(): SysLogSocket | null {
    return this.#transport?.socket ?? null;
  }

  /**
   * Records dropped so far: the backlog was full, given up while the daemon was unreachable or stalled at
   * `flush()`/`close()`, emitted while `close()` was delivering, or still queued at process exit.
   */
  get dropped(): number {
    return this.#droppedBefore + this.#delivery.dropped;
  }

  /**
   * CPython's `encodePriority(facility, priority)`: `(facility << 3) | priority`, names looked up in
   * `facility_names` / `priority_names` (RFC 5424 §6.2.1: PRI = facility * 8 + severity).
   * @throws {KeyError} for an unknown name, as CPython (`KeyError: 'bogus'`).
   */
  encodePriority(facility: number | string, priority: number | string): number {
    let f = facility;
    let p = priority;
    if (typeof f === 'string') {
      if (!Object.hasOwn(this.facility_names, f)) throw new KeyError(`'${f}'`);
      f = this.facility_names[f] as number;
    }
    if (typeof p === 'string') {
      if (!Object.hasOwn(this.priority_names, p)) throw new KeyError(`'${p}'`);
      p = this.priority_names[p] as number;
    }
    return (f << 3) | p;
  }

  /** CPython's `mapPriority(levelName)`: `priority_map[levelName]`, `'warning'` for unknown (custom) levels. */
  mapPriority(levelName: string): string {
    return Object.hasOwn(this.#priorityMap, levelName) ? (this.#priorityMap[levelName] as string) : 'warning';
  }

  #prefix(levelname: string): string {
    let table = this.#prefixes;
    if (table === null) {
      table = this.#prefixes = new Map();
      for (const name of STANDARD_LEVEL_NAMES) table.set(name, this.#computePrefix(name));
    }
    let prefix = table.get(levelname);
    if (prefix === undefined) {
      prefix = this.#computePrefix(levelname);
      if (table.size < 256) table.set(levelname, prefix);
    }
    return prefix;
  }

  #computePrefix(levelname: string): string {
    const pri = this.encodePriority(this.#facility, this.mapPriority(levelname));
    return this.#rfc5424 === null ? `<${pri}>` : `<${pri}>1 `; // RFC 5424 §6.2.2: VERSION 1
  }

  /** The bytes for one record, exactly as CPython builds them unless an opt-in format or framing is set. */
  #encode(record: LogRecord): Buffer {
    const prefix = this.#prefix(String(record.levelname));
    let text: string;
    if (this.#rfc5424 === null) {
      text = this.ident ? this.ident + this.format(record) : this.format(record);
      if (this.append_nul && this.framing === 'none') text += '\0';
    } else {
      text = this.#rfc5424.encode(record, this.format(record));
    }
    // Buffer.from encodes a lone surrogate as U+FFFD (EF BF BD) where CPython's encode('utf-8') would raise.
    const bytes = Buffer.from(prefix + text, 'utf8');
    return this.framing === 'octet-counting' ? octetFrame(bytes) : bytes;
  }

  /**
   * Formats and encodes the record now, then queues it for the writer. Never blocks and never throws; a full
   * backlog, or a record logged while `close()` is still delivering, is dropped (counted in `dropped`, reported
   * once per episode). After `close()` has finished, a record reopens the handler, as in CPython.
   */
  override emit(record: LogRecord): void {
    try {
      if (this.#closeDone) this.#reopen();
      this.#lastEmitted = record;
      this.#delivery.push({ bytes: this.#encode(record), record });
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * CPython's `createSocket()`: opens the socket to the daemon (for a unix path without `socktype`: datagram, then
   * stream). The writer calls it when it is not connected, under CPython's SocketHandler backoff: not before
   * `retryTime`, and a failure sets the next one. Never rejects: the error becomes the cause quoted when records are
   * given up.
   */
  createSocket(): Promise<void> {
    return this.#delivery.attempt(async () => {
      this.#closeTransport();
      const t = await openTransport({
        address: this.address,
        socktype: this.socktype,
        timeoutMs: (this.timeout ?? DEFAULT_GIVE_UP) * 1000,
        tls: this.#tls,
        onUnixDgramMissing: (err) => {
          if (this.#missingReported || this.#lastEmitted === null) return;
          this.#missingReported = true;
          this.handleError(this.#lastEmitted, err);
        },
      }).catch((err: unknown) => {
        throw normalizeError(err);
      });
      this.#transport = t;
      this.socktype = t.socktype; // CPython: "it worked, so set self.socktype to the used type"
      if (!this.unixsocket && t.socktype === 'dgram') {
        (t.socket as import('node:dgram').Socket).on('error', (err) => this.#udpError(err));
      }
    });
  }

  /** One record (the delivery calls it only while connected). A datagram refused for itself is reported, as CPython. */
  async #write(item: Item): Promise<void> {
    try {
      await this.#send(item.bytes, item, 1);
    } catch (err) {
      if (!isRecordError(err)) throw err; // the connection's: the delivery reconnects and sends it once more
      this.handleError(item.record, normalizeError(err));
    }
    this.#lastSent = item.record;
  }

  /** The records queued behind a write: one stream write, or datagrams back to back (a UDP send fails only later). */
  async #writeMany(items: Item[]): Promise<void> {
    const t = this.#transport as SysLogTransport;
    if (t.socktype === 'stream') await this.#send(Buffer.concat(items.map((item) => item.bytes)), items[0] as Item, items.length);
    else for (const item of items) await t.send(item.bytes, (err) => this.#lateError(item, 1, err));
    this.#lastSent = (items[items.length - 1] as Item).record;
  }

  /**
   * Hands `bytes` to the open transport. A send that stalled for `timeout` is sent once more on a new connection
   * (CPython's emit() reconnects and sends once more after an error), but not when that connection was itself opened
   * after a stall: a collector that takes nothing is then given up, within about twice `timeout`, instead of each new
   * connection's buffers taking a little more for ever.
   */
  async #send(bytes: Buffer, first: Item, count: number): Promise<void> {
    const late = (err: Error): void => this.#lateError(first, count, err);
    const t = this.#transport as SysLogTransport;
    try {
      await t.send(bytes, late);
    } catch (err) {
      if (errorCode(err) !== 'ETIMEDOUT' || this.#afterStall.has(t)) throw err; // the delivery's rules
      await this.createSocket();
      const again = this.#transport;
      if (again === null) throw err;
      this.#afterStall.add(again);
      await again.send(bytes, late);
    }
  }

  /**
   * A send that failed after `send()` resolved: a datagram the OS refused (EMSGSIZE, reported for its record, as
   * CPython does), or bytes still in Node's buffer when a stream connection died (dropped, counted, reported).
   */
  #lateError(first: Item, count: number, err: Error): void {
    if (isRecordError(err)) return this.handleError(first.record, normalizeError(err));
    const ledger = this.#delivery.ledger;
    ledger.cause = err;
    ledger.add(errorCode(err) === 'ETIMEDOUT' ? 'stalled' : 'unreachable', count, first);
  }

  /** A connected UDP socket hears the ICMP "port unreachable" of a stopped daemon; UDP cannot say how much was lost. */
  #udpError(err: Error): void {
    if (this.#udpRefusedReported || this.#lastSent === null) return;
    this.#udpRefusedReported = true;
    this.handleError(this.#lastSent, udpRefused(this.#where(), err));
  }

  #closeTransport(): void {
    const t = this.#transport;
    this.#transport = null;
    if (t !== null) t.close();
  }

  /** The backlog is empty: the unix-dgram addon's socket keeps the process alive, so close it until the next record. */
  #idle(): void {
    const t = this.#transport;
    if (t === null || !t.holdsLoop || this.#idleTimer !== null) return;
    this.#idleTimer = setImmediate(() => {
      this.#idleTimer = null;
      if (!this.#delivery.busy && this.#transport === t) this.#closeTransport();
    });
  }

  /** One drop episode through `handleError`, with the first record it lost. */
  #report(n: number, episode: DropEpisode): void {
    const record = (episode.first as Item | undefined)?.record ?? this.#lastSent ?? this.#lastEmitted;
    if (record === null) return;
    const bound = this.#capacity === undefined ? formatBytes(this.#maxBytes) : `capacity ${this.#capacity}`;
    this.handleError(record, dropReport(n, episode, this.#where(), bound));
  }

  /** `host:port` or the socket path, as reports say it. */
  #where(): string {
    return typeof this.address === 'string' ? this.address : `${this.address[0]}:${this.address[1]}`;
  }

  /**
   * Resolves once every record emitted so far was sent (handed to the OS) or given up. Records waiting for an
   * unreachable daemon get one more connection attempt if the retry time has come; otherwise they are dropped,
   * counted and reported.
   */
  override async flush(): Promise<void> {
    this.#udpRefusedReported = false;
    await this.#delivery.flush();
    await this.#transport?.drain();
    await this.#delivery.flush(); // reports what the drain found lost (a connection that died with bytes in Node)
  }

  /**
   * Delivers what is queued (as `flush()`), reports drops, closes the socket. Records emitted meanwhile are dropped
   * and counted; a record emitted afterwards reopens the handler, as in CPython.
   */
  override async close(): Promise<void> {
    await this.#delivery.close();
    if (this.#idleTimer !== null) clearImmediate(this.#idleTimer);
    await super.close();
    this.#closeDone = true;
  }

  // CPython's class constants, as `SysLogHandler.LOG_LOCAL0`; the module exports them too.
  /** See {@link C.LOG_EMERG}. */ static readonly LOG_EMERG = C.LOG_EMERG;
  /** See {@link C.LOG_ALERT}. */ static readonly LOG_ALERT = C.LOG_ALERT;
  /** See {@link C.LOG_CRIT}. */ static readonly LOG_CRIT = C.LOG_CRIT;
  /** See {@link C.LOG_ERR}. */ static readonly LOG_ERR = C.LOG_ERR;
  /** See {@link C.LOG_WARNING}. */ static readonly LOG_WARNING = C.LOG_WARNING;
  /** See {@link C.LOG_NOTICE}. */ static readonly LOG_NOTICE = C.LOG_NOTICE;
  /** See {@link C.LOG_INFO}. */ static readonly LOG_INFO = C.LOG_INFO;
  /** See {@link C.LOG_DEBUG}. */ static readonly LOG_DEBUG = C.LOG_DEBUG;
  /** See {@link C.LOG_KERN}. */ static readonly LOG_KERN = C.LOG_KERN;
  /** See {@link C.LOG_USER}. */ static readonly LOG_USER = C.LOG_USER;
  /** See {@link C.LOG_MAIL}. */ static readonly LOG_MAIL = C.LOG_MAIL;
  /** See {@link C.LOG_DAEMON}. */ static readonly LOG_DAEMON = C.LOG_DAEMON;
  /** See {@link C.LOG_AUTH}. */ static readonly LOG_AUTH = C.LOG_AUTH;
  /** See {@link C.LOG_SYSLOG}. */ static readonly LOG_SYSLOG = C.LOG_SYSLOG;
  /** See {@link C.LOG_LPR}. */ static readonly LOG_LPR = C.LOG_LPR;
  /** See {@link C.LOG_NEWS}. */ static readonly LOG_NEWS = C.LOG_NEWS;
  /** See {@link C.LOG_UUCP}. */ static readonly LOG_UUCP = C.LOG_UUCP;
  /** See {@link C.LOG_CRON}. */ static readonly LOG_CRON = C.LOG_CRON;
  /** See {@link C.LOG_AUTHPRIV}. */ static readonly LOG_AUTHPRIV = C.LOG_AUTHPRIV;
  /** See {@link C.LOG_FTP}. */ static readonly LOG_FTP = C.LOG_FTP;
  /** See {@link C.LOG_NTP}. */ static readonly LOG_NTP = C.LOG_NTP;
  /** See {@link C.LOG_SECURITY}. */ static readonly LOG_SECURITY = C.LOG_SECURITY;
  /** See {@link C.LOG_CONSOLE}. */ static readonly LOG_CONSOLE = C.LOG_CONSOLE;
  /** See {@link C.LOG_SOLCRON}. */ static readonly LOG_SOLCRON = C.LOG_SOLCRON;
  /** See {@link C.LOG_LOCAL0}. */ static readonly LOG_LOCAL0 = C.LOG_LOCAL0;
  /** See {@link C.LOG_LOCAL1}. */ static readonly LOG_LOCAL1 = C.LOG_LOCAL1;
  /** See {@link C.LOG_LOCAL2}. */ static readonly LOG_LOCAL2 = C.LOG_LOCAL2;
  /** See {@link C.LOG_LOCAL3}. */ static readonly LOG_LOCAL3 = C.LOG_LOCAL3;
  /** See {@link C.LOG_LOCAL4}. */ static readonly LOG_LOCAL4 = C.LOG_LOCAL4;
  /** See {@link C.LOG_LOCAL5}. */ static readonly LOG_LOCAL5 = C.LOG_LOCAL5;
  /** See {@link C.LOG_LOCAL6}. */ static readonly LOG_LOCAL6 = C.LOG_LOCAL6;
  /** See {@link C.LOG_LOCAL7}. */ static readonly LOG_LOCAL7 = C.LOG_LOCAL7;
  /** CPython's `facility_names`, on the class. */ static readonly facility_names = FACILITY_NAMES;
  /** CPython's `priority_names`, on the class. */ static readonly priority_names = PRIORITY_NAMES;
  /** CPython's `priority_map`, on the class (frozen; instances may assign their own). */ static readonly priority_map = PRIORITY_MAP;
}

// CPython's class attributes, shared by every instance unless one assigns its own.
SysLogHandler.prototype.ident = '';
SysLogHandler.prototype.append_nul = true;
Object.defineProperty(SysLogHandler.prototype, 'facility_names', { value: FACILITY_NAMES, writable: true });
Object.defineProperty(SysLogHandler.prototype, 'priority_names', { value: PRIORITY_NAMES, writable: true });
