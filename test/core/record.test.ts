/**
 * LogRecord attributes, getMessage() against CPython, makeLogRecord and the record factory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { threadId } from 'node:worker_threads';
import { getLogRecordFactory, LogRecord, makeLogRecord, setLogRecordFactory, Filter, Filterer } from '../../src/index.js';
import { fastTemplate, mergeMessage } from '../../src/core/record.js';
import { percentFormat } from '../../src/core/printf.js';
import { runPython } from '../helpers/python.js';

describe('LogRecord', () => {
  test('attributes are in CPython __dict__ order with CPython names', () => {
    const py = runPython<string[]>(
      'import json,logging\nprint(json.dumps(list(logging.LogRecord("n",20,"/x/y.py",3,"m",(),None).__dict__)))',
    );
    assert.deepEqual(Object.keys(new LogRecord('n', 20, '/x/y.py', 3, 'm', [], null)), py);
  });

  test('filename and module come from pathname as os.path does', () => {
    const paths = ['/x/archive.tar.gz', 'noext', '/x/.hidden', '/srv/app/db.py', ''];
    const py = runPython<[string, string][]>(
      'import json,sys,logging\nprint(json.dumps([[r.filename, r.module] for r in (logging.LogRecord("n",20,p,1,"m",(),None) for p in json.load(sys.stdin))]))',
      paths,
    );
    paths.forEach((p, i) => {
      const r = new LogRecord('n', 20, p, 1, 'm', [], null);
      assert.deepEqual([r.filename, r.module], py[i], p);
    });
  });

  test('filename and module are each record\'s own, in any order of paths (a non-string first, in a fresh process)', () => {
    const paths: (string | null)[] = [null, '/srv/a/b.py', '/srv/a/b.py', null, 'c.txt', '/srv/a/b.py', '', ''];
    const strings = paths.filter((p): p is string => p !== null);
    const py = runPython<[string, string][]>(
      'import json,sys,logging\nprint(json.dumps([[r.filename, r.module] for r in (logging.LogRecord("n",20,p,1,"m",(),None) for p in json.load(sys.stdin))]))',
      strings,
    );
    const index = new URL('../../src/index.js', import.meta.url).href;
    const script = `const { LogRecord } = await import(${JSON.stringify(index)});
      const out = ${JSON.stringify(paths)}.map((p) => { const r = new LogRecord('n', 20, p, 1, 'm', [], null); return [r.filename, r.module]; });
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    let k = 0;
    const want = paths.map((p) => (p === null ? [null, 'Unknown module'] : py[k++]));
    assert.deepEqual(JSON.parse(r.stdout), want);
  });

  test('created, msecs and relativeCreated follow CPython 3.13 arithmetic on an injected time', () => {
    const r = new LogRecord('n', 20, '', 0, 'm', [], null, null, null, 1677903920999);
    assert.equal(r.created, 1677903920.999);
    assert.equal(r.msecs, 999);
    const r2 = new LogRecord('n', 20, '', 0, 'm', [], null, null, null, 1000007);
    assert.equal(r2.msecs, 7);
  });

  test('thread, process and names are filled', () => {
    const r = new LogRecord('n', 20, '', 0, 'm', [], null);
    assert.equal(r.thread, threadId);
    assert.equal(r.threadName, 'MainThread');
    assert.equal(r.processName, 'MainProcess');
    assert.equal(r.process, process.pid);
    assert.equal(r.taskName, null);
  });

  test('a single non-empty mapping argument becomes args (an empty one stays a tuple)', () => {
    assert.deepEqual(new LogRecord('n', 20, '', 0, '%(a)s', [{ a: 1 }], null).args, { a: 1 });
    assert.deepEqual(new LogRecord('n', 20, '', 0, '%s', [{}], null).args, [{}]);
    assert.equal(new LogRecord('n', 20, '', 0, '%(a)s', [{ a: 1 }], null).getMessage(), '1');
  });

  test('toString() is Python\'s repr', () => {
    assert.equal(String(new LogRecord('a.b', 20, '/x/y.py', 3, 'hi %s', [], null)), '<LogRecord: a.b, 20, /x/y.py, 3, "hi %s">');
  });
});

describe('LogRecord.getMessage() matches CPython', () => {
  // [msg, args] as CPython's logging receives them; args as a list become a tuple.
  const cases: [string, unknown][] = [
    ['100%', []], ['100%', null], ['%s', [{}]], ['x', [{ a: 1 }]], ['%d%%', [5]], ['%s and %s', ['a', 'b']],
    ['%(a)s-%(b)d', [{ a: 'x', b: 2 }]], ['%05.1f|%-6s|%x', [3.14159, 'ab', 255]], ['%r', ["it's"]],
    ['x', [1]], ['%s %s', ['a']], ['%y', [1]], ['%(a)s', [{ b: 1 }]],
    // %d of integers around the 3-digit pieces the fast path builds them from
    ['%d|%d|%d|%d|%d|%d', [0, 7, 10, 99, 100, 999]], ['%d|%d|%d|%d', [1000, 1001, 1010, 1100]],
    ['%d|%d|%d|%d', [9999, 100000, 999999, 1000000]], ['%d|%d|%d|%d', [1000001, 1001001, 12345678, 999999999]],
    ['%d|%d|%d|%d|%d', [1000000000, 9007199254740991, -1, -999, -1000001]],
  ];
  const expected = runPython<string[]>(
    `import json,sys,logging
out=[]
for msg,args in json.load(sys.stdin):
    if isinstance(args, list): args = tuple(args)
    try: out.append('ok:' + logging.LogRecord('n',20,'',0,msg,args,None).getMessage())
    except Exception as e: out.append(type(e).__name__ + ':' + str(e))
print(json.dumps(out))`,
    cases,
  );
  cases.forEach(([msg, args], i) => {
    test(`getMessage() of ${JSON.stringify(msg)} % ${JSON.stringify(args)}`, () => {
      const want = expected[i] as string;
      const r = new LogRecord('n', 20, '', 0, msg, args as unknown[], null);
      if (want.startsWith('ok:')) assert.equal(r.getMessage(), want.slice(3));
      else assert.throws(() => r.getMessage(), { name: want.split(':')[0], message: want.slice(want.indexOf(':') + 1) });
    });
  });
});

describe('makeLogRecord and the record factory', () => {
  test('makeLogRecord() starts from CPython\'s empty record', () => {
    const r = makeLogRecord({ msg: 'hi', extra_field: 1 });
    assert.equal(r.levelname, 'Level None');
    assert.equal(r.levelno, null);
    assert.equal(r.msg, 'hi');
    assert.equal(r['extra_field'], 1);
  });

  test('makeLogRecord() copies __proto__ as data, never as a prototype', () => {
    const attrs = JSON.parse('{"__proto__": {"polluted": true}, "msg": "m"}') as Record<string, unknown>;
    const r = makeLogRecord(attrs);
    assert.equal(Object.getPrototypeOf(r), LogRecord.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, { polluted: true });
  });

  test('setLogRecordFactory() receives CPython\'s positional arguments', () => {
    const old = getLogRecordFactory();
    const seen: unknown[][] = [];
    setLogRecordFactory((...a) => {
      seen.push(a);
      return old(...a);
    });
    try {
      makeLogRecord({});
    } finally {
      setLogRecordFactory(old);
    }
    assert.deepEqual(seen[0], [null, null, '', 0, '', [], null, null, null]);
  });
});

describe('Filter and Filterer', () => {
  const rec = (name: string): LogRecord => makeLogRecord({ name });
  test('Filter("a.b") passes a.b and a.b.c, not a.bc, a, b.a.b, A.B (CPython)', () => {
    const f = new Filter('a.b');
    assert.deepEqual(['a.b', 'a.b.c', 'a.bc', 'a', 'b.a.b', 'A.B'].map((n) => Boolean(f.filter(rec(n)))), [true, true, false, false, false, false]);
    assert.equal(new Filter().filter(rec('anything')), true);
  });

  test('functions and objects filter; duplicates are ignored; a returned record replaces the original (3.12)', () => {
    const f = new Filterer();
    const fn = (r: LogRecord): boolean => r.name !== 'drop';
    f.addFilter(fn);
    f.addFilter(fn);
    assert.equal(f.filters.length, 1);
    const copy = makeLogRecord({ name: 'copy' });
    f.addFilter({ filter: () => copy });
    assert.equal(f.filter(rec('keep')), copy);
    assert.equal(f.filter(rec('drop')), false);
    f.removeFilter(fn);
    assert.equal(f.filters.length, 1);
  });
});

describe('fastTemplate: the merges a worker may make instead of the logging thread', () => {
  test('accepted only with strings for %s and safe integers for %d, one each; the merge then never throws', () => {
    const cases: [string, unknown[], boolean][] = [
      ['query took %d ms for user %s', [12, 'alice'], true],
      ['100%% of %d', [-(2 ** 53 - 1)], true],
      ['%s%s', ['é', '\ud800'], true],
      ['no conversion', ['x'], false], // Python: "not all arguments converted"
      ['%s %s', ['x'], false], // "not enough arguments"
      ['%d', [1.5], false],
      ['%d', [2 ** 53], false],
      ['%d', ['1'], false],
      ['%s', [1], false],
      ['%s', [null], false],
      ['%r', ['x'], false],
      ['%5s', ['x'], false],
      ['%(a)s', [{ a: 1 }], false],
      ['%', ['x'], false],
    ];
    for (const [msg, args, accepted] of cases) {
      assert.equal(fastTemplate(msg, args) !== null, accepted, `${msg} ${String(args)}`);
      if (accepted) {
        const r = new LogRecord('n', 20, 'p', 1, msg, args, null);
        assert.equal(mergeMessage(msg, args), r.getMessage());
        assert.equal(mergeMessage(msg, args), percentFormat(msg, args));
      }
    }
  });
});
