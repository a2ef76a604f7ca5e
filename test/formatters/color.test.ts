/**
 * ColoredFormatter beyond the generated oracle table: construction errors, attributes, bad records through a
 * handler, dictConfig/fileConfig of a Python config naming colorlog (bytes compared with Python + colorlog), and a
 * real pseudo-terminal.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ColoredFormatter,
  LevelFormatter,
  TTYColoredFormatter,
  default_log_colors,
  escape_codes,
  parse_colors,
} from '../../src/color.js';
import { dictConfig, fileConfig } from '../../src/config.js';
import {
  basicConfig,
  Formatter,
  getLogger,
  KeyError,
  makeLogRecord,
  root,
  shutdown,
  StreamHandler,
  type LogRecord,
} from '../../src/index.js';
import { MemoryStream, saveLoggingState, type Saved } from '../helpers/reset.js';
import { COLORLOG_PYTHON, buildOurs, colorlogMissing, oracleEnv, runOracle, type Outcome } from '../fixtures/color-oracle.js';

const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** Runs `fn` with NO_COLOR / FORCE_COLOR unset, restoring them after. */
function withoutColorEnv<T>(fn: () => T): T {
  const saved = { NO_COLOR: process.env['NO_COLOR'], FORCE_COLOR: process.env['FORCE_COLOR'] };
  delete process.env['NO_COLOR'];
  delete process.env['FORCE_COLOR'];
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

const record = (extra: Record<string, unknown> = {}): LogRecord =>
  makeLogRecord({ name: 'app', msg: 'hello %s', args: ['you'], levelname: 'ERROR', levelno: 40, ...extra });

describe('ColoredFormatter construction', () => {
  test('an unknown colour name throws KeyError naming it and the mapping, with a suggestion', () => {
    assert.throws(
      () => new ColoredFormatter(null, { logColors: { ERROR: 'red,bold_rde' } }),
      (e: unknown) => e instanceof KeyError && /unknown colour name 'bold_rde' in log_colors\['ERROR'\] \(did you mean 'bold_red'\?\)/.test(e.message),
    );
    assert.throws(
      () => new ColoredFormatter(null, { secondaryLogColors: { message: { INFO: 'bluee' } } }),
      /unknown colour name 'bluee' in secondary_log_colors\['message'\]\['INFO'\] \(did you mean 'blue'\?\)/,
    );
  });

  test('an unknown colour name is refused even for a level the format never sees, and even when colours are off', () => {
    assert.throws(() => new ColoredFormatter('%(message)s', { logColors: { NOPE: 'sparkly' }, noColor: true }), /'sparkly'/);
  });

  test("colorlog does not trim: 'red, bold' names ' bold'", () => {
    assert.throws(() => parse_colors('red, bold', 'x'), /unknown colour name ' bold' in x \(did you mean 'bold'\?\)/);
  });

  test('colorlog raises KeyError for the same names, lazily, when a record of that level is formatted', { skip: colorlogMissing }, () => {
    const [theirs] = runOracle<Outcome[]>({
      mode: 'cases',
      cases: [{ fmt: '%(log_color)s%(message)s', log_colors: { ERROR: 'red,bold_rde' }, rec: { levelname: 'ERROR', msg: 'x' } }],
    });
    assert.deepEqual(theirs, ['err', "KeyError: 'bold_rde'"]);
  });

  test('a colour sequence that is not a string, or a mapping that is not one, is a TypeError', () => {
    assert.throws(() => new ColoredFormatter(null, { logColors: { ERROR: 31 as unknown as string } }), /log_colors\['ERROR'\] must be a string/);
    assert.throws(() => new ColoredFormatter(null, { logColors: ['red'] as unknown as Record<string, string> }), TypeError);
    assert.throws(() => new ColoredFormatter(null, { secondaryLogColors: { message: 'red' as unknown as Record<string, string> } }), TypeError);
  });

  test('options are closed: an unknown key is a TypeError naming it, suggesting the right name', () => {
    assert.throws(() => new ColoredFormatter(null, { log_colors: {} } as never), /unknown option 'log_colors' \(did you mean 'logColors'\?\)/);
    assert.throws(() => new ColoredFormatter(null, { forceColour: true } as never), /unknown option 'forceColour' \(did you mean 'forceColor'\?\)/);
    assert.throws(() => new ColoredFormatter(null, { sparkle: true } as never), /unknown option 'sparkle'$/);
    assert.throws(() => new LevelFormatter({ INFO: '%(message)s' }, { no_color: true } as never), /LevelFormatter: unknown option 'no_color' \(did you mean 'noColor'\?\)/);
  });

  test('a bad style is ValueError, as Formatter', () => {
    assert.throws(() => new ColoredFormatter(null, { style: '#' as never }), /Style must be one of: %,\{,\$/);
  });

  test('defaults: the format of the style, default_log_colors, reset on; TTYColoredFormatter is the same class', () => {
    const f = withoutColorEnv(() => new ColoredFormatter());
    assert.equal(f._fmt, '%(log_color)s%(levelname)s:%(name)s:%(message)s');
    assert.equal(f.log_colors, default_log_colors);
    assert.equal(f.reset, true);
    assert.equal(f.format(record()), `${RED}ERROR:app:hello you${RESET}`);
    assert.equal(TTYColoredFormatter, ColoredFormatter);
    assert.ok(f instanceof Formatter);
  });

  test("escape_codes holds colorlog's names (256-colour included)", () => {
    assert.equal(escape_codes.get('fg_bold_light_cyan'), '\x1b[1;96m');
    assert.equal(escape_codes.get('bg_bold_red'), '\x1b[101m');
    assert.equal(escape_codes.get('bg_255'), '\x1b[48;5;255m');
    assert.equal(parse_colors(',bold_red,,bg_white,'), '\x1b[1;31m\x1b[47m');
  });
});

describe('ColoredFormatter attributes', () => {
  test('assigning no_color / force_color / stream / log_colors / secondary_log_colors / reset decides again', () => {
    const f = withoutColorEnv(
      () => new ColoredFormatter('%(log_color)s%(message)s %(message_log_color)s.', { secondaryLogColors: { message: {} } }),
    );
    assert.equal(f.format(record()), `${RED}hello you .${RESET}`);
    withoutColorEnv(() => (f.no_color = true));
    assert.equal(f.format(record()), 'hello you .');
    withoutColorEnv(() => (f.force_color = true));
    assert.equal(f.format(record()), `${RED}hello you .${RESET}`);
    withoutColorEnv(() => {
      f.force_color = false;
      f.no_color = false;
      f.stream = { isTTY: false };
    });
    assert.equal(f.format(record()), 'hello you .', 'a Node stream without isTTY is not a terminal');
    withoutColorEnv(() => (f.stream = { isTTY: true }));
    assert.equal(f.format(record()), `${RED}hello you .${RESET}`);
    f.log_colors = { ERROR: 'blue' };
    f.secondary_log_colors = { message: { ERROR: 'bg_red' } };
    f.reset = false;
    assert.equal(f.format(record()), '\x1b[34mhello you \x1b[41m.');
    assert.throws(() => (f.log_colors = { ERROR: 'bleu' }), KeyError);
  });

  test("any handler's stream is accepted as stream (typed and at run time); one without isTTY/isatty is no TTY", () => {
    const h = new StreamHandler();
    const g = new StreamHandler(new MemoryStream());
    withoutColorEnv(() => {
      assert.equal(new ColoredFormatter('%(log_color)s%(message)s', { stream: g.stream }).format(record()), 'hello you');
      const f = new ColoredFormatter('%(log_color)s%(message)s', { stream: h.stream });
      assert.equal(f.stream, process.stderr);
    });
  });

  test('a stream whose isatty() throws counts as not a terminal', () => {
    const f = withoutColorEnv(
      () =>
        new ColoredFormatter('%(log_color)s%(message)s', {
          stream: {
            isatty(): boolean {
              throw new Error('closed');
            },
          },
        }),
    );
    assert.equal(f.format(record()), 'hello you');
  });
});

describe('ColoredFormatter through a handler', () => {
  let saved: Saved;
  beforeEach(() => (saved = saveLoggingState()));
  afterEach(() => saved.restore());

  test('a record field that throws goes to handleError; the host and the next record are unharmed', () => {
    const stream = new MemoryStream();
    const h = new StreamHandler(stream);
    const errors: unknown[] = [];
    h.handleError = (_r: LogRecord, err?: unknown): void => void errors.push(err);
    h.setFormatter(new ColoredFormatter('%(log_color)s%(levelname)s %(name)s %(message)s', { forceColor: true }));
    const bad = record();
    Object.defineProperty(bad, 'name', {
      enumerable: true,
      get(): never {
        throw new Error('getter exploded');
      },
    });
    h.handle(bad);
    h.handle(record({ levelname: 'INFO', levelno: 20 }));
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /getter exploded/);
    assert.equal(stream.text, `\x1b[32mINFO app hello you${RESET}\n`);
  });

  test('a level with no colour, and an unknown level in LevelFormatter, do not crash the host', () => {
    const stream = new MemoryStream();
    const h = new StreamHandler(stream);
    const errors: unknown[] = [];
    h.handleError = (_r: LogRecord, err?: unknown): void => void errors.push(err);
    h.setFormatter(new LevelFormatter({ INFO: '%(log_color)sI %(message)s' }, { forceColor: true }));
    h.handle(record({ levelname: 'Level 25', levelno: 25 }));
    h.handle(record({ levelname: 'INFO', levelno: 20 }));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof KeyError && errors[0].message === "'Level 25'");
    assert.equal(stream.text, `\x1b[32mI hello you${RESET}\n`);

    h.setFormatter(new ColoredFormatter('%(log_color)s%(message)s', { forceColor: true }));
    h.handle(record({ levelname: 'Level 25', levelno: 25 }));
    assert.equal(stream.text.split('\n')[1], `hello you${RESET}`, 'no colour for the level, the reset still appended');
  });

  test("basicConfig's defaults do not change: a plain Formatter", () => {
    for (const h of [...root.handlers]) root.removeHandler(h);
    basicConfig({ stream: new MemoryStream() });
    const f = root.handlers[0]?.formatter;
    assert.ok(f instanceof Formatter && !(f instanceof ColoredFormatter));
    assert.equal(f._fmt, '%(levelname)s:%(name)s:%(message)s');
  });
});

/** A Python logging.json that colorlog accepts, writing each formatter's output to its own file under `dir`. */
function pythonConfig(dir: string, ttyFormatter: boolean): Record<string, unknown> {
  const formatters: Record<string, Record<string, unknown>> = {
    colored: {
      '()': 'colorlog.ColoredFormatter',
      format: '%(log_color)s%(levelname)-8s%(reset)s %(name)s %(blue)s%(message)s',
      log_colors: { DEBUG: 'cyan', INFO: 'green', WARNING: 'yellow', ERROR: 'red', CRITICAL: 'bold_red,bg_white' },
      secondary_log_colors: { message: { ERROR: 'red', CRITICAL: 'bold_white' } },
      stream: 'ext://sys.stdout',
      force_color: true,
    },
    brace: {
      '()': 'colorlog.ColoredFormatter',
      format: '{log_color}{levelname:<8}{reset}|{message_log_color}{message}',
      style: '{',
      secondary_log_colors: { message: { WARNING: 'thin_yellow', DEBUG: 'fg_244' } },
      reset: false,
      force_color: true,
    },
    dollar: { '()': 'colorlog.formatter.ColoredFormatter', fmt: '${log_color}${name}: ${message}', style: '$', no_color: true, force_color: true },
    level: {
      '()': 'colorlog.LevelFormatter',
      fmt: { DEBUG: '%(log_color)sD %(message)s', INFO: '%(log_color)sI %(message)s', WARNING: '%(log_color)sW %(message)s', ERROR: '%(log_color)sE %(message)s', CRITICAL: '%(log_color)sC %(message)s', NOTICE: 'N %(message)s' },
      force_color: true,
    },
    klass: { class: 'colorlog.ColoredFormatter', format: '%(log_color)s%(levelname)s:%(message)s' },
  };
  // The handler's stream, piped in both processes: TTY detection leaves the colours out (unless this test itself runs
  // on a terminal, where node's stdout would be one).
  if (ttyFormatter) formatters['tty'] = { '()': 'colorlog.TTYColoredFormatter', fmt: '%(log_color)s%(message)s', stream: 'ext://sys.stdout' };
  const handlers: Record<string, unknown> = {};
  for (const name of Object.keys(formatters)) {
    handlers[name] = { class: 'logging.FileHandler', filename: join(dir, `${name}.log`), mode: 'w', formatter: name, encoding: 'utf-8' };
  }
  return {
    version: 1,
    disable_existing_loggers: false,
    formatters,
    handlers,
    root: { level: 'DEBUG', handlers: Object.keys(handlers) },
  };
}

const CALLS: [string, number, string, unknown[]][] = [
  ['app', 10, 'debug %s', ['x']],
  ['app.db', 20, 'query took %d ms', [12]],
  ['app', 30, 'disk %s is %d%% full', ['/var', 93]],
  ['app', 40, 'naïve ✓ error', []],
  ['app.http', 50, 'down', []],
  ['app', 25, 'a custom level between INFO and WARNING', []],
];

function readAll(dir: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, `${n}.log`), 'utf8')]));
}

describe('dictConfig / fileConfig with colorlog names', { skip: colorlogMissing }, () => {
  let saved: Saved;
  const dirs: string[] = [];
  beforeEach(() => (saved = saveLoggingState()));
  afterEach(async () => {
    await shutdown();
    saved.restore();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test("a Python logging.json naming colorlog's formatters writes the same bytes as Python + colorlog", async () => {
    const tty = process.stdout.isTTY !== true;
    const py = mkdtempSync(join(tmpdir(), 'color-py-'));
    const ts = mkdtempSync(join(tmpdir(), 'color-ts-'));
    dirs.push(py, ts);
    runOracle({ mode: 'dictconfig', config: pythonConfig(py, tty), calls: CALLS });
    const errors: unknown[] = [];
    withoutColorEnv(() => dictConfig(pythonConfig(ts, tty)));
    for (const h of root.handlers) h.handleError = (_r: LogRecord, err?: unknown): void => void errors.push(err);
    for (const [name, level, msg, args] of CALLS) getLogger(name).log(level, msg, ...args);
    await shutdown();
    const names = Object.keys(pythonConfig(ts, tty)['formatters'] as object);
    const ours = readAll(ts, names);
    assert.deepEqual(ours, readAll(py, names));
    assert.ok(ours['colored']?.includes('\x1b[1;31m\x1b[47mCRITICAL\x1b[0m app.http \x1b[34mdown\x1b[0m\n'));
    assert.equal(errors.length, 1, 'LevelFormatter has no format for "Level 25": one handleError, as in Python');
  });

  test('fileConfig: class=colorlog.ColoredFormatter in an INI file, same bytes as Python', async () => {
    const py = mkdtempSync(join(tmpdir(), 'color-py-'));
    const ts = mkdtempSync(join(tmpdir(), 'color-ts-'));
    dirs.push(py, ts);
    const ini = (dir: string): string =>
      [
        '[loggers]',
        'keys=root',
        '[handlers]',
        'keys=file',
        '[formatters]',
        'keys=colored',
        '[logger_root]',
        'level=DEBUG',
        'handlers=file',
        '[handler_file]',
        'class=FileHandler',
        `args=(${JSON.stringify(join(dir, 'colored.log'))}, 'w', 'utf-8')`,
        'formatter=colored',
        '[formatter_colored]',
        'class=colorlog.ColoredFormatter',
        'format=%(log_color)s%(levelname)s%(reset)s:%(name)s:%(bold_blue)s%(message)s',
        'style=%',
        '',
      ].join('\n');
    writeFileSync(join(py, 'logging.ini'), ini(py));
    writeFileSync(join(ts, 'logging.ini'), ini(ts));
    runOracle({ mode: 'fileconfig', path: join(py, 'logging.ini'), calls: CALLS.slice(0, 5) });
    withoutColorEnv(() => fileConfig(join(ts, 'logging.ini'), { disable_existing_loggers: false }));
    for (const [name, level, msg, args] of CALLS.slice(0, 5)) getLogger(name).log(level, msg, ...args);
    await shutdown();
    assert.deepEqual(readAll(ts, ['colored']), readAll(py, ['colored']));
  });

  /** The message of `fn`'s error and of its causes, joined. */
  const failure = (fn: () => void): string => {
    try {
      fn();
    } catch (e) {
      const parts: string[] = [];
      for (let c: unknown = e; c instanceof Error; c = c.cause) parts.push(`${c.name}: ${c.message}`);
      return parts.join(' <- ');
    }
    return 'no error';
  };

  test("unknown keyword arguments are refused with Python's TypeError text", () => {
    const msg = failure(() =>
      dictConfig({ version: 1, formatters: { x: { '()': 'colorlog.ColoredFormatter', fmt: '%(message)s', colours: {} } } }),
    );
    assert.match(msg, /^ValueError: Unable to configure formatter 'x' <- TypeError: ColoredFormatter\.__init__\(\) got an unexpected keyword argument 'colours'/);
  });

  test('an invalid colour name in a config fails the configuration, naming it', () => {
    const msg = failure(() =>
      dictConfig({ version: 1, formatters: { x: { '()': 'colorlog.ColoredFormatter', log_colors: { ERROR: 'redd' } } } }),
    );
    assert.match(msg, /^ValueError: Unable to configure formatter 'x' <- KeyError: unknown colour name 'redd' in log_colors\['ERROR'\] \(did you mean 'red'\?\)/);
  });
});

const BUILD_SRC = fileURLToPath(new URL('../../src/', import.meta.url));

describe('a real terminal (a pseudo-terminal from python\'s pty module)', { skip: colorlogMissing }, () => {
  const nodeProgram = `
import { DEBUG, getLogger, StreamHandler } from ${JSON.stringify(join(BUILD_SRC, 'index.js'))};
import { ColoredFormatter } from ${JSON.stringify(join(BUILD_SRC, 'color.js'))};
const h = new StreamHandler(process.stdout);
h.setFormatter(new ColoredFormatter('%(log_color)s%(levelname)s%(reset)s %(name)s %(message)s', { stream: h.stream }));
const log = getLogger('tty');
log.propagate = false;
log.setLevel(DEBUG);
log.addHandler(h);
for (const level of [10, 20, 30, 40, 50]) log.log(level, 'hello %s', 'terminal');
`;
  const pythonProgram = `
import logging, sys, colorlog
h = logging.StreamHandler(sys.stdout)
h.setFormatter(colorlog.ColoredFormatter('%(log_color)s%(levelname)s%(reset)s %(name)s %(message)s', stream=sys.stdout))
log = logging.getLogger('tty')
log.propagate = False
log.setLevel(logging.DEBUG)
log.addHandler(h)
for level in (10, 20, 30, 40, 50):
    log.log(level, 'hello %s', 'terminal')
`;
  const env = oracleEnv() as Record<string, string>;
  const onPty = (argv: string[]): string => runOracle<{ status: number; output: string }>({ mode: 'pty', argv, env }).output;
  const node = [process.execPath, '--input-type=module', '-e', nodeProgram];
  const python = [COLORLOG_PYTHON, '-c', pythonProgram];

  test('stream: handler.stream colours on a terminal, byte for byte as colorlog with stream=sys.stdout', () => {
    const ours = onPty(node);
    assert.equal(ours, onPty(python));
    assert.ok(ours.startsWith('\x1b[37mDEBUG\x1b[0m tty hello terminal\x1b[0m\r\n'), JSON.stringify(ours));
  });

  test('the same programs piped: no colours on either side', async () => {
    const { execFileSync } = await import('node:child_process');
    const ours = execFileSync(node[0] as string, node.slice(1), { env, encoding: 'utf8' });
    assert.equal(ours, execFileSync(python[0] as string, python.slice(1), { env, encoding: 'utf8' }));
    assert.equal(ours.split('\n')[0], 'DEBUG tty hello terminal');
  });

  test('NO_COLOR on a terminal: no colours on either side; FORCE_COLOR wins over it', () => {
    const noColor = { ...env, NO_COLOR: '1' };
    const both = { ...env, NO_COLOR: '1', FORCE_COLOR: '' };
    const run = (argv: string[], e: Record<string, string>): string =>
      runOracle<{ output: string }>({ mode: 'pty', argv, env: e }).output;
    assert.equal(run(node, noColor), run(python, noColor));
    assert.ok(!run(node, noColor).includes('\x1b'));
    assert.equal(run(node, both), run(python, both));
    assert.ok(run(node, both).includes('\x1b[32mINFO'));
  });
});

test('without code generation (--disallow-code-generation-from-strings) the output is the same', async () => {
  const { execFileSync } = await import('node:child_process');
  const program = `
import { makeLogRecord } from ${JSON.stringify(join(BUILD_SRC, 'index.js'))};
import { ColoredFormatter } from ${JSON.stringify(join(BUILD_SRC, 'color.js'))};
const out = [];
for (const [fmt, style] of [['%(log_color)s%(levelname)-8s%(reset)s %(name)s %(user)s %(message)s', '%'], ['{log_color}{levelname}{reset} {name} {user} {message}', '{']]) {
  const f = new ColoredFormatter(fmt, { style, forceColor: true, defaults: { user: 'anon' } });
  for (const levelname of ['INFO', 'ERROR', 'Level 25']) out.push(f.format(makeLogRecord({ name: 'app', msg: 'hi %s', args: ['x'], levelname })));
  out.push(f.format(makeLogRecord({ name: 'app', msg: 'hi', levelname: 'DEBUG', user: 'bob' })));
}
process.stdout.write(JSON.stringify(out));
`;
  const run = (flags: string[]): unknown =>
    JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', program], { encoding: 'utf8' }));
  const normal = run([]);
  assert.deepEqual(run(['--disallow-code-generation-from-strings']), normal);
  assert.ok(JSON.stringify(normal).includes('\\u001b[31mERROR'));
});

test('buildOurs() maps every colorlog keyword of a case', () => {
  const f = buildOurs({ fmt: '%(log_color)s%(message)s', log_colors: { ERROR: 'blue' }, reset: false, force_color: true, stream: 'notty', rec: {} });
  assert.equal(f.format(record()), '\x1b[34mhello you');
});
