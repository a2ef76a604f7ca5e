/**
 * The sockets behind SysLogHandler: UDP, TCP (optionally TLS), unix datagram (through the optional `unix-dgram`
 * addon) and unix stream. Each is opened by {@link openTransport} the way CPython's `createSocket` /
 * `_connect_unixsocket` open theirs, and offers one `send(bytes)` that resolves once the bytes are with the OS.
 * Retries, backoff and drop accounting live in the handler (syslog.ts); this file only moves bytes.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket as NetSocket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { dgram, dns, net, tls as tlsModule } from '../internal/builtins.js';
import { getSystemErrorName } from 'node:util';
import { openUnixDgram, UnixDgramMissingError, type UnixDgramSocket } from '../internal/unix-dgram.js';

/** Python's `socket.SOCK_DGRAM` / `socket.SOCK_STREAM`, spelled as strings. */
export type SysLogSocktype = 'dgram' | 'stream';

/** What CPython's `address` is: `[host, port]` for UDP/TCP, or the path of a unix socket. */
export type SysLogAddress = readonly [host: string, port: number] | string;

/** The socket object a transport exposes as `handler.socket`. */
export type SysLogSocket = DgramSocket | NetSocket | TLSSocket | UnixDgramSocket;

/** One open connection (or datagram socket) to the syslog daemon. */
export interface SysLogTransport {
  /** The underlying socket (CPython's `handler.socket`). */
  readonly socket: SysLogSocket;
  /** The socket type that worked (CPython sets `self.socktype` to it). */
  readonly socktype: SysLogSocktype;
  /** True once the connection is known to be gone; the next send must reconnect. */
  readonly dead: boolean;
  /** True when an open socket keeps the event loop alive (the addon's poll handle): close it when idle. */
  readonly holdsLoop: boolean;
  /**
   * Hands `bytes` to the OS; rejects with the socket error. A transport that pipelines (UDP) may resolve before
   * the OS answered and report that answer's error through `late` instead.
   */
  send(bytes: Buffer, late?: (err: Error) => void): Promise<void>;
  /** Resolves once every byte sent so far has left Node's own buffers (and, for UDP, every send callback ran). */
  drain(): Promise<void>;
  /** Closes the socket; safe to call twice. */
  close(): void;
}

/** How {@link openTransport} connects. */
export interface TransportSpec {
  address: SysLogAddress;
  /** null: CPython's default (UDP for `[host, port]`; datagram then stream for a unix path). */
  socktype: SysLogSocktype | null;
  /** Connect/send timeout in milliseconds (CPython 3.14's `timeout`), or null for none. */
  timeoutMs: number | null;
  /** TLS options for a TCP connection, or null for plain TCP. */
  tls: ConnectionOptions | null;
  /** Called when the `unix-dgram` addon is missing and the stream fallback is about to be tried. */
  onUnixDgramMissing(err: UnixDgramMissingError): void;
}

/**
 * Gives a Node-style `code` to an error: the addon reports negative errno numbers (`-2`), which become `'ENOENT'`.
 */
export function normalizeError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const e = err as Error & { code?: unknown; errno?: unknown };
  if (typeof e.code === 'number' && e.code < 0) {
    let name: string;
    try {
      name = getSystemErrorName(e.code);
    } catch {
      return e;
    }
    e.errno = e.code;
    e.code = name;
    e.message = `${e.message.replace(/-?\d+$/, '').trim()} ${name}`;
  }
  return e;
}

/** The error's Node code (`'ECONNREFUSED'`), if any. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`${what} timed out after ${ms / 1000} s`), { code: 'ETIMEDOUT' });
}

/**
 * A connected UDP socket. CPython uses an unconnected `sendto`; the bytes are the same, and a connected socket
 * also hears the ICMP "port unreachable" of a daemon that is down (as an `'error'` event).
 *
 * Up to {@link UDP_WINDOW} datagrams are handed to libuv before their callbacks ran: a send callback comes one
 * event-loop turn later, so waiting for each would cap delivery at one record per turn.
 * measured (Node 20.20, loopback): one-at-a-time 25 k records/s; with the window the socket, not the loop, limits.
 */
const UDP_WINDOW = 256;

class UdpTransport implements SysLogTransport {
  readonly socktype = 'dgram' as const;
  readonly holdsLoop = false;
  dead = false;
  #inFlight = 0;
  #room: (() => void) | null = null;
  #idle: (() => void)[] = [];
  constructor(readonly socket: DgramSocket) {
    socket.on('error', () => {}); // an unheard 'error' event would crash the process; the handler adds its own
  }
  send(bytes: Buffer, late?: (err: Error) => void): Promise<void> {
    this.#inFlight++;
    this.socket.send(bytes, (err) => {
      this.#inFlight--;
      if (err) late?.(err);
      const room = this.#room;
      this.#room = null;
      room?.();
      if (this.#inFlight === 0) for (const w of this.#idle.splice(0)) w();
    });
    if (this.#inFlight < UDP_WINDOW) return Promise.resolve();
    return new Promise((resolve) => (this.#room = resolve));
  }
  drain(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
  close(): void {
    this.dead = true;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

class UnixDgramTransport implements SysLogTransport {
  readonly socktype = 'dgram' as const;
  readonly holdsLoop = true;
  dead = false;
  constructor(
    readonly socket: UnixDgramSocket,
    private readonly timeoutMs: number | null,
  ) {}
  async send(bytes: Buffer): Promise<void> {
    // The addon waits out congestion (a daemon that stopped reading fills the socket): bounded by the timeout.
    let timer: NodeJS.Timeout | undefined;
    const ms = this.timeoutMs;
    const stalled =
      ms === null
        ? null
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              this.close();
              reject(timeoutError('send to the syslog daemon', ms));
            }, ms);
          });
    const sending = this.socket.send(bytes);
    sending.catch(() => {}); // a send cut off by the timeout may still reject: that is no news
    try {
      await (stalled === null ? sending : Promise.race([sending, stalled]));
    } catch (err) {
      throw normalizeError(err);
    } finally {
      clearTimeout(timer);
    }
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.dead = true;
    this.socket.close();
  }
}

/** TCP, TLS or unix stream. Resolves a send as soon as Node accepted the bytes without exceeding its buffer. */
class StreamTransport implements SysLogTransport {
  readonly socktype = 'stream' as const;
  readonly holdsLoop = false;
  dead = false;
  #error: Error | null = null;
  #waiters = new Set<(err: Error | null) => void>();
  #stallTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: NetSocket | TLSSocket,
    private readonly timeoutMs: number | null,
  ) {
    socket.on('error', (err: Error) => {
      this.#error = err;
    });
    socket.on('close', () => {
      this.dead = true;
      const err =
        this.#error ?? Object.assign(new Error('connection closed by the syslog daemon'), { code: 'ECONNRESET' });
      this.#settle(err);
    });
    socket.on('drain', () => this.#settle(null));
    // The daemon never talks back; reading keeps 'end'/'close' flowing so a restart is noticed.
    socket.on('data', () => {});
    socket.on('end', () => socket.destroy());
  }

  #wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.add((err) => (err ? reject(err) : resolve()));
      this.#watch();
    });
  }

  #settle(err: Error | null): void {
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
    this.#stallTimer = null;
    for (const w of this.#waiters) w(err);
    this.#waiters.clear();
  }

  /**
   * CPython 3.14: sock.settimeout(timeout) bounds each sendall(); here a wait during which the OS takes no byte for
   * `timeout` ends the connection (the handler then reconnects or gives the records up). Progress is libuv's
   * queue shrinking, what Node's own socket timeout watches too; that one fires only after two quiet periods.
   */
  #watch(): void {
    const ms = this.timeoutMs;
    if (ms === null || this.#stallTimer !== null) return;
    const queued = (): number => (this.socket as { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize ?? this.socket.writableLength;
    let last = queued();
    const check = (): void => {
      this.#stallTimer = null;
      if (this.#waiters.size === 0) return;
      const now = queued();
      if (now > 0 && now === last) return void this.socket.destroy(timeoutError('send to the syslog daemon', ms));
      last = now;
      this.#stallTimer = setTimeout(check, ms);
    };
    this.#stallTimer = setTimeout(check, ms);
  }

  send(bytes: Buffer, late?: (err: Error) => void): Promise<void> {
    if (this.dead || this.socket.destroyed) {
      return Promise.reject(
        this.#error ?? Object.assign(new Error('connection to the syslog daemon is closed'), { code: 'EPIPE' }),
      );
    }
    // measured (Node 20): resolving on a `true` write without waiting for its callback keeps one record per
    // microtask instead of one per event-loop turn; Node still writes the bytes in order.
    // A record still in Node's buffer when the connection dies is lost: its callback says so (ERR_STREAM_DESTROYED).
    // The record that waits for 'drain' is not reported here: its rejection makes the handler send it again.
    let waited = false;
    const written =
      late === undefined
        ? this.socket.write(bytes)
        : this.socket.write(bytes, (err) => {
            if (err && !waited) late(this.#error ?? err);
          });
    if (written) return Promise.resolve();
    waited = true;
    return this.#wait();
  }

  drain(): Promise<void> {
    if (this.dead || this.socket.writableLength === 0) return Promise.resolve();
    // An empty write's callback runs once everything queued before it was handed to the OS (or failed).
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        resolve();
      };
      this.#waiters.add(done);
      this.socket.write(Buffer.alloc(0), done);
      this.#watch();
    });
  }

  close(): void {
    this.dead = true;
    this.socket.end();
    this.socket.destroySoon();
  }
}

function connectStream(
  opts: { path: string } | { host: string; port: number },
  tls: ConnectionOptions | null,
  timeoutMs: number | null,
): Promise<StreamTransport> {
  return new Promise((resolve, reject) => {
    let socket: NetSocket | TLSSocket;
    const ready = tls === null ? 'connect' : 'secureConnect';
    if (tls !== null && 'host' in opts) {
      const servername = net().isIP(opts.host) ? undefined : opts.host;
      socket = tlsModule().connect({ ...(servername === undefined ? {} : { servername }), ...tls, host: opts.host, port: opts.port });
    } else {
      socket = net().connect(opts);
    }
    socket.on('error', () => {}); // a second error after a failed connect must not crash the process
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    if (timeoutMs !== null) {
      // The timer runs before the poll phase: after a long synchronous stretch (a burst of records) it could fire
      // before a connect that already completed is seen. One setImmediate lets pending I/O events through first.
      timer = setTimeout(() => {
        setImmediate(() => {
          if (!settled) fail(timeoutError('connect to the syslog daemon', timeoutMs));
        });
      }, timeoutMs);
      timer.unref();
    }
    socket.once(ready, () => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      socket.removeListener('error', fail);
      socket.unref(); // an idle connection must not keep the process alive; pending writes still do
      resolve(new StreamTransport(socket, timeoutMs));
    });
  });
}

async function connectUdp(host: string, port: number): Promise<UdpTransport> {
  // CPython: getaddrinfo(host, port, 0, SOCK_DGRAM) and the first answer. dns.lookup keeps the OS order too.
  const family = net().isIP(host);
  const ip = family !== 0 ? { address: host, family } : await dns().lookup(host);
  const socket = dgram().createSocket(ip.family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, ip.address, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    socket.close();
    throw err;
  });
  socket.unref();
  return new UdpTransport(socket);
}

/**
 * Opens the socket CPython's `createSocket` would: UDP or TCP for `[host, port]`; for a path, a datagram socket
 * first and, if that fails and no `socktype` was given, a stream socket (CPython's `_connect_unixsocket`).
 * @throws The connect error (for a unix path with no `socktype`: the stream attempt's, as CPython raises).
 */
export async function openTransport(spec: TransportSpec): Promise<SysLogTransport> {
  const { address, socktype } = spec;
  if (typeof address !== 'string') {
    const [host, port] = address;
    if ((socktype ?? 'dgram') === 'dgram') return connectUdp(host, port);
    return connectStream({ host, port }, spec.tls, spec.timeoutMs);
  }
  if (socktype !== 'stream') {
    try {
      return new UnixDgramTransport(openUnixDgram(address), spec.timeoutMs);
    } catch (err) {
      if (err instanceof UnixDgramMissingError) {
        if (socktype === 'dgram') throw err;
        spec.onUnixDgramMissing(err);
      } else if (socktype === 'dgram') {
        throw normalizeError(err);
      }
    }
  }
  return connectStream({ path: address }, null, spec.timeoutMs);
}
