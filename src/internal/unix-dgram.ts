/**
 * AF_UNIX datagram sockets, which Node cannot open by itself (`/dev/log`, DatagramHandler with `port: null`).
 *
 * Backed by the optional native addon `unix-dgram`, loaded on first use only, so users who never log to a unix
 * datagram socket never load (or need) it. Without it, {@link openUnixDgram} throws {@link UnixDgramMissingError}
 * and callers fall back (SysLogHandler to a stream socket) or report it once through `handleError`.
 */
import { createRequire } from 'node:module';

/** The addon is not installed (or did not build). */
export class UnixDgramMissingError extends Error {
  override name = 'UnixDgramMissingError';
  readonly code = 'ERR_PYLOGGING_UNIX_DGRAM_MISSING';
}

interface RawSocket {
  connected?: boolean;
  on(event: 'error', cb: (err: Error & { errno?: number; code?: unknown }) => void): unknown;
  on(event: 'writable' | 'congestion', cb: () => void): unknown;
  once(event: 'writable', cb: () => void): unknown;
  removeListener(event: string, cb: (...a: never[]) => void): unknown;
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

/** True when the addon can be loaded. */
export function hasUnixDgram(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** A unix datagram socket with promise-returning sends. */
export class UnixDgramSocket {
  readonly #raw: RawSocket;
  #lastError: Error | null = null;
  #closed = false;

  constructor() {
    this.#raw = load().createSocket('unix_dgram');
    // The addon reports errors as events; keep the last so synchronous calls can throw it.
    this.#raw.on('error', (err) => {
      this.#lastError = err;
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

  /** Closes the socket; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#raw.close();
    } catch {
      // already closed by the OS
    }
  }
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
