/**
 * The parts of pylogging/config that need no Python peer, or whose oracle is a single python3 call: the literal
 * parser and the INI reader (against CPython's eval/configparser), transactional failure, JavaScript references,
 * the handler registry, the shared logging.json of the README, and the CLI hook.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { getHandlerByName, getLogger, root, shutdown, StreamHandler, type Handler } from '../../src/index.js';
import {
  ConfigParser,
  configFromFile,
  dictConfig,
  dictConfigFromFile,
  dictConfigSync,
  evaluateLiteral,
  fileConfig,
  handlersClosed,
  PyLiteralError,
} from '../../src/config.js';
import { resolveInLogging } from '../../src/config/registry.js';
import { runBoth } from '../fixtures/config-harness.js';
import { runPython } from '../helpers/python.js';
import { MemoryStream, saveLoggingState, type Saved } from '../helpers/reset.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLASSES = join(here, '..', 'fixtures', 'config-classes.js');
const SHARED_JSON = join(here, '..', '..', '..', 'test', 'fixtures', 'config-logging.json');

describe('evaluateLiteral() reads what CPython evaluates, and nothing else', () => {
  const texts = [
    '()', '(1,)', "('app.log', 'a', 10*1024*1024, 5)", '("x",)', "{'encoding': 'utf-8', 'delay': True}", '[1, 2.5, -3, +4]',
    "r'C:\\logs\\app.log'", "'a' 'b' \"c\"", "'\\x41\\u00e9\\n\\t\\\\'", "'''tri'ple'''", '2**10 - 7 // 2 % 5', '(None, True, False)',
    "{'a': [1, (2, 3)], 'b': {'c': None}}", '0x1F, 0o17, 0b101, 1_000', '1e3, .5, 5.', "dict(a=1, b='x')", 'tuple()', 'list()',
    "'%(asctime)s' + '!'", '1, 2,',
  ];
  const py = runPython<unknown[]>(
    'import json,sys\nprint(json.dumps([eval(t, {"__builtins__": {"dict": dict, "tuple": tuple, "list": list}}) for t in json.load(sys.stdin)]))',
    texts,
  );
  texts.forEach((t, i) => {
    test(`evaluateLiteral(${JSON.stringify(t)}) equals eval()`, () => {
      assert.deepEqual(JSON.parse(JSON.stringify(evaluateLiteral(t, resolveInLogging))), py[i]);
    });
  });
  for (const bad of ["__import__('os').system('id')", "open('/etc/passwd')", '[x for x in y]', 'lambda: 1', 'a[0]', "sys.stdout.write('x')", '{1, 2}', '(1', "'unterminated", '@']) {
    test(`evaluateLiteral(${JSON.stringify(bad)}) is refused`, () => {
      assert.throws(() => evaluateLiteral(bad, resolveInLogging), (e: unknown) => e instanceof PyLiteralError || (e as Error).name === 'NameError');
    });
  }
  test('names resolve as in vars(logging); instances expose no attributes', () => {
    assert.equal(evaluateLiteral('sys.stdout', resolveInLogging), process.stdout);
    assert.deepEqual(evaluateLiteral('(ERROR, handlers.DEFAULT_TCP_LOGGING_PORT)', resolveInLogging), [40, 9020]);
    assert.throws(() => evaluateLiteral('(sys.stdout._writableState,)', resolveInLogging), { name: 'AttributeError' });
    assert.throws(() => evaluateLiteral('(os.environ,)', resolveInLogging), { name: 'NameError', message: "name 'os' is not defined" });
  });
});

describe('ConfigParser reads INI text as configparser does', () => {
  const text = '[DEFAULT]\nd = 5\n\n[a]\nx=1\n  cont\n\n  more\n\ny = %(x)s!\nz=%%\nw : %(d)s;c\n; comment\n# c2\nK=upper\n\n[b]\nq=%(d)s\n';
  const py = runPython<Record<string, Record<string, string>>>(
    'import configparser,json,sys\ncp=configparser.ConfigParser()\ncp.read_string(json.load(sys.stdin))\nprint(json.dumps({s:{k:cp[s][k] for k in cp[s]} for s in cp.sections()}))',
    text,
  );
  test('values, continuation lines, interpolation, DEFAULT, comments', () => {
    const cp = new ConfigParser().readString(text);
    const got = Object.fromEntries(cp.sections().map((s) => [s, Object.fromEntries(cp.options(s).map((k) => [k, cp.get(s, k)]))]));
    assert.deepEqual(got, py);
  });
  const errs: [string, string][] = [
    ['x=1\n', 'MissingSectionHeaderError'],
    ['[a]\nx=1\nprince\n', 'ParsingError'],
    ['[a]\nx=1\n[a]\n', 'DuplicateSectionError'],
    ['[a]\nx=1\nX=2\n', 'DuplicateOptionError'],
  ];
  const pyErrs = runPython<string[]>(
    'import configparser,json,sys\nout=[]\nfor t in json.load(sys.stdin):\n  try: configparser.ConfigParser().read_string(t)\n  except Exception as e: out.append(str(e))\nprint(json.dumps(out))',
    errs.map(([t]) => t),
  );
  errs.forEach(([t, name], i) => {
    test(`readString() raises ${name} with CPython's text`, () => {
      assert.throws(() => new ConfigParser().readString(t), { name, message: pyErrs[i] });
    });
  });
});

describe('dictConfig() in process', () => {
  let saved: Saved;
  beforeEach(() => (saved = saveLoggingState()));
  afterEach(() => saved.restore());

  test('a failing configuration changes nothing and closes what it built', () => {
    const out = new MemoryStream();
    dictConfigSync({ version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: out } }, root: { level: 'INFO', handlers: ['h'] } });
    const h = getHandlerByName('h') as Handler;
    assert.throws(
      () => dictConfig({ version: 1, handlers: { h2: { class: 'logging.FileHandler', filename: join(tmpdir(), 'pylogging-never.log'), delay: true } }, root: { level: 'DEBUG', handlers: ['h2', 'missing'] } }),
      (e: Error) => e.message === 'Unable to configure root logger' && (e.cause as Error).message === "Unable to add handler 'missing'",
    );
    assert.deepEqual(root.handlers, [h]);
    assert.equal(root.level, 20);
    assert.equal(h._closed, false);
    assert.equal(getHandlerByName('h'), h);
    getLogger('x').info('still here');
    assert.equal(out.text, 'still here\n');
  });

  test('incremental: a bad logger entry leaves handler levels alone (CPython changes them first)', () => {
    dictConfigSync({ version: 1, handlers: { h: { class: 'logging.NullHandler', level: 'WARNING' } } });
    assert.throws(() => dictConfigSync({ version: 1, incremental: true, handlers: { h: { level: 'DEBUG' } }, loggers: { a: { level: 'BOGUS' } } }), {
      message: "Unable to configure logger 'a'",
    });
    assert.equal(getHandlerByName('h')?.level, 30);
  });

  test('old handlers are flushed and closed; handlersClosed() resolves', async () => {
    dictConfigSync({ version: 1, handlers: { h: { class: 'logging.NullHandler' } }, root: { handlers: ['h'] } });
    const old = getHandlerByName('h') as Handler;
    dictConfigSync({ version: 1, handlers: { h: { class: 'logging.NullHandler' } }, root: { handlers: ['h'] } });
    await handlersClosed();
    assert.equal(old._closed, true);
    assert.notEqual(getHandlerByName('h'), old);
  });

  test('filters may be functions or objects with filter() (test_config_callable_filter_works)', () => {
    const fn = (): boolean => true;
    const obj = { filter: (): boolean => true };
    dictConfigSync({ version: 1, root: { level: 'DEBUG', filters: [fn, obj] } });
    assert.deepEqual(root.filters.slice(-2), [fn, obj]);
    root.filters = [];
  });

  test('JS references: absolute and cwd-relative "<module>#<export>", classes and factories', () => {
    const rel = `./${relative(process.cwd(), CLASSES)}`;
    dictConfig({
      version: 1,
      formatters: { f: { '()': `${CLASSES}#CustomFormatter`, format: '%(message)s' } },
      handlers: { a: { class: `${rel}#CustomHandler`, stream: 'ext://sys.stderr', formatter: 'f' }, b: { '()': `${rel}#handlerFunc` } },
    });
    assert.equal(getHandlerByName('a')?.constructor.name, 'CustomHandler');
    assert.equal((getHandlerByName('a') as StreamHandler).stream, process.stderr);
    assert.equal(getHandlerByName('b')?.constructor.name, 'StreamHandler');
    assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: './no-such-file.js#X' } } }), (e: Error) =>
      /^Cannot resolve '.\/no-such-file.js#X': No module for '.\/no-such-file.js#X': its module could not be loaded/.test((e.cause as Error).message),
    );
    assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: `${CLASSES}#Nope` } } }), (e: Error) =>
      (e.cause as Error).message.endsWith("has no export 'Nope'"),
    );
  });

  test('every logging.handlers entry builds our handler from Python keyword arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-reg-'));
    try {
      dictConfig({
        version: 1,
        handlers: {
          watched: { class: 'logging.handlers.WatchedFileHandler', filename: join(dir, 'w.log'), delay: true },
          rot: { class: 'logging.handlers.RotatingFileHandler', filename: join(dir, 'r.log'), maxBytes: 100, backupCount: 2, delay: true },
          timed: { class: 'logging.handlers.TimedRotatingFileHandler', filename: join(dir, 't.log'), when: 'midnight', atTime: '02:30:00', utc: true, delay: true },
          sock: { class: 'logging.handlers.SocketHandler', host: '127.0.0.1', port: 9 },
          dgram: { class: 'logging.handlers.DatagramHandler', host: '127.0.0.1', port: 9 },
          smtp: { class: 'logging.handlers.SMTPHandler', mailhost: ['127.0.0.1', 25], fromaddr: 'me', toaddrs: ['you'], subject: 'Log', timeout: 2 },
          http: { class: 'logging.handlers.HTTPHandler', host: '127.0.0.1:9', url: '/log', method: 'POST' },
          mem: { class: 'logging.handlers.MemoryHandler', capacity: 10, flushLevel: 'ERROR', target: 'rot', flushOnClose: false },
          buf: { class: 'logging.handlers.BufferingHandler', capacity: 3 },
          q: { class: 'logging.handlers.QueueHandler', handlers: ['rot'], respect_handler_level: true },
        },
      });
      const h = (n: string): Record<string, unknown> => getHandlerByName(n) as unknown as Record<string, unknown>;
      assert.equal(h('rot')['maxBytes'], 100);
      assert.equal(h('timed')['atTime'], 9000);
      assert.equal(h('timed')['when'], 'MIDNIGHT');
      assert.equal(h('sock')['port'], 9);
      assert.equal(h('smtp')['mailport'], 25);
      assert.equal(h('http')['method'], 'POST');
      assert.equal(h('mem')['target'], h('rot'));
      assert.equal(h('mem')['flushOnClose'], false);
      assert.equal(h('buf')['capacity'], 3);
      assert.equal((h('q')['listener'] as Record<string, unknown>)['respect_handler_level'], true);
      assert.throws(() => dictConfig({ version: 1, handlers: { s: { class: 'logging.handlers.SocketHandler', host: 'x' } } }), (e: Error) =>
        (e.cause as Error).message === "SocketHandler.__init__() missing 1 required positional argument: 'port'",
      );
    } finally {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('dictConfigFromFile() and configFromFile() (the CLI hook)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-cli-'));
    try {
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ version: 1, handlers: { j: { class: 'logging.NullHandler' } } }));
      dictConfigFromFile(join(dir, 'c.json'));
      assert.ok(getHandlerByName('j'));
      writeFileSync(join(dir, 'c.ini'), '[loggers]\nkeys=root\n[handlers]\nkeys=i\n[formatters]\nkeys=\n[logger_root]\nhandlers=i\n[handler_i]\nclass=NullHandler\n');
      configFromFile(join(dir, 'c.ini'));
      assert.ok(getHandlerByName('i'));
      writeFileSync(join(dir, 'bad.json'), '{');
      assert.throws(() => dictConfigFromFile(join(dir, 'bad.json')), SyntaxError);
      writeFileSync(join(dir, 'empty.ini'), '');
      assert.throws(() => fileConfig(join(dir, 'empty.ini')), { name: 'RuntimeError', message: `${join(dir, 'empty.ini')} is an empty file` });
      assert.throws(() => fileConfig(join(dir, 'nope.ini')), { name: 'FileNotFoundError', message: `${join(dir, 'nope.ini')} doesn't exist` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README example: one logging.json for a Python and a Node service', () => {
  // Python 3.11's logging lacks getHandlerByName, which the runner's 'dict' step does not need: runs on any python3.
  test('identical stdout, service.log and errors.log (asctime masked)', async () => {
    const config = JSON.parse(readFileSync(SHARED_JSON, 'utf8')) as Record<string, unknown>;
    const lg = (logger: string, level: number, msg: string, ...args: unknown[]) => ({ op: 'log', logger, level, msg, args });
    const { py, js } = await runBoth({
      steps: [
        { op: 'dict', config },
        lg('app', 20, 'service started on port %d', 8080),
        lg('app.db', 20, 'connected (hidden: app.db is at WARNING)'),
        lg('app.db', 30, 'slow query: %.1f ms', 153.25),
        lg('app.http', 40, 'GET %s -> %d', '/users', 500),
        lg('thirdparty', 20, 'root handler, filtered out of the console'),
        lg('thirdparty', 40, 'goes to errors.log only'),
        { op: 'shutdown' },
      ],
    });
    assert.equal(js.stdout, py.stdout);
    assert.deepEqual(Object.keys(js.files), ['errors.log', 'service.log']);
    assert.equal(js.files['errors.log'], py.files['errors.log']);
    const mask = (s: string | undefined): string => (s ?? '').replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d /gm, '<TIME> ');
    assert.equal(mask(js.files['service.log']), mask(py.files['service.log']));
    assert.equal(js.stdout, 'INFO     app: service started on port 8080\nWARNING  app.db: slow query: 153.2 ms\nERROR    app.http: GET /users -> 500\n');
  });
});
