/**
 * DatagramHandler: SocketHandler's bytes, one length-prefixed pickle per UDP or unix datagram.
 */
import { dgram, dns } from '../internal/builtins.js';
import { openUnixDgram, requireUnixDgram, UnixDgramSocket } from '../internal/unix-dgram.js';
import { checkOptions } from '../internal/options.js';
import { SOCKET_KEYS, SocketHandler, type DatagramSocket, type SocketHandlerOptions } from './socket.js';

/**
 * Python's `logging.handlers.DatagramHandler(host, port)`: one length-prefixed pickle per UDP datagram, or per unix
 * datagram when `port` is null (needs the optional `unix-dgram` package).
 *
 * Differs from CPython: the host is resolved once per socket, and an IPv6 address gets a `udp6` socket (CPython
 * only speaks AF_INET). A datagram the OS refuses (e.g. over 65 507 bytes: EMSGSIZE) is dropped and reported with
 * the outage's count rather than one report per record.
 */
export class DatagramHandler extends SocketHandler<DatagramSocket> {
  #resolved: { address: string; port: number } | null = null;

  /** Python's `DatagramHandler(host, port)`, for dictConfig and fileConfig. */
  static override pySignature: typeof SocketHandler.pySignature = { params: ['host', 'port'], required: 2 };
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

  /** Sends one datagram. */
  protected override _transmit(sock: DatagramSocket, data: Buffer): Promise<void> {
    if (sock instanceof UnixDgramSocket) return sock.send(data);
    const to = this.#resolved;
    return new Promise<void>((resolve, reject) => {
      if (to === null) return reject(new Error('no address'));
      sock.send(data, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected override _dropOnTransmitError(): boolean {
    return true;
  }
}
