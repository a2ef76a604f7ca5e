/**
 * SysLogHandler's options: CPython's keyword arguments plus pylogging's opt-in extensions, checked once in the
 * constructor so that a bad value throws there (SPEC), never half-way through a send.
 */
import type { ConnectionOptions } from 'node:tls';
import { KeyError } from '../core/errors.js';
import type { Level } from '../core/levels.js';
import type { Clock } from '../internal/clock.js';
import { hasUnixDgram } from '../internal/unix-dgram.js';
import { FACILITY_NAMES, LOG_USER } from './syslog-constants.js';
import type { Rfc5424Options } from './syslog-rfc5424.js';
import type { SysLogAddress, SysLogSocktype } from './syslog-transport.js';
import { DEFAULT_MAX_BYTES } from './socket-options.js';
import { safeRepr } from '../core/repr.js';

/** Python's `SYSLOG_UDP_PORT` (`src/handlers.ts` exports it): the default port. */
const SYSLOG_PORT = 514;

/**
 * Seconds after which a connect, or a send that makes no progress, is given up when `timeout` is null (CPython's
 * blocking socket would wait for ever; here `close()`, `shutdown()` and the process's exit must not).
 */
export const DEFAULT_GIVE_UP = 5;

/** Keyword arguments of {@link SysLogHandler}: CPython's four, then pylogging's opt-in extensions. */
export interface SysLogHandlerOptions {
  /** `[host, port]` for UDP/TCP, or a unix socket path (`'/dev/log'`, `'/var/run/syslog'`). @default ['localhost', 514] */
  address?: SysLogAddress;
  /** A facility number (`LOG_LOCAL0`) or name (`'local0'`). @default LOG_USER */
  facility?: number | string;
  /** `'dgram'` or `'stream'`; null: UDP for `[host, port]`, datagram-then-stream for a unix path. @default null */
  socktype?: SysLogSocktype | null;
  /**
   * Seconds a connect, or a send that makes no progress, may take before the connection is given up (CPython 3.14's
   * `timeout`). null: CPython's blocking socket, bounded here at 5 s so that a collector that accepts and never
   * reads cannot hold `close()` or the process's exit for ever. @default null
   */
  timeout?: number | null;
  /** Handler level. @default NOTSET */
  level?: Level;
  /** Opt-in: send RFC 5424 messages instead of CPython's `<PRI>message` (`true` for the defaults). @default false */
  rfc5424?: boolean | Rfc5424Options;
  /**
   * Opt-in, stream sockets only: `'octet-counting'` frames each message as `LEN SP MSG` (RFC 6587 §3.4.1), so a
   * message with newlines stays one message; no NUL is appended then. `'none'` is CPython's unframed stream.
   * @default 'none', or 'octet-counting' with `tls` (RFC 5425 §4.3)
   */
  framing?: 'none' | 'octet-counting';
  /** Opt-in: TLS to a remote collector (RFC 5425) over TCP; `true` for Node's defaults, or `tls.connect` options. @default false */
  tls?: boolean | ConnectionOptions;
  /**
   * Most bytes of encoded records kept waiting while the daemon is slow, down or not connected yet; more are dropped,
   * counted and reported. 64 MiB holds a start-up burst of 100,000 typical records with room to spare.
   * @default 64 MiB
   */
  maxBytes?: number;
  /** Optional extra bound: most records kept waiting, besides `maxBytes`. @default no record bound */
  capacity?: number;
  /** Time source for the reconnect backoff (`retryTime`; tests inject one). @default the system clock */
  clock?: Clock;
}

/** The options after validation and defaults. */
export interface ResolvedSysLogOptions {
  address: SysLogAddress;
  facility: number | string;
  socktype: SysLogSocktype | null;
  timeout: number | null;
  tls: ConnectionOptions | null;
  framing: 'none' | 'octet-counting';
  maxBytes: number;
  capacity: number | undefined;
  rfc5424: Rfc5424Options | null;
}

function checkAddress(address: unknown): SysLogAddress {
  if (typeof address === 'string') {
    if (address === '') throw new TypeError("address must be a unix socket path or [host, port], got ''");
    return address;
  }
  if (Array.isArray(address) && address.length === 2) {
    const [host, port] = address as unknown[];
    if (typeof host === 'string' && host !== '' && Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535) {
      return [host, port as number];
    }
  }
  throw new TypeError(`address must be a unix socket path or [host, port], got ${safeRepr(address)}`);
}

/**
 * Validates `options` and applies CPython's defaults.
 * @throws {TypeError} / {RangeError} naming the bad option and value; {KeyError} for an unknown facility name.
 */
export function resolveOptions(options: SysLogHandlerOptions): ResolvedSysLogOptions {
  const address = checkAddress(options.address ?? ['localhost', SYSLOG_PORT]);
  const facility = options.facility ?? LOG_USER;
  if (typeof facility === 'string') {
    if (!Object.hasOwn(FACILITY_NAMES, facility)) {
      throw new KeyError(`'${facility}' is not a syslog facility name (one of ${Object.keys(FACILITY_NAMES).join(', ')})`);
    }
  } else if (!Number.isInteger(facility) || facility < 0) {
    throw new RangeError(`facility must be a LOG_* number or a facility name, got ${String(facility)}`);
  }
  const socktype = options.socktype ?? null;
  if (socktype !== null && socktype !== 'dgram' && socktype !== 'stream') {
    throw new TypeError(`socktype must be 'dgram', 'stream' or null, got ${String(socktype)}`);
  }
  const timeout = options.timeout ?? null;
  if (timeout !== null && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new RangeError(`timeout must be a positive number of seconds or null, got ${String(timeout)}`);
  }
  const tlsOpt = options.tls ?? false;
  const tls = tlsOpt === false ? null : tlsOpt === true ? {} : tlsOpt;
  const unix = typeof address === 'string';
  if (tls !== null && (unix || socktype === 'dgram')) {
    throw new TypeError('tls needs a [host, port] address and a stream socket (RFC 5425 is TLS over TCP)');
  }
  const effectiveType = tls !== null ? 'stream' : socktype;
  const framing = options.framing ?? (tls !== null ? 'octet-counting' : 'none');
  if (framing !== 'none' && framing !== 'octet-counting') {
    throw new TypeError(`framing must be 'none' or 'octet-counting', got ${String(framing)}`);
  }
  if (framing === 'octet-counting' && effectiveType !== 'stream') {
    throw new TypeError("framing 'octet-counting' needs socktype 'stream' (RFC 6587 frames TCP streams)");
  }
  if (unix && socktype === 'dgram' && !hasUnixDgram()) {
    // CPython raises when an explicit socktype cannot be had; a missing addon is a configuration error.
    throw new TypeError("socktype 'dgram' on a unix path needs the optional package 'unix-dgram' (npm install unix-dgram)");
  }
  const { capacity, maxBytes = DEFAULT_MAX_BYTES } = options;
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }
  if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) {
    throw new RangeError(`maxBytes must be a positive whole number of bytes, got ${String(maxBytes)}`);
  }
  const rfc = options.rfc5424 ?? false;
  return {
    address,
    facility,
    socktype: effectiveType,
    timeout,
    tls,
    framing,
    maxBytes,
    capacity,
    rfc5424: rfc === false ? null : rfc === true ? {} : rfc,
  };
}
