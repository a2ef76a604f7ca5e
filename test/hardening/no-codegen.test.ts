/**
 * `node --disallow-code-generation-from-strings` (a hardening flag some platforms set) is supported: the socket,
 * queue/worker and format test files, run again in a child with the flag, pass with the same counts as without it.
 * Under the flag every generated-code site takes its interpreted path (src/internal/codegen.ts); the per-site
 * comparison of both paths is test/internal/codegen.test.ts, included here so it runs with the real flag too.
 *
 * "The same counts": the suite itself runs these files without the flag and requires every test to pass, so the
 * second child only counts the tests those files define without the flag (a name pattern nothing matches: every
 * test is registered and reported skipped, none runs), at a third of the cost of running them again. The files
 * create no subtests inside test bodies, so a registered test is a reported one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FLAG = '--disallow-code-generation-from-strings';
const build = new URL('../../', import.meta.url);
const FILES = [
  'test/handlers/socket.test.js',
  'test/handlers/queue.test.js',
  'test/handlers/worker-listener.test.js',
  'test/core/formatter.test.js',
  'test/core/styles.test.js',
  'test/core/printf.test.js',
  'test/core/format-cache.test.js',
  'test/formatters/json.test.js',
  'test/formatters/color.test.js',
  'test/internal/pickle-record.test.js',
  'test/internal/codegen.test.js',
].map((f) => fileURLToPath(new URL(f, build)));

// Without NODE_TEST_CONTEXT (set by the runner running this file) the child would report to us instead of printing
// its own TAP; without NODE_V8_COVERAGE the run without the flag, which repeats the suite's, writes no coverage.
const { NODE_TEST_CONTEXT: _t, NODE_V8_COVERAGE: coverage, ...ENV } = process.env;

interface Run {
  counts: Record<string, number>;
  failed: string[];
  tap: string;
}

/** Runs `FILES` under `node [flags] --test` and reads the TAP summary's counts and the failing tests' names. */
function runFiles(flags: readonly string[]): Promise<Run> {
  const env = flags.includes(FLAG) && coverage !== undefined ? { ...ENV, NODE_V8_COVERAGE: coverage } : ENV;
  // A per-test timeout: a path that breaks under the flag can leave a peer waiting for records forever.
  const args = [...flags, '--test', '--test-concurrency=1', '--test-timeout=60000', '--test-reporter=tap', ...FILES];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, maxBuffer: 256 << 20 }, (_err, stdout) => {
      const counts: Record<string, number> = {};
      for (const m of stdout.matchAll(/^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) {
        counts[m[1] as string] = Number(m[2]);
      }
      const failed = [...stdout.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1] as string);
      resolve({ counts, failed, tap: stdout });
    });
  });
}

/** The TAP block (name and YAML diagnostics) of each failing test, so a failure in the child says what failed. */
function failures(tap: string): string {
  const lines = tap.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (/^\s*not ok \d+ - /.test(line)) out.push(...lines.slice(i, i + 30));
  });
  return out.join('\n').slice(0, 20_000);
}

test(`the socket, queue/worker and format test files pass under ${FLAG} as without it`, async () => {
  const [plain, hardened] = await Promise.all([runFiles(['--test-name-pattern=^ no test has this name $']), runFiles([FLAG])]);
  const defined = plain.counts['tests'] ?? 0;
  assert.ok(defined > 100, `the files define no tests without the flag:\n${plain.tap.slice(-2000)}`);
  assert.deepEqual(hardened.failed, [], `failing under ${FLAG}: ${hardened.failed.join(' | ')}\n${failures(hardened.tap)}`);
  assert.deepEqual(hardened.counts, { tests: defined, pass: defined, fail: 0, cancelled: 0, skipped: 0, todo: 0 });
});

test(`${FLAG} reaches pylogging's worker threads, which then interpret too`, async () => {
  const child = fileURLToPath(new URL('test/fixtures/codegen-worker-child.js', build));
  const { stdout } = await promisify(execFile)(process.execPath, [FLAG, child], { env: ENV });
  assert.deepEqual(JSON.parse(stdout), { main: false, worker: false });
});
