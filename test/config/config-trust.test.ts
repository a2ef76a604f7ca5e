/**
 * Configs are code, and pylogging/config says how much: a `class` must name a Handler/Formatter class, checked
 * before anything is called (the INI `class=node:child_process#execSync` and JSON `"class": "node:process#abort"`
 * attacks of issue #17), and the `allow` option refuses references outside a list before their module is loaded.
 * Attacks that could end the process run in a child process; the others leave a marker file when they run.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { Formatter, getHandlerByName, StreamHandler } from '../../src/index.js';
import {
  ConfigRefusedError,
  configFromFile,
  dictConfig,
  dictConfigSync,
  fileConfig,
  type ConfigReference,
} from '../../src/config.js';
import { PYTHON } from '../helpers/python.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIG_URL = pathToFileURL(join(here, '..', '..', 'src', 'config.js')).href;
const INDEX_URL = pathToFileURL(join(here, '..', '..', 'src', 'index.js')).href;
const SHARED_JSON = join(here, '..', '..', '..', 'test', 'fixtures', 'config-logging.json');

const dir = mkdtempSync(join(tmpdir(), 'cfg-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/**
 * A module under the temp dir that appends `loaded` to its marker file when it is loaded, and `called`/`constructed`
 * when one of its exports runs. Returns its path and marker.
 */
function trapModule(): { path: string; marker: string; lines: () => string[] } {
  n++;
  const marker = join(dir, `trap${n}.marker`);
  const path = join(dir, `trap${n}.mjs`);
  const m = JSON.stringify(marker);
  writeFileSync(
    path,
    [
      `import { appendFileSync } from 'node:fs';`,
      `import { Handler, Formatter } from ${JSON.stringify(INDEX_URL)};`,
      `appendFileSync(${m}, 'loaded\\n');`,
      `export function fn() { appendFileSync(${m}, 'called\\n'); return null; }`,
      `export class NotAHandler { constructor() { appendFileSync(${m}, 'constructed\\n'); } emit() {} }`,
      `export class TrapHandler extends Handler { emit() {} }`,
      `export class TrapFormatter extends Formatter {}`,
    ].join('\n'),
  );
  return { path, marker, lines: () => (existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n') : []) };
}

/** Runs `code` (an ES module body with `config` imported) in a child node; its exit, signal and output. */
function child(code: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as config from ${JSON.stringify(CONFIG_URL)};\n${code}`], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

let saved: Saved;
beforeEach(() => (saved = saveLoggingState()));
afterEach(() => saved.restore());

describe("a 'class' key names a Handler/Formatter class, checked before it is called", () => {
  test('INI class=node:child_process#execSync with args=("touch …",) runs nothing', () => {
    const marker = join(dir, 'execsync.marker');
    const ini = join(dir, 'exec.ini');
    writeFileSync(
      ini,
      `[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n` +
        `[handler_h]\nclass=node:child_process#execSync\nargs=(${JSON.stringify(`touch ${marker}`)},)\n`,
    );
    for (const run of [() => fileConfig(ini), () => configFromFile(ini)]) {
      assert.throws(run, {
        name: 'TypeError',
        message:
          "'node:child_process#execSync' is not a Handler class: 'class' must name a class extending pylogging's Handler " +
          "(fileConfig has no factories: use dictConfig with '()')",
      });
      assert.equal(existsSync(marker), false, 'the command ran');
    }
  });

  test('JSON "class": "node:process#abort" is refused, and the process lives (a child process)', () => {
    const json = join(dir, 'abort-class.json');
    writeFileSync(json, JSON.stringify({ version: 1, handlers: { h: { class: 'node:process#abort' } } }));
    const r = child(
      `try { config.configFromFile(${JSON.stringify(json)}); } catch (e) { console.log(e.message, '<-', e.cause.name, e.cause.message); }`,
    );
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      "Unable to configure handler 'h' <- TypeError 'node:process#abort' is not a Handler class: 'class' must name a class " +
        "extending pylogging's Handler (a factory function goes under '()')",
    );
  });

  test('dictConfig handler and formatter classes, fileConfig formatter class=: functions and other classes are not called', () => {
    const t = trapModule();
    const cases: [string, () => void][] = [
      ['handler class fn', () => dictConfig({ version: 1, handlers: { h: { class: `${t.path}#fn` } } })],
      ['handler class NotAHandler', () => dictConfig({ version: 1, handlers: { h: { class: `${t.path}#NotAHandler` } } })],
      ['formatter class fn', () => dictConfig({ version: 1, formatters: { f: { class: `${t.path}#fn` } } })],
      ['formatter class TrapHandler', () => dictConfig({ version: 1, formatters: { f: { class: `${t.path}#NotAHandler` } } })],
      [
        'fileConfig formatter class=',
        () =>
          fileConfig({
            read: () =>
              `[loggers]\nkeys=root\n[handlers]\nkeys=\n[formatters]\nkeys=f\n[logger_root]\nhandlers=\n[formatter_f]\nclass=${t.path}#fn\n`,
          }),
      ],
    ];
    for (const [what, run] of cases) {
      assert.throws(run, (e: Error) => /is not a (Handler|Formatter) class/.test(e.name === 'ValueError' ? (e.cause as Error).message : e.message), what);
    }
    assert.deepEqual(t.lines(), ['loaded'], 'only loading ran (no allow list): nothing was called');
    // A function or non-Handler class in a JavaScript config object is refused the same way.
    let calls = 0;
    const factory = (): StreamHandler => (calls++, new StreamHandler());
    assert.throws(() => dictConfigSync({ version: 1, handlers: { h: { class: factory as never } } }), (e: Error) =>
      /^<factory> is not a Handler class/.test((e.cause as Error).message),
    );
    assert.equal(calls, 0);
  });

  test('classes extending Handler/Formatter, and any "()" factory, still work', () => {
    const t = trapModule();
    dictConfig({
      version: 1,
      formatters: { f: { class: `${t.path}#TrapFormatter` } },
      handlers: { a: { class: `${t.path}#TrapHandler`, formatter: 'f' }, b: { '()': () => new StreamHandler() } },
    });
    assert.equal(getHandlerByName('a')?.constructor.name, 'TrapHandler');
    assert.ok(getHandlerByName('a')?.formatter instanceof Formatter);
    assert.equal(getHandlerByName('b')?.constructor.name, 'StreamHandler');
  });

  test("dictConfig refuses a class that is not a class before calling it, as CPython's issubclass() does", () => {
    const py = execFileSync(
      PYTHON,
      [
        '-c',
        [
          'import logging.config',
          'try:',
          "    logging.config.dictConfig({'version': 1, 'handlers': {'h': {'class': 'os.getcwd'}}})",
          'except Exception as e:',
          "    print(type(e).__name__, type(e.__cause__).__name__, 'issubclass' in str(e.__cause__))",
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.trim(), 'ValueError TypeError True');
    assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: 'node:process#cwd' } } }), (e: Error) => {
      assert.equal(`${e.name} ${(e.cause as Error).name}`, 'ValueError TypeError');
      return true;
    });
  });

  test("a filter entry's 'class' key is ignored, as in CPython, and its module is not loaded", () => {
    const py = execFileSync(
      PYTHON,
      [
        '-c',
        [
          'import logging, logging.config',
          "logging.config.dictConfig({'version': 1, 'filters': {'f': {'class': 'no.such.module.Nope', 'name': 'app'}},",
          "    'root': {'filters': ['f']}})",
          'f = logging.getLogger().filters[-1]',
          'print(type(f).__name__, f.name)',
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.trim(), 'Filter app');
    const t = trapModule();
    dictConfig({ version: 1, filters: { f: { class: `${t.path}#NotAHandler`, name: 'app' } }, root: { filters: ['f'] } });
    assert.deepEqual(t.lines(), []);
  });
});

describe('the allow option refuses references outside the list before loading their module', () => {
  test('"()": "node:process#abort" is refused with allow (a child process), and without allow it runs, as in CPython', () => {
    const json = join(dir, 'abort-factory.json');
    writeFileSync(json, JSON.stringify({ version: 1, handlers: { h: { '()': 'node:process#abort' } } }));
    const r = child(
      `try { config.configFromFile(${JSON.stringify(json)}, { allow: ['pylogging'] }); }` +
        ` catch (e) { console.log(e.name, e.reference, e.message); }`,
    );
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      "ConfigRefusedError node:process#abort Refused 'node:process#abort' at handlers.h.(): module 'node:process' is not in " +
        "the allow list ['pylogging']",
    );
    // The documented trusting default: a '()' factory may be any function (CPython: "()": "os.abort" aborts too).
    const trusting = child(`config.configFromFile(${JSON.stringify(json)});`);
    assert.equal(trusting.signal, 'SIGABRT');
  });

  test('node:child_process is not even loaded when refused (INI and JSON)', () => {
    const ini = join(dir, 'cp.ini');
    writeFileSync(
      ini,
      `[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n` +
        `[handler_h]\nclass=node:child_process#ChildProcess\n`,
    );
    const json = join(dir, 'cp.json');
    writeFileSync(json, JSON.stringify({ version: 1, handlers: { h: { stream: 'ext://node:child_process#execSync', class: 'logging.StreamHandler' } } }));
    const loaded = "process.moduleLoadList.includes('NativeModule child_process')";
    for (const file of [ini, json]) {
      const r = child(
        `const before = ${loaded};` +
          `try { config.configFromFile(${JSON.stringify(file)}, { allow: ['pylogging'] }); } catch (e) { console.log(e.name); }` +
          `console.log(before, ${loaded});`,
      );
      assert.equal(r.stdout.trim(), 'ConfigRefusedError\nfalse false', r.stderr);
      // Without the option the module is loaded (what the check above would have seen).
      const t = child(`try { config.configFromFile(${JSON.stringify(file)}); } catch {} console.log(${loaded});`);
      assert.equal(t.stdout.trim(), 'true', t.stderr);
    }
  });

  test('every key that loads a module is checked before loading: class, (), ext://, listener, queue, INI class=', () => {
    const cases: [string, (ref: string) => void, string][] = [
      ['handler class', (r) => dictConfig({ version: 1, handlers: { h: { class: r } } }, { allow: ['pylogging'] }), 'handlers.h.class'],
      ['handler ()', (r) => dictConfig({ version: 1, handlers: { h: { '()': r } } }, { allow: ['pylogging'] }), 'handlers.h.()'],
      ['formatter class', (r) => dictConfig({ version: 1, formatters: { f: { class: r } } }, { allow: ['pylogging'] }), 'formatters.f.class'],
      ['filter ()', (r) => dictConfig({ version: 1, filters: { f: { '()': r } } }, { allow: ['pylogging'] }), 'filters.f.()'],
      [
        'ext:// in a list',
        (r) => dictConfig({ version: 1, root: { filters: [`ext://${r}`] } }, { allow: ['pylogging'] }),
        'root.filters[0]',
      ],
      [
        'QueueHandler listener',
        (r) => dictConfig({ version: 1, handlers: { q: { class: 'logging.handlers.QueueHandler', listener: r } } }, { allow: ['pylogging'] }),
        'handlers.q.listener',
      ],
      [
        'QueueHandler queue',
        (r) => dictConfig({ version: 1, handlers: { q: { class: 'logging.handlers.QueueHandler', queue: r } } }, { allow: ['pylogging'] }),
        'handlers.q.queue',
      ],
      [
        'INI class=',
        (r) =>
          fileConfig(
            { read: () => `[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n[handler_h]\nclass=${r}\n` },
            { allow: ['pylogging'] },
          ),
        '[handler_h] class',
      ],
    ];
    for (const [what, run, where] of cases) {
      const t = trapModule();
      const ref = `${t.path}#TrapHandler`;
      assert.throws(() => run(ref), (e: unknown) => {
        assert.ok(e instanceof ConfigRefusedError, `${what}: ${String(e)}`);
        assert.equal(e.reference, ref);
        assert.equal(e.message, `Refused '${ref}' at ${where}: module '${t.path}' (${pathToFileURL(t.path).href}) is not in the allow list ['pylogging']`);
        return true;
      });
      assert.deepEqual(t.lines(), [], `${what}: the module was loaded`);
    }
  });

  test('a reference reached only through cfg:// is refused when reached, and never loaded', () => {
    const t = trapModule();
    const ref = `${t.path}#TrapHandler`;
    assert.throws(
      () => dictConfig({ version: 1, spec: { cls: ref }, handlers: { h: { class: 'cfg://spec.cls' } } }, { allow: ['pylogging'] }),
      (e: Error) => e.message === "Unable to configure handler 'h'" && e.cause instanceof ConfigRefusedError && e.cause.reference === ref,
    );
    // dictConfigSync loads nothing, and refuses when it reaches the reference.
    assert.throws(
      () => dictConfigSync({ version: 1, handlers: { h: { class: ref } } }, { allow: ['pylogging'] }),
      (e: Error) => e.cause instanceof ConfigRefusedError && e.cause.message.startsWith(`Refused '${ref}': module`),
    );
    assert.deepEqual(t.lines(), []);
  });

  test('module paths, directories and packages in the list', () => {
    const t = trapModule();
    const rel = `./${relative(process.cwd(), t.path)}`;
    const config = { version: 1, handlers: { h: { class: `${rel}#TrapHandler` } } };
    for (const allow of [[t.path], [rel], [pathToFileURL(t.path).href], [`${dir}/`], [`./${relative(process.cwd(), dir)}/`]]) {
      dictConfig(config, { allow });
      assert.equal(getHandlerByName('h')?.constructor.name, 'TrapHandler', String(allow));
    }
    assert.deepEqual(t.lines(), ['loaded']);
    // Not the directory's parent, a sibling, or a dot-dot path out of a package.
    const u = trapModule();
    for (const allow of [[`${dir}/sub/`], [join(dir, 'other.mjs')], [`${dir}`]]) {
      assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: `${u.path}#TrapHandler` } } }, { allow }), ConfigRefusedError);
    }
    const escape = `pylogging/../../../../../../../../..${u.path}#TrapHandler`;
    assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: escape } } }, { allow: ['pylogging'] }), ConfigRefusedError);
    assert.deepEqual(u.lines(), []);
  });

  test("Python names: 'pylogging' allows them all, a dotted prefix only what it names", () => {
    dictConfig(JSON.parse(readFileSync(SHARED_JSON, 'utf8')) as Record<string, unknown>, { allow: ['pylogging'] });
    const only = { allow: ['logging.StreamHandler', 'sys'] };
    dictConfig({ version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'ext://sys.stdout' } } }, only);
    assert.equal((getHandlerByName('h') as StreamHandler).stream, process.stdout);
    assert.throws(
      () => dictConfig({ version: 1, handlers: { h: { class: 'logging.handlers.SMTPHandler', mailhost: 'x', fromaddr: 'a', toaddrs: ['b'], subject: 's' } } }, only),
      (e: Error) =>
        e.cause instanceof ConfigRefusedError &&
        e.cause.message ===
          "Refused 'logging.handlers.SMTPHandler': module 'logging.handlers' is not in the allow list ['logging.StreamHandler', 'sys']",
    );
    assert.throws(
      () => dictConfig({ version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'ext://sys.stderr' } } }, { allow: ['logging'] }),
      (e: Error) => e.cause instanceof ConfigRefusedError && e.cause.reference === 'sys.stderr',
    );
    // fileConfig's names are checked under the name they resolve to: StreamHandler is logging.StreamHandler.
    const ini = `[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n[handler_h]\nclass=StreamHandler\nargs=(sys.stdout,)\n`;
    fileConfig({ read: () => ini }, { allow: ['logging.StreamHandler'] });
    assert.throws(() => fileConfig({ read: () => ini }, { allow: ['logging.FileHandler'] }), (e: Error) =>
      e instanceof ConfigRefusedError && e.reference === 'logging.StreamHandler',
    );
  });

  test('a predicate sees each reference with its module and URL', () => {
    const t = trapModule();
    const seen: ConfigReference[] = [];
    const allow = (ref: ConfigReference): boolean => (seen.push(ref), ref.url === null);
    assert.throws(() => dictConfig({ version: 1, handlers: { h: { class: `${t.path}#TrapHandler` } } }, { allow }), (e: Error) =>
      e.message.endsWith('is refused by the allow predicate'),
    );
    assert.deepEqual(seen[0], { name: `${t.path}#TrapHandler`, module: t.path, url: pathToFileURL(t.path).href });
    dictConfig({ version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'ext://sys.stderr' } } }, { allow });
    const later = new Map(seen.slice(1).map((r) => [r.name, [r.module, r.url]]));
    assert.deepEqual(
      [...later].sort(),
      [
        ['logging.StreamHandler', ['logging', null]],
        ['sys.stderr', ['sys', null]],
      ],
    );
    assert.deepEqual(t.lines(), []);
  });

  test('options are closed and checked', () => {
    const c = { version: 1 } as const;
    assert.throws(() => dictConfig(c, { alow: ['x'] } as never), { name: 'TypeError', message: "dictConfig: unknown option 'alow' (did you mean 'allow'?)" });
    assert.throws(() => dictConfig(c, { allow: 'pylogging' } as never), {
      name: 'TypeError',
      message: 'dictConfig: allow must be a list of module names or a function, got string',
    });
    assert.throws(() => dictConfig(c, { allow: [''] }), { name: 'TypeError', message: "dictConfig: allow entries must be non-empty strings, got ''" });
    assert.throws(() => fileConfig({ read: () => '' }, { disableExistingLoggers: false } as never), {
      name: 'TypeError',
      message: "fileConfig: unknown option 'disableExistingLoggers' (did you mean 'disable_existing_loggers'?)",
    });
  });
});
