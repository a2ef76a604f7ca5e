/**
 * A Python `logging.json` (and a fileConfig INI file) naming `pythonjsonlogger.jsonlogger.JsonFormatter` runs
 * unchanged through pylogging's dictConfig/fileConfig: python (with python-json-logger 2.0.1) and pylogging are
 * configured from the same text, handle the same records, and write the same bytes to their files.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLogger, makeLogRecord, shutdown } from '../../src/index.js';
import { dictConfig, fileConfig } from '../../src/config.js';
import { JsonFormatter } from '../../src/json.js';

const SYSTEM_PYTHON = process.env['PYLOGGING_JSON_PYTHON'] ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'pylogging-json-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LOGGING_JSON = `{
  "version": 1,
  "disable_existing_loggers": false,
  "formatters": {
    "json": {
      "()": "pythonjsonlogger.jsonlogger.JsonFormatter",
      "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
      "rename_fields": {"levelname": "level", "asctime": "time"},
      "json_ensure_ascii": false,
      "timestamp": "@timestamp"
    },
    "indented": {
      "()": "pythonjsonlogger.jsonlogger.JsonFormatter",
      "fmt": "%(message)s",
      "datefmt": "%Y-%m-%dT%H:%M:%S",
      "json_indent": 2,
      "prefix": "JSON: ",
      "reserved_attrs": ["msg", "args", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
                         "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
                         "processName", "process", "taskName", "message", "asctime", "stack_info"]
    },
    "plain": {
      "class": "pythonjsonlogger.jsonlogger.JsonFormatter",
      "format": "%(levelname)s %(name)s %(message)s"
    }
  },
  "handlers": {
    "a": {"class": "logging.FileHandler", "filename": "@DIR@/a.log", "mode": "w", "formatter": "json", "encoding": "utf-8"},
    "b": {"class": "logging.FileHandler", "filename": "@DIR@/b.log", "mode": "w", "formatter": "indented", "encoding": "utf-8"},
    "c": {"class": "logging.FileHandler", "filename": "@DIR@/c.log", "mode": "w", "formatter": "plain", "level": "WARNING", "encoding": "utf-8"}
  },
  "loggers": {
    "app": {"handlers": ["a", "b", "c"], "level": "DEBUG", "propagate": false}
  }
}`;

const LOGGING_INI = `[loggers]
keys=root,app

[handlers]
keys=f

[formatters]
keys=json

[logger_root]
level=WARNING
handlers=

[logger_app]
level=DEBUG
handlers=f
qualname=app
propagate=0

[handler_f]
class=FileHandler
formatter=json
args=('@DIR@/ini.log', 'w', 'utf-8')

[formatter_json]
class=pythonjsonlogger.jsonlogger.JsonFormatter
format=%(asctime)s %(levelname)s %(name)s %(message)s
datefmt=
`;

const BASE = {
  pathname: '/srv/app/main.py', filename: 'main.py', module: 'main', exc_info: null, exc_text: null, stack_info: null,
  lineno: 12, funcName: 'handler', relativeCreated: 1234.5, thread: 1, threadName: 'MainThread',
  processName: 'MainProcess', process: 7,
};

/** Records as the attribute dicts makeLogRecord takes (the same on both sides; no taskName: CPython 3.11 has none). */
const RECORDS: Record<string, unknown>[] = [
  { name: 'app', msg: 'user %s logged in', args: ['alice'], levelname: 'INFO', levelno: 20, created: 1767607200.125, msecs: 125 },
  { name: 'app.db', msg: 'query took %d ms', args: [7], levelname: 'WARNING', levelno: 30, created: 1767607201.5, msecs: 500, request_id: 'r-1', user: { id: 42, roles: ['admin'] } },
  { name: 'app', msg: { event: 'login', userId: 42, ok: true, ratio: 0.25 }, args: [], levelname: 'ERROR', levelno: 40, created: 1767607202.999999, msecs: 999 },
  { name: 'app', msg: 'failed: %s', args: ['disk «full» 😀'], levelname: 'ERROR', levelno: 40, created: 1767607203, msecs: 0, exc_text: 'Traceback (most recent call last):\n  File "x.py", line 1\nOSError: full' },
  { name: 'app.x', msg: 'with stack', args: [], levelname: 'DEBUG', levelno: 10, created: 1767607204.000001, msecs: 0, stack_info: 'Stack (most recent call last):\n  File "y.py", line 2, in f' },
].map((r) => ({ ...BASE, ...r }));

function pythonRun(kind: 'dict' | 'ini', pyDir: string, text: string): void {
  const script = `
import json, logging, logging.config, sys
data = json.load(sys.stdin)
if data['kind'] == 'dict':
    logging.config.dictConfig(json.loads(data['text']))
else:
    import io, configparser
    path = data['dir'] + '/logging.ini'
    open(path, 'w').write(data['text'])
    logging.config.fileConfig(path, disable_existing_loggers=False)
for attrs in data['records']:
    attrs = dict(attrs)
    attrs['args'] = tuple(attrs['args'])
    r = logging.makeLogRecord(attrs)
    logging.getLogger(r.name).handle(r)
logging.shutdown()
print('{}')
`;
  execFileSync(SYSTEM_PYTHON, ['-c', script], {
    input: JSON.stringify({ kind, dir: pyDir, text: text.replaceAll('@DIR@', pyDir), records: RECORDS }),
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
}

async function nodeRun(kind: 'dict' | 'ini', jsDir: string, text: string): Promise<void> {
  const t = text.replaceAll('@DIR@', jsDir);
  if (kind === 'dict') dictConfig(JSON.parse(t) as Record<string, unknown>);
  else {
    writeFileSync(join(jsDir, 'logging.ini'), t);
    fileConfig(join(jsDir, 'logging.ini'), { disable_existing_loggers: false });
  }
  for (const attrs of RECORDS) {
    const r = makeLogRecord(attrs);
    getLogger(r.name).handle(r);
  }
  await shutdown();
}

function fresh(name: string): string {
  const d = join(dir, name);
  execFileSync('mkdir', ['-p', d]);
  return d;
}

describe('dictConfig/fileConfig with pythonjsonlogger.jsonlogger.JsonFormatter', () => {
  test('a Python logging.json (() and class entries) writes the same bytes in python and pylogging', async () => {
    const py = fresh('py-dict');
    const js = fresh('js-dict');
    pythonRun('dict', py, LOGGING_JSON);
    await nodeRun('dict', js, LOGGING_JSON);
    for (const f of ['a.log', 'b.log', 'c.log']) {
      const expected = readFileSync(join(py, f), 'utf8');
      assert.ok(expected.length > 0, `python wrote ${f}`);
      assert.equal(readFileSync(join(js, f), 'utf8'), expected, f);
    }
  });

  test("fileConfig's class=pythonjsonlogger.jsonlogger.JsonFormatter writes the same bytes", async () => {
    const py = fresh('py-ini');
    const js = fresh('js-ini');
    pythonRun('ini', py, LOGGING_INI);
    await nodeRun('ini', js, LOGGING_INI);
    const expected = readFileSync(join(py, 'ini.log'), 'utf8');
    assert.ok(expected.split('\n').length > RECORDS.length);
    assert.equal(readFileSync(join(js, 'ini.log'), 'utf8'), expected);
  });

  test('the 3.x name pythonjsonlogger.json.JsonFormatter, static_fields and json_default as a JS reference', () => {
    const mod = join(dir, 'json-default.mjs');
    writeFileSync(mod, 'export function onlyTag(v) { return `tagged:${typeof v}`; }\n');
    dictConfig({
      version: 1,
      formatters: {
        j: {
          '()': 'pythonjsonlogger.json.JsonFormatter',
          format: '%(message)s',
          static_fields: { service: 'api' },
          json_default: `ext://${mod}#onlyTag`,
        },
      },
      handlers: { h: { class: 'logging.NullHandler', formatter: 'j' } },
      loggers: { 'cfg.j': { handlers: ['h'] } },
    });
    const f = getLogger('cfg.j').handlers[0]?.formatter;
    assert.ok(f instanceof JsonFormatter);
    const r = makeLogRecord({ msg: 'hi', when: Symbol('s') });
    assert.equal(f.format(r), '{"message": "hi", "service": "api", "when": "tagged:symbol"}');
  });

  for (const [key, value, pattern] of [
    ['json_default', 'nosuchmodule.fn', /cannot resolve json_default "nosuchmodule.fn" \(No module named 'nosuchmodule'\)/],
    ['json_encoder', 'json.JSONEncoder', /json_encoder 'json.JSONEncoder'.*not supported/],
    ['json_serializer', 'json.dumps', /json_serializer is not supported/],
    ['json_colour', 1, /got an unexpected keyword argument 'json_colour'/],
  ] as const) {
    test(`dictConfig: ${key}=${String(value)} is a clear error naming it`, () => {
      assert.throws(
        () =>
          dictConfig({
            version: 1,
            formatters: { j: { '()': 'pythonjsonlogger.jsonlogger.JsonFormatter', [key]: value } },
          }),
        (e: Error) => {
          let msg = '';
          for (let x: unknown = e; x instanceof Error; x = x.cause) msg += `${x.message}\n`;
          assert.match(msg, /Unable to configure formatter 'j'/);
          assert.match(msg, pattern);
          return true;
        },
      );
    });
  }
});
