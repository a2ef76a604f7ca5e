/**
 * The page reader the snippet test relies on: fences, markers (a reason is required), links outside code, and
 * GitHub's heading anchors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headingSlug, parsePage } from './markdown.js';

const page = (lines: string[]): ReturnType<typeof parsePage> => parsePage('p.md', lines.join('\n'));

test('a block takes the marker on the line before it (blank lines allowed) and its line number', () => {
  const p = page([
    '# T',
    '<!-- snippet: no-run (needs an SMTP server) -->',
    '',
    '```ts',
    'const a = 1;',
    '```',
    '<!-- snippet: skip (pending: x) -->',
    '```ts',
    '```',
    '```ts',
    'run();',
    '```',
    '```sh',
    'npm test',
    '```',
  ]);
  assert.deepEqual(p.problems, []);
  assert.deepEqual(
    p.blocks.map((b) => [b.line, b.lang, b.mode, b.reason, b.code]),
    [
      [5, 'ts', 'no-run', 'needs an SMTP server', 'const a = 1;\n'],
      [9, 'ts', 'skip', 'pending: x', '\n'],
      [11, 'ts', 'run', '', 'run();\n'],
      [14, 'sh', 'run', '', 'npm test\n'],
    ],
  );
});

test('a marker without a reason, with an unknown kind, or not followed by a block is a problem', () => {
  for (const marker of ['<!-- snippet: no-run -->', '<!-- snippet: no-run () -->', '<!-- snippet: later (x) -->']) {
    const p = page([marker, '```ts', 'x;', '```']);
    assert.equal(p.problems.length, 1, marker);
    assert.match(p.problems[0] ?? '', /p\.md:1: bad snippet marker/);
    assert.equal(p.blocks[0]?.mode, 'run');
  }
  assert.deepEqual(page(['<!-- snippet: skip (why) -->', 'text', '```ts', '```']).problems, [
    'p.md:1: snippet marker is not followed by a code block',
  ]);
  assert.deepEqual(page(['<!-- snippet: skip (why) -->']).problems, ['p.md:1: snippet marker is not followed by a code block']);
});

test('an unclosed fence is a problem; a fence inside a list item loses its indentation', () => {
  assert.deepEqual(page(['```ts', 'x;']).problems, ['p.md:1: code fence never closed']);
  const p = page(['- item', '  ```ts', '  const a = 1;', '    nested();', '  ```']);
  assert.equal(p.blocks[0]?.code, 'const a = 1;\n  nested();\n');
});

test('links: relative ones outside code are collected, URLs and inline code are not', () => {
  const p = page([
    'See [a](docs/a.md#x), [b](<b.md>), [web](https://example.com) and `[not](code.md)`.',
    '[ref]: ../r.md',
    '```md',
    '[in a block](block.md)',
    '```',
  ]);
  assert.deepEqual(
    p.links.map((l) => [l.line, l.target]),
    [
      [1, 'docs/a.md#x'],
      [1, 'b.md'],
      [2, '../r.md'],
    ],
  );
});

test('heading anchors follow GitHub: lower case, punctuation dropped, spaces to -, repeats numbered', () => {
  const seen = new Map<string, number>();
  assert.equal(headingSlug('Keyword arguments: `kw()`', seen), 'keyword-arguments-kw');
  assert.equal(headingSlug('QueueHandler → WorkerQueueListener', seen), 'queuehandler--workerqueuelistener');
  assert.equal(headingSlug('Caller information (`pathname`, `lineno`, `funcName`)', seen), 'caller-information-pathname-lineno-funcname');
  assert.equal(headingSlug('Differences from CPython', seen), 'differences-from-cpython');
  assert.equal(headingSlug('Differences from CPython', seen), 'differences-from-cpython-1');
  const p = page(['# Title', '## Options', '### Options']);
  assert.deepEqual([...p.anchors], ['title', 'options', 'options-1']);
});
