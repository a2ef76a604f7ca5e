/**
 * DatagramHandler: SocketHandler's bytes, one length-prefixed pickle per UDP or unix datagram.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { dgram, dns } from '../internal/builtins.js';
import { ItemsRejected } from '../internal/delivery.js';
import { openUnixDgram, requireUnixDgram, UnixDgramSocket } from '../internal/unix-dgram.js';
import { checkOptions } from '../internal/options.js';
import { SOCKET_KEYS, SocketHandler, type SocketHandlerOptions } from './socket.js';

/**
 * What a {@link DatagramHandler} holds in `sock`: a `dgram.Socket` for UDP, or, for `DatagramHandler(path, null)`, a
 * unix datagram socket from the optional `unix-dgram` addon, wrapped with `connect(path)`, `send(buf): Promise` and
 * `close()`.
 */
export type DatagramSocket = DgramSocket | UnixDgramSocket;

/** Errors that belong to one datagram (it cannot be sent as it is), not to the socket. */
const DATAGRAM_ERRORS = new Set(['EMSGSIZE', 'ENOBUFS', 'ERR_SOCKET_DGRAM_NOT_RUNNING']);

/**
 * Python's `logging.handlers.DatagramHandler(host, port)`: one length-prefixed pickle per UDP datagram, or per unix
 * datagram when `port` is null (needs the optional `unix-dgram` package).
 *
 * Differs from CPython: the host is resolved once per socket, and an IPv6 address gets a `udp6` socket (CPython
 * only speaks AF_INET). A datagram the OS refuses (e.g. over 65 507 bytes: EMSGSIZE) is dropped and reported with
 * the episode's count rather than one report per record. A unix datagram peer that is not there (or whose queue is
 * full) keeps the records in the backlog, as SocketHandler does.
 */
export class DatagramHandler extends SocketHandler<DatagramSocket> {
  #resolved: { address: string; port: number } | null = null;

  /** @throws {UnixDgramMissingError} for `port` null without the optional package `unix-dgram` (named, to install). */
  constructor(host: string, port: number | null, options: SocketHandlerOptions = {}) {
    if (new.target === DatagramHandler) checkOptions('DatagramHandler', options, SOCKET_KEYS);
    super(host, port, options);
    this.closeOnError = false;
    // Without the addon every record would be dropped as "unreachable": say what to install, where it is made.
    if (port === null) requireUnixDgram();
  }

  /** A UDP socket (host resolved now), or a unix datagram socket connected to `host` when `port` is null. */
  override async makeSocket(): Promise<DatagramSocket> {
    if (this.port === null) return openUnixDgram(this.host);
    const { address, family } = await dns().lookup(this.host);
    const sock = dgram().createSocket(family === 6 ? 'udp6' : 'udp4');
    sock.unref();
    this.#resolved = { address, port: this.port };
    return sock;
  }

  /**
   * CPython's `send`: one datagram per record (`sock.sendto(s, address)`). A datagram refused for itself (too large)
   * is dropped and counted; any other error fails the socket, and the records are sent again on a new one.
   */
  protected override async _write(sock: DatagramSocket, frames: readonly Buffer[]): Promise<void> {
    let refused = 0;
    let cause: unknown = null;
    for (const frame of frames) {
      try {
        if (sock instanceof UnixDgramSocket) await sock.send(frame);
        else await this.#sendUdp(sock, frame);
      } catch (err) {
        if (!DATAGRAM_ERRORS.has(String((err as { code?: unknown }).code))) throw err;
        refused++;
        cause = err;
      }
    }
    if (refused > 0) throw new ItemsRejected(refused, cause);
  }

  #sendUdp(sock: DgramSocket, frame: Buffer): Promise<void> {
    const to = this.#resolved;
    return new Promise<void>((resolve, reject) => {
      if (to === null) return reject(new Error('no address'));
      sock.send(frame, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** A UDP socket's errors never go unhandled (they are quoted in the next drop report). */
  protected override _adopt(sock: DatagramSocket): void {
    if (!(sock instanceof UnixDgramSocket)) sock.on('error', () => {});
  }

  /** The addon's socket cannot be unref()'d: it is closed when idle, and the next burst reopens it. */
  protected override _idle(sock: DatagramSocket): void {
    if (sock instanceof UnixDgramSocket && this.sock === sock) {
      this.sock = null;
      sock.close();
    }
  }

  /** Closes a UDP or unix datagram socket; one already closed is left as it is. */
  protected override _closeSocket(sock: DatagramSocket): void {
    try {
      sock.close();
    } catch {
      // already closed
    }
  }
}
