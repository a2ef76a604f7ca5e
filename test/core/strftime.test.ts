import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { gmtime, localtime, strftime, type StructTime } from '../../src/core/strftime.js';
import { systemClock } from '../../src/internal/clock.js';
import { runPython } from '../helpers/python.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Australia/Sydney',
  'Europe/Dublin',
  'America/St_Johns',
  'EST+05EDT,M3.2.0,M11.1.0',
  'CET-1CEST,M3.5.0,M10.5.0/3',
  'NZST-12NZDT,M9.5.0,M4.1.0/3',
  '<+0545>-5:45',
  'Foo/Bar',
  ':Europe/London',
];

// Instants around DST changes, year ends, leap days and ISO-week edges, and before the epoch.
const TIMES = [
  0, -1, -1.5, -0.5, 0.999, 1, 59, 86399, 86400, 951782400, 951868799, 951868800, 1078012800, 1104537599,
  1104537600, 1230768000, 1230767999, 1262303999, 1262304000, 1293839999, 1331449199, 1331449200, 1331452800,
  1352008799, 1352008800, 1352012400, 1364691599, 1364691600, 1382835599, 1382835600, 1396713599, 1396713600,
  1412431199, 1412431200, 1609459199, 1609459200, 1640995200, 1672531199, 1672531200, 1700000000, 1704067200,
  1709164800, 1711846799, 1711846800, 1735689599, 1735689600, 1893456000, 2147483647, 2147483648, 4102444800,
  -1e9, -2208988800, -86400 * 365.25 * 70, 253402300799, 1e11,
];

const FORMATS = [
  ...'aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%P'.split('').map((d) => '%' + d),
  ...['-', '_', '0', '^', '#', '10', '-10', '_10', '010', '^10', '#10', '1', '_3', '-3', '03'].flatMap((flag) =>
    ['a', 'B', 'd', 'e', 'H', 'I', 'j', 'k', 'l', 'm', 'p', 'P', 's', 'U', 'V', 'y', 'Y', 'z', 'Z', 'G', 'C', 'c', 'F', 'n'].map(
      (d) => `%${flag}${d}`,
    ),
  ),
  '%Ec', '%EC', '%Ex', '%EX', '%Ey', '%EY', '%Od', '%Oe', '%OH', '%OI', '%Om', '%OM', '%OS', '%Ou', '%OU', '%OV',
  '%Ow', '%OW', '%Oy', '%OY', '%Ea', '%EA', '%Eb', '%Ob', '%OB', '%Ed', '%Oc', '%Ox', '%OX', '%E%', '%5E%', '%Ez',
  '%Ew', '%Eu', '%EV', '%Ej', '%Oj', '%OC', '%Os', '%OZ', '%Eg', '%Og', '%EG', '%OG',
  '%f', '%Q', '%', 'a%', '%-', '%-5', '%5', '%E', '%O', '%4E', '%^10Q', '%:z', '%+Y', '%i', '%J', '%L', '%N',
  '%Y-%m-%d %H:%M:%S', '%Y-%m-%d_%H-%M-%S', '%d/%b/%Y:%H:%M:%S %z', 'plain text', '', '%%%', '%_-^#5a',
  '%5_d', '%1000Y', '%0100d', 'é%Y€', '%-_0d', '%0_d',
];

interface Expected {
  local: Record<string, (number | string)[]>;
  strf: Record<string, string[][]>;
  gmStrf: Record<string, string[]>;
  gm: (number | string)[][];
}

const PY = `
import json, os, sys, time, math
inp = json.load(sys.stdin)
def fields(s): return [s.tm_year, s.tm_mon, s.tm_mday, s.tm_hour, s.tm_min, s.tm_sec, s.tm_wday, s.tm_yday, s.tm_isdst, s.tm_gmtoff, s.tm_zone]
out = {'local': {}, 'strf': {}, 'gmStrf': {}, 'gm': [fields(time.gmtime(t)) for t in inp['times']]}
for tz in inp['zones']:
    os.environ['TZ'] = tz
    time.tzset()
    out['local'][tz] = [fields(time.localtime(t)) for t in inp['times']]
    out['strf'][tz] = [[time.strftime(f, time.localtime(t)) for t in inp['times']] for f in inp['formats']]
    out['gmStrf'][tz] = [time.strftime('%s %z %Z %c', time.gmtime(t)) for t in inp['times']]
print(json.dumps(out))
`;
const expected = runPython<Expected>(PY, { zones: ZONES, times: TIMES, formats: FORMATS });

function fieldsOf(s: StructTime): (number | string)[] {
  return [s.tm_year, s.tm_mon, s.tm_mday, s.tm_hour, s.tm_min, s.tm_sec, s.tm_wday, s.tm_yday, s.tm_isdst, s.tm_gmtoff, s.tm_zone];
}

/** Runs `fn` with `process.env.TZ` set to `tz`, then restores it (Node re-reads TZ on assignment). */
function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env['TZ'];
  process.env['TZ'] = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
}

describe('gmtime()', () => {
  TIMES.forEach((t, i) => {
    test(`gmtime(${t}) matches time.gmtime`, () => {
      assert.deepEqual(fieldsOf(gmtime(t)), expected.gm[i]);
    });
  });
});

describe('localtime()', () => {
  for (const tz of ZONES) {
    TIMES.forEach((t, i) => {
      test(`localtime(${t}) TZ=${tz} matches time.localtime`, () => {
        assert.deepEqual(inZone(tz, () => fieldsOf(localtime(t))), expected.local[tz]?.[i]);
      });
    });
  }

  test('localtime() follows a TZ set in a child process environment', () => {
    const module = fileURLToPath(new URL('../../src/core/strftime.js', import.meta.url));
    const script = `import('${module}').then((m) => console.log(JSON.stringify([1331449200, 1700000000].map((t) => m.strftime('%c %z %Z', m.localtime(t))))))`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: 'America/New_York' }, encoding: 'utf8' });
    const want = runPython<string[]>(
      "import json, time; print(json.dumps([time.strftime('%c %z %Z', time.localtime(t)) for t in (1331449200, 1700000000)]))",
      null,
      { env: { TZ: 'America/New_York' } },
    );
    assert.deepEqual(JSON.parse(out), want);
  });

  test('localtime() rejects NaN like CPython', () => {
    assert.throws(() => localtime(NaN), /Invalid value NaN/);
  });
});

describe('strftime()', () => {
  for (const tz of ZONES) {
    FORMATS.forEach((f, fi) => {
      test(`strftime(${JSON.stringify(f)}) TZ=${tz} matches time.strftime`, () => {
        const got = inZone(tz, () => TIMES.map((t) => strftime(f, localtime(t))));
        assert.deepEqual(got, expected.strf[tz]?.[fi]);
      });
    });
    test(`strftime('%s %z %Z %c') of gmtime() TZ=${tz} matches time.strftime (mktime with tm_isdst=0)`, () => {
      const got = inZone(tz, () => TIMES.map((t) => strftime('%s %z %Z %c', gmtime(t))));
      assert.deepEqual(got, expected.gmStrf[tz]);
    });
  }

  const odd: [number, number, number, number, number, number, number, number, number, string, number][] = [
    [5, 1, 1, 0, 0, 0, 0, 1, 0, 'UTC', 0],
    [-5, 1, 1, 13, 0, 0, 0, 1, 0, 'X', 3600],
    [999, 12, 31, 23, 59, 59, 6, 365, 1, 'ABC', -34200],
    [12345, 6, 15, 12, 30, 0, 3, 166, 0, '+0545', 20700],
    [2023, 1, 1, 0, 0, 0, 6, 1, -1, 'UTC', 0],
    [2023, 1, 1, 0, 0, 0, 6, 1, 0, 'UTC', 59],
    [2023, 1, 1, 0, 0, 0, 6, 1, 0, 'UTC', -59],
  ];
  const oddFormats = ['%Y|%C|%y|%G|%g|%F|%D|%5Y|%_5Y|%-5C|%05y', '%z|%Z|%10z|%-z|%_z', '%V|%U|%W|%j|%a'];
  const oddExpected = runPython<string[][]>(
    `import json, sys, time
inp = json.load(sys.stdin)
print(json.dumps([[time.strftime(f, time.struct_time(s)) for f in inp['formats']] for s in inp['structs']]))`,
    { structs: odd, formats: oddFormats },
    { env: { TZ: 'UTC' } },
  );
  odd.forEach((s, i) => {
    test(`strftime() of struct_time${JSON.stringify(s)} matches time.strftime`, () => {
      const [tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec, tm_wday, tm_yday, tm_isdst, tm_zone, tm_gmtoff] = s;
      const tm = { tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec, tm_wday, tm_yday, tm_isdst, tm_gmtoff, tm_zone };
      assert.deepEqual(
        oddFormats.map((f) => inZone('UTC', () => strftime(f, tm))),
        oddExpected[i],
      );
    });
  });
});

describe('systemClock', () => {
  test('now() is float seconds since the epoch, like time.time()', () => {
    const before = Date.now() / 1000;
    const now = systemClock.now();
    assert.ok(now >= before && now <= Date.now() / 1000);
  });
});
