#!/usr/bin/env node
/**
 * The `pylogging` command. `pylogging listen` runs a {@link LogRecordReceiver}: records that CPython's or
 * pylogging's SocketHandler/DatagramHandler send are written by one local StreamHandler (stdout), so many processes
 * share one log (the logging cookbook's "Sending and receiving logging events across a network").
 *
 * ```
 * pylogging listen [--tcp PORT] [--udp PORT] [--unix PATH] [--unix-dgram PATH] [--host HOST] [--format FMT]
 *                  [--level LEVEL] [--max-record-size BYTES] [--config logging.json]
 * ```
 * Without a transport it listens on TCP 9020 and UDP 9021 (DEFAULT_TCP/UDP_LOGGING_PORT). `--unix-dgram` receives
 * from `DatagramHandler(path, None)` and needs the optional package `unix-dgram` (without it: exit 1, naming it).
 * Where it listens and each refused input are reported on stderr. SIGINT/SIGTERM stop it: connections close, socket
 * files it created are removed, handlers flush, exit code 0.
 */
import { configFromFile } from './config/file-config.js';
import { basicConfig, shutdown } from './core/api.js';
import { root } from './core/logger.js';
import { LogRecordReceiver, type LogRecordReceiverOptions } from './receiver.js';

/** The cookbook receiver's format, with the time first. */
const DEFAULT_LISTEN_FORMAT = '%(asctime)s %(process)5s %(name)-15s %(levelname)-8s %(message)s';

const USAGE = `usage: pylogging listen [--tcp PORT] [--udp PORT] [--unix PATH] [--unix-dgram PATH] [--host HOST]
                        [--format FMT] [--level LEVEL] [--max-record-size BYTES] [--config FILE]
Receives log records from SocketHandler/DatagramHandler (CPython's or pylogging's) and writes them to stdout.
  --tcp PORT            SocketHandler(host, PORT)
  --udp PORT            DatagramHandler(host, PORT)
  --unix PATH           SocketHandler(PATH, None): a unix stream socket
  --unix-dgram PATH     DatagramHandler(PATH, None): a unix datagram socket (needs the optional package unix-dgram)
  --host HOST           interface for --tcp/--udp (default localhost)
  --max-record-size N   largest record accepted, in bytes (default 1048576); larger ones are refused
Default: --tcp 9020 --udp 9021 on localhost. Refused input is reported on stderr; the receiver keeps serving.`;

interface ListenArgs {
  receiver: LogRecordReceiverOptions;
  format: string;
  level: string;
  config: string | null;
}

/** Parses `listen`'s flags. @throws {RangeError} naming the bad flag. */
function parseListenArgs(argv: readonly string[]): ListenArgs {
  const out: ListenArgs = { receiver: {}, format: DEFAULT_LISTEN_FORMAT, level: 'NOTSET', config: null };
  const port = (flag: string, v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw new RangeError(`${flag} needs a port number (0..65535), got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (value === undefined) throw new RangeError(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--tcp': out.receiver.tcp = port(flag, value); break;
      case '--udp': out.receiver.udp = port(flag, value); break;
      case '--unix': out.receiver.unix = value; break;
      case '--unix-dgram': out.receiver.unixDgram = value; break;
      case '--host': out.receiver.host = value; break;
      case '--format': out.format = value; break;
      case '--level': out.level = value; break;
      case '--config': out.config = value; break;
      case '--max-record-size': {
        const n = Number(value);
        if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`--max-record-size needs a positive integer, got ${JSON.stringify(value)}`);
        out.receiver.maxRecordSize = n;
        break;
      }
      default:
        throw new RangeError(`unknown option ${flag}`);
    }
  }
  const r = out.receiver;
  if (r.tcp === undefined && r.udp === undefined && r.unix === undefined && r.unixDgram === undefined) {
    Object.assign(r, { tcp: 9020, udp: 9021 });
  }
  return out;
}

async function listen(argv: readonly string[]): Promise<number> {
  let args: ListenArgs;
  try {
    args = parseListenArgs(argv);
  } catch (err) {
    process.stderr.write(`pylogging listen: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    // --config: a dictConfig JSON (or a fileConfig INI) sets up the local handlers, as a Python service's would.
    if (args.config !== null) configFromFile(args.config);
    else basicConfig({ stream: process.stdout, format: args.format });
    // Logger.handle() skips logger levels (the sender filtered): --level filters at the handler, as it would in CPython.
    if (args.config === null) for (const h of root.handlers) h.setLevel(args.level);
  } catch (err) {
    process.stderr.write(`pylogging listen: ${(err as Error).message}\n`);
    return 2;
  }
  let receiver: LogRecordReceiver;
  try {
    receiver = new LogRecordReceiver(args.receiver);
  } catch (err) {
    process.stderr.write(`pylogging listen: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  receiver.on('refused', (err: Error, info: { transport: string; peer: string }) => {
    process.stderr.write(`pylogging listen: refused ${info.transport} input from ${info.peer}: ${err.message}\n`);
  });
  receiver.on('error', (err: Error) => process.stderr.write(`pylogging listen: ${err.message}\n`));
  try {
    const at = await receiver.listen();
    if (at.tcp) process.stderr.write(`listening tcp ${at.tcp.address}:${at.tcp.port}\n`);
    if (at.udp) process.stderr.write(`listening udp ${at.udp.address}:${at.udp.port}\n`);
    if (at.unix) process.stderr.write(`listening unix ${at.unix}\n`);
    if (at.unixDgram) process.stderr.write(`listening unix-dgram ${at.unixDgram}\n`);
  } catch (err) {
    process.stderr.write(`pylogging listen: ${(err as Error).message}\n`);
    await receiver.close();
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  await shutdown();
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'listen') return listen(rest);
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pylogging: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
