/**
 * RedactFilter: pino's paths over extra and context fields, a mapping argument and a plain-object message; censor
 * values, censor functions and removal; the caller's objects never change; bad paths fail at construction and bad
 * values never lose a record.
 */
import { describe, test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBUG, Formatter, getLogger, Handler, kw, LogRecord, root } from '../../src/index.js';
import { dictConfig } from '../../src/config.js';
import { Queue, QueueHandler, type QueueItem } from '../../src/handlers/queue.js';
import { withContext } from '../../src/context.js';
import { addFilterToAllHandlers, DEFAULT_CENSOR, RedactFilter } from '../../src/redact.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-redact-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class Recorder extends Handler {
  records: LogRecord[] = [];
  lines: string[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
    this.lines.push(this.format(record));
  }
}

let saved: Saved;
let seq = 0;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

function setup(filter: RedactFilter, fmt = '%(message)s'): { log: ReturnType<typeof getLogger>; rec: Recorder } {
  const rec = new Recorder();
  rec.setFormatter(new Formatter(fmt));
  rec.addFilter(filter);
  const log = getLogger(`redact.t${seq++}`);
  log.propagate = false;
  log.setLevel(DEBUG);
  log.addHandler(rec);
  return { log, rec };
}

function record(extra: Record<string, unknown>, msg: unknown = 'm', args: unknown[] | Record<string, unknown> | null = null): LogRecord {
  const r = new LogRecord('a', 20, '/x.js', 1, msg, args, null);
  for (const [k, v] of Object.entries(extra)) r[k] = v;
  return r;
}

/** What the filter returns, as a record (a `true` means "unchanged": the record itself). */
function run(f: RedactFilter, r: LogRecord): LogRecord {
  const out = f.filter(r);
  return out === true ? r : out;
}

describe('RedactFilter paths (pino syntax)', () => {
  const cases: { name: string; paths: string[]; extra: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    { name: 'a top-level key', paths: ['password'], extra: { password: 'p', user: 'u' }, expect: { password: DEFAULT_CENSOR, user: 'u' } },
    {
      name: 'a nested path',
      paths: ['req.headers.authorization'],
      extra: { req: { headers: { authorization: 'Bearer x', host: 'h' }, url: '/' } },
      expect: { req: { headers: { authorization: DEFAULT_CENSOR, host: 'h' }, url: '/' } },
    },
    {
      name: 'a leading wildcard',
      paths: ['*.token'],
      extra: { a: { token: 't1', n: 1 }, b: { token: 't2' }, c: 'plain' },
      expect: { a: { token: DEFAULT_CENSOR, n: 1 }, b: { token: DEFAULT_CENSOR }, c: 'plain' },
    },
    { name: 'bracket notation', paths: ['a["b-c"]'], extra: { a: { 'b-c': 's', d: 1 } }, expect: { a: { 'b-c': DEFAULT_CENSOR, d: 1 } } },
    { name: 'an array index', paths: ['items[1].secret'], extra: { items: [{ secret: 'a' }, { secret: 'b' }] }, expect: { items: [{ secret: 'a' }, { secret: DEFAULT_CENSOR }] } },
    { name: 'a terminal wildcard', paths: ['secrets.*'], extra: { secrets: { a: 1, b: 2 } }, expect: { secrets: { a: DEFAULT_CENSOR, b: DEFAULT_CENSOR } } },
    { name: 'an array wildcard', paths: ['users.*.password'], extra: { users: [{ password: 'a', n: 1 }, { password: 'b' }] }, expect: { users: [{ password: DEFAULT_CENSOR, n: 1 }, { password: DEFAULT_CENSOR }] } },
    { name: 'a path matching nothing', paths: ['nope.deep', 'password'], extra: { user: 'u' }, expect: { user: 'u' } },
    { name: 'a path through a primitive', paths: ['user.password'], extra: { user: 'u' }, expect: { user: 'u' } },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.paths.join(', ')}`, () => {
      const out = run(new RedactFilter({ paths: c.paths }), record(c.extra));
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(out[k], v, k);
    });
  }

  test('standard record attributes are never touched, even when a path names them', () => {
    const r = record({ name2: 'x' }, 'the msg');
    const out = run(new RedactFilter(['name', 'msg', 'levelname', 'args']), r);
    assert.equal(out.name, 'a');
    assert.equal(out.msg, 'the msg');
    assert.equal(out.levelname, 'INFO');
  });

  test('a record with nothing the paths can reach passes through uncopied (filter() returns true)', () => {
    const f = new RedactFilter(['password']);
    assert.equal(f.filter(record({ user: 'u' })), true);
    assert.equal(f.filter(record({}, 'x %s', ['y'])), true);
  });
});

describe('RedactFilter censor and remove', () => {
  test('censor: a string, any value, or a function of the value and its path (rooted at the record fields)', () => {
    const seen: unknown[] = [];
    const fn = new RedactFilter({
      paths: ['password', 'req.headers.authorization'],
      censor: (v: unknown, path: string[]) => (seen.push([v, path]), `***${String(v).length}`),
    });
    const out = run(fn, record({ password: 'abc', req: { headers: { authorization: 'Bearer x' } } }));
    assert.equal(out['password'], '***3');
    assert.deepEqual(out['req'], { headers: { authorization: '***8' } });
    assert.deepEqual(seen, [['abc', ['password']], ['Bearer x', ['req', 'headers', 'authorization']]]);
    assert.equal(run(new RedactFilter({ paths: ['password'], censor: 'XXX' }), record({ password: 'p' }))['password'], 'XXX');
    assert.equal(run(new RedactFilter({ paths: ['password'], censor: null }), record({ password: 'p' }))['password'], null);
  });

  test('remove: true deletes the keys', () => {
    const out = run(new RedactFilter({ paths: ['password', 'req.token'], remove: true }), record({ password: 'p', req: { token: 't', a: 1 } }));
    assert.equal(Object.hasOwn(out, 'password'), false);
    assert.deepEqual(out['req'], { a: 1 });
  });

  test('a mapping argument is redacted; %(key)s of a removed key shows the censor text instead of raising KeyError', () => {
    const { log, rec } = setup(new RedactFilter({ paths: ['password', 'card.number'], remove: true }));
    log.info('login %(user)s %(password)s %(card)s', { user: 'ann', password: 'hunter2', card: { number: '4111', exp: '12/30' } });
    assert.deepEqual(rec.lines, ["login ann [Redacted] { exp: '12/30' }"]);
  });

  test('a plain-object message is redacted', () => {
    const { log, rec } = setup(new RedactFilter(['password']));
    log.info({ event: 'login', password: 'hunter2' });
    assert.deepEqual(rec.lines, ["{ event: 'login', password: '[Redacted]' }"]);
  });

  test('context fields are redacted like extra', () => {
    const { log, rec } = setup(new RedactFilter(['apiKey', '*.token']), '%(apiKey)s %(session)s %(message)s');
    withContext({ apiKey: 'k-123', session: { token: 't-9', id: 7 } }, () => log.info('call'));
    assert.deepEqual(rec.lines, ['[Redacted] { token: \'[Redacted]\', id: 7 } call']);
  });

  test('a message cached on the record by an earlier handler is recomputed from the redacted arguments', () => {
    const r = record({}, 'pw=%(password)s', [{ password: 'hunter2' }]);
    r.message = r.getMessage();
    const out = run(new RedactFilter(['password']), r);
    assert.equal(out.message, 'pw=[Redacted]');
    assert.equal(r.message, 'pw=hunter2');
  });
});

describe('RedactFilter never changes the caller objects or the original record', () => {
  const pathSets = [
    ['password', 'req.headers.authorization', '*.token', 'items.*.secret', 'a["b-c"]'],
    // @pinojs/redact 0.4 alone writes a.b.y.z into the caller's object for this set (its clone follows one branch)
    ['a.b.c.x', 'a.*.y.z', '*.b.y.w'],
  ];
  for (const paths of pathSets) {
    for (const remove of [false, true]) {
      test(`paths ${paths.join(' ')} remove=${String(remove)}`, () => {
        const extra = {
          password: 'p',
          req: { headers: { authorization: 'x', host: 'h' } },
          s: { token: 't' },
          items: [{ secret: 1 }, { secret: 2, keep: 3 }],
          a: { 'b-c': 1, b: { c: { x: 1 }, y: { z: 2, w: 3 } } },
          when: new Date(0),
        };
        const args = { password: 'q', a: { b: { c: { x: 1 }, y: { z: 2 } } } };
        const before = structuredClone({ extra, args });
        const r = record(extra, '%(password)s', [args]);
        const recordBefore = { ...r };
        const out = run(new RedactFilter({ paths, remove }), r);
        assert.notEqual(out, r);
        assert.deepEqual({ extra, args }, before);
        assert.deepEqual({ ...r }, recordBefore);
        assert.equal(out.getMessage(), paths.includes('password') ? '[Redacted]' : 'q');
        assert.ok(out instanceof LogRecord);
      });
    }
  }
});

describe('RedactFilter bad input', () => {
  for (const path of ['a..b', 'a[', 'a]', '', 'a,b']) {
    test(`invalid path ${JSON.stringify(path)}: RangeError at construction naming it`, () => {
      assert.throws(() => new RedactFilter({ paths: ['ok', path] }), (err: Error) => {
        assert.ok(err instanceof RangeError);
        assert.equal(err.message, `RedactFilter: invalid redaction path '${path}'`);
        return true;
      });
    });
  }

  test('options: unknown key (with a suggestion), paths not an array, remove not boolean, not an object', () => {
    assert.throws(() => new RedactFilter({ paths: [], censr: 'x' } as never), /RedactFilter: unknown option 'censr' \(did you mean 'censor'\?\)/);
    assert.throws(() => new RedactFilter({ paths: 'password' } as never), /paths must be an array of strings, got 'password'/);
    assert.throws(() => new RedactFilter({ paths: [3] } as never), /invalid redaction path 3/);
    assert.throws(() => new RedactFilter({ paths: [], remove: 'yes' } as never), /remove must be a boolean, got 'yes'/);
    assert.throws(() => new RedactFilter(null as never), /RedactFilter takes \{ paths, censor, remove \}/);
  });

  test('a throwing getter on the path: the field is censored whole, nothing throws, the record is kept', () => {
    const { log, rec } = setup(new RedactFilter(['user.password', 'other.x']), '%(user)s|%(other)s|%(message)s');
    const user = {
      name: 'ann',
      get password(): string {
        throw new Error('boom');
      },
    };
    log.info('kept', kw({ extra: { user, other: { x: 'secret', y: 1 } } }));
    assert.deepEqual(rec.lines, ["[Redacted]|{ x: '[Redacted]', y: 1 }|kept"]);
  });

  test('a throwing getter with remove: true removes the field; a throwing censor function falls back to the default', () => {
    const getter = { get password(): string { throw new Error('boom'); } };
    const removed = run(new RedactFilter({ paths: ['user.password'], remove: true }), record({ user: getter }));
    assert.equal(Object.hasOwn(removed, 'user'), false);
    const censored = run(new RedactFilter({ paths: ['user.password'], censor: () => { throw new Error('censor'); } }), record({ user: getter }));
    assert.equal(censored['user'], DEFAULT_CENSOR);
  });

  test('circular objects and a revoked proxy never crash and never lose the record', () => {
    const circ: Record<string, unknown> = { password: 'p' };
    circ['self'] = circ;
    const { proxy, revoke } = Proxy.revocable({ password: 'p' }, {});
    revoke();
    const { log, rec } = setup(new RedactFilter(['*.password', 'p.password']), '%(circ)s|%(p)s|%(message)s');
    log.info('kept', kw({ extra: { circ, p: proxy } }));
    assert.equal(rec.lines.length, 1);
    // circ.self.password is another path, which '*.password' (one level, as in pino) does not name.
    assert.equal(rec.lines[0], "{ password: '[Redacted]', self: <ref *1> { password: 'p', self: [Circular *1] } }|[Redacted]|kept");
    assert.equal(circ['password'], 'p');
  });
});

describe('attaching RedactFilter', () => {
  test('addFilterToAllHandlers() reaches records propagated from child loggers, which a logger filter misses', () => {
    const rootRec = new Recorder();
    rootRec.setFormatter(new Formatter('%(password)s'));
    root.addHandler(rootRec);
    const mid = new Recorder();
    mid.setFormatter(new Formatter('%(password)s'));
    const parent = getLogger(`redact.p${seq++}`);
    parent.addHandler(mid);
    parent.setLevel(DEBUG);
    parent.addFilter(new RedactFilter(['password'])); // Python semantics: not applied to records from parent.child
    const child = parent.getChild('child');
    child.info('x', kw({ extra: { password: 'hunter2' } }));
    assert.deepEqual([mid.lines, rootRec.lines], [['hunter2'], ['hunter2']]);
    const f = new RedactFilter(['password']);
    assert.ok(addFilterToAllHandlers(f) >= 2);
    assert.ok(rootRec.filters.includes(f) && mid.filters.includes(f));
    child.info('x', kw({ extra: { password: 'hunter2' } }));
    assert.deepEqual([mid.lines[1], rootRec.lines[1]], ['[Redacted]', '[Redacted]']);
  });

  test('on a QueueHandler the queued record is already redacted', () => {
    const q = new Queue<QueueItem>();
    const qh = new QueueHandler(q);
    qh.setFormatter(new Formatter('%(message)s %(password)s'));
    qh.addFilter(new RedactFilter(['password']));
    const log = getLogger(`redact.q${seq++}`);
    log.propagate = false;
    log.addHandler(qh);
    log.warning('pw %(password)s', { password: 'hunter2' }, kw({ extra: { password: 'hunter3' } }));
    const item = q.get_nowait() as LogRecord;
    assert.equal(item.msg, 'pw [Redacted] [Redacted]');
    assert.equal(item['password'], '[Redacted]');
  });

  test("dictConfig: '()': 'pylogging/redact#RedactFilter' with paths, censor and remove", () => {
    const path = join(dir, 'dict.log');
    dictConfig({
      version: 1,
      filters: {
        redact: { '()': 'pylogging/redact#RedactFilter', paths: ['password', 'req.headers.authorization'], censor: '***' },
        drop: { '()': 'pylogging/redact#RedactFilter', paths: ['token'], remove: true },
      },
      formatters: { f: { format: '%(message)s %(password)s %(req)s %(token)s', defaults: { token: '-' } } },
      handlers: { file: { class: 'logging.FileHandler', filename: path, formatter: 'f', filters: ['redact', 'drop'] } },
      loggers: { app: { handlers: ['file'], level: 'INFO', propagate: false } },
    });
    getLogger('app').info('hi', kw({ extra: { password: 'p', token: 't', req: { headers: { authorization: 'a' } } } }));
    assert.equal(readFileSync(path, 'utf8'), "hi *** { headers: { authorization: '***' } } -\n");
  });

  test('without @pinojs/redact installed the constructor names the package', () => {
    const isolated = mkdtempSync(join(tmpdir(), 'pylogging-noredact-'));
    try {
      const built = resolve(fileURLToPath(new URL('../../src', import.meta.url)));
      cpSync(built, join(isolated, 'src'), { recursive: true });
      writeFileSync(join(isolated, 'package.json'), '{"type":"module"}');
      const r = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `import { RedactFilter } from ${JSON.stringify(join(isolated, 'src', 'redact.js'))};
try { new RedactFilter(['password']); } catch (e) { console.log(e.message); }`],
        { cwd: isolated, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
      );
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /RedactFilter needs the optional peer dependency '@pinojs\/redact'.*npm install @pinojs\/redact/);
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});
