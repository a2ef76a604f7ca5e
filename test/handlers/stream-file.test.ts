/**
 * StreamHandler, FileHandler and NullHandler, handleError, and the "never crash, never lose" cases.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEBUG, FileHandler, Formatter, getHandlerByName, getHandlerNames, getLogger, Handler, NullHandler, root, settings,
  shutdown, StreamHandler, type LogRecord, kw,
} from '../../src/index.js';
import { MemoryStream, saveLoggingState, type Saved } from '../helpers/reset.js';

let saved: Saved;
let dir: string;
beforeEach(() => {
  saved = saveLoggingState();
  for (const h of [...root.handlers]) root.removeHandler(h);
  dir = mkdtempSync(join(tmpdir(), 'pylogging-'));
});
afterEach(() => {
  saved.restore();
  rmSync(dir, { recursive: true, force: true });
});

function captureStderr(t: { mock: { method: (...a: never[]) => unknown } }): string[] {
  const writes: string[] = [];
  (t.mock.method as (o: object, m: string, f: (s: string) => boolean) => unknown)(process.stderr, 'write', (s: string) => {
    writes.push(String(s));
    return true;
  });
  return writes;
}

describe('StreamHandler', () => {
  test('writes the formatted record plus terminator, and calls flush() when the stream has one', () => {
    const s = Object.assign(new MemoryStream(), { flushed: 0, flush(): void { this.flushed++; } });
    const h = new StreamHandler(s);
    h.terminator = '\r\n';
    const l = getLogger('ts.write');
    l.addHandler(h);
    l.warning('a %s', 'b');
    l.removeHandler(h);
    assert.equal(s.text, 'a b\r\n');
    assert.equal(s.flushed, 1);
  });

  test('defaults to process.stderr; setStream() returns the old stream or null when unchanged', () => {
    const h = new StreamHandler();
    assert.equal(h.stream, process.stderr);
    assert.equal(String(h), '<StreamHandler <stderr> (NOTSET)>');
    const m = new MemoryStream();
    assert.equal(h.setStream(m as never), process.stderr);
    assert.equal(h.setStream(m as never), null);
    assert.equal(String(new StreamHandler(Object.assign(new MemoryStream(), { name: 2 }))), '<StreamHandler 2 (NOTSET)>');
  });

  test('flush() resolves once a Node stream has written everything', async () => {
    const h = new StreamHandler(process.stdout);
    await h.flush();
  });
});

describe('handleError and the never-crash cases', () => {
  const cases: [string, () => unknown[], RegExp][] = [
    ['a throwing toString', () => [{ toString(): string { throw new Error('toString exploded'); } }], /Error: toString exploded/],
    ['too few arguments', () => [], /TypeError: not enough arguments for format string/],
    ['a trapping Proxy', () => [new Proxy({}, { get(): never { throw new Error('trap'); }, ownKeys(): never { throw new Error('trap'); } })], /.*/],
  ];
  for (const [name, args, pattern] of cases) {
    test(`${name}: the call returns, the report goes to stderr, the next record is written`, (t) => {
      const out = new MemoryStream();
      const l = getLogger(`tcrash.${name}`);
      const h = new StreamHandler(out);
      l.addHandler(h);
      const writes = captureStderr(t);
      assert.doesNotThrow(() => l.error('value %s %s', ...args()));
      l.error('next');
      l.removeHandler(h);
      assert.match(out.text, /next\n$/);
      if (writes.length) {
        assert.match(writes.join(''), /^--- Logging error ---\n/);
        assert.match(writes.join(''), pattern);
      }
    });
  }

  test('the report names the message and arguments, as CPython prints them', (t) => {
    const l = getLogger('treport');
    l.addHandler(new StreamHandler(new MemoryStream()));
    const writes = captureStderr(t);
    l.warning('disk %s of %d full', 'sda');
    const text = writes.join('');
    assert.match(text, /^--- Logging error ---\nTypeError: not enough arguments for format string\n/);
    assert.match(text, /\nCall stack:\n {2}File ".*stream-file\.test\.js", line \d+, in /);
    assert.match(text, /\nMessage: 'disk %s of %d full'\nArguments: \('sda',\)\n$/);
  });

  test('too many arguments and a bad format character are reported, not thrown', (t) => {
    const l = getLogger('tbadfmt');
    l.addHandler(new StreamHandler(new MemoryStream()));
    const writes = captureStderr(t);
    l.error('x', 1);
    l.error('%y', 1);
    const text = writes.join('');
    assert.match(text, /TypeError: not all arguments converted during string formatting/);
    assert.match(text, /ValueError: unsupported format character 'y' \(0x79\) at index 1/);
  });

  test('raiseExceptions = false silences the report', (t) => {
    const l = getLogger('tsilent');
    l.addHandler(new StreamHandler(new MemoryStream()));
    const writes = captureStderr(t);
    settings.raiseExceptions = false;
    try {
      l.error('%s %s', 'one');
    } finally {
      settings.raiseExceptions = true;
    }
    assert.deepEqual(writes, []);
  });

  test('a circular object renders as an inspection', () => {
    const out = new MemoryStream();
    const l = getLogger('tcircular');
    l.addHandler(new StreamHandler(out));
    const o: Record<string, unknown> = { a: 1 };
    o['self'] = o;
    l.error('obj %s', o);
    assert.equal(out.text, 'obj <ref *1> { a: 1, self: [Circular *1] }\n');
  });

  test('a handler whose emit() throws is reported and the other handlers still run', (t) => {
    class Broken extends Handler {
      override emit(): void {
        throw new Error('emit exploded');
      }
    }
    const out = new MemoryStream();
    const l = getLogger('tbroken');
    l.addHandler(new Broken());
    l.addHandler(new StreamHandler(out));
    const writes = captureStderr(t);
    l.error('still here');
    assert.equal(out.text, 'still here\n');
    assert.match(writes.join(''), /Error: emit exploded/);
  });

  test('Handler.emit() of the base class is NotImplementedError', (t) => {
    const writes = captureStderr(t);
    const l = getLogger('tbase');
    l.addHandler(new Handler());
    l.error('x');
    assert.match(writes.join(''), /NotImplementedError: emit must be implemented by Handler subclasses/);
  });
});

describe('FileHandler', () => {
  test('appends one line per record; the text is on disk when the call returns', () => {
    const path = join(dir, 'app.log');
    const h = new FileHandler(path);
    h.setFormatter(new Formatter('%(levelname)s %(message)s'));
    const l = getLogger('tfile');
    l.addHandler(h);
    l.warning('one');
    assert.equal(readFileSync(path, 'utf8'), 'WARNING one\n');
    l.warning('two ✓');
    assert.equal(readFileSync(path, 'utf8'), 'WARNING one\nWARNING two ✓\n');
    assert.equal(String(h), `<FileHandler ${path} (NOTSET)>`);
    void h.close();
  });

  test('delay opens the file on the first record', async () => {
    const path = join(dir, 'delayed.log');
    const h = new FileHandler(path, { delay: true });
    assert.equal(existsSync(path), false);
    assert.equal(h.stream, null);
    h.handle(getLogger('tdelay').makeRecord('tdelay', 30, '', 0, 'x', [], null));
    assert.equal(readFileSync(path, 'utf8'), 'x\n');
    await h.close();
  });

  test('after close() a record reopens the file, except in mode "w" (bpo-42378)', async () => {
    const pa = join(dir, 'a.log');
    const pw = join(dir, 'w.log');
    const ha = new FileHandler(pa);
    const hw = new FileHandler(pw, 'w');
    const rec = (m: string): LogRecord => getLogger('treopen').makeRecord('treopen', 30, '', 0, m, [], null);
    ha.handle(rec('1'));
    hw.handle(rec('1'));
    await ha.close();
    await hw.close();
    await hw.close(); // twice is safe
    ha.handle(rec('2'));
    hw.handle(rec('2'));
    assert.equal(readFileSync(pa, 'utf8'), '1\n2\n');
    assert.equal(readFileSync(pw, 'utf8'), '1\n');
    await ha.close();
  });

  test('mode "w" truncates, mode "x" refuses an existing file', () => {
    const p = join(dir, 'm.log');
    writeFileSync(p, 'old\n');
    void new FileHandler(p, 'w').close();
    assert.equal(readFileSync(p, 'utf8'), '');
    assert.throws(() => new FileHandler(p, 'x'), { code: 'EEXIST' });
  });

  test('invalid options throw clear errors naming the value, before opening anything', () => {
    const p = join(dir, 'never.log');
    assert.throws(() => new FileHandler(p, 'q'), { name: 'ValueError', message: "invalid mode: 'q'" });
    assert.throws(() => new FileHandler(p, { encoding: 'klingon' }), { name: 'LookupError', message: 'unknown encoding: klingon' });
    assert.throws(() => new FileHandler(p, { errors: 'shrug' }), { name: 'LookupError', message: "unknown error handler name 'shrug'" });
    assert.throws(() => new FileHandler(p, { bufferSize: -1 }), /bufferSize must be a non-negative integer, got -1/);
    assert.equal(existsSync(p), false);
  });

  test('encoding and errors behave as Python\'s open()', async (t) => {
    const p1 = join(dir, 'latin.log');
    const h1 = new FileHandler(p1, { encoding: 'latin-1', errors: 'backslashreplace' });
    const p2 = join(dir, 'ascii.log');
    const h2 = new FileHandler(p2, { encoding: 'ascii' });
    const l = getLogger('tenc');
    l.addHandler(h1);
    l.addHandler(h2);
    const writes = captureStderr(t);
    l.error('café ✓');
    l.error('plain');
    await h1.close();
    await h2.close();
    assert.deepEqual(readFileSync(p1), Buffer.from('caf\xe9 \\u2713\nplain\n', 'latin1'));
    assert.equal(readFileSync(p2, 'utf8'), 'plain\n');
    assert.match(writes.join(''), /UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9' in position 3: ordinal not in range\(128\)/);
  });

  test('a 10 MB message is written whole', async () => {
    const p = join(dir, 'big.log');
    const h = new FileHandler(p);
    const l = getLogger('tbig');
    l.addHandler(h);
    const big = 'é'.repeat(5 * 1024 * 1024);
    l.error(big);
    l.error('after');
    await h.close();
    assert.equal(readFileSync(p, 'utf8'), `${big}\nafter\n`);
  });

  test('a full disk (/dev/full) is reported per record and the handler keeps going', (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
    const h = new FileHandler('/dev/full');
    const out = new MemoryStream();
    const l = getLogger('tfull');
    l.addHandler(h);
    l.addHandler(new StreamHandler(out));
    const writes = captureStderr(t);
    l.error('one');
    l.error('two');
    void h.close();
    assert.equal(out.text, 'one\ntwo\n');
    assert.equal(writes.join('').match(/ENOSPC/g)?.length, 2);
  });

  test('bufferSize keeps records in memory until flush()', async () => {
    const p = join(dir, 'buffered.log');
    const h = new FileHandler(p, { bufferSize: 1 << 20 });
    const l = getLogger('tbuf');
    l.addHandler(h);
    l.error('one');
    assert.equal(readFileSync(p, 'utf8'), '');
    await h.flush();
    assert.equal(readFileSync(p, 'utf8'), 'one\n');
    l.error('two');
    await h.close();
    assert.equal(readFileSync(p, 'utf8'), 'one\ntwo\n');
  });
});

describe('Handler registry, NullHandler, shutdown', () => {
  test('named handlers are found by name until closed (3.12)', async () => {
    const h = new StreamHandler(new MemoryStream());
    h.name = 'console-x';
    assert.equal(getHandlerByName('console-x'), h);
    assert.ok(getHandlerNames().has('console-x'));
    await h.close();
    assert.equal(getHandlerByName('console-x'), null);
  });

  test('NullHandler swallows records', () => {
    const l = getLogger('tnull');
    l.addHandler(new NullHandler());
    l.error('nothing');
    assert.equal(l.hasHandlers(), true);
  });

  test('shutdown() flushes then closes every handler, newest first', async () => {
    const order: string[] = [];
    class Tracking extends Handler {
      constructor(readonly tag: string) {
        super(DEBUG);
      }
      override emit(): void {}
      override flush(): Promise<void> {
        order.push(`flush ${this.tag}`);
        return Promise.resolve();
      }
      override close(): Promise<void> {
        order.push(`close ${this.tag}`);
        return super.close();
      }
    }
    const a = new Tracking('a');
    const b = new Tracking('b');
    await shutdown([a, b]);
    assert.deepEqual(order, ['flush b', 'close b', 'flush a', 'close a']);
  });

  test('kw() options pass through to handlers', () => {
    const out = new MemoryStream();
    const h = new StreamHandler(out);
    h.setFormatter(new Formatter('%(message)s %(user)s'));
    const l = getLogger('tkwh');
    l.addHandler(h);
    l.error('hi', kw({ extra: { user: 'bob' } }));
    assert.equal(out.text, 'hi bob\n');
  });
});
