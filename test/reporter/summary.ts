/**
 * A node:test reporter for `npm test`'s terminal: only what needs reading. Each failing test as it fails, with its
 * error, formatted by the built-in `spec` reporter (named `file > suite > test`, since its passing parents are not
 * shown); for a test file that crashed outside any test, the end of that file's stderr; then a one-line-per-failure
 * recap; then node's own closing counts (`tests N`, `pass N`, `fail N`, … `duration_ms N`), which CI reads, and last
 * the same counts as one plain line (`N passed, N failed, N skipped`).
 * Passing tests, their stdout/stderr and per-test diagnostics are left to the full TAP report that `npm test` writes
 * to a file alongside (`--test-reporter=tap --test-reporter-destination=test-results/tap.txt`).
 *
 * Used as `node --test --test-reporter=./build/test/reporter/summary.js --test-reporter-destination=stdout`.
 */
import { relative } from 'node:path';
import { spec, type TestEvent } from 'node:test/reporters';

/** Lines of a crashed file's stderr shown (its stack trace is at the end). */
const STDERR_TAIL = 40;

type Fail = Extract<TestEvent, { type: 'test:fail' }>;

/** Feeds one event to a spec reporter and returns what it writes for it (spec's transform is synchronous). */
function format(reporter: InstanceType<typeof spec>, event: TestEvent): string {
  reporter.write(event);
  let out = '';
  for (let chunk = reporter.read() as Buffer | string | null; chunk !== null; chunk = reporter.read() as Buffer | string | null) {
    out += chunk.toString();
  }
  return out;
}

/** Why a test failed: `subtestsFailed` and `cancelledByParent` only echo a failure reported on its own. */
function failureType(event: Fail): string | undefined {
  return (event.data.details.error as Error & { failureType?: string }).failureType;
}

/** The reporter: an async generator over the run's events, as node:test's reporter API expects. */
export default async function* summary(source: AsyncIterable<TestEvent>): AsyncGenerator<string, void> {
  const failures = new spec();
  const closing = new spec();
  /** Per file, the names of the tests now running at each nesting level (events of one file arrive in order). */
  const open = new Map<string, string[]>();
  const stderr = new Map<string, string[]>();
  const recap: string[] = [];
  const counts: TestEvent[] = [];
  for await (const event of source) {
    switch (event.type) {
      case 'test:start': {
        const path = open.get(event.data.file ?? '') ?? [];
        path.length = event.data.nesting;
        path.push(event.data.name);
        open.set(event.data.file ?? '', path);
        break;
      }
      case 'test:stderr': {
        const lines = stderr.get(event.data.file) ?? [];
        lines.push(event.data.message);
        if (lines.length > STDERR_TAIL) lines.shift();
        stderr.set(event.data.file, lines);
        break;
      }
      case 'test:fail': {
        const type = failureType(event);
        if (type === 'subtestsFailed' || type === 'cancelledByParent') break;
        const file = event.data.file ?? '';
        const where = file === '' ? '' : relative(process.cwd(), file);
        const isFile = event.data.name === file; // the file itself failed: it crashed outside its tests
        const path = isFile ? [] : (open.get(file) ?? []).slice(0, event.data.nesting);
        const name = [where, ...path, ...(isFile ? [] : [event.data.name])].filter((s) => s !== '').join(' > ');
        recap.push(name);
        yield format(failures, { type: 'test:fail', data: { ...event.data, name, nesting: 0 } });
        const tail = stderr.get(file);
        if (isFile && tail) yield `  stderr of ${where} (last ${tail.length} writes):\n${tail.map((l) => `  | ${l}`).join('')}\n`;
        break;
      }
      case 'test:diagnostic':
        // Nesting 0 and no file: the runner's own closing counts, emitted once every file is done.
        if (event.data.nesting === 0 && event.data.file === undefined) counts.push(event);
        break;
      default:
        break;
    }
  }
  if (recap.length > 0) {
    yield `\n✖ ${recap.length} failing (the TAP report has the whole run):\n`;
    for (const name of recap) yield `  ✖ ${name}\n`;
    yield '\n';
  }
  for (const event of counts) yield format(closing, event);
  // The plain form any CI reads, from the same counts: `N passed, N failed, N skipped`.
  const n = (key: string): number => {
    for (const e of counts) {
      const m = /^(\w+) (\d+)$/.exec(String((e.data as { message?: unknown }).message));
      if (m?.[1] === key) return Number(m[2]);
    }
    return 0;
  };
  if (counts.length > 0) yield `${n('pass')} passed, ${n('fail')} failed, ${n('skipped')} skipped\n`;
}
