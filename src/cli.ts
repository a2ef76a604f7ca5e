#!/usr/bin/env node
/**
 * The `pylogging` command. `pylogging listen` runs a {@link LogRecordReceiver}: records that CPython's or
 * pylogging's SocketHandler/DatagramHandler send are written by one local StreamHandler (stdout), so many processes
 * share one log (the logging cookbook's "Sending and receiving logging events across a network").
 *
 * It behaves as a Unix tool: `--help`/`-h` print to stdout and exit 0; a usage error (no command, an unknown command
 * or option, a bad value) is one line on stderr naming it, a hint, and exit 2; a run-time failure (a port in use, the
 * optional `unix-dgram` package missing) exits 1. SIGINT/SIGTERM stop the receiver: connections close, socket files
 * it created are removed, handlers flush, exit 0.
 */
import { createRequire } from 'node:module';
import { configFromFile } from './config/file-config.js';
import { basicConfig, shutdown } from './core/api.js';
import { getLevelNamesMapping } from './core/levels.js';
import { root } from './core/logger.js';
import { systemClock } from './internal/clock.js';
import { RateLimitedCount } from './internal/receiver-limits.js';
import { LogRecordReceiver, type DroppedInfo, type LogRecordReceiverOptions } from './receiver.js';

/** The cookbook receiver's format, with the time first. */
const DEFAULT_LISTEN_FORMAT = '%(asctime)s %(process)5s %(name)-15s %(levelname)-8s %(message)s';

const USAGE = `usage: pylogging <command> [options]
       pylogging --help | --version`;

const HELP = `${USAGE}

Python's logging for Node.js: the command-line side.

Commands:
  listen          receive log records from SocketHandler/DatagramHandler (CPython's or pylogging's) and log them

Options:
  -h, --help      show this help and exit
  -V, --version   print the version and exit

Run 'pylogging listen --help' for the receiver's options.`;

const LISTEN_USAGE = `usage: pylogging listen [--tcp PORT] [--udp PORT] [--unix PATH] [--unix-dgram PATH] [--host HOST]
                        [--format FMT] [--level LEVEL] [--config FILE] [--max-connections N]
                        [--idle-timeout SECONDS] [--record-timeout SECONDS] [--max-depth N]
                        [--max-record-size BYTES] [--max-message-size CHARS] [--max-backlog BYTES]`;

const LISTEN_HELP = `${LISTEN_USAGE}

Receives the length-prefixed pickles that SocketHandler and DatagramHandler send (CPython's or pylogging's), rebuilds
each record and logs it through getLogger(record.name).handle(record): by default to stdout, one line per record.
With no transport option it listens on --tcp 9020 --udp 9021 (DEFAULT_TCP/UDP_LOGGING_PORT) on localhost; naming any
transport listens on exactly the ones named. Where it listens, and each refused input, go to stderr; refused input
closes that connection (or drops that datagram) and the others keep being served. Floods are summed: at most 10
refusal lines per 10 s (then a count), and one line per 10 s counting connections over --max-connections and
records dropped for --max-backlog. SIGINT/SIGTERM stop it (exit 0).

Transports (each may be combined with the others):
  --tcp PORT              TCP port for SocketHandler(host, PORT); 0 picks a free port
                            e.g. --tcp 9020
  --udp PORT              UDP port for DatagramHandler(host, PORT); 0 picks a free port
                            e.g. --udp 9021
  --unix PATH             unix stream socket for SocketHandler(PATH, None); a stale socket file is replaced
                            e.g. --unix /run/myapp/log.sock
  --unix-dgram PATH       unix datagram socket for DatagramHandler(PATH, None); needs the optional package
                          unix-dgram (npm install unix-dgram), else exit 1
                            e.g. --unix-dgram /run/myapp/log.dgram
  --host HOST             interface --tcp and --udp listen on (default localhost)
                            e.g. --host 0.0.0.0

Limits (against broken or hostile senders; each refusal or drop is reported on stderr):
  --max-connections N     most TCP (and unix) connections at once (default 1024); more are closed and counted
                            e.g. --max-connections 4096
  --idle-timeout SECONDS  a new connection must deliver its first record within SECONDS (default 60), else it is
                          closed; once it has, it may stay idle (CPython's SocketHandler keeps its connection)
                            e.g. --idle-timeout 10
  --record-timeout SECONDS a record, once started, must arrive whole within SECONDS (default 30)
                            e.g. --record-timeout 5
  --max-depth N           deepest nesting accepted in a record (default 100)
                            e.g. --max-depth 20
  --max-record-size BYTES largest record accepted (default 1048576); a larger one is refused
                            e.g. --max-record-size 65536
  --max-message-size CHARS most characters one record may format to (default 1048576): a record whose
                          msg % args could expand past it ('%400000000d') is refused
                            e.g. --max-message-size 65536
  --max-backlog BYTES     most bytes queued for stdout when its reader does not keep up (default 16777216);
                          records received meanwhile are dropped and counted
                            e.g. --max-backlog 1048576

Output (without --config: a StreamHandler on stdout):
  --format FMT            %-style format of each line
                          (default '${DEFAULT_LISTEN_FORMAT}')
                            e.g. --format '%(asctime)s %(name)s %(levelname)s %(message)s'
  --level LEVEL           lowest level written: a level name in any case, or a number (default NOTSET: all)
                            e.g. --level info
  --config FILE           set up the local handlers from FILE instead: a dictConfig JSON if FILE ends in .json,
                          else a fileConfig INI (as a Python service's logging.json/logging.ini); cannot be
                          combined with --format or --level (set those in the file)
                            e.g. --config logging.json
  --allow-module REF      with --config: load only what REF allows (repeatable); a class, factory or module
                          outside every REF is refused before it is loaded. REF is 'pylogging' (every
                          built-in name), a Python prefix ('logging', 'sys'), a module path or a package.
                          Without it the file is trusted, as CPython trusts its config files (config files
                          are code: see docs/configuration.md)
                            e.g. --allow-module pylogging --allow-module ./my-handlers.js

  -h, --help              show this help and exit

Options take their value as the next argument or after '=': --tcp 9020, --tcp=9020.
Examples:
  pylogging listen
  pylogging listen --tcp 9020 --udp 9021 --unix /run/app/log.sock >> all.log
  pylogging listen --tcp 0 --level warning --format '%(name)s %(levelname)s %(message)s'
  pylogging listen --host 0.0.0.0 --max-connections 4096 --idle-timeout 10 --max-backlog 1048576
  pylogging listen --unix-dgram /run/app/log.dgram --config logging.json
  pylogging listen --config logging.json --allow-module pylogging --allow-module ./my-handlers.js`;

/** A usage error: reported as one line plus a hint, exit 2. */
class UsageError extends Error {}

interface ListenArgs {
  receiver: LogRecordReceiverOptions;
  format: string | null;
  level: string | number | null;
  config: string | null;
  /** `--allow-module` references: dictConfig/fileConfig's `allow` list (empty: trust the file). */
  allow: string[];
}

function port(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`${flag}: not a port number (0..65535): ${JSON.stringify(v)}`);
  return n;
}

/** A level name in any case (`info`, `Warning`), or a number; returns what `Handler.setLevel` takes. */
function level(v: string): string | number {
  if (/^\d+$/.test(v)) return Number(v);
  const name = v.toUpperCase();
  const known = getLevelNamesMapping();
  if (!(name in known)) {
    throw new UsageError(`--level: unknown level ${JSON.stringify(v)} (one of ${Object.keys(known).join(', ')}, or a number)`);
  }
  return name;
}

/** The numeric limits: flag → receiver option, and what its value counts ('seconds' may have a fraction). */
const LIMIT_FLAGS: Record<string, [keyof LogRecordReceiverOptions, 'seconds' | 'connections' | 'levels' | 'bytes' | 'characters']> = {
  '--max-connections': ['maxConnections', 'connections'],
  '--idle-timeout': ['idleTimeout', 'seconds'],
  '--record-timeout': ['recordTimeout', 'seconds'],
  '--max-depth': ['maxDepth', 'levels'],
  '--max-record-size': ['maxRecordSize', 'bytes'],
  '--max-message-size': ['maxMessageSize', 'characters'],
  '--max-backlog': ['maxBacklog', 'bytes'],
};

const VALUE_FLAGS = new Set(['--tcp', '--udp', '--unix', '--unix-dgram', '--host', '--format', '--level', '--config', '--allow-module', ...Object.keys(LIMIT_FLAGS)]);

/** A limit's value: a positive whole number, or (for seconds) a positive decimal such as 0.5. @throws {UsageError} */
function limit(flag: string, v: string): number {
  const [, unit] = LIMIT_FLAGS[flag] as [unknown, string];
  const ok = unit === 'seconds' ? /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(v) : /^\d+$/.test(v);
  const n = Number(v);
  if (!ok || !(n > 0) || !Number.isSafeInteger(Math.ceil(n))) {
    const what = unit === 'seconds' ? 'a positive number of seconds' : `a positive whole number of ${unit}`;
    throw new UsageError(`${flag}: not ${what}: ${JSON.stringify(v)}`);
  }
  return n;
}

/** Parses `listen`'s options; null means `--help`. @throws {UsageError} naming the bad option or value. */
function parseListenArgs(argv: readonly string[]): ListenArgs | null {
  const out: ListenArgs = { receiver: {}, format: null, level: null, config: null, allow: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return null;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!VALUE_FLAGS.has(flag)) {
      throw new UsageError(flag.startsWith('-') ? `unknown option ${JSON.stringify(flag)}` : `unexpected argument ${JSON.stringify(arg)}`);
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      value = next;
      i++;
    }
    const r = out.receiver;
    switch (flag) {
      case '--tcp': r.tcp = port(flag, value); break;
      case '--udp': r.udp = port(flag, value); break;
      case '--unix': r.unix = nonEmpty(flag, value); break;
      case '--unix-dgram': r.unixDgram = nonEmpty(flag, value); break;
      case '--host': r.host = nonEmpty(flag, value); break;
      case '--format': out.format = value; break;
      case '--level': out.level = level(value); break;
      case '--config': out.config = nonEmpty(flag, value); break;
      case '--allow-module': out.allow.push(nonEmpty(flag, value)); break;
      default: {
        const [key] = LIMIT_FLAGS[flag] as [keyof LogRecordReceiverOptions, unknown];
        (r as Record<string, unknown>)[key] = limit(flag, value);
      }
    }
  }
  if (out.allow.length > 0 && out.config === null) throw new UsageError('--allow-module needs --config');
  if (out.config !== null && (out.format !== null || out.level !== null)) {
    throw new UsageError(`${out.format !== null ? '--format' : '--level'} cannot be combined with --config (set it in the config file)`);
  }
  const r = out.receiver;
  if (r.tcp === undefined && r.udp === undefined && r.unix === undefined && r.unixDgram === undefined) {
    Object.assign(r, { tcp: 9020, udp: 9021 });
  }
  return out;
}

function nonEmpty(flag: string, v: string): string {
  if (v === '') throw new UsageError(`${flag} needs a non-empty value`);
  return v;
}

/** Sets up the local handlers: the config file's, or a StreamHandler on stdout. @throws {UsageError} */
function setUpOutput(args: ListenArgs): void {
  if (args.config !== null) {
    try {
      configFromFile(args.config, args.allow.length > 0 ? { allow: args.allow } : {});
    } catch (err) {
      throw new UsageError(`--config ${args.config}: ${(err as Error).message}`);
    }
    return;
  }
  try {
    basicConfig({ stream: process.stdout, format: args.format ?? DEFAULT_LISTEN_FORMAT });
  } catch (err) {
    throw new UsageError(`--format: ${(err as Error).message}`);
  }
  // Logger.handle() skips logger levels (the sender filtered): --level filters at the handler, as it would in CPython.
  for (const h of root.handlers) h.setLevel(args.level ?? 'NOTSET');
}

async function listen(argv: readonly string[]): Promise<number> {
  const args = parseListenArgs(argv);
  if (args === null) {
    process.stdout.write(`${LISTEN_HELP}\n`);
    return 0;
  }
  let receiver: LogRecordReceiver;
  try {
    receiver = new LogRecordReceiver({ ...args.receiver, output: process.stdout });
  } catch (err) {
    throw new UsageError((err as Error).message); // e.g. --unix and --unix-dgram on the same path
  }
  setUpOutput(args);
  const stopReports = reportOnStderr(receiver);
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
  stopReports();
  await shutdown();
  return 0;
}

/** Refusals shown one per line before they are only counted, per {@link REPORT_INTERVAL}. */
const REFUSALS_SHOWN = 10;
/** Seconds over which stderr reports are rate-limited. */
const REPORT_INTERVAL = 10;

/**
 * Prints the receiver's refusals and drops on stderr, summed where a peer could flood it: the first
 * {@link REFUSALS_SHOWN} refusals of each {@link REPORT_INTERVAL} one per line, the rest as a count. Returns the
 * function that prints what is still counted (at exit).
 */
function reportOnStderr(receiver: LogRecordReceiver): () => void {
  const say = (line: string): void => void process.stderr.write(`pylogging listen: ${line}\n`);
  let windowStart = -Infinity;
  let shown = 0;
  const unshown = new RateLimitedCount(REPORT_INTERVAL, systemClock, (n, seconds) =>
    say(`${n} more refused input${n === 1 ? '' : 's'} not shown (in ${seconds.toFixed(1)} s)`),
  );
  receiver.on('refused', (err: Error, info: { transport: string; peer: string }) => {
    const now = systemClock.now();
    if (now - windowStart >= REPORT_INTERVAL) {
      windowStart = now;
      shown = 0;
    }
    if (shown++ < REFUSALS_SHOWN) say(`refused ${info.transport} input from ${info.peer}: ${err.message}`);
    else unshown.add();
  });
  receiver.on('dropped', (d: DroppedInfo) => {
    const period = `in ${d.seconds.toFixed(1)} s`;
    if (d.reason === 'max-connections') {
      say(`dropped ${d.count} connection${d.count === 1 ? '' : 's'} over --max-connections ${d.limit} (${period})`);
    } else {
      say(`dropped ${d.count} record${d.count === 1 ? '' : 's'}: stdout is not read fast enough, over --max-backlog ${d.limit} bytes queued (${period})`);
    }
  });
  return () => unshown.flush();
}

function version(): string {
  // build/src/cli.js → the package root's package.json, in the repository and when installed alike
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(`${USAGE}\nTry 'pylogging --help' for more information.\n`);
        return 2;
      case '-h':
      case '--help':
        process.stdout.write(`${HELP}\n`);
        return 0;
      case '-V':
      case '--version':
        process.stdout.write(`${version()}\n`);
        return 0;
      case 'listen':
        return await listen(rest);
      default:
        throw new UsageError(command.startsWith('-') ? `unknown option ${JSON.stringify(command)}` : `unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const where = command === 'listen' ? 'pylogging listen' : 'pylogging';
    process.stderr.write(`${where}: ${err.message}\nTry '${where} --help' for more information.\n`);
    return 2;
  }
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
