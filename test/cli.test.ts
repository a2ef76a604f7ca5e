/**
 * The `pylogging` command as a Unix tool: help and version on stdout with exit 0, usage errors as one line naming the
 * culprit plus a hint on stderr with exit 2. Spawns the built CLI (`build/src/cli.js`), as a user's shell would.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { dumpsFramed } from '../src/internal/pickle.js';
import { PYTHON } from './helpers/python.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'build', 'src', 'cli.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (only for invocations that exit by themselves). */
function run(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** Asserts a usage error: nothing on stdout, exactly `line` then the help hint on stderr, exit 2. */
function assertUsageError(r: Result, line: RegExp, hint = "Try 'pylogging listen --help' for more information."): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 3, r.stderr); // two lines and the final newline
  assert.match(lines[0] as string, line);
  assert.equal(lines[1], hint);
}

interface Listener {
  child: ChildProcess;
  port: number;
  /** Resolves with everything written to stdout once it contains `text`. */
  stdoutUntil(text: string): Promise<string>;
}

/** Starts `pylogging listen ARGS` and waits for its `listening tcp …` line. */
async function startListener(args: string[]): Promise<Listener> {
  const child = spawn(process.execPath, [CLI, 'listen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiting = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiting) w();
  });
  const stdoutUntil = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!out.includes(text)) return;
        waiting.delete(check);
        resolve(out);
      };
      waiting.add(check);
      child.once('exit', () => reject(new Error(`exited before writing ${JSON.stringify(text)}; stdout: ${out}`)));
      check();
    });
  for await (const line of createInterface({ input: child.stderr })) {
    const m = /^listening tcp \S+:(\d+)$/.exec(line);
    if (m) return { child, port: Number(m[1]), stdoutUntil };
  }
  throw new Error('the listener exited before listening');
}

/** Sends records in order over one connection, as CPython's SocketHandler does (4-byte length, pickle). */
function sendFromPython(port: number, records: [level: string, msg: string][]): Promise<void> {
  const script = `import json, logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', ${port})
log = logging.getLogger('cli.test'); log.propagate = False; log.addHandler(h); log.setLevel(1)
for level, msg in json.loads(sys.argv[1]): log.log(logging.getLevelName(level), msg)
h.close()`;
  return new Promise<void>((resolve, reject) => execFile(PYTHON, ['-c', script, JSON.stringify(records)], (e) => (e ? reject(new Error(e.message)) : resolve())));
}

/** SIGTERMs the listener and asserts it exits 0. */
async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exited = once(child, 'exit');
  child.kill(signal);
  assert.deepEqual(await exited, [0, null]);
}

describe('pylogging (top level)', () => {
  for (const flag of ['--help', '-h']) {
    test(`${flag}: the commands on stdout, exit 0`, async () => {
      const r = await run(flag);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^usage: pylogging <command> \[options\]/);
      assert.match(r.stdout, /^ {2}listen +receive log records/m);
      assert.match(r.stdout, /pylogging listen --help/);
    });
  }

  for (const flag of ['--version', '-V']) {
    test(`${flag}: package.json's version on stdout, exit 0`, async () => {
      assert.deepEqual(await run(flag), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    });
  }

  test('no command: usage on stderr, exit 2', async () => {
    const r = await run();
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^usage: pylogging <command> \[options\]\n/);
    assert.match(r.stderr, /Try 'pylogging --help' for more information\.\n$/);
  });

  test('an unknown command or option: one line naming it, a hint, exit 2', async () => {
    const hint = "Try 'pylogging --help' for more information.";
    assertUsageError(await run('lisen'), /^pylogging: unknown command "lisen"$/, hint);
    assertUsageError(await run('--verbose'), /^pylogging: unknown option "--verbose"$/, hint);
  });
});

describe('pylogging listen: arguments', () => {
  for (const flag of ['--help', '-h']) {
    test(`${flag}: every option with an example on stdout, exit 0 (even after other options)`, async () => {
      const r = await run('listen', '--tcp', '0', flag);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^usage: pylogging listen /);
      const limits = ['--max-connections', '--idle-timeout', '--record-timeout', '--max-depth', '--max-record-size', '--max-message-size', '--max-backlog'];
      for (const option of ['--tcp', '--udp', '--unix', '--unix-dgram', '--host', '--format', '--level', '--config', '--allow-module', ...limits]) {
        // the option's own line, then an example line using it
        assert.match(r.stdout, new RegExp(`^ {2}${option} [A-Z]+ [^\\n]*\\n(?: {20,}[^\\n]*\\n)*? +e\\.g\\. ${option} \\S`, 'm'), option);
      }
      assert.match(r.stdout, /--unix-dgram PATH +unix datagram socket for DatagramHandler\(PATH, None\); needs the optional package\n +unix-dgram \(npm install unix-dgram\)/);
      assert.match(r.stdout, /--config FILE +set up the local handlers from FILE instead: a dictConfig JSON if FILE ends in \.json,\n +else a fileConfig INI/);
    });
  }

  const cases: [string[], RegExp][] = [
    [['--tcp', 'http'], /^pylogging listen: --tcp: not a port number \(0\.\.65535\): "http"$/],
    [['--udp=70000'], /^pylogging listen: --udp: not a port number \(0\.\.65535\): "70000"$/],
    [['--level', 'verbose'], /^pylogging listen: --level: unknown level "verbose" \(one of [A-Z, ]+, or a number\)$/],
    [['--max-record-size', '0'], /^pylogging listen: --max-record-size: not a positive whole number of bytes: "0"$/],
    [['--max-connections', '-5'], /^pylogging listen: --max-connections: not a positive whole number of connections: "-5"$/],
    [['--max-connections=1.5'], /^pylogging listen: --max-connections: not a positive whole number of connections: "1\.5"$/],
    [['--idle-timeout', 'soon'], /^pylogging listen: --idle-timeout: not a positive number of seconds: "soon"$/],
    [['--idle-timeout', '0'], /^pylogging listen: --idle-timeout: not a positive number of seconds: "0"$/],
    [['--record-timeout', '1e3'], /^pylogging listen: --record-timeout: not a positive number of seconds: "1e3"$/],
    [['--max-depth', ''], /^pylogging listen: --max-depth: not a positive whole number of levels: ""$/],
    [['--max-message-size', '64k'], /^pylogging listen: --max-message-size: not a positive whole number of characters: "64k"$/],
    [['--max-backlog', '99999999999999999999'], /^pylogging listen: --max-backlog: not a positive whole number of bytes: "99999999999999999999"$/],
    [['--unix', ''], /^pylogging listen: --unix needs a non-empty value$/],
    [['--tcp'], /^pylogging listen: --tcp needs a value$/],
    [['--verbose'], /^pylogging listen: unknown option "--verbose"$/],
    [['9020'], /^pylogging listen: unexpected argument "9020"$/],
    [['--config', 'logging.json', '--level', 'INFO'], /^pylogging listen: --level cannot be combined with --config \(set it in the config file\)$/],
    [['--config', 'logging.json', '--format', '%(message)s'], /^pylogging listen: --format cannot be combined with --config/],
    [['--config', '/nonexistent/logging.json'], /^pylogging listen: --config \/nonexistent\/logging\.json: .*ENOENT/],
    [['--tcp', '0', '--format', '%(message)'], /^pylogging listen: --format: /],
    [['--unix', '/tmp/same', '--unix-dgram', '/tmp/same'], /^pylogging listen: unix and unixDgram must be different paths/],
    [['--allow-module', 'pylogging'], /^pylogging listen: --allow-module needs --config$/],
  ];
  for (const [args, line] of cases) {
    test(`${args.join(' ')}: one line naming it, exit 2`, async () => {
      assertUsageError(await run('listen', ...args), line);
    });
  }
});

describe('pylogging listen --config with --allow-module (config files are code)', () => {
  test('a factory outside the allowed references is refused before it is loaded: exit 2 naming it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogging-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cfg = join(dir, 'logging.json');
    // Without --allow-module this would abort the listener (a trusted file may call anything, as in CPython).
    writeFileSync(cfg, JSON.stringify({ version: 1, handlers: { h: { '()': 'node:process#abort' } }, root: { handlers: ['h'] } }));
    assertUsageError(
      await run('listen', '--tcp', '0', '--config', cfg, '--allow-module', 'pylogging'),
      /^pylogging listen: --config .*logging\.json: .*'node:process#abort'/,
    );
  });

  test('what the references allow is configured as usual', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogging-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cfg = join(dir, 'logging.json');
    writeFileSync(cfg, JSON.stringify({
      version: 1,
      formatters: { f: { format: 'allowed %(message)s' } },
      handlers: { out: { class: 'logging.StreamHandler', formatter: 'f', stream: 'ext://sys.stdout' } },
      root: { level: 'DEBUG', handlers: ['out'] },
    }));
    const l = await startListener(['--tcp', '0', '--host', '127.0.0.1', '--config', cfg, '--allow-module', 'pylogging']);
    t.after(() => l.child.kill('SIGKILL'));
    await sendFromPython(l.port, [['INFO', 'through the allow list']]);
    assert.equal(await l.stdoutUntil('\n'), 'allowed through the allow list\n');
    await stop(l.child);
  });
});

describe('pylogging listen: options at work', () => {
  // One connection keeps the records in order: once the last one is written, the earlier ones were handled too.
  test('--level in lower case filters what is written; --format=FMT sets the line', async (t) => {
    const l = await startListener(['--tcp=0', '--host', '127.0.0.1', '--level', 'warning', '--format=%(levelname)s %(message)s']);
    t.after(() => l.child.kill('SIGKILL'));
    await sendFromPython(l.port, [['INFO', 'dropped'], ['WARNING', 'kept'], ['DEBUG', 'dropped too'], ['ERROR', 'last']]);
    assert.equal(await l.stdoutUntil('last\n'), 'WARNING kept\nERROR last\n');
    await stop(l.child);
  });

  test('--level accepts a number; SIGINT stops it too', async (t) => {
    const l = await startListener(['--tcp', '0', '--host', '127.0.0.1', '--level', '35', '--format', '%(message)s']);
    t.after(() => l.child.kill('SIGKILL'));
    await sendFromPython(l.port, [['WARNING', 'below 35'], ['ERROR', 'above 35']]);
    assert.equal(await l.stdoutUntil('above 35\n'), 'above 35\n');
    await stop(l.child, 'SIGINT');
  });

  test('--config FILE not ending in .json is read as fileConfig INI', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogging-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const ini = join(dir, 'logging.ini');
    writeFileSync(ini, `[loggers]
keys=root

[handlers]
keys=out

[formatters]
keys=plain

[logger_root]
level=DEBUG
handlers=out

[handler_out]
class=StreamHandler
formatter=plain
args=(sys.stdout,)

[formatter_plain]
format=ini %(name)s %(message)s
`);
    const l = await startListener(['--tcp', '0', '--host', '127.0.0.1', '--config', ini]);
    t.after(() => l.child.kill('SIGKILL'));
    await sendFromPython(l.port, [['INFO', 'via fileConfig']]);
    assert.equal(await l.stdoutUntil('\n'), 'ini cli.test via fileConfig\n');
    await stop(l.child);
  });
});

/** A `pylogging listen` child whose stderr is collected; stdout is left to the caller. */
function spawnListen(args: string[]): { child: ChildProcess; stderr(): string; stderrUntil(re: RegExp): Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, [CLI, 'listen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const waiting = new Set<() => void>();
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiting) w();
  });
  const stderrUntil = (re: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(err);
        if (!m) return;
        waiting.delete(check);
        resolve(m);
      };
      waiting.add(check);
      child.once('exit', () => reject(new Error(`exited before stderr matched ${re}; stderr: ${err}`)));
      check();
    });
  return { child, stderr: () => err, stderrUntil };
}

/** `n` records framed as SocketHandler sends them, each with a `size`-character message. */
function frames(n: number, size: number, name = 'cli.limits'): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => dumpsFramed({ name, levelno: 20, levelname: 'INFO', msg: `${i} ${'x'.repeat(size)}`, args: null })));
}

/** Sends `bytes` on one connection and resolves once the receiver has read all of it and closed its side. */
async function sendAll(port: number, bytes: Buffer): Promise<void> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.end(bytes);
  await once(s, 'close');
}

describe('pylogging listen: limits at work', () => {
  test('--max-connections: connections over it are counted on stderr, not one line each', async (t) => {
    const l = spawnListen(['--tcp', '0', '--host', '127.0.0.1', '--max-connections', '1', '--format', '%(message)s']);
    t.after(() => l.child.kill('SIGKILL'));
    const port = Number((await l.stderrUntil(/^listening tcp \S+:(\d+)$/m))[1]);
    const held = connect(port, '127.0.0.1');
    held.write(frames(1, 3));
    const out = new Promise<void>((resolve) => l.child.stdout?.once('data', () => resolve()));
    await out; // the held connection is being served
    for (let i = 0; i < 3; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      await once(s, 'close');
    }
    held.destroy();
    await stop(l.child);
    const lines = l.stderr().split('\n').filter((x) => x.includes('dropped'));
    // the first at once; the others within the 10 s interval are summed into one line, sent at the latest on exit
    assert.match(lines[0] ?? '', /^pylogging listen: dropped 1 connection over --max-connections 1 \(in 0\.0 s\)$/);
    const counts = lines.map((x) => Number(/dropped (\d+) connection/.exec(x)?.[1]));
    assert.equal(counts.reduce((a, b) => a + b, 0), 3);
    assert.ok(lines.length < 3, l.stderr());
  });

  test('--unix PATH another listener serves: exit 1 naming the path, and the socket is left to its server', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogging-cli-'));
    const path = join(dir, 'in-use.sock');
    const first = spawnListen(['--unix', path, '--format', '%(message)s']);
    t.after(() => {
      first.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    await first.stderrUntil(/^listening unix /m);
    const second = await run('listen', '--unix', path);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(second.stderr, `pylogging listen: listen EADDRINUSE: ${path} is a socket another process is serving\n`);
    const s = connect(path);
    s.end(frames(1, 5));
    assert.match(await new Promise<string>((resolve) => first.child.stdout?.once('data', (d: Buffer) => resolve(d.toString()))), /^0 x{5}\n$/);
    await stop(first.child);
  });

  test('a flood of refused inputs: 10 lines, then counts', async (t) => {
    const l = spawnListen(['--tcp', '0', '--host', '127.0.0.1']);
    t.after(() => l.child.kill('SIGKILL'));
    const port = Number((await l.stderrUntil(/^listening tcp \S+:(\d+)$/m))[1]);
    for (let i = 0; i < 25; i++) await sendAll(port, Buffer.from('\x00\x00\x00\x02N.', 'latin1'));
    await stop(l.child);
    const shown = l.stderr().match(/^pylogging listen: refused tcp input from .*: a log record must be a dict/gm) ?? [];
    const counted = [...l.stderr().matchAll(/^pylogging listen: (\d+) more refused inputs? not shown/gm)].map((m) => Number(m[1]));
    assert.equal(shown.length + counted.reduce((a, b) => a + b, 0), 25, l.stderr());
    assert.ok(shown.length <= 20 && counted.length <= 4, l.stderr()); // 10 per 10 s window even on a slow machine
  });

  test('--max-backlog: stdout not read, records are dropped and counted on stderr, and the backlog stays bounded', async (t) => {
    const l = spawnListen(['--tcp', '0', '--host', '127.0.0.1', '--max-backlog', '65536', '--format', '%(message)s']);
    t.after(() => l.child.kill('SIGKILL'));
    l.child.stdout?.pause(); // nobody reads stdout (until the end)
    const port = Number((await l.stderrUntil(/^listening tcp \S+:(\d+)$/m))[1]);
    const n = 5000;
    await sendAll(port, frames(n, 1000)); // 5 MB of output
    await l.stderrUntil(/dropped \d+ records?: stdout is not read fast enough, over --max-backlog 65536 bytes queued/);
    const exited = once(l.child, 'exit');
    l.child.kill('SIGTERM');
    let written = '';
    l.child.stdout?.on('data', (d: Buffer) => (written += d.toString()));
    l.child.stdout?.resume();
    assert.deepEqual(await exited, [0, null]);
    const dropped = [...l.stderr().matchAll(/dropped (\d+) records?: stdout/g)].reduce((a, m) => a + Number(m[1]), 0);
    const lines = written.split('\n').filter(Boolean);
    assert.equal(lines.length + dropped, n, 'every record was written or counted as dropped');
    // the pipe (64 KiB), what this process had read ahead, the backlog bound and one record; never the 5 MB
    assert.ok(written.length < 512 * 1024, `${written.length} bytes written`);
    assert.ok(dropped > n / 2, `${dropped} dropped`);
    assert.deepEqual(lines.slice(0, 3).map((x) => x.split(' ')[0]), ['0', '1', '2']);
  });
});
