/**
 * SocketHandler's and DatagramHandler's options: the closed key lists, the defaults and their validation.
 */
import type { Level } from '../core/levels.js';
import type { Clock } from '../internal/clock.js';
import { optionKeys } from '../internal/options.js';

/** Options of {@link SocketHandler} and {@link DatagramHandler}. */
export interface SocketHandlerOptions {
  /** The handler's level. @default NOTSET */
  level?: Level;
  /**
   * Most bytes of pickled records kept while the peer is down, slow or not connected yet; beyond it records are
   * dropped, counted and reported. CPython keeps none (it drops while backing off). 64 MiB holds a start-up burst of
   * 100,000 typical records (≈ 500 bytes pickled, 486–534 measured) with room to spare. @default 64 MiB
   */
  maxBytes?: number;
  /** Optional extra bound: most records waiting (besides `maxBytes`). @default no record bound */
  capacity?: number;
  /**
   * Seconds a connect or a stalled write may take before the connection is dropped (CPython's
   * `makeSocket(timeout=1)`), and the give-up bound of `flush()`/`close()`: what they wait for is given up once
   * nothing has been delivered for this long. @default 1
   */
  timeout?: number;
  /** Time source for `retryTime` (tests inject one). @default the system clock */
  clock?: Clock;
  /**
   * Beyond CPython, opt-in: write from a worker thread, as pino's transports do. The logging thread still pickles
   * each record (so `makePickle`/`send` overrides apply) and copies the frame into a shared ring; a worker thread
   * runs a SocketHandler of its own with this handler's `host`, `port`, `maxBytes`, `capacity`, `timeout` and retry
   * settings (read when constructed) and delivers. `true`, or the ring's and overflow's sizes in bytes. See the README.
   * @default false
   */
  thread?: boolean | SocketThreadSettings;
}

/** The sizes of a threaded SocketHandler's shared ring and overflow, and where its worker's code is. */
export interface SocketThreadSettings {
  /** Bytes of shared ring (a record larger than it is dropped). @default 4 MiB */
  bufferSize?: number;
  /** Bytes of logging-thread memory that hold frames while the ring is full. @default 16 MiB */
  overflowSize?: number;
  /** The worker's entry file, for bundled applications. @default new URL('./socket-thread-main.js', import.meta.url) */
  workerUrl?: string | URL;
  /** Seconds the process waits at exit for the worker to deliver. @default 10 */
  exitTimeout?: number;
}

/** The default byte bound of the backlog: 64 MiB (see {@link SocketHandlerOptions.maxBytes}). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The keys of {@link SocketThreadSettings}. */
export const THREAD_KEYS = optionKeys<SocketThreadSettings>()(['bufferSize', 'overflowSize', 'workerUrl', 'exitTimeout']);

/** Every option of {@link SocketHandlerOptions} (DatagramHandler's too). */
export const SOCKET_KEYS = optionKeys<SocketHandlerOptions>()([
  'level', 'maxBytes', 'capacity', 'timeout', 'clock', 'thread',
]);

/** Validates before anything is built (STYLE §6: never a half-built handler). */
export function validateSocketOptions(options: SocketHandlerOptions): SocketHandlerOptions {
  const { capacity, maxBytes, timeout } = options;
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes >= 1)) {
    throw new RangeError(`maxBytes must be a positive whole number of bytes, got ${String(maxBytes)}`);
  }
  if (timeout !== undefined && !(timeout > 0 && timeout < Infinity)) {
    throw new RangeError(`timeout must be a positive number of seconds, got ${String(timeout)}`);
  }
  return options;
}
