/**
 * The `npm test` reporter, run as `npm test` runs it (summary on stdout, TAP to a file) over a throwaway directory of
 * test files: one passing, one with a failing test in a suite, one crashing outside any test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPORTER = fileURLToPath(new URL('./summary.js', import.meta.url));

const FILES: Record<string, string> = {
  'pass.test.mjs': `import { test } from 'node:test';
test('fine', () => { console.log('chatter a passing test prints'); });`,
  'fail.test.mjs': `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
describe('outer', () => {
  test('passes', (t) => { t.diagnostic('a per-test note'); });
  describe('inner', () => {
    test('compares', () => { assert.equal(1 + 1, 3); });
  });
});
test('skipped', { skip: 'not today' }, () => {});`,
  'crash.test.mjs': `import { test } from 'node:test';
test('ran before the crash', () => {});
throw new Error('boom outside any test');`,
};

interface Run {
  code: number | null;
  stdout: string;
  tap: string;
}

function runReporter(names: string[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'pylogging-reporter-'));
  for (const name of names) writeFileSync(join(dir, name), FILES[name] as string);
  const tapFile = join(dir, 'tap.txt');
  const args = ['--test', `--test-reporter=${REPORTER}`, '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...names];
  // Without NODE_TEST_CONTEXT: with it (set by the runner running this file) the child would report to us, not print.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: dir, env: { ...env, NO_COLOR: '1' } }, (err, stdout) => {
      const tap = readFileSync(tapFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, tap });
    });
  });
}

const CLOSING = /(?:^|\n)(?:ℹ |# )?tests (\d+)\n(?:ℹ |# )?suites \d+\n(?:ℹ |# )?pass (\d+)\n(?:ℹ |# )?fail (\d+)\n(?:ℹ |# )?cancelled 0\n(?:ℹ |# )?skipped (\d+)\n(?:ℹ |# )?todo 0\n(?:ℹ |# )?duration_ms [\d.]+\n$/;

// Last of all, the same counts as one plain line.
const PLAIN = /\n(\d+) passed, (\d+) failed, (\d+) skipped\n$/;
/** stdout without its plain last line, which {@link PLAIN} checks. */
const withoutPlain = (out: string): string => out.replace(PLAIN, '\n');

describe('summary reporter', () => {
  test('a passing run prints only node\'s closing counts, and exits 0', async () => {
    const r = await runReporter(['pass.test.mjs']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ℹ tests 1\n/);
    assert.deepEqual(CLOSING.exec(withoutPlain(r.stdout))?.slice(1), ['1', '1', '0', '0']);
    assert.deepEqual(PLAIN.exec(r.stdout)?.slice(1), ['1', '0', '0']);
    assert.doesNotMatch(r.stdout, /chatter/);
    assert.match(r.tap, /chatter a passing test prints/); // the full output is in the TAP file
  });

  test('failures first with their error and where they are, a recap, then the closing counts last; exit 1', async () => {
    const r = await runReporter(['pass.test.mjs', 'fail.test.mjs', 'crash.test.mjs']);
    assert.equal(r.code, 1);
    const out = r.stdout;
    // the failing test, named with its file and suites, with the assertion's message
    assert.match(out, /✖ fail\.test\.mjs > outer > inner > compares \([\d.]+ms\)\n {2}AssertionError \[ERR_ASSERTION\]: Expected values to be strictly equal:\n\s*\n {2}2 !== 3\n/);
    // the crashed file, with the end of its stderr (the uncaught error)
    assert.match(out, /✖ crash\.test\.mjs \([\d.]+ms\)\n {2}'test failed'\n/);
    assert.match(out, /stderr of crash\.test\.mjs \(last \d+ writes\):\n(?: {2}\|.*\n)*? {2}\| Error: boom outside any test\n/);
    // nothing of the passing tests, their output or diagnostics, nor the parents that only echo the failure
    assert.doesNotMatch(out, /fine|chatter|a per-test note|✖ fail\.test\.mjs > outer \(|✖ outer/);
    // then the recap (files run concurrently: in the order they failed)
    const recap = out.indexOf('✖ 2 failing (the TAP report has the whole run):\n');
    assert.ok(recap > out.indexOf('boom outside any test') && recap > out.indexOf('2 !== 3'), out);
    const recapLines = out.slice(recap).split('\n').slice(1, 3).sort();
    assert.deepEqual(recapLines, ['  ✖ crash.test.mjs', '  ✖ fail.test.mjs > outer > inner > compares']);
    // node's own closing lines come last, after everything else, then the plain line
    assert.deepEqual(CLOSING.exec(withoutPlain(out))?.slice(1), ['5', '2', '2', '1']);
    assert.deepEqual(PLAIN.exec(out)?.slice(1), ['2', '2', '1']);
    assert.ok(out.indexOf('ℹ tests 5') > recap);
    // the TAP file holds the whole run, with the same closing lines
    assert.match(r.tap, /^TAP version 13\n/);
    assert.match(r.tap, /# Subtest: passes\n/);
    assert.match(r.tap, /a per-test note/);
    assert.deepEqual(CLOSING.exec(r.tap)?.slice(1), ['5', '2', '2', '1']);
  });
});
