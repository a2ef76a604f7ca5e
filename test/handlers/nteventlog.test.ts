/**
 * NTEventLogHandler: the type mapping everywhere, CPython's "not available" behaviour off Windows, and the calls
 * it makes on Windows through an injected backend. (The koffi/advapi32 backend itself only runs on Windows.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { CRITICAL, DEBUG, ERROR, Formatter, INFO, makeLogRecord, WARNING, type LogRecord } from '../../src/index.js';
import {
  ADVAPI32_PROTOTYPES,
  EVENTLOG_ERROR_TYPE,
  EVENTLOG_INFORMATION_TYPE,
  EVENTLOG_WARNING_TYPE,
  NT_EVENT_LOG_UNAVAILABLE,
  NTEventLogHandler,
  WinError,
  type NTEventLogBackend,
} from '../../src/handlers/nteventlog.js';
import { runPython } from '../helpers/python.js';

const record = (levelno: number, msg = 'disk %s full', args: unknown[] = msg.includes('%') ? ['/var'] : []): LogRecord =>
  makeLogRecord({ name: 'app', levelno, levelname: String(levelno), msg, args });

/** Records the calls a handler makes, as pywin32's win32evtlogutil would receive them. */
class FakeBackend implements NTEventLogBackend {
  calls: unknown[][] = [];
  constructor(private readonly registryError: Error | null = null) {}
  addSourceToRegistry(appname: string, dllname: string, logtype: string): void {
    this.calls.push(['AddSourceToRegistry', appname, dllname, logtype]);
    if (this.registryError) throw this.registryError;
  }
  reportEvent(appname: string, id: number, category: number, type: number, strings: readonly string[]): void {
    this.calls.push(['ReportEvent', appname, id, category, type, [...strings]]);
  }
  close(): void {
    this.calls.push(['close']);
  }
}

/** Captures what `fn` writes to process.stdout (synchronously). */
function captureStdout(fn: () => void): string {
  const writes: string[] = [];
  const orig = Object.getOwnPropertyDescriptor(process.stdout, 'write');
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    writes.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    if (orig) Object.defineProperty(process.stdout, 'write', orig);
    else delete (process.stdout as { write?: unknown }).write;
  }
  return writes.join('');
}

describe('NTEventLogHandler', () => {
  // CPython's typemap and defaults, read from the source so no pywin32 is needed: win32evtlog's constants are 1, 2, 4.
  const py = runPython<{ typemap: Record<string, string>; id: number; cat: number; notice: string }>(
    `
import inspect, json, logging.handlers, re
src = inspect.getsource(logging.handlers.NTEventLogHandler)
typemap = dict(re.findall(r'logging\\.(\\w+)\\s*:\\s*win32evtlog\\.(\\w+)', src))
notice = ''.join(re.findall(r'"([^"]*)"', src.split('except ImportError:')[1].split('self._welu')[0]))
print(json.dumps({'typemap': typemap, 'id': 1, 'cat': 0, 'notice': notice}))
`,
  );
  const WIN32EVTLOG: Record<string, number> = {
    EVENTLOG_ERROR_TYPE: 1,
    EVENTLOG_WARNING_TYPE: 2,
    EVENTLOG_INFORMATION_TYPE: 4,
  };
  const LEVELS: Record<string, number> = { DEBUG, INFO, WARNING, ERROR, CRITICAL };

  test('typemap and getEventType() match CPython for every standard level; unknown levels get deftype', () => {
    const h = new NTEventLogHandler('pylogging-test', { backend: new FakeBackend() });
    for (const [level, type] of Object.entries(py.typemap)) {
      assert.equal(h.getEventType(record(LEVELS[level] as number)), WIN32EVTLOG[type], level);
      assert.equal(h.typemap[LEVELS[level] as number], WIN32EVTLOG[type]);
    }
    assert.equal(Object.keys(h.typemap).length, 5);
    assert.equal(h.deftype, EVENTLOG_ERROR_TYPE);
    assert.equal(h.getEventType(record(25)), EVENTLOG_ERROR_TYPE);
    h.typemap[25] = EVENTLOG_WARNING_TYPE;
    assert.equal(h.getEventType(record(25)), EVENTLOG_WARNING_TYPE);
    assert.equal(h.getMessageID(record(INFO)), py.id);
    assert.equal(h.getEventCategory(record(INFO)), py.cat);
  });

  test('constructor registers the source (AddSourceToRegistry) with CPython\'s defaults', () => {
    const b = new FakeBackend();
    const h = new NTEventLogHandler('myapp', { backend: b });
    assert.equal(h.logtype, 'Application');
    assert.equal(h.dllname, '%SystemRoot%\\System32\\EventCreate.exe');
    assert.deepEqual(b.calls, [['AddSourceToRegistry', 'myapp', '%SystemRoot%\\System32\\EventCreate.exe', 'Application']]);
    const b2 = new FakeBackend();
    new NTEventLogHandler('other', { backend: b2, dllname: 'C:\\my.dll', logtype: 'System' });
    assert.deepEqual(b2.calls, [['AddSourceToRegistry', 'other', 'C:\\my.dll', 'System']]);
  });

  test('access denied (winerror 5) while registering is ignored; other registry errors are thrown, as CPython', () => {
    assert.doesNotThrow(() => new NTEventLogHandler('a', { backend: new FakeBackend(new WinError(5, 'RegCreateKeyEx')) }));
    assert.throws(() => new NTEventLogHandler('a', { backend: new FakeBackend(new WinError(2, 'RegCreateKeyEx')) }), {
      name: 'WinError',
      message: "(2, 'RegCreateKeyEx')",
    });
  });

  test('emit() reports one event: id 1, category 0, the mapped type, the formatted message as the only string', () => {
    const b = new FakeBackend();
    const h = new NTEventLogHandler('myapp', { backend: b });
    h.setFormatter(new Formatter('%(name)s: %(message)s'));
    h.handle(record(WARNING));
    h.handle(record(DEBUG, 'plain'));
    h.handle(record(CRITICAL, 'boom'));
    assert.deepEqual(b.calls.slice(1), [
      ['ReportEvent', 'myapp', 1, 0, EVENTLOG_WARNING_TYPE, ['app: disk /var full']],
      ['ReportEvent', 'myapp', 1, 0, EVENTLOG_INFORMATION_TYPE, ['app: plain']],
      ['ReportEvent', 'myapp', 1, 0, EVENTLOG_ERROR_TYPE, ['app: boom']],
    ]);
  });

  test('a failing ReportEvent goes to handleError, never to the caller; close() releases the backend', async () => {
    const b = new FakeBackend();
    b.reportEvent = () => {
      throw new WinError(1502, 'ReportEvent'); // ERROR_LOG_FILE_FULL
    };
    const h = new NTEventLogHandler('myapp', { backend: b });
    const errors: unknown[] = [];
    h.handleError = (_r: LogRecord, err?: unknown): void => {
      errors.push(err);
    };
    assert.doesNotThrow(() => h.handle(record(ERROR)));
    assert.equal((errors[0] as WinError).winerror, 1502);
    await h.close();
    assert.deepEqual(b.calls.at(-1), ['close']);
  });

  test(`without the event log (${process.platform}): prints CPython's notice to stdout once, emit() does nothing`, async (t) => {
    if (process.platform === 'win32') t.skip('this machine has the Windows event log');
    assert.equal(NT_EVENT_LOG_UNAVAILABLE, py.notice.replace('Python Win32', 'Win32'));
    let h: NTEventLogHandler | undefined;
    const printed = captureStdout(() => {
      h = new NTEventLogHandler('myapp');
    });
    assert.equal(printed, `${NT_EVENT_LOG_UNAVAILABLE}\n`);
    assert.ok(h);
    assert.equal(h._welu, null);
    const errors: unknown[] = [];
    h.handleError = (_r: LogRecord, err?: unknown): void => {
      errors.push(err);
    };
    const again = captureStdout(() => {
      h?.handle(record(ERROR));
      h?.emit(record(INFO));
    });
    assert.equal(again, '');
    assert.deepEqual(errors, []);
    assert.equal(h.getEventType(record(WARNING)), EVENTLOG_WARNING_TYPE);
    await h.close();
  });

  test('bad appname throws a clear TypeError', () => {
    assert.throws(() => new NTEventLogHandler('', { backend: new FakeBackend() }), /appname must be a non-empty string, got ''$/);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    assert.throws(() => new NTEventLogHandler(circular as never, { backend: new FakeBackend() }), /appname must be a non-empty string, got \{'self': \{\.\.\.\}\}$/);
  });

  test('the advapi32 prototypes used on Windows parse with koffi (the calls themselves need Windows)', (t) => {
    let koffi: { proto(sig: string): unknown };
    try {
      koffi = createRequire(import.meta.url)('koffi') as typeof koffi;
    } catch {
      t.skip('koffi (optional dependency) is not installed');
      return;
    }
    for (const [name, sig] of Object.entries(ADVAPI32_PROTOTYPES)) assert.doesNotThrow(() => koffi.proto(sig), name);
  });

  test('on Windows without koffi, the constructor throws naming the package to install', async () => {
    // A child whose require('koffi') fails as it does when the optional peer is not installed, and which takes the
    // Windows path (process.platform reads 'win32'); the handler's own loader runs unchanged.
    const script = `import Module from 'node:module';
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'koffi') throw Object.assign(new Error("Cannot find module 'koffi'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
Object.defineProperty(process, 'platform', { value: 'win32' });
const { NTEventLogHandler } = await import(${JSON.stringify(new URL('../../src/handlers/nteventlog.js', import.meta.url).href)});
try { new NTEventLogHandler('app'); console.log('constructed'); } catch (e) { console.log(JSON.stringify({ message: e.message, cause: e.cause?.code })); }
new NTEventLogHandler('app', { backend: null }); // an explicit backend never loads koffi`;
    const { execFile } = await import('node:child_process');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, out) => (err ? reject(new Error(err.message)) : resolve(out)));
    });
    const [first, second] = stdout.split('\n');
    assert.deepEqual(JSON.parse(first as string), {
      message: "NTEventLogHandler needs the optional package 'koffi' on Windows (npm install koffi): Cannot find module 'koffi'",
      cause: 'MODULE_NOT_FOUND',
    });
    assert.equal(second, NT_EVENT_LOG_UNAVAILABLE);
  });
});
