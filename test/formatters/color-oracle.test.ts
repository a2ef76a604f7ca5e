/**
 * ColoredFormatter / LevelFormatter against colorlog 6.7 itself: generated cases (levels, every colour name,
 * combinations, secondary colours, reset, styles, validate, defaults, NO_COLOR/FORCE_COLOR/no_color/force_color with
 * and without a (non-)TTY stream), all formatted by one python process, compared byte for byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escape_codes } from '../../src/color.js';
import { makeLogRecord } from '../../src/index.js';
import { buildOurs, colorlogMissing, runOracle, type ColorCase, type Outcome } from '../fixtures/color-oracle.js';

const LEVELS: readonly (readonly [string | number, number])[] = [
  ['DEBUG', 10],
  ['INFO', 20],
  ['WARNING', 30],
  ['ERROR', 40],
  ['CRITICAL', 50],
  ['NOTSET', 0],
  ['Level 25', 25], // a custom number between INFO and WARNING, with no name registered
  ['NOTICE', 25], // the same number with a name (addLevelName(25, 'NOTICE'))
  ['TRACE', 5],
  ['Level 45', 45],
  [25, 25], // a record whose levelname is not a string
];

const MESSAGES: readonly (readonly [string, unknown[]])[] = [
  ['disk %s is %d%% full', ['/var', 93]],
  ['naïve ✓ unicode', []],
  ['ends with a reset already\x1b[0m', []],
  ['two\nlines', []],
];

function rec(i: number, level: readonly [string | number, number], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [msg, args] = MESSAGES[i % MESSAGES.length] as readonly [string, unknown[]];
  return {
    name: ['app.db', 'root', 'späm.eggs'][i % 3],
    msg,
    args,
    levelname: level[0],
    levelno: level[1],
    pathname: '/srv/app/db.py',
    filename: 'db.py',
    module: 'db',
    lineno: 40 + (i % 7),
    funcName: 'query',
    created: 1700000000.25 + i * 3.5,
    msecs: 250,
    relativeCreated: 1234.5,
    ...extra,
  };
}

const cases: [string, ColorCase][] = [];
const add = (label: string, c: ColorCase): void => {
  cases.push([label, c]);
};
const lvl = (name: string): readonly [string | number, number] => LEVELS.find((l) => l[0] === name) as readonly [string, number];

// Levels × log_colors × formats × reset.
const LOG_COLORS: (Record<string, string> | null)[] = [
  null,
  { DEBUG: 'cyan', INFO: 'green', 'Level 25': 'light_blue', NOTICE: 'bold_purple,bg_black', TRACE: 'thin_white', ERROR: 'red', CRITICAL: 'bold_red,bg_white' },
  { WARNING: 'fg_208', 'Level 45': 'bg_52,fg_15' },
];
const LEVEL_FORMATS = ['%(log_color)s%(levelname)s%(reset)s:%(name)s:%(message)s', '%(log_color)s[%(levelno)d] %(message)s'];
LEVELS.forEach((level, i) => {
  LOG_COLORS.forEach((lc, j) => {
    for (const fmt of LEVEL_FORMATS) {
      for (const reset of [true, false]) {
        add(`level ${String(level[0])} log_colors#${j} ${JSON.stringify(fmt)} reset=${reset}`, {
          fmt,
          log_colors: lc,
          reset,
          rec: rec(i + j, level),
        });
      }
    }
  });
});

// Every colour name: as a format field, as a log_colors value, as a secondary colour; and a record attribute of the
// same name (colorlog's escape codes win over it).
let n = 0;
for (const name of escape_codes.keys()) {
  n++;
  add(`%(${name})s field`, { fmt: `%(${name})s%(message)s`, rec: rec(n, lvl('INFO')) });
  add(`log_colors INFO=${name}`, { fmt: '%(log_color)s%(message)s', log_colors: { INFO: name }, rec: rec(n, lvl('INFO')) });
  if (n % 5 === 0) {
    add(`{${name}} over a record attribute of that name`, { fmt: `{${name}}{message}`, style: '{', rec: rec(n, lvl('ERROR'), { [name]: 'ATTR' }) });
    add(`secondary message=${name}`, {
      fmt: '%(message_log_color)s%(message)s',
      secondary_log_colors: { message: { WARNING: name } },
      rec: rec(n, lvl('WARNING')),
    });
  }
}

// Comma-combined sequences.
const SEQUENCES = ['bold_red,bg_white', 'fg_bold_blue,bg_light_yellow', ',red,,', 'bold,thin,fg_201,bg_17', 'reset', 'light_purple,bg_bold_green', '', 'thin_cyan,fg_thin_black,bg_0'];
SEQUENCES.forEach((seq, i) => {
  add(`log_colors ERROR=${JSON.stringify(seq)}`, { fmt: '%(log_color)s%(levelname)s %(message)s', log_colors: { ERROR: seq }, rec: rec(i, lvl('ERROR')) });
  add(`secondary message ERROR=${JSON.stringify(seq)} reset=false`, {
    fmt: '%(log_color)s%(levelname)s%(reset)s %(message_log_color)s%(message)s',
    secondary_log_colors: { message: { ERROR: seq } },
    reset: false,
    rec: rec(i, lvl('ERROR')),
  });
});

// Secondary colours in every style.
const SECONDARY = { message: { ERROR: 'red', CRITICAL: 'bold_red,bg_white', NOTICE: 'purple' }, name: { INFO: 'blue', DEBUG: 'thin' } };
const SECONDARY_FORMATS = {
  '%': '%(log_color)s%(levelname)s%(reset)s %(name_log_color)s%(name)s %(message_log_color)s%(message)s',
  '{': '{log_color}{levelname}{reset} {name_log_color}{name} {message_log_color}{message}',
  $: '${log_color}${levelname}${reset} ${name_log_color}${name} ${message_log_color}${message}',
} as const;
for (const style of ['%', '{', '$'] as const) {
  LEVELS.forEach((level, i) => {
    for (const reset of [true, false]) {
      add(`secondary style ${style} level ${String(level[0])} reset=${reset}`, {
        fmt: SECONDARY_FORMATS[style],
        style,
        secondary_log_colors: SECONDARY,
        reset,
        rec: rec(i, level),
      });
    }
  });
}

// Default formats per style, and format specs applied to colour fields.
const STYLE_FORMATS: [string, '%' | '{' | '$' | undefined, string | null][] = [
  ['default %', undefined, null],
  ['default {', '{', null],
  ['default $', '$', null],
  ['% padded fields', '%', '%(log_color)-12s|%(levelname)8s|%(reset)r|%(message).4s'],
  ['{ specs', '{', '{log_color}{levelname:<8}{reset} {message!r} {red!r:>12}'],
  ['{ attribute-free repr of a colour', '{', '{bold_blue!r}{message}{reset!s}'],
  ['$ braces', '$', '${log_color}$levelname: ${message}$$ ${reset}'],
  ['% ends with reset', '%', '%(log_color)s%(message)s%(reset)s'],
  ['% literal text only after fields', '%', '%(message)s -- done'],
  ['% escape codes around a percent', '%', '%(bg_blue)s100%% %(message)s'],
];
for (const [label, style, fmt] of STYLE_FORMATS) {
  LEVELS.slice(0, 8).forEach((level, i) => {
    add(`${label} level ${String(level[0])}`, { fmt, ...(style === undefined ? {} : { style }), rec: rec(i, level) });
  });
}

// validate, defaults, missing fields, record attributes named like colour fields.
add('validate: % format without fields', { fmt: 'no fields at all', rec: rec(0, lvl('INFO')) });
add('validate=false: % format without fields', { fmt: 'no fields at all', validate: false, rec: rec(0, lvl('INFO')) });
add('validate: bad { format', { fmt: '{levelname', style: '{', rec: rec(0, lvl('INFO')) });
add('validate: bad $ format', { fmt: 'plain', style: '$', rec: rec(0, lvl('INFO')) });
add('validate=false: bad $ format', { fmt: 'plain ${log_color}', style: '$', validate: false, rec: rec(0, lvl('INFO')) });
add('positional %s next to a field', { fmt: '%(log_color)s%(message)s %s', rec: rec(0, lvl('INFO')) });
add('a * width', { fmt: '%(log_color)s%(message)*s', rec: rec(0, lvl('INFO')) });
add('a broken conversion', { fmt: '%(log_color)s%(message)s %(name)', rec: rec(0, lvl('INFO')) });
add('a field named __proto__', { fmt: '%(log_color)s%(__proto__)s', defaults: { __proto__: 'dflt' }, rec: rec(0, lvl('INFO')) });
add('a record attribute named __proto__', { fmt: '{log_color}{__proto__}', style: '{', rec: rec(0, lvl('INFO'), { ['__proto__']: 'own' }) });
add('%(message_log_color)s without secondary_log_colors', { fmt: '%(message_log_color)s%(message)s', rec: rec(0, lvl('ERROR')) });
add('log_colors {}', { fmt: '%(log_color)s%(message)s', log_colors: {}, rec: rec(0, lvl('ERROR')) });
add('secondary names log, levelname, "" and a colour name', {
  fmt: '%(log_log_color)s1%(levelname_log_color)s2%(_log_color)s3%(red_log_color)s4%(message)s',
  secondary_log_colors: { log: { ERROR: 'blue' }, levelname: { ERROR: 'bg_red' }, '': { ERROR: 'thin' }, red: { ERROR: 'fg_9' } },
  rec: rec(0, lvl('ERROR')),
});
add('missing field', { fmt: '%(log_color)s%(user)s %(message)s', rec: rec(0, lvl('INFO')) });
add('missing { field', { fmt: '{log_color}{user} {message}', style: '{', rec: rec(0, lvl('INFO')) });
for (const withUser of [false, true]) {
  for (const style of ['%', '{'] as const) {
    const fmt = style === '%' ? '%(log_color)s%(user)s %(message)s%(reset)s' : '{log_color}{user} {message}{reset}';
    add(`defaults style ${style} record has user=${withUser}`, {
      fmt,
      style,
      defaults: { user: 'anon', log_color: 'DEFAULT', reset: 'R' },
      rec: rec(1, lvl('WARNING'), withUser ? { user: 'alice' } : {}),
    });
  }
}
for (const blank of [false, true]) {
  add(`record attributes log_color/reset/red lose to the codes (no_color=${blank})`, {
    fmt: '%(log_color)s|%(reset)s|%(red)s|%(message)s',
    no_color: blank,
    rec: rec(2, lvl('ERROR'), { log_color: 'A', reset: 'B', red: 'C' }),
  });
}

// Exception and stack text come after the reset.
for (const reset of [true, false]) {
  for (const style of ['%', '{'] as const) {
    add(`exc_text and stack_info reset=${reset} style ${style}`, {
      fmt: style === '%' ? '%(log_color)s%(levelname)s %(message)s' : '{log_color}{levelname} {message}',
      style,
      reset,
      rec: rec(3, lvl('CRITICAL'), {
        exc_text: 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad',
        stack_info: 'Stack (most recent call last):\n  File "y.py", line 2, in f',
      }),
    });
  }
}

// asctime (UTC) with and without datefmt.
for (const datefmt of [null, '%H:%M:%S', '%Y-%m-%dT%H:%M:%S%z']) {
  add(`asctime datefmt=${String(datefmt)}`, {
    fmt: '%(log_color)s%(asctime)s %(levelname)-8s%(reset)s %(message)s',
    datefmt,
    gmtime: true,
    rec: rec(5, lvl('DEBUG')),
  });
}

// NO_COLOR / FORCE_COLOR / no_color / force_color / stream, every combination.
const ENV_VALUES = [undefined, '1', ''];
let e = 0;
for (const no_color of [false, true]) {
  for (const force_color of [false, true]) {
    for (const NO_COLOR of ENV_VALUES) {
      for (const FORCE_COLOR of ENV_VALUES) {
        for (const stream of [null, 'notty', 'tty'] as const) {
          const env: { NO_COLOR?: string; FORCE_COLOR?: string } = {};
          if (NO_COLOR !== undefined) env.NO_COLOR = NO_COLOR;
          if (FORCE_COLOR !== undefined) env.FORCE_COLOR = FORCE_COLOR;
          add(
            `no_color=${no_color} force_color=${force_color} NO_COLOR=${String(NO_COLOR)} FORCE_COLOR=${String(FORCE_COLOR)} stream=${String(stream)}`,
            {
              fmt: '%(log_color)s%(levelname)s%(reset)s %(message_log_color)s%(bold_blue)s%(message)s',
              secondary_log_colors: { message: { ERROR: 'bg_red' } },
              no_color,
              force_color,
              stream,
              env,
              rec: rec(e++, LEVELS[e % 5] as readonly [string, number]),
            },
          );
        }
      }
    }
  }
}

// LevelFormatter.
const LEVEL_FMT = JSON.stringify({
  DEBUG: '%(log_color)s%(message)s (%(module)s:%(lineno)d)',
  INFO: '%(log_color)s%(message)s',
  WARNING: '%(log_color)sWRN: %(message)s',
  ERROR: '%(log_color)sERR: %(message)s%(reset)s',
  CRITICAL: '%(log_color)sCRT: %(asctime)s %(message)s',
});
LEVELS.forEach((level, i) => {
  add(`LevelFormatter level ${String(level[0])}`, { fmt: LEVEL_FMT, level_formatter: true, gmtime: true, log_colors: { ERROR: 'bold_red', CRITICAL: 'bg_red' }, rec: rec(i, level) });
});

function ours(c: ColorCase): Outcome {
  try {
    return ['ok', buildOurs(c).format(makeLogRecord(c.rec))];
  } catch (err) {
    return ['err', err instanceof Error ? `${err.name}: ${err.message}` : String(err)];
  }
}

describe('ColoredFormatter matches colorlog 6.7', { skip: colorlogMissing }, () => {
  const expected = colorlogMissing ? [] : runOracle<Outcome[]>({ mode: 'cases', cases: cases.map(([, c]) => c) });

  test(`escape_codes is colorlog's table (${escape_codes.size} names, same order)`, () => {
    const theirs = runOracle<Record<string, string>>({ mode: 'names' });
    assert.deepEqual([...escape_codes], Object.entries(theirs));
  });

  test(`the oracle answered every one of the ${cases.length} cases`, () => {
    assert.equal(expected.length, cases.length);
    assert.ok(expected.filter((o) => o[0] === 'ok').length > cases.length * 0.9);
  });

  cases.forEach(([label, c], i) => {
    test(label, () => {
      assert.deepEqual(ours(c), expected[i]);
    });
  });
});
