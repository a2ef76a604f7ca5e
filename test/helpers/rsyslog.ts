/**
 * Real syslog peers for the SysLogHandler tests: a private rsyslogd started by the peer script
 * (`test/peers/rsyslog-start.sh`) in a temp directory, and a byte-exact capture peer
 * (`test/fixtures/syslog-capture.py`). Each is stopped by its own pid; nothing waits on a fixed sleep.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root: the nearest directory above this file holding the capture fixture, else the cwd. */
export const REPO_ROOT = ((): string => {
  for (let d = HERE; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'test', 'fixtures', 'syslog-capture.py'))) return d;
  }
  return process.cwd();
})();

/** Where the peer scripts are: `$PYLOGGING_PEERS_DIR`, else `test/peers` (copies of the tested scripts of shared/peers). */
export function peersDir(): string {
  const dir = process.env['PYLOGGING_PEERS_DIR'] ?? resolve(REPO_ROOT, 'test', 'peers');
  if (!existsSync(join(dir, 'rsyslog-start.sh'))) {
    throw new Error(`peer scripts not found in ${dir}: set PYLOGGING_PEERS_DIR to the directory holding rsyslog-start.sh`);
  }
  return dir;
}

/** Polls `check` every 10 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 10));
  }
}

function readJsonLines<T>(file: string): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) if (line.trim() !== '' && line.endsWith('}')) out.push(JSON.parse(line) as T);
  return out;
}

/** One line of rsyslog's `messages.jsonl` (the peer's `jsonf` template). */
export interface RsyslogMessage {
  input: string;
  rawmsg: string;
  pri: string;
  facility: string;
  severity: string;
  tag: string;
  programname: string;
  hostname: string;
  version: string;
  appname: string;
  procid: string;
  msgid: string;
  sd: string;
  msg: string;
}

/** A running private rsyslogd. */
export interface Rsyslog {
  dir: string;
  udpPort: number;
  tcpPort: number;
  tcpNulPort: number;
  /** The imuxsock unix datagram socket. */
  socket: string;
  /** Every message received so far. */
  messages(): RsyslogMessage[];
  /** Waits until `n` messages matching `pred` arrived; returns them. */
  waitForMessages(n: number, pred?: (m: RsyslogMessage) => boolean, timeoutMs?: number): Promise<RsyslogMessage[]>;
  /** Stops the daemon (by its pid file). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and socket. */
  restart(): Promise<void>;
  /** Stops it and removes the directory. */
  dispose(): Promise<void>;
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/**
 * Starts a private rsyslogd on loopback (UDP, TCP, TCP NUL-framed, unix datagram) in a new temp directory.
 * @throws When rsyslogd is not installed: the tests need the real daemon and must not pass without it.
 */
export async function startRsyslog(): Promise<Rsyslog> {
  const peers = peersDir();
  try {
    await run('sh', ['-c', 'command -v rsyslogd || test -x /usr/sbin/rsyslogd']);
  } catch {
    throw new Error(
      'rsyslogd is not installed: the SysLogHandler tests need a real rsyslog ' +
        '(apt-get install -y --no-install-recommends rsyslog)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-rsyslog-'));
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  let ports: Record<string, string> = {};
  const start = async (extra: Record<string, string>): Promise<void> => {
    try {
      const { stdout } = await run('bash', [join(peers, 'rsyslog-start.sh'), dir], { env: { ...process.env, PATH: path, ...extra } });
      ports = parseEnv(stdout);
    } catch (err) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'rsyslogd.log'), 'utf8');
      } catch {
        // no log yet
      }
      throw new Error(`rsyslog-start.sh failed: ${String(err)}\n${log}`);
    }
  };
  const stop = async (): Promise<void> => {
    await run('bash', [join(peers, 'rsyslog-stop.sh'), dir]);
  };
  await start({});
  const output = join(dir, 'messages.jsonl');
  const self: Rsyslog = {
    dir,
    udpPort: Number(ports['RSYSLOG_UDP_PORT']),
    tcpPort: Number(ports['RSYSLOG_TCP_PORT']),
    tcpNulPort: Number(ports['RSYSLOG_TCP_NUL_PORT']),
    socket: ports['RSYSLOG_SOCKET'] ?? join(dir, 'log.sock'),
    messages: () => readJsonLines<RsyslogMessage>(output),
    async waitForMessages(n, pred = () => true, timeoutMs = 5000) {
      return waitFor(() => {
        const got = self.messages().filter(pred);
        return got.length >= n ? got : undefined;
      }, `${n} rsyslog message(s)`, timeoutMs);
    },
    stop,
    async restart() {
      // rsyslog writes listenPortFileName only for port 0, so the start script cannot tell when a daemon on fixed
      // ports is ready. As the peers README suggests, reuse its config with the ports pinned, spawn rsyslogd as our
      // own child (so it is reaped) and wait until its TCP inputs accept connections.
      const conf = join(dir, 'rsyslog.conf');
      const pinned = [self.udpPort, self.tcpPort, self.tcpNulPort];
      writeFileSync(conf, readFileSync(conf, 'utf8').replace(/port="0"/g, () => `port="${pinned.shift() ?? 0}"`));
      const child = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
        stdio: 'ignore',
        env: { ...process.env, PATH: path },
      });
      child.unref();
      const exited = new Promise<never>((_, reject) => child.once('exit', (c) => reject(new Error(`rsyslogd exited with ${String(c)}`))));
      exited.catch(() => {});
      const accepts = (port: number): Promise<boolean> =>
        new Promise((res) => {
          const s = netConnect(port, '127.0.0.1');
          s.once('connect', () => { s.destroy(); res(true); });
          s.once('error', () => res(false));
        });
      const deadline = Date.now() + 5000;
      for (;;) {
        if (existsSync(join(dir, 'log.sock')) && (await accepts(self.tcpPort)) && (await accepts(self.tcpNulPort))) break;
        if (child.exitCode !== null) await exited;
        if (Date.now() > deadline) throw new Error('restarted rsyslogd not ready after 5 s');
        await new Promise<void>((r) => setTimeout(r, 10));
      }
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** One line of the capture peer's `raw.jsonl`. */
export interface Captured {
  transport: 'udp' | 'tcp' | 'unix' | 'unix-stream';
  hex: string;
}

/** A running byte-exact capture peer. */
export interface Capture {
  dir: string;
  udpPort: number;
  tcpPort: number;
  unixSocket: string;
  unixStreamSocket: string;
  /** Everything captured so far (a stream connection appears once closed). */
  captured(): Captured[];
  /** Waits for at least `n` lines; returns all lines. */
  waitForCount(n: number, timeoutMs?: number): Promise<Captured[]>;
  /** The same peer, seeing only lines captured from now on (its dispose() does nothing): one peer per file. */
  view(): Capture;
  dispose(): Promise<void>;
}

/** Starts `test/fixtures/syslog-capture.py` in a new temp directory. */
export async function startCapture(python = 'python3'): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-capture-'));
  const child: ChildProcess = spawn(python, [join(REPO_ROOT, 'test', 'fixtures', 'syslog-capture.py'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const env = await new Promise<Record<string, string>>((resolveEnv, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('READY=1')) resolveEnv(parseEnv(text));
    });
    child.once('exit', (code) => reject(new Error(`syslog-capture.py exited with ${String(code)} before it was ready`)));
    child.once('error', reject);
  });
  const file = join(dir, 'raw.jsonl');
  const make = (offset: number, dispose: () => Promise<void>): Capture => {
    const captured = (): Captured[] => readJsonLines<Captured>(file).slice(offset);
    return {
      dir,
      udpPort: Number(env['RAW_UDP_PORT']),
      tcpPort: Number(env['RAW_TCP_PORT']),
      unixSocket: env['RAW_UNIX_SOCKET'] as string,
      unixStreamSocket: env['RAW_UNIX_STREAM_SOCKET'] as string,
      captured,
      waitForCount: (n, timeoutMs = 5000) =>
        waitFor(() => {
          const got = captured();
          return got.length >= n ? got : undefined;
        }, `${n} captured line(s)`, timeoutMs),
      view: () => make(readJsonLines<Captured>(file).length, () => Promise.resolve()),
      dispose,
    };
  };
  return make(0, async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
}
