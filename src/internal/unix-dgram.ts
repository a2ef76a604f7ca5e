/**
 * AF_UNIX datagram sockets, which Node cannot open by itself (`/dev/log`, DatagramHandler with `port: null`, the
 * receiver's `unixDgram` input).
 *
 * Backed by the native addon `unix-dgram`, an optional peer dependency loaded on first use only, so users who never
 * log to a unix datagram socket never install, build or load it. Without it, {@link openUnixDgram} and {@link bindUnixDgram} throw
 * {@link UnixDgramMissingError}, and callers fall back (SysLogHandler to a stream socket), report it once through
 * `handleError`, or reject (`LogRecordReceiver.listen()`).
 */
import { EventEmitter } from 'node:events';
import { lstatSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { socketFileAt, unlinkSameSocket } from './socket-file.js';

/** The addon is not installed (or did not build). */
export class UnixDgramMissingError extends Error {
  /** `'UnixDgramMissingError'`, the class name shown in reports. */
  override name = 'UnixDgramMissingError';
  /** Stable code for callers that branch on it (for example to fall back to UDP). */
  readonly code = 'ERR_PYLOGGING_UNIX_DGRAM_MISSING';
}

interface RawSocket {
  connected?: boolean;
  on(event: 'error', cb: (err: Error & { errno?: number; code?: unknown }) => void): unknown;
  on(event: 'writable' | 'congestion', cb: () => void): unknown;
  /** `buf` is null when recvmsg() failed (the addon still calls back); `path` is null for an unbound sender. */
  on(event: 'message', cb: (buf: Buffer | null, rinfo: { size?: number; path?: string | null }) => void): unknown;
  once(event: 'writable', cb: () => void): unknown;
  removeListener(event: string, cb: (...a: never[]) => void): unknown;
  bind(path: string): void;
  connect(path: string): void;
  send(buf: Buffer, cb: (err?: Error & { code?: unknown }) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error & { code?: unknown }) => void): void;
  close(): void;
}

interface Addon {
  createSocket(type: 'unix_dgram'): RawSocket;
}

let addon: Addon | Error | null = null;

function load(): Addon {
  if (addon === null) {
    try {
      addon = createRequire(import.meta.url)('unix-dgram') as Addon;
    } catch (err) {
      addon = new UnixDgramMissingError(
        `unix datagram sockets need the optional package 'unix-dgram' (npm install unix-dgram): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (addon instanceof Error) throw addon;
  return addon;
}

/**
 * Loads the addon now, so a handler that will need it fails where it is made rather than at its first record.
 * @throws {UnixDgramMissingError} naming the package to install.
 */
export function requireUnixDgram(): void {
  load();
}

/** True when the addon can be loaded. */
export function hasUnixDgram(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** Linux's `sizeof(sockaddr_un.sun_path)` less the NUL (macOS has 104): the addon would silently cut a longer path. */
const MAX_PATH_BYTES = 107;

/** The addon's errors carry a negative errno as `code` and a message like `bind -98`: give them Node's shape. */
function systemError(err: Error & { errno?: number; code?: unknown }, syscall: string, path: string): Error {
  if (typeof err.errno !== 'number') return err;
  let name: string;
  try {
    name = getSystemErrorName(err.errno);
  } catch {
    name = `E${-err.errno}`;
  }
  return Object.assign(new Error(`${syscall} ${name} ${path}`), { errno: err.errno, code: name, syscall, path });
}

/** Events of a bound {@link UnixDgramSocket}. */
interface UnixDgramEvents {
  /** One datagram; `from` is the sender's bound path, or null for an unbound sender (CPython's DatagramHandler). */
  message: [buf: Buffer, from: string | null];
}

/**
 * A unix datagram socket: promise-returning sends, and once bound ({@link bindUnixDgram}) a `'message'` event per
 * datagram. The addon reads at most 64 KiB per datagram: a longer one arrives cut to 64 KiB.
 */
export class UnixDgramSocket extends EventEmitter<UnixDgramEvents> {
  readonly #raw: RawSocket;
  #lastError: (Error & { errno?: number; code?: unknown }) | null = null;
  #closed = false;
  /** The socket file this socket created by bind(), to remove on close (if it is still that file). */
  #bound: { path: string; stat: Stats } | null = null;

  constructor() {
    super();
    this.#raw = load().createSocket('unix_dgram');
    // The addon reports errors as events; keep the last so synchronous calls can throw it.
    this.#raw.on('error', (err) => {
      this.#lastError = err;
    });
    this.#raw.on('message', (buf, rinfo) => {
      if (Buffer.isBuffer(buf) && !this.#closed) this.emit('message', buf, rinfo.path ?? null);
    });
  }

  /**
   * Connects to `path` (later sends go there).
   * @throws The connect error (`ENOENT`, `ECONNREFUSED`, `EPROTOTYPE` for a stream socket).
   */
  connect(path: string): void {
    this.#lastError = null;
    this.#raw.connect(path);
    const err = this.#lastError as Error | null; // set by the 'error' listener during connect()
    if (err) throw err;
  }

  /**
   * Binds to `path`, creating the socket file; datagrams sent there then arrive as `'message'` events, and
   * {@link close} removes that file (and nothing else). Use {@link bindUnixDgram} to replace a stale file first.
   * @throws `EADDRINUSE` when something exists at `path`; `ENAMETOOLONG` for a path over 107 bytes.
   */
  bind(path: string): void {
    if (Buffer.byteLength(path) > MAX_PATH_BYTES) {
      throw Object.assign(new Error(`bind ENAMETOOLONG ${path}: a unix socket path has at most ${MAX_PATH_BYTES} bytes`), { code: 'ENAMETOOLONG', syscall: 'bind', path });
    }
    this.#lastError = null;
    this.#raw.bind(path);
    const err = this.#lastError as (Error & { errno?: number; code?: unknown }) | null; // set during bind()
    if (err) throw systemError(err, 'bind', path);
    try {
      this.#bound = { path, stat: lstatSync(path) };
    } catch {
      // bound, but the file is already gone (removed by someone else): nothing to remove on close
    }
  }

  /** Sends one datagram to the connected path (or to `path`), waiting out congestion. */
  send(buf: Buffer, path?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const attempt = (): void => {
        const done = (err?: Error & { code?: unknown }): void => {
          if (!err) return resolve();
          if (err.code === 1 || /congestion/.test(err.message)) {
            this.#raw.once('writable', attempt);
            return;
          }
          reject(err);
        };
        if (path === undefined) this.#raw.send(buf, done);
        else this.#raw.send(buf, 0, buf.length, path, done);
      };
      attempt();
    });
  }

  /** Closes the socket, and removes the socket file it bound if that file is still its own; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#raw.close();
    } catch {
      // already closed by the OS
    }
    const bound = this.#bound;
    this.#bound = null;
    if (bound) unlinkSameSocket(bound.path, bound.stat);
  }
}

/**
 * Removes a leftover socket file at `path` so a restarted receiver can bind again: only a socket (never a regular
 * file, directory or link), and only a stale one — a datagram socket nobody receives on refuses a connect with
 * `ECONNREFUSED`. A live one is left alone (binding then fails with `EADDRINUSE`).
 */
function removeStaleDgramSocket(path: string): void {
  const st = socketFileAt(path);
  if (st === null) return; // nothing there, or not a socket
  const probe = new UnixDgramSocket();
  let stale = false;
  try {
    probe.connect(path);
  } catch (err) {
    stale = (err as { errno?: unknown }).errno === -osConstants.errno.ECONNREFUSED; // the addon's errno is negative
  } finally {
    probe.close();
  }
  if (stale) unlinkSameSocket(path, st);
}

/**
 * Binds a unix datagram socket to `path` for receiving (listen for its `'message'` events). A stale socket file left
 * at `path` by a process that died is replaced; a regular file, or a socket someone still receives on, is not.
 * @throws {UnixDgramMissingError} when the addon is not available; the bind error (`EADDRINUSE`, `EACCES`,
 * `ENOENT` for a missing directory, `ENAMETOOLONG`) otherwise.
 */
export function bindUnixDgram(path: string): UnixDgramSocket {
  const s = new UnixDgramSocket();
  try {
    removeStaleDgramSocket(path);
    s.bind(path);
  } catch (err) {
    s.close();
    throw err;
  }
  return s;
}

/**
 * Opens a unix datagram socket, connected to `path` when given.
 * @throws {UnixDgramMissingError} when the addon is not available; the connect error otherwise.
 */
export function openUnixDgram(path?: string): UnixDgramSocket {
  const s = new UnixDgramSocket();
  if (path !== undefined) {
    try {
      s.connect(path);
    } catch (err) {
      s.close(); // a socket whose connect failed keeps the process alive unless closed
      throw err;
    }
  }
  return s;
}
