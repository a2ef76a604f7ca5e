/**
 * SysLogHandler and the syslog constants (CPython's `logging.handlers.SysLogHandler`).
 *
 * By default the bytes on the wire are CPython's: `<PRI>` + UTF-8 of `ident + format(record) + '\0'`, one record
 * per UDP or unix datagram, or back to back on a stream (REFERENCE §3.7). Sending never blocks the logging call:
 * `emit()` encodes the record and pushes it on a bounded {@link Delivery}; one writer connects, sends, and backs
 * off while the daemon is unreachable.
 *
 * ```
 * emit() ─encode─▶ Delivery (≤ capacity records) ─▶ #write ─▶ transport.send ─▶ daemon
 *            full: dropped + counted    peer down: wait retryTime (1, 2, 4 … 30 s), keep the backlog;
 *                                       flush()/close(): one more try, then give the backlog up (counted)
 * every drop episode ends in ONE handleError report (RecordsDroppedError) with its count
 * ```
 */
import type { ConnectionOptions } from 'node:tls';
import { Handler } from '../core/handler.js';
import { RecordsDroppedError } from '../core/errors.js';
import { KeyError } from '../core/errors.js';
import { NOTSET } from '../core/levels.js';
import type { LogRecord } from '../core/record.js';
import { safeRepr } from '../core/repr.js';
import { Delivery } from '../internal/delivery.js';
import { onExit } from '../internal/exit.js';
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
import { resolveOptions, type SysLogHandlerOptions } from './syslog-options.js';
import { checkOptions, optionKeys } from '../internal/options.js';

export * from './syslog-constants.js';
export type { SysLogHandlerOptions } from './syslog-options.js';
export type { SysLogAddress, SysLogSocket, SysLogSocktype } from './syslog-transport.js';
export type { Rfc5424Options } from './syslog-rfc5424.js';

/** One encoded record on its way. */
interface Item {
  readonly bytes: Buffer;
  readonly record: LogRecord;
  readonly seq: number;
}

/** An open drop episode: from the first record lost to the report. */
interface Episode {
  count: number;
  first: LogRecord;
  /** The connection error, when the daemon was unreachable. */
  error: unknown;
  /** Records were dropped because the backlog was full / the handler was closed. */
  full: boolean;
  closed: boolean;
}

/** Errors that belong to one record (it cannot be sent as it is), not to the connection. */
const RECORD_ERRORS = new Set(['EMSGSIZE', 'ENOBUFS', 'ERR_SOCKET_DGRAM_NOT_RUNNING']);
const STANDARD_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

const SYSLOG_KEYS = optionKeys<SysLogHandlerOptions>()([
  'address', 'facility', 'socktype', 'timeout', 'level', 'framing', 'tls', 'capacity', 'rfc5424',
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
 * records wait in a bounded backlog instead of each failing into `handleError`; drops are counted in `dropped`
 * and reported once per episode. A lone UTF-16 surrogate is sent as U+FFFD (CPython's `encode('utf-8')` raises).
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
  /** Seconds for a connect or a stalled send, or null (CPython 3.14's `timeout`). */
  readonly timeout: number | null;
  /** Backoff after a failed connect, in seconds (CPython's SocketHandler names). */
  retryStart = 1.0;
  /** Factor applied to the backoff after each failed connect. */
  retryFactor = 2.0;
  /** Longest backoff, in seconds. */
  retryMax = 30.0;
  /** Epoch seconds before which no reconnect is tried, or null. */
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
  #delivery: Delivery<Item>;
  readonly #capacity: number;
  #transport: SysLogTransport | null = null;
  #opening: Promise<SysLogTransport> | null = null;
  #seq = 0;
  /** Records with a seq up to this are given up rather than waited for (set by flush/close). */
  #giveUpThrough = 0;
  #wake: (() => void) | null = null;
  #episode: Episode | null = null;
  #dropped = 0;
  #lastError: unknown = null;
  #missingReported = false;
  #udpRefusedReported = false;
  #closedReported = false;
  #lastRecord: LogRecord | null = null;
  #idleTimer: NodeJS.Immediate | null = null;
  #offExit: () => void;
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
    this.#capacity = o.capacity;
    this.#delivery = this.#newDelivery();
    this.#offExit = this.#registerExit();
  }

  #newDelivery(): Delivery<Item> {
    return new Delivery<Item>({
      capacity: this.#capacity,
      write: (item) => this.#write(item),
      onError: (err, item) => this.handleError(item.record, normalizeError(err)),
      onDrop: () => {}, // counted in emit(), where the dropped record is known
      teardown: async () => {
        await this.#drainTransport();
        this.#closeTransport();
      },
    });
  }

  #registerExit(): () => void {
    const ref = new WeakRef(this); // the exit hook must not keep a forgotten handler alive
    return onExit(() => {
      const h = ref.deref();
      if (h !== undefined) h.#atExit();
    });
  }

  /**
   * A record after `close()` finished: start over with a new backlog, as CPython's `emit()` reopens the socket
   * (`createSocket()` when `self.socket` is None) for UDP, unix and IPv6 alike.
   */
  #reopen(): void {
    this.#closeDone = false;
    this.#closedReported = false;
    this.#giveUpThrough = this.#seq;
    this.retryTime = null;
    this.#delivery = this.#newDelivery();
    this.#offExit = this.#registerExit();
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

  /** Records dropped so far: backlog full, daemon unreachable at `flush()`/`close()`, or emitted after close. */
  get dropped(): number {
    return this.#dropped;
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
      const item: Item = { bytes: this.#encode(record), record, seq: ++this.#seq };
      if (!this.#delivery.push(item)) {
        if (!this.#delivery.closed) return this.#noteDrop(record, 'full');
        this.#noteDrop(record, 'closed');
        // nothing will end this episode (no flush, no exit hook after close): report the first one now
        if (!this.#closedReported) {
          this.#closedReported = true;
          this.#endEpisode(0);
        }
      }
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * CPython's `createSocket()`: (re)connects now instead of on the next record. Errors are not thrown (CPython
   * ignores them here for unix paths too); the next record retries or reports them.
   */
  createSocket(): void {
    this.#closeTransport();
    void this.#open(null).catch(() => {});
  }

  #open(record: LogRecord | null): Promise<SysLogTransport> {
    this.#opening ??= openTransport({
      address: this.address,
      socktype: this.socktype,
      timeoutMs: this.timeout === null ? null : this.timeout * 1000,
      tls: this.#tls,
      onUnixDgramMissing: (err) => {
        if (this.#missingReported) return;
        this.#missingReported = true;
        if (record !== null) this.handleError(record, err);
      },
    }).then(
      (t) => {
        this.#opening = null;
        this.#transport = t;
        this.socktype = t.socktype; // CPython: "it worked, so set self.socktype to the used type"
        if (!this.unixsocket && t.socktype === 'dgram') {
          (t.socket as import('node:dgram').Socket).on('error', (err) => this.#udpError(err));
        }
        return t;
      },
      (err: unknown) => {
        this.#opening = null;
        throw normalizeError(err);
      },
    );
    return this.#opening;
  }

  /** A connected UDP socket hears the ICMP "port unreachable" of a stopped daemon; UDP cannot say how much was lost. */
  #udpError(err: Error): void {
    if (this.#udpRefusedReported || this.#lastRecord === null) return;
    this.#udpRefusedReported = true;
    const [host, port] = this.address as readonly [string, number];
    this.handleError(
      this.#lastRecord,
      new RecordsDroppedError(
        `syslog daemon at ${host}:${port} refused UDP datagrams (${errorCode(err) ?? err.message}); ` +
          'records sent while it is down are lost and UDP cannot count them',
        0,
        { cause: err },
      ),
    );
  }

  #closeTransport(): void {
    const t = this.#transport;
    this.#transport = null;
    if (t !== null) t.close();
  }

  #waitRetry(): Promise<void> {
    return new Promise((resolve) => {
      const ms = Math.max(0, ((this.retryTime ?? 0) - Date.now() / 1000) * 1000);
      const timer = setTimeout(done, ms);
      timer.unref(); // a down daemon must not keep the process alive (the exit hook reports what was lost)
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = null;
        resolve();
      }
      this.#wake = done;
    });
  }

  #connectFailed(err: unknown): void {
    this.#lastError = err;
    // CPython's SocketHandler backoff: retryStart, then * retryFactor up to retryMax.
    this.retryPeriod = this.retryPeriod === null ? this.retryStart : Math.min(this.retryPeriod * this.retryFactor, this.retryMax);
    this.retryTime = Date.now() / 1000 + this.retryPeriod;
  }

  /** The writer: one record at a time. Resolves when sent or given up; rejects only for a per-record error. */
  async #write(item: Item): Promise<void> {
    let resent = false;
    for (;;) {
      let t = this.#transport;
      if (t === null || t.dead) {
        const givingUp = item.seq <= this.#giveUpThrough;
        if (this.retryTime !== null && Date.now() / 1000 < this.retryTime) {
          if (givingUp) return this.#noteDrop(item.record, this.#lastError ?? 'closed');
          await this.#waitRetry();
          continue;
        }
        try {
          t = await this.#open(item.record);
        } catch (err) {
          this.#connectFailed(err);
          if (givingUp) return this.#noteDrop(item.record, err);
          continue;
        }
      }
      try {
        await t.send(item.bytes, (err) => this.#lateError(item.record, err));
      } catch (err) {
        const code = errorCode(err);
        if (resent || (code !== undefined && RECORD_ERRORS.has(code))) throw err;
        // CPython (unix socket): on OSError close, reconnect and send once more.
        if (this.#transport === t) this.#closeTransport();
        resent = true;
        continue;
      }
      this.retryTime = null;
      this.retryPeriod = null;
      this.#lastRecord = item.record;
      if (this.#delivery.pending === 0) {
        this.#endEpisode(0); // caught up: report what the episode cost
        if (t.holdsLoop) this.#closeWhenIdle(t);
      }
      return;
    }
  }

  /**
   * A send that failed after `send()` resolved: a datagram the OS refused (EMSGSIZE, reported per record as
   * CPython does) or bytes still in Node's buffer when a stream connection died (dropped and counted).
   */
  #lateError(record: LogRecord, err: Error): void {
    const code = errorCode(err);
    if (code !== undefined && RECORD_ERRORS.has(code)) this.handleError(record, normalizeError(err));
    else this.#noteDrop(record, err);
  }

  /** The unix-dgram addon's socket keeps the process alive: close it once nothing is queued. */
  #closeWhenIdle(t: SysLogTransport): void {
    if (this.#idleTimer !== null) return;
    this.#idleTimer = setImmediate(() => {
      this.#idleTimer = null;
      if (!this.#delivery.busy && this.#transport === t) this.#closeTransport();
    });
  }

  #noteDrop(record: LogRecord, cause: unknown): void {
    this.#dropped++;
    const ep = (this.#episode ??= { count: 0, first: record, error: null, full: false, closed: false });
    ep.count++;
    if (cause === 'full') ep.full = true;
    else if (cause === 'closed') ep.closed = true;
    else ep.error = cause;
  }

  #atExit(): void {
    this.#endEpisode(this.#delivery.pending);
  }

  /** Reports the open drop episode (plus `stillQueued` records about to be lost at exit) through handleError. */
  #endEpisode(stillQueued: number): void {
    const ep = this.#episode;
    if (ep === null && stillQueued === 0) return;
    this.#episode = null;
    const count = (ep?.count ?? 0) + stillQueued;
    const first = ep?.first ?? this.#lastRecord;
    if (first === null) return;
    const where = typeof this.address === 'string' ? this.address : `${this.address[0]}:${this.address[1]}`;
    const why: string[] = [];
    const error = ep?.error ?? (stillQueued > 0 ? this.#lastError : null);
    if (error !== null && error !== undefined) {
      why.push(`syslog daemon at ${where} unreachable (${error instanceof Error ? error.message : safeRepr(error)})`);
    }
    if (ep?.full) why.push(`the backlog was full (capacity ${this.#capacity})`);
    if (ep?.closed) why.push('emitted after close() (later ones are only counted)');
    if (stillQueued > 0) why.push(`${stillQueued} still queued at process exit`);
    this.handleError(
      first,
      new RecordsDroppedError(`SysLogHandler dropped ${count} record${count === 1 ? '' : 's'}: ${why.join('; ')}`, count, {
        cause: error ?? undefined,
      }),
    );
  }

  /**
   * Resolves once every record emitted so far was sent (handed to the OS) or given up. A record still waiting
   * for an unreachable daemon gets one more connection attempt, then is dropped, counted and reported.
   */
  override async flush(): Promise<void> {
    this.#giveUpThrough = this.#seq;
    this.#udpRefusedReported = false;
    this.retryTime = null;
    this.#wake?.();
    await this.#delivery.flush();
    await this.#transport?.drain();
    this.#endEpisode(0);
  }

  /** Resolves once the transport has no send in flight (UDP callbacks, stream buffers). */
  async #drainTransport(): Promise<void> {
    await this.#transport?.drain();
  }

  /**
   * Delivers what is queued (as `flush()`), reports drops, closes the socket. Records emitted afterwards are
   * dropped and counted. Every call returns a promise for the same work.
   */
  override async close(): Promise<void> {
    this.#giveUpThrough = Number.MAX_SAFE_INTEGER;
    this.retryTime = null;
    this.#wake?.();
    await this.#delivery.close();
    this.#endEpisode(0);
    this.#offExit();
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
