/**
 * dictConfig against CPython: the configs of CPython 3.13's ConfigDictTest (test_logging.py) and of the
 * logging.config documentation, each loaded into python3 and into pylogging in a child process; stdout, stderr,
 * the files written, the logger state and the error messages (with their cause chains) must be identical.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskTimes, runBoth } from '../fixtures/config-harness.js';
import { PYTHON_VERSION } from '../helpers/python.js';

// getHandlerByName()/getHandlerNames() and the queue handler keys are CPython 3.12+.
const skip = PYTHON_VERSION[0] === 3 && PYTHON_VERSION[1] < 12 ? 'the oracle needs CPython >= 3.12 (set PYLOGGING_PYTHON)' : false;

type Cfg = Record<string, unknown>;
const INFO = 20;
const ERROR = 40;
const WARNING = 30;
const CRITICAL = 50;

const form1 = { form1: { format: '%(levelname)s ++ %(message)s' } };
const hand1 = (extra: Cfg = {}): Cfg => ({
  hand1: { class: 'logging.StreamHandler', formatter: 'form1', level: 'NOTSET', stream: 'ext://sys.stdout', ...extra },
});
const config0: Cfg = { version: 1, formatters: form1, handlers: hand1(), root: { level: 'WARNING', handlers: ['hand1'] } };
const config1: Cfg = {
  version: 1,
  formatters: form1,
  handlers: hand1(),
  loggers: { 'compiler.parser': { level: 'DEBUG', handlers: ['hand1'] } },
  root: { level: 'WARNING' },
};
const config1a: Cfg = {
  version: 1,
  formatters: form1,
  handlers: hand1(),
  loggers: { 'compiler.parser': { level: 'DEBUG' } },
  root: { level: 'WARNING', handlers: ['hand1'] },
};
const with1 = (patch: (c: Cfg) => void): Cfg => {
  const c = structuredClone(config1);
  patch(c);
  return c;
};
const config7: Cfg = {
  version: 1,
  formatters: form1,
  handlers: hand1(),
  loggers: { 'compiler.lexer': { level: 'DEBUG', handlers: ['hand1'] } },
  root: { level: 'WARNING' },
};
const config8 = (disable: boolean): Cfg => ({
  version: 1,
  disable_existing_loggers: disable,
  formatters: form1,
  handlers: hand1(),
  loggers: { compiler: { level: 'DEBUG', handlers: ['hand1'] }, 'compiler.lexer': {} },
  root: { level: 'WARNING' },
});
const config11 = (version?: number): Cfg => ({
  ...(version === undefined ? {} : { version }),
  true_formatters: form1,
  handler_configs: hand1(),
  formatters: 'cfg://true_formatters',
  handlers: { hand1: 'cfg://handler_configs[hand1]' },
  loggers: { 'compiler.parser': { level: 'DEBUG', handlers: ['hand1'] } },
  root: { level: 'WARNING' },
});
const bad_format: Cfg = {
  version: 1,
  formatters: { mySimpleFormatter: { format: '%(asctime)s (%(name)s) %(levelname)s: %(message)s', style: '$' } },
  handlers: {
    fileGlobal: { class: 'logging.StreamHandler', level: 'DEBUG', formatter: 'mySimpleFormatter' },
    bufferGlobal: {
      class: 'logging.handlers.MemoryHandler',
      capacity: 5,
      formatter: 'mySimpleFormatter',
      target: 'fileGlobal',
      level: 'DEBUG',
    },
  },
  loggers: { mymodule: { level: 'DEBUG', handlers: ['bufferGlobal'], propagate: 'true' } },
};
const customValidate = (formatter: Cfg): Cfg => ({
  version: 1,
  formatters: { form1: formatter },
  handlers: hand1(),
  loggers: { my_test_logger_custom_formatter: { level: 'DEBUG', handlers: ['hand1'], propagate: 'true' } },
});
const log = (logger: string, level: number, msg: string): Cfg => ({ op: 'log', logger, level, msg });
const dict = (config: Cfg): Cfg => ({ op: 'dict', config });
const state = (...loggers: string[]): Cfg => ({ op: 'state', loggers });
const P = 'compiler.parser';

/** name → steps; the name says which CPython test (or doc example) it ports. */
const scenarios: [string, Cfg[]][] = [
  ['config0 (test_config0_ok)', [dict(config0), log('', INFO, '1'), log('', ERROR, '2'), { op: 'handler', name: 'hand1', attrs: ['level', 'terminator'] }]],
  ['config1 (test_config1_ok)', [dict(config1), log(P, INFO, '1'), log(P, ERROR, '2'), state(P, '')]],
  ['config2 (test_config2_failure: ext://sys.stdbout)', [dict(with1((c) => ((c['handlers'] as Cfg)['hand1'] = hand1({ stream: 'ext://sys.stdbout' })['hand1'])))]],
  ['config2a (test_config2a_failure: level NTOSET)', [dict(with1((c) => ((c['handlers'] as Cfg)['hand1'] = hand1({ level: 'NTOSET' })['hand1'])))]],
  ['config2b (test_config2b_failure: root level WRANING)', [dict(with1((c) => (c['root'] = { level: 'WRANING' })))]],
  ['config3 (test_config3_failure: misspelled formatter)', [dict(with1((c) => ((c['handlers'] as Cfg)['hand1'] = hand1({ formatter: 'misspelled_name' })['hand1'])))]],
  [
    'config4 (test_config4_ok: custom formatter class via "()")',
    [
      dict({ version: 1, formatters: { form1: { '()': 'CLS:ExceptionFormatter', format: '%(levelname)s:%(name)s:%(message)s' } }, handlers: hand1(), root: { level: 'NOTSET', handlers: ['hand1'] } }),
      { op: 'exception', logger: '', msg: 'just testing' },
    ],
  ],
  [
    'config4a (test_config4a_ok: formatter and handler factories)',
    [
      dict({
        version: 1,
        formatters: {
          form1: { '()': 'CLS:ExceptionFormatter', format: '%(levelname)s:%(name)s:%(message)s' },
          form2: { '()': 'CLS:formatFunc', format: '%(levelname)s:%(name)s:%(message)s' },
          form3: { '()': 'CLS:formatFunc', format: '%(levelname)s:%(name)s:%(message)s' },
        },
        handlers: { ...hand1(), hand2: { '()': 'CLS:handlerFunc' } },
        root: { level: 'NOTSET', handlers: ['hand1'] },
      }),
      { op: 'exception', logger: '', msg: 'just testing' },
      { op: 'names' },
    ],
  ],
  ['config5 (test_config5_ok: custom handler class)', [dict(with1((c) => ((c['handlers'] as Cfg)['hand1'] = hand1({ class: 'CLS:CustomHandler' })['hand1']))), log(P, INFO, '1'), log(P, ERROR, '2'), { op: 'handler', name: 'hand1', attrs: ['level'] }]],
  ['config6 (test_config6_failure: keyword "9")', [dict(with1((c) => ((c['handlers'] as Cfg)['hand1'] = hand1({ class: 'CLS:CustomHandler', '9': 'invalid parameter name' })['hand1'])))]],
  ['config7 (test_config7_ok: compiler.parser disabled)', [dict(config1), log(P, INFO, '1'), log(P, ERROR, '2'), dict(config7), state(P, 'compiler.lexer'), log(P, ERROR, 'x'), log('compiler.lexer', INFO, '3'), log('compiler.lexer', ERROR, '4')]],
  ['config8 (test_config_8_ok: disable_existing_loggers False)', [dict(config1), log(P, INFO, '1'), log(P, ERROR, '2'), dict(config8(false)), state(P, 'compiler', 'compiler.lexer'), log(P, INFO, '3'), log(P, ERROR, '4'), log('compiler.lexer', INFO, '5'), log('compiler.lexer', ERROR, '6')]],
  [
    'config8a (test_config_8a_ok: children of named loggers, compiler-hyphenated)',
    [dict(config1a), log(P, INFO, '1'), log(P, ERROR, '2'), log('compiler-hyphenated', CRITICAL, '3'), dict(config8(true)), state(P, 'compiler-hyphenated'), log(P, INFO, '4'), log(P, ERROR, '5'), log('compiler.lexer', INFO, '6'), log('compiler.lexer', ERROR, '7'), log('compiler-hyphenated', CRITICAL, '8')],
  ],
  [
    'config9/9a/9b (test_config_9_ok: incremental)',
    [
      dict({ version: 1, formatters: form1, handlers: hand1({ level: 'WARNING' }), loggers: { [P]: { level: 'WARNING', handlers: ['hand1'] } }, root: { level: 'NOTSET' } }),
      log(P, INFO, '1'),
      dict({ version: 1, incremental: true, handlers: { hand1: { level: 'WARNING' } }, loggers: { [P]: { level: 'INFO' } } }),
      log(P, INFO, '2'),
      dict({ version: 1, incremental: true, handlers: { hand1: { level: 'INFO' } }, loggers: { [P]: { level: 'INFO' } } }),
      log(P, INFO, '3'),
      dict({ version: 1, incremental: true, handlers: { zz: { level: 'INFO' } } }),
      { op: 'handler', name: 'hand1', attrs: ['level'] },
    ],
  ],
  [
    'config10 (test_config_10_ok: filters)',
    [
      dict({ version: 1, formatters: form1, filters: { filt1: { name: P } }, handlers: hand1({ filters: ['filt1'] }), loggers: { [P]: { level: 'DEBUG', filters: ['filt1'] } }, root: { level: 'WARNING', handlers: ['hand1'] } }),
      log(P, WARNING, '1'),
      log('compiler', WARNING, '2'),
      log('compiler.lexer', WARNING, '3'),
      log('compiler.parser.codegen', ERROR, '4'),
      state(P),
    ],
  ],
  ['config11 (test_config11_ok: cfg://)', [dict(config11(1)), log(P, INFO, '1'), log(P, ERROR, '2')]],
  ['config12 (test_config12_failure: no version)', [dict(config11())]],
  ['config13 (test_config13_failure: version 2)', [dict(config11(2))]],
  ['config14 (test_config14_ok: "." properties)', [dict({ ...config0, handlers: hand1({ '.': { foo: 'bar', terminator: '!\n' } }) }), { op: 'handler', name: 'hand1', attrs: ['foo', 'terminator'] }, log('', WARNING, 'Exclamation')]],
  [
    'config15 (test_config15_ok: FileHandler configured twice)',
    [
      dict({ version: 1, handlers: { file: { class: 'logging.FileHandler', filename: 'test.log', encoding: 'utf-8' } }, root: { handlers: ['file'] } }),
      log('', ERROR, 'first'),
      dict({ version: 1, handlers: { file: { class: 'logging.FileHandler', filename: 'test.log', encoding: 'utf-8' } }, root: { handlers: ['file'] } }),
      log('', ERROR, 'second'),
      { op: 'shutdown' },
    ],
  ],
  [
    'config16 (test_config16_ok: formatter defaults)',
    [
      dict({ version: 1, formatters: { form1: { format: '%(message)s ++ %(customfield)s', defaults: { customfield: 'defaultvalue' } } }, handlers: hand1(), root: { level: 'WARNING', handlers: ['hand1'] } }),
      { op: 'format', handler: 'hand1', record: { msg: 'Hello', customfield: 'customvalue' } },
      { op: 'format', handler: 'hand1', record: { msg: 'Hello' } },
    ],
  ],
  [
    'config17 (test_config17_ok: "()" formatter with "." properties)',
    [
      dict({ version: 1, formatters: { custom: { '()': 'CLS:CustomFormatter', style: '{', datefmt: '%Y-%m-%d %H:%M:%S', format: '{message}', '.': { custom_property: 'value' } } }, handlers: { hand1: { class: 'logging.StreamHandler', formatter: 'custom', level: 'NOTSET', stream: 'ext://sys.stdout' } }, root: { level: 'WARNING', handlers: ['hand1'] } }),
      log('', WARNING, 'styled'),
    ],
  ],
  [
    'config18 (test_config18_ok: MemoryHandler target and flushLevel)',
    [
      dict({ version: 1, handlers: { console: { class: 'logging.StreamHandler', level: 'DEBUG' }, buffering: { class: 'logging.handlers.MemoryHandler', capacity: 5, target: 'console', level: 'DEBUG', flushLevel: 'ERROR' } }, loggers: { mymodule: { level: 'DEBUG', handlers: ['buffering'], propagate: 'true' } } }),
      { op: 'handler', name: 'buffering', attrs: ['flushLevel', 'capacity', 'target'] },
      log('mymodule', INFO, 'buffered'),
      log('mymodule', ERROR, 'flushes'),
      log('mymodule', INFO, 'on shutdown'),
      { op: 'shutdown' },
    ],
  ],
  ['bad_format (test_bad_format)', [dict(bad_format)]],
  [
    'bad_format with $ style (test_bad_format_with_dollar_style)',
    [
      dict({ ...bad_format, formatters: { mySimpleFormatter: { format: '${asctime} (${name}) ${levelname}: ${message}', style: '$', datefmt: '%Y' } } }),
      { op: 'names' },
      { op: 'handler', name: 'bufferGlobal', attrs: ['target'] },
    ],
  ],
  ['custom_formatter_class_validate ("()" + validate False)', [dict(customValidate({ '()': 'CLS:ExceptionFormatter', format: '%(levelname)s:%(name)s:%(message)s', validate: false })), log('my_test_logger_custom_formatter', INFO, 'hi')]],
  ['custom_formatter_class_validate2 (class + validate False)', [dict(customValidate({ class: 'CLS:ExceptionFormatter', format: '%(levelname)s:%(name)s:%(message)s', validate: false })), log('my_test_logger_custom_formatter', INFO, 'hi')]],
  ['custom_formatter_class_validate2_with_wrong_fmt', [dict(customValidate({ '()': 'CLS:ExceptionFormatter', format: '%(levelname)s:%(name)s:%(message)s', validate: false, style: '$' })), log('my_test_logger_custom_formatter', INFO, 'hi')]],
  [
    'test_90195 (logger mentioned again is re-enabled)',
    [
      dict({ version: 1, disable_existing_loggers: false, handlers: { console: { level: 'DEBUG', class: 'logging.StreamHandler' } }, loggers: { a: { level: 'DEBUG', handlers: ['console'] } } }),
      state('a'),
      dict({ version: 1 }),
      state('a'),
      dict({ version: 1, handlers: { console: { level: 'DEBUG', class: 'logging.StreamHandler' } }, loggers: { a: { level: 'DEBUG', handlers: ['console'] } } }),
      state('a'),
    ],
  ],
  ['test_invalid_type_raises (None, 1)', [dict({ version: 1, root: { level: 'DEBUG', filters: [null] } }), dict({ version: 1, root: { level: 'DEBUG', filters: [1] } })]],
  [
    'docs: dictConfig example (filters, RotatingFileHandler, cfg://)',
    [
      dict({
        version: 1,
        formatters: {
          brief: { format: '%(message)s' },
          precise: { format: '%(asctime)s %(levelname)-8s %(name)-15s %(message)s', datefmt: '%Y' },
        },
        filters: { allow_foo: { name: 'foo' } },
        handlers: {
          console: { class: 'logging.StreamHandler', formatter: 'brief', level: 'INFO', filters: ['allow_foo'], stream: 'ext://sys.stdout' },
          file: { class: 'logging.handlers.RotatingFileHandler', formatter: 'precise', filename: 'logconfig.log', maxBytes: 1024, backupCount: 3 },
          copy: { class: 'logging.FileHandler', filename: 'cfg://handlers.file.filename', mode: 'w', level: 'cfg://loggers.foo.level' },
        },
        loggers: { foo: { level: 'DEBUG', handlers: ['console', 'file'] }, 'foo.bar': { handlers: ['copy'], propagate: false } },
        root: { level: 'WARNING', handlers: ['console'] },
      }),
      ...Array.from({ length: 40 }, (_, i) => log(i % 3 ? 'foo' : 'foo.bar', i % 2 ? INFO : ERROR, `message number ${i} ${'x'.repeat(i)}`)),
      log('other', ERROR, 'not foo'),
      { op: 'shutdown' },
    ],
  ],
  [
    'docs: YAML example of the logging HOWTO, as JSON',
    [
      dict({
        version: 1,
        formatters: { simple: { format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s' } },
        handlers: { console: { class: 'logging.StreamHandler', level: 'DEBUG', formatter: 'simple', stream: 'ext://sys.stdout' } },
        loggers: { simpleExample: { level: 'DEBUG', handlers: ['console'], propagate: false } },
        root: { level: 'DEBUG', handlers: ['console'] },
      }),
      log('simpleExample', 10, 'debug message'),
      log('simpleExample', 20, 'info message'),
      log('simpleExample', 30, 'warn message'),
      log('simpleExample', 40, 'error message'),
      log('simpleExample', 50, 'critical message'),
    ],
  ],
  [
    'errors: resolution, keyword binding, levels, formats (CPython messages and causes)',
    [
      dict({ version: 1, handlers: { h: { class: 'nope.Nope' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.Nope' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.handlers.Nope' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.handlers.SysLogHandler.X.Y' } } }),
      dict({ version: 1, handlers: { h: { level: 'DEBUG' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.StreamHandler', foo: 1 } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.FileHandler' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.StreamHandler', level: 1.5 } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.StreamHandler', filters: ['nope'] } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.handlers.MemoryHandler', capacity: 1, target: 'zz' } } }),
      dict({ version: 1, handlers: { h: { class: 'logging.handlers.TimedRotatingFileHandler', filename: 'x.log', when: 'Q', delay: true } } }),
      dict({ version: 1, formatters: { f: { format: '%(asctime)s', style: '$' } } }),
      dict({ version: 1, formatters: { f: { format: 'x', style: '?' } } }),
      dict({ version: 1, root: { handlers: ['zz'] } }),
      dict({ version: 1, loggers: { a: { level: 'BOGUS' } } }),
      dict({ version: 1, formatters: { f: { format: '%(message)s' } }, handlers: { h: { class: 'logging.StreamHandler', formatter: 'cfg://nosuch' } } }),
    ],
  ],
];

// test_baseconfig: cfg:// walking, through the keyword arguments of a recording handler.
const adict = {
  d: 'e',
  f: 3,
  'alpha numeric 1 with spaces': 5,
  'aplha numeric 1 %( - © ©ß¯': 9,
  'alpha numeric ] 1 with spaces': 15,
  'aplha ]] numeric 1 %( - © ©ß¯]': 19,
  ' aplha [ numeric 1 %( - © ©ß¯] ': 11,
  ' aplha ': 32,
  '': 10,
  nest4: {
    d: 'e',
    f: 3,
    'alpha numeric 1 with spaces': 5,
    'aplha numeric 1 %( - © ©ß¯': 9,
    '': 10,
    somelist: ['g', ['h', 'i'], 'j'],
    somedict: { a: 1, 'a with 1 and space': 3, 'a with ( and space': 4 },
  },
};
const refs = [
  'atuple[1]', 'alist[1]', 'nest1[1][0]', 'nest2[1][1]', 'adict.d', 'adict[f]', 'adict[alpha numeric 1 with spaces]',
  'adict[aplha numeric 1 %( - © ©ß¯]', 'adict[]', 'adict.nest4.d', 'adict.nest4[d]', 'adict[nest4].d', 'adict[nest4][f]',
  'adict[nest4][alpha numeric 1 with spaces]', 'adict[nest4][aplha numeric 1 %( - © ©ß¯]', 'adict[nest4][]',
  'adict[nest4][somelist][0]', 'adict[nest4][somelist][1][0]', 'adict[nest4][somelist][1][1]', 'adict[nest4][somelist][2]',
  'adict[nest4].somedict.a', 'adict[nest4].somedict[a]', 'adict[nest4].somedict[a with 1 and space]',
  'adict[nest4].somedict[a with ( and space]', 'adict.nest4.somelist[1][1]', 'adict.nest4.somelist[2]',
  'adict.nest4.somedict.a', 'adict.nest4.somedict[a]', 'nest3',
];
const badRefs = ['nosuch', '!', 'adict[2]', 'adict[alpha numeric ] 1 with spaces]', 'adict[ aplha ]] numeric 1 %( - © ©ß¯] ]', 'adict[ aplha [ numeric 1 %( - © ©ß¯] ]'];
const base = { version: 1, atuple: [1, 2, 3], alist: ['a', 'b', 'c'], adict, nest1: ['g', ['h', 'i'], 'j'], nest2: ['k', ['l', 'm'], 'n'], nest3: ['o', 'cfg://alist', 'p'] };
scenarios.push([
  'test_baseconfig (cfg:// paths)',
  [
    dict({ ...base, handlers: { rec: { '()': 'CLS:Recorder', ...Object.fromEntries(refs.map((r, i) => [`k${String(i).padStart(2, '0')}`, `cfg://${r}`])) } } }),
    { op: 'handler', name: 'rec', attrs: ['got'] },
    ...badRefs.map((r) => dict({ ...base, handlers: { rec: { '()': 'CLS:Recorder', k: `cfg://${r}` } } })),
  ],
]);

// test_config_queue_handler: every queue/listener spec that JSON can express, then the failure cases.
const qvalues: unknown[] = [null, 'CLS:queueMaker', 'CLS:CustomQueue', { '()': 'CLS:CustomQueue', maxsize: 10 }];
const lvalues: unknown[] = [null, 'CLS:CustomListener', { '()': 'CLS:listenerMaker', arg1: null, arg2: null, respect_handler_level: true }];
const queueConfig = (q: unknown, l: unknown): Cfg => ({
  version: 1,
  handlers: {
    h1: { class: 'logging.FileHandler', filename: 'queue.log' },
    ah: { class: 'logging.handlers.QueueHandler', handlers: ['h1'], ...(q === null ? {} : { queue: q }), ...(l === null ? {} : { listener: l }) },
  },
  root: { level: 'DEBUG', handlers: ['ah'] },
});
scenarios.push([
  'test_config_queue_handler (every queue/listener spec JSON can express)',
  qvalues.flatMap((q, i) =>
    lvalues.flatMap((l, j) => {
      const c = queueConfig(q, l);
      ((c['handlers'] as Cfg)['h1'] as Cfg)['filename'] = `queue-${i}-${j}.log`;
      return [dict(c), { op: 'names' }, { op: 'handler', name: 'ah', attrs: ['listener'] }, { op: 'start_listener', handler: 'ah' }, log('', 10, 'foo'), log('', 20, 'bar'), log('', 30, 'baz'), { op: 'stop_listener', handler: 'ah' }];
    }),
  ).concat([{ op: 'shutdown' }]),
]);
const badQ: unknown[] = [null, 4, '', 'foo'];
const badL: unknown[] = [null, 4, '', 'bar'];
scenarios.push([
  'test_config_queue_handler failure cases',
  badQ.flatMap((q) => badL.filter((l) => !(q === null && l === null)).map((l) => dict(queueConfig(q, l)))),
]);

describe('dictConfig() matches CPython', { skip }, () => {
  const runs = skip ? new Map() : new Map(scenarios.map(([name, steps]) => [name, runBoth({ steps })]));
  for (const [name] of scenarios) {
    test(name, async () => {
      const { py, js } = await (runs.get(name) as ReturnType<typeof runBoth>);
      assert.deepEqual(js.results, py.results, 'step results (errors, state)');
      assert.equal(maskTimes(js.stdout), maskTimes(py.stdout), 'stdout');
      assert.equal(maskTimes(js.stderr), maskTimes(py.stderr), 'stderr');
      assert.deepEqual(Object.keys(js.files), Object.keys(py.files), 'files written');
      for (const f of Object.keys(py.files)) assert.equal(maskTimes(js.files[f] ?? ''), maskTimes(py.files[f] ?? ''), f);
    });
  }
});
