/**
 * basicConfig, module-level functions, captureWarnings, and loading the package from CommonJS.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  basicConfig, captureWarnings, DEBUG, FileHandler, getLogger, info, INFO, root, StreamHandler, warning, WARNING,
  Handler, type LogRecord,
} from '../../src/index.js';
import { MemoryStream, saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
let dir: string;
beforeEach(() => {
  saved = saveLoggingState();
  for (const h of [...root.handlers]) root.removeHandler(h);
  dir = mkdtempSync(join(tmpdir(), 'pylogging-api-'));
});
afterEach(() => {
  for (const h of [...root.handlers]) {
    root.removeHandler(h);
    void h.close();
  }
  saved.restore();
  rmSync(dir, { recursive: true, force: true });
});

describe('basicConfig()', () => {
  test('stream, format, datefmt-free BASIC_FORMAT and level', () => {
    const s = new MemoryStream();
    basicConfig({ stream: s, level: INFO });
    getLogger('bc').info('hello %s', 'x');
    getLogger('bc').debug('hidden');
    assert.equal(s.text, 'INFO:bc:hello x\n');
    assert.equal(root.level, INFO);
  });

  test('does nothing (not even validation) when the root already has handlers', () => {
    basicConfig({ stream: new MemoryStream() });
    const before = [...root.handlers];
    assert.doesNotThrow(() => basicConfig({ stream: new MemoryStream(), filename: 'x' }));
    assert.deepEqual(root.handlers, before);
  });

  test('force replaces and closes the existing handlers', () => {
    const s1 = new MemoryStream();
    const s2 = new MemoryStream();
    basicConfig({ stream: s1 });
    basicConfig({ stream: s2, force: true, format: '{levelname}|{message}', style: '{' });
    warning('to the new one');
    assert.equal(s1.text, '');
    assert.equal(s2.text, 'WARNING|to the new one\n');
  });

  test('filename/filemode/encoding/errors give a FileHandler (errors default backslashreplace)', () => {
    const p = join(dir, 'bc.log');
    basicConfig({ filename: p, filemode: 'w', encoding: 'ascii', format: '%(message)s' });
    const h = root.handlers[0] as FileHandler;
    assert.ok(h instanceof FileHandler);
    assert.equal(h.errors, 'backslashreplace');
    warning('café');
    assert.equal(readFileSync(p, 'utf8'), 'caf\\xe9\n');
  });

  test('handlers get the formatter unless they have one', () => {
    const s = new MemoryStream();
    const h = new StreamHandler(s);
    basicConfig({ handlers: [h], format: '%(name)s %(message)s' });
    warning('x');
    assert.equal(s.text, 'root x\n');
  });

  test('CPython\'s errors: stream with filename, stream or filename with handlers, bad style, unknown keys', () => {
    assert.throws(() => basicConfig({ stream: new MemoryStream(), filename: 'x' }), {
      name: 'ValueError', message: "'stream' and 'filename' should not be specified together",
    });
    assert.throws(() => basicConfig({ handlers: [], stream: null }), {
      name: 'ValueError', message: "'stream' or 'filename' should not be specified together with 'handlers'",
    });
    assert.throws(() => basicConfig({ stream: new MemoryStream(), style: '#' as '%' }), {
      name: 'ValueError', message: 'Style must be one of: %,{,$',
    });
    for (const h of [...root.handlers]) root.removeHandler(h);
    assert.throws(() => basicConfig({ stream: new MemoryStream(), a: 1, b: 2 } as never), {
      name: 'ValueError', message: 'Unrecognised argument(s): a, b',
    });
    assert.equal(root.handlers.length, 1, 'configured before raising, as CPython');
  });

  test('module-level functions configure the root on first use', (t) => {
    const writes: string[] = [];
    t.mock.method(process.stderr, 'write', (s: string) => (writes.push(s), true));
    info('not shown at WARNING');
    warning('shown %d', 1);
    assert.equal(root.handlers.length, 1);
    assert.deepEqual(writes, ['WARNING:root:shown 1\n']);
  });
});

describe('captureWarnings()', () => {
  test('process warnings go to the py.warnings logger, and back to Node when turned off', async () => {
    const got: LogRecord[] = [];
    class Keep extends Handler {
      override emit(r: LogRecord): void {
        got.push(r);
      }
    }
    const h = new Keep();
    root.addHandler(h);
    root.setLevel(DEBUG);
    captureWarnings(true);
    try {
      const seen = once(process, 'warning');
      process.emitWarning('disk nearly full', { code: 'APP001' });
      await seen;
    } finally {
      captureWarnings(false);
    }
    assert.equal(got.length, 1);
    assert.equal(got[0]?.name, 'py.warnings');
    assert.equal(got[0]?.levelno, WARNING);
    assert.equal(got[0]?.getMessage(), '[APP001] Warning: disk nearly full\n');
    assert.ok(process.listeners('warning').length >= 1, "Node's printer is back");
  });
});

describe('CommonJS', () => {
  test("require('pylogging') works (Node 20.19+ require(esm)) and gives the same API", () => {
    const out = execFileSync(process.execPath, [
      '-e',
      "const l = require('pylogging'); l.basicConfig({ format: '%(levelname)s %(message)s', stream: process.stdout }); l.getLogger('cjs').warning('from %s', 'require'); console.log(typeof require('pylogging/handlers').SYSLOG_UDP_PORT)",
    ], { encoding: 'utf8', cwd: process.cwd() });
    assert.equal(out, 'WARNING from require\nnumber\n');
  });
});
