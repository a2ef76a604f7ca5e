/**
 * fileConfig against CPython: the INI configs of CPython 3.13's ConfigFileTest and of the logging.config
 * documentation, each loaded into python3 and into pylogging; outputs, state and errors must be identical.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskTimes, runBoth } from '../fixtures/config-harness.js';
import { PYTHON_VERSION } from '../helpers/python.js';

// getHandlerByName()/getHandlerNames() and the queue handler keys are CPython 3.12+.
const skip = PYTHON_VERSION[0] === 3 && PYTHON_VERSION[1] < 12 ? 'the oracle needs CPython >= 3.12 (set PYLOGGING_PYTHON)' : false;

const config0 = `
[loggers]
keys=root

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
level=WARNING
handlers=hand1

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stdout,)

[formatter_form1]
format=%(levelname)s ++ %(message)s
datefmt=
`;
const config1 = `
[loggers]
keys=root,parser

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
level=WARNING
handlers=

[logger_parser]
level=DEBUG
handlers=hand1
propagate=1
qualname=compiler.parser

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stdout,)

[formatter_form1]
format=%(levelname)s ++ %(message)s
datefmt=
`;
const config1a = config1
  .replace('[logger_root]\nlevel=WARNING\nhandlers=\n', '[logger_root]\nlevel=WARNING\nhandlers=hand1\n')
  .replace('level=DEBUG\nhandlers=hand1\n', 'level=DEBUG\nhandlers=\n');
const config4 = `
[loggers]
keys=root

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
level=NOTSET
handlers=hand1

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stdout,)

[formatter_form1]
class=CLS:ExceptionFormatter
format=%(levelname)s:%(name)s:%(message)s
datefmt=
`;
const config6 = `
[loggers]
keys=root,parser

[handlers]
keys=hand1, hand2

[formatters]
keys=form1, form2

[logger_root]
level=WARNING
handlers=

[logger_parser]
level=DEBUG
handlers=hand1
propagate=1
qualname=compiler.parser

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stdout,)

[handler_hand2]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stderr,)

[formatter_form1]
format=%(levelname)s ++ %(message)s
datefmt=

[formatter_form2]
format=%(message)s
datefmt=
`;
const config7 = `
[loggers]
keys=root,parser,compiler

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
level=WARNING
handlers=hand1

[logger_compiler]
level=DEBUG
handlers=
propagate=1
qualname=compiler

[logger_parser]
level=DEBUG
handlers=
propagate=1
qualname=compiler.parser

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
kwargs={'stream': sys.stdout,}

[formatter_form1]
format=%(levelname)s ++ %(message)s
datefmt=
`;
const config8 = `
[loggers]
keys=root

[handlers]
keys=file

[formatters]
keys=

[logger_root]
level=DEBUG
handlers=file

[handler_file]
class=FileHandler
level=DEBUG
args=("test.log",)
kwargs={"encoding": "utf-8"}
`;
const config9 = `
[loggers]
keys=root

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
level=WARNING
handlers=hand1

[handler_hand1]
class=StreamHandler
level=NOTSET
formatter=form1
args=(sys.stdout,)

[formatter_form1]
format=%(message)s ++ %(customfield)s
defaults={"customfield": "defaultvalue"}
`;
const disableTest = `
[loggers]
keys=root

[handlers]
keys=screen

[formatters]
keys=

[logger_root]
level=DEBUG
handlers=screen

[handler_screen]
level=DEBUG
class=StreamHandler
args=(sys.stdout,)
formatter=
`;
const setNames = `
[loggers]
keys=root

[handlers]
keys=hand1

[formatters]
keys=form1

[logger_root]
handlers=hand1

[handler_hand1]
class=StreamHandler
formatter=form1

[formatter_form1]
format=%(levelname)s ++ %(message)s
`;
// The "Configuration file format" example of the logging.config docs, minus the network handlers
// (hand03–hand07, hand09: their own test files cover them), plus interpolation, DEFAULT and continuation lines.
const docsFormat = `
[DEFAULT]
logdir = .

[loggers]
keys=root,log02,log03

[handlers]
keys=hand01,hand02,hand08,hand10

[formatters]
keys=form01,form02

[logger_root]
level=NOTSET
handlers=hand01

[logger_log02]
level=DEBUG
handlers=hand02
propagate=1
qualname=compiler

[logger_log03]
level=INFO
handlers=hand08
propagate=0
qualname=compiler.parser

[handler_hand01]
class=StreamHandler
level=NOTSET
formatter=form01
args=(sys.stdout,)

[handler_hand02]
class=FileHandler
level=DEBUG
formatter=form02
args=('%(logdir)s/python.log', 'w')

[handler_hand08]
class=handlers.MemoryHandler
level=NOTSET
formatter=form02
target=hand10
args=(10, ERROR)

[handler_hand10]
class=handlers.RotatingFileHandler
formatter=form02
args=('rot.log', 'a', 2*100, 2)
kwargs={'encoding': 'utf-8',
  'delay': True}

[formatter_form01]
format=F1 %%(asctime)s %%(levelname)s %%(message)s %%(customfield)s
datefmt=
style=%
validate=True
defaults={'customfield': 'defaultvalue'}
class=logging.Formatter

[formatter_form02]
format={levelname}:{name}:{message}
style={
`;
const docsSimple = `
[loggers]
keys=root,simpleExample

[handlers]
keys=consoleHandler

[formatters]
keys=simpleFormatter

[logger_root]
level=DEBUG
handlers=consoleHandler

[logger_simpleExample]
level=DEBUG
handlers=consoleHandler
qualname=simpleExample
propagate=0

[handler_consoleHandler]
class=StreamHandler
level=DEBUG
formatter=simpleFormatter
args=(sys.stdout,)

[formatter_simpleFormatter]
format=%(asctime)s - %(name)s - %(levelname)s - %(message)s
`;

type Step = Record<string, unknown>;
const file = (text: string, options: Step = {}): Step => ({ op: 'file', text, options });
const log = (logger: string, level: number, msg: string): Step => ({ op: 'log', logger, level, msg });
const state = (...loggers: string[]): Step => ({ op: 'state', loggers });
const P = 'compiler.parser';

const scenarios: [string, Step[]][] = [
  ['config0 (test_config0_ok)', [file(config0), log('', 20, '1'), log('', 40, '2'), state('')]],
  ['config1 (test_config1_ok)', [file(config1), log(P, 20, '1'), log(P, 40, '2'), state(P)]],
  ['config2 (test_config2_failure: sys.stbout)', [file(config1.replace('sys.stdout', 'sys.stbout'))]],
  ['config3 (test_config3_failure: misspelled formatter)', [file(config1.replace('formatter=form1', 'formatter=misspelled_name'))]],
  ['config4 (test_config4_ok: formatter class)', [file(config4), { op: 'exception', logger: '', msg: 'just testing' }]],
  ['config5 (test_config5_ok: class=logging.StreamHandler)', [file(config1.replace('class=StreamHandler', 'class=logging.StreamHandler')), log(P, 20, '1'), log(P, 40, '2')]],
  ['config6 (test_config6_ok: ", " separators)', [file(config6), log(P, 20, '1'), log(P, 40, '2')]],
  [
    'config7 (test_config7_ok)',
    [file(config1a), log(P, 20, '1'), log(P, 40, '2'), log('compiler-hyphenated', 50, '3'), file(config7), state(P, 'compiler-hyphenated', 'compiler'), log(P, 20, '4'), log(P, 40, '5'), log('compiler.lexer', 20, '6'), log('compiler.lexer', 40, '7'), log('compiler-hyphenated', 50, '8')],
  ],
  ['config8 (test_config8_ok: FileHandler twice)', [file(config8), log('', 10, 'a'), file(config8), log('', 10, 'b'), { op: 'shutdown' }]],
  ['config9 (test_config9_ok: defaults)', [file(config9), { op: 'format', handler: 'hand1', record: { msg: 'test' } }, { op: 'format', handler: 'hand1', record: { msg: 'test', customfield: 'customvalue' } }]],
  ['test_logger_disabling', [file(disableTest), state('some_pristine_logger'), file(disableTest), state('some_pristine_logger'), file(disableTest, { disable_existing_loggers: false }), state('some_pristine_logger')]],
  ['test_config_set_handler_names', [file(setNames), state(''), log('', 30, 'named')]],
  ['test_exception_if_confg_file_is_invalid', [file(`${setNames}\nprince\n`), file('x=1\n'), file('[a]\nx=1\n[a]\n')]],
  [
    'docs: configuration file format (interpolation, DEFAULT, MemoryHandler target, continuation, {-style)',
    [
      file(docsFormat),
      ...Array.from({ length: 12 }, (_, i) => log(i % 2 ? 'compiler.parser' : 'compiler', i % 3 ? 20 : 40, `record ${i}`)),
      log('compiler.parser', 10, 'dropped'),
      state('', 'compiler', 'compiler.parser'),
      { op: 'shutdown' },
    ],
  ],
  ['empty datefmt= with asctime (default time format)', [file(config0.replace('format=%(levelname)s ++ %(message)s', 'format=%(asctime)s %(levelname)s ++ %(message)s')), log('', 40, 'timed')]],
  ['docs: logging HOWTO simpleExample', [file(docsSimple), log('simpleExample', 10, 'debug message'), log('simpleExample', 20, 'info message'), log('simpleExample', 30, 'warn message'), log('simpleExample', 40, 'error message'), log('simpleExample', 50, 'critical message')]],
  [
    'errors: missing sections and options, bad literals, unknown names',
    [
      file('[loggers]\nkeys=root\n'),
      file(config0.replace('keys=root\n', 'keys=x\n')),
      file(config0.replace('args=(sys.stdout,)', 'args=(nope,)')),
      file(config0.replace('class=StreamHandler', 'class=nope.Nope')),
      file(config0.replace('class=StreamHandler', 'class=handlers.Nope')),
      file(config0.replace('level=NOTSET', 'level=BOGUS')),
      file(config0.replace('format=%(levelname)s', 'format=%(levelname)s %(bad')),
      file(config0.replace('args=(sys.stdout,)', 'args=(sys.stdout, 1)')),
      file(config0.replace('[handler_hand1]', '[handler_hand1]\nkwargs={"foo": 1}')),
      file(`${config1}`.replace('propagate=1', 'propagate=yes')),
      file(config0.replace('handlers=hand1\n\n[handler', 'handlers=hand2\n\n[handler')),
    ],
  ],
];

describe('fileConfig() matches CPython', { skip }, () => {
  const runs = skip ? new Map() : new Map(scenarios.map(([name, steps]) => [name, runBoth({ steps })]));
  for (const [name] of scenarios) {
    test(name, async () => {
      const { py, js } = await (runs.get(name) as ReturnType<typeof runBoth>);
      // CPython names a file-like object by its repr; ours is '<???>' (configparser's name for it).
      const pyResults = JSON.parse(JSON.stringify(py.results).replace(/<_io\.StringIO object at 0x[0-9a-f]+>/g, '<???>'));
      assert.deepEqual(js.results, pyResults, 'step results (errors, state)');
      assert.equal(maskTimes(js.stdout), maskTimes(py.stdout), 'stdout');
      assert.equal(maskTimes(js.stderr), maskTimes(py.stderr), 'stderr');
      assert.deepEqual(Object.keys(js.files), Object.keys(py.files), 'files written');
      for (const f of Object.keys(py.files)) assert.equal(maskTimes(js.files[f] ?? ''), maskTimes(py.files[f] ?? ''), f);
    });
  }
});
