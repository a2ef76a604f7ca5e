/**
 * TimedRotatingFileHandler against CPython 3.13: computeRollover() over thousands of generated cases in several
 * time zones and across DST changes, getFilesToDelete(), backup names with a moving clock, validation.
 */
import { safeRepr } from '../../src/core/repr.js';
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLogRecord, Formatter } from '../../src/index.js';
import { TimedRotatingFileHandler, type AtTime } from '../../src/handlers/timed-rotating.js';
import { IS_PY313, runPython } from '../helpers/python.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pylogging-timed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A clock the test moves. */
class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

function withTZ(tz: string): void {
  let saved: string | undefined;
  before(() => {
    saved = process.env['TZ'];
    process.env['TZ'] = tz;
  });
  after(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });
}

// DST transitions (UTC epoch seconds) in 2024 per zone, plus an ordinary day; times are probed around each.
const ZONES: Record<string, number[]> = {
  'America/New_York': [1710054000, 1730613600, 1718000000],
  'Europe/London': [1711846800, 1729990800, 1718000000],
  'Australia/Lord_Howe': [1712415600, 1727967600, 1718000000],
  'Asia/Kathmandu': [1718000000, 1704067200],
  UTC: [1700000000, 0],
};
const OFFSETS = [-90061, -86400, -7200, -3601, -3600, -1800, -1, 0, 1, 1799, 3599, 3600, 5400, 43200, 86399, 86400, 90000, 172801];
const WHENS = ['S', 'M', 'H', 'D', 'MIDNIGHT', 'W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6'];
const AT_TIMES: (string | null)[] = [null, '00:00:00', '01:30:00', '02:30:00', '12:00:00', '23:59:59'];

interface Config {
  when: string;
  interval: number;
  utc: boolean;
  atTime: string | null;
}

function configs(): Config[] {
  const out: Config[] = [];
  for (const when of WHENS) {
    for (const interval of [1, 2, 7]) {
      for (const utc of [false, true]) {
        const ats = when === 'MIDNIGHT' || when.startsWith('W') ? AT_TIMES : [null];
        for (const atTime of ats) out.push({ when, interval, utc, atTime });
      }
    }
  }
  return out;
}

const PY_ROLLOVER = `
import json, sys, os, datetime, tempfile, logging.handlers
c = json.load(sys.stdin)
d = tempfile.mkdtemp()
out = []
for cfg in c['configs']:
    at = None if cfg['atTime'] is None else datetime.time(*map(int, cfg['atTime'].split(':')))
    h = logging.handlers.TimedRotatingFileHandler(os.path.join(d, 'x.log'), when=cfg['when'], interval=cfg['interval'], utc=cfg['utc'], atTime=at, delay=True)
    out.append([h.computeRollover(t) for t in c['times']])
print(json.dumps(out))
`;

for (const [tz, anchors] of Object.entries(ZONES)) {
  describe(`computeRollover() matches CPython 3.13 (TZ=${tz})`, () => {
    withTZ(tz);
    const times = anchors.flatMap((a) => OFFSETS.map((o) => a + o));
    const cfgs = configs();
    const expected = runPython<number[][]>(PY_ROLLOVER, { configs: cfgs, times }, { env: { TZ: tz } });
    cfgs.forEach((cfg, i) => {
      test(`when=${cfg.when} interval=${cfg.interval} utc=${cfg.utc} atTime=${String(cfg.atTime)} (${times.length} times)`, (t) => {
        if (!IS_PY313) t.diagnostic('oracle is not CPython 3.13: MIDNIGHT/W intervals and DST rules differ before 3.13');
        const h = new TimedRotatingFileHandler(join(dir, 'x.log'), { ...cfg, delay: true });
        const got = times.map((tt) => h.computeRollover(tt));
        const want = expected[i] as number[];
        for (let k = 0; k < times.length; k++) assert.equal(got[k], want[k], `t=${times[k]}`);
      });
    });
  });
}

describe('computeRollover() documented values', () => {
  withTZ('UTC');
  // REFERENCE §3.4, checked against CPython 3.13 at t=1700000000 (Tue 22:13:20 UTC).
  const cases: [string, number, AtTime | null, number][] = [
    ['H', 3, null, 10800], ['D', 2, null, 172800], ['midnight', 1, null, 6400], ['MIDNIGHT', 2, null, 92800],
    ['MIDNIGHT', 1, '23:00', 2800], ['MIDNIGHT', 1, { hour: 22, minute: 13, second: 20 }, 86400],
    ['W0', 1, null, 524800], ['W1', 1, null, 6400], ['W6', 2, null, 1043200],
  ];
  for (const [when, interval, atTime, delta] of cases) {
    test(`when=${when} interval=${interval} atTime=${JSON.stringify(atTime)} → +${delta}`, () => {
      const h = new TimedRotatingFileHandler(join(dir, 'x.log'), { when, interval, atTime, utc: true, delay: true });
      assert.equal(h.computeRollover(1700000000) - 1700000000, delta);
    });
  }
});

describe('TimedRotatingFileHandler validation', () => {
  const bad: [Record<string, unknown>, string, string][] = [
    [{ when: 'W' }, 'ValueError', 'You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W'],
    [{ when: 'W10' }, 'ValueError', 'You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W10'],
    [{ when: 'W7' }, 'ValueError', 'Invalid day specified for weekly rollover: W7'],
    [{ when: 'd1' }, 'ValueError', 'Invalid rollover interval specified: D1'],
    [{ when: 'X' }, 'ValueError', 'Invalid rollover interval specified: X'],
    [{ interval: 0 }, 'RangeError', 'interval must be a positive integer, got 0'],
    [{ backupCount: -1 }, 'RangeError', 'backupCount must be a non-negative integer, got -1'],
    [{ when: 'MIDNIGHT', atTime: '25:00' }, 'RangeError', 'atTime out of range: 25:00'],
    [{ when: 'MIDNIGHT', atTime: 'noon' }, 'RangeError', `atTime must be 'HH:MM' or 'HH:MM:SS', got 'noon'`],
    // values JSON cannot render still name themselves (the error is never JSON.stringify's own TypeError)
    [{ when: 'MIDNIGHT', atTime: 10n }, 'RangeError', 'atTime must be a time of day, got 10'],
  ];
  for (const [opts, name, message] of bad) {
    test(`${safeRepr(opts)} throws ${name}: ${message} and touches no file`, () => {
      const p = join(dir, 'v.log');
      assert.throws(() => new TimedRotatingFileHandler(p, opts), { name, message });
      assert.equal(existsSync(p), false);
    });
  }
  test('the ValueError messages are CPython\'s', () => {
    const py = runPython<string[]>(`
import json, logging.handlers
out = []
for w in ['W', 'W10', 'W7', 'd1', 'X']:
    try: logging.handlers.TimedRotatingFileHandler('/tmp/never-created.log', when=w, delay=True)
    except ValueError as e: out.append(str(e))
print(json.dumps(out))`);
    assert.deepEqual(py, bad.slice(0, 5).map((b) => b[2]));
  });
});

describe('getFilesToDelete() matches CPython 3.13', () => {
  const names = [
    'app.log', 'app.log.2024-01-01', 'app.log.2024-01-02', 'app.log.2024-01-03', 'app.log.2024-01-04', 'app.log.2024-01-05',
    'app.log.2024-01-01_10', 'app.log.2024-01-01.gz', 'app.log.2024-01-01.1', 'app.log.12024-01-01', 'app.logx.2024-01-01',
    'xapp.log.2024-01-01', 'app.2024-01-06.log', 'app.2024-01-07.log', 'app.log.2024-01-08.gz',
  ];
  const namers: [string, ((n: string) => string) | null, string][] = [
    ['no namer', null, 'None'],
    ['namer adding .gz', (n) => `${n}.gz`, "lambda n: n + '.gz'"],
    ['namer moving the date before .log', (n) => n.replace(/\.log\.(.*)$/, '.$1.log'), "lambda n: __import__('re').sub(r'\\.log\\.(.*)$', r'.\\1.log', n)"],
  ];
  for (const [label, namer, pyNamer] of namers) {
    for (const backupCount of [1, 2, 3, 10]) {
      test(`when=D backupCount=${backupCount} ${label}`, (t) => {
        if (!IS_PY313) t.diagnostic('CPython before 3.13 also matched .gz/.1 look-alikes');
        const py = join(dir, 'py');
        const js = join(dir, 'js');
        for (const d of [py, js]) {
          mkdirSync(d);
          for (const n of names) writeFileSync(join(d, n), '');
        }
        const expected = runPython<string[]>(`
import json, sys, os, logging.handlers
c = json.load(sys.stdin)
h = logging.handlers.TimedRotatingFileHandler(os.path.join(c['dir'], 'app.log'), when='D', backupCount=c['n'], delay=True)
h.namer = ${pyNamer}
print(json.dumps([os.path.basename(p) for p in h.getFilesToDelete()]))`, { dir: py, n: backupCount });
        const h = new TimedRotatingFileHandler(join(js, 'app.log'), { when: 'D', backupCount, delay: true });
        h.namer = namer;
        assert.deepEqual(h.getFilesToDelete().map((p) => p.slice(js.length + 1)), expected);
      });
    }
  }
});

describe('doRollover() with a moving clock matches CPython', () => {
  // Both sides log the same (time, message) script; CPython's time.time is patched to the script's clock.
  const scripts: [string, { when: string; interval: number; backupCount: number; utc: boolean; atTime: string | null }, number, number][] = [
    ['America/New_York', { when: 'MIDNIGHT', interval: 1, backupCount: 3, utc: false, atTime: null }, 1710000000, 3 * 3600],
    ['America/New_York', { when: 'H', interval: 2, backupCount: 0, utc: false, atTime: null }, 1730606400, 1200],
    ['Europe/London', { when: 'W6', interval: 1, backupCount: 2, utc: false, atTime: '02:30:00' }, 1711000000, 12 * 3600],
    ['UTC', { when: 'S', interval: 5, backupCount: 4, utc: true, atTime: null }, 1700000000, 2],
    ['Australia/Lord_Howe', { when: 'D', interval: 1, backupCount: 2, utc: false, atTime: null }, 1712300000, 5 * 3600],
  ];
  for (const [tz, cfg, start, step] of scripts) {
    test(`TZ=${tz} ${JSON.stringify(cfg)}: same backups, same contents, no record lost`, () => {
      const prev = process.env['TZ'];
      process.env['TZ'] = tz;
      try {
        const steps = Array.from({ length: 60 }, (_, i) => [start + i * step, `record ${i}`] as const);
        const py = join(dir, 'py');
        const js = join(dir, 'js');
        mkdirSync(py);
        mkdirSync(js);
        const expected = runPython<Record<string, string>>(`
import json, sys, os, datetime, time, logging, logging.handlers
c = json.load(sys.stdin)
now = [0]
time.time = lambda: now[0]
cfg = c['cfg']
at = None if cfg['atTime'] is None else datetime.time(*map(int, cfg['atTime'].split(':')))
now[0] = c['steps'][0][0]
h = logging.handlers.TimedRotatingFileHandler(os.path.join(c['dir'], 'app.log'), when=cfg['when'], interval=cfg['interval'], backupCount=cfg['backupCount'], utc=cfg['utc'], atTime=at, delay=True)
for t, m in c['steps']:
    now[0] = t
    h.handle(logging.makeLogRecord({'msg': m, 'levelno': 20}))
h.close()
print(json.dumps({n: open(os.path.join(c['dir'], n)).read() for n in sorted(os.listdir(c['dir']))}))`, { cfg, steps, dir: py }, { env: { TZ: tz } });
        const clock = new FakeClock(steps[0]![0]);
        const h = new TimedRotatingFileHandler(join(js, 'app.log'), { ...cfg, delay: true, clock });
        h.setFormatter(new Formatter('%(message)s'));
        for (const [t, m] of steps) {
          clock.t = t;
          h.handle(makeLogRecord({ msg: m, levelno: 20 }));
        }
        void h.close();
        const got = Object.fromEntries(readdirSync(js).sort().map((n) => [n, readFileSync(join(js, n), 'utf8')]));
        assert.deepEqual(got, expected);
        if (cfg.backupCount === 0) {
          const lines = Object.values(got).join('').split('\n').filter(Boolean);
          assert.equal(lines.length, steps.length);
          assert.equal(new Set(lines).size, steps.length);
        }
      } finally {
        if (prev === undefined) delete process.env['TZ'];
        else process.env['TZ'] = prev;
      }
    });
  }

  test('a restart after a gap rolls over: rolloverAt starts from the existing file\'s mtime', () => {
    const p = join(dir, 'old.log');
    writeFileSync(p, 'from yesterday\n');
    utimesSync(p, 1700000000, 1700000000);
    const clock = new FakeClock(1700000000 + 3 * 86400);
    const h = new TimedRotatingFileHandler(p, { when: 'D', clock, utc: true });
    assert.equal(h.rolloverAt, 1700000000 + 86400);
    h.handle(makeLogRecord({ msg: 'today', levelno: 20 }));
    void h.close();
    assert.equal(readFileSync(`${p}.2023-11-14`, 'utf8'), 'from yesterday\n');
    assert.equal(readFileSync(p, 'utf8'), 'today\n');
  });

  test('if the backup name exists, doRollover() returns without rolling (CPython 3.13) and nothing is lost', () => {
    const p = join(dir, 'dup.log');
    const clock = new FakeClock(1700000000);
    const h = new TimedRotatingFileHandler(p, { when: 'D', clock, utc: true });
    writeFileSync(`${p}.2023-11-14`, 'someone else rolled\n');
    clock.t += 86400;
    h.handle(makeLogRecord({ msg: 'kept in the live file', levelno: 20 }));
    void h.close();
    assert.equal(readFileSync(`${p}.2023-11-14`, 'utf8'), 'someone else rolled\n');
    assert.equal(readFileSync(p, 'utf8'), 'kept in the live file\n');
  });
});
