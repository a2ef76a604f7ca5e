/**
 * The documentation is tested like code. Every ```ts/```js block of README.md and docs/**\/*.md is written to
 * build/snippets/ (inside the repository, so `import … from 'pylogging'` resolves to the built package through
 * package self-reference), type-checked in one TypeScript program under the project's strict settings, and, unless
 * marked, run with node; a failure names the page and line. Relative links must point at files (and headings) that
 * exist.
 *
 * Markers, on the line before a block: `<!-- snippet: no-run (REASON) -->` type-checks only (a peer such as an
 * SMTP server, a syslog daemon or Windows is needed); `<!-- snippet: skip (REASON) -->` neither. The reason is
 * required. Blocks in other languages (sh, python, json, ini, text) are not executed.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parsePage, type CodeBlock, type ParsedPage } from './markdown.js';

/** The repository: this file runs as build/test/docs/snippets.test.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = join(ROOT, 'build', 'snippets');

/**
 * Pages that other parts of this change write. Links to them are allowed while they do not exist yet; once they
 * do, they are tested like every other page. The integrator empties this list when they have landed.
 */
export const EXPECTED_PAGES: readonly string[] = [];

/** Seconds one snippet may run. They are meant to take well under 2 s; the margin is for a loaded machine. */
const RUN_TIMEOUT_S = 20;

const EXTENSIONS: Record<string, string> = { ts: '.ts', typescript: '.ts', js: '.js', javascript: '.js', mjs: '.mjs', cjs: '.cjs' };

function listPages(): string[] {
  const pages = ['README.md'];
  const walk = (dir: string): void => {
    if (!existsSync(join(ROOT, dir))) return;
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) pages.push(rel);
    }
  };
  walk('docs');
  return pages;
}

const PAGES = new Map<string, ParsedPage>(listPages().map((p) => [p, parsePage(p, readFileSync(join(ROOT, p), 'utf8'))]));
const BLOCKS: CodeBlock[] = [...PAGES.values()].flatMap((p) => p.blocks);
const CODE = BLOCKS.filter((b) => b.lang in EXTENSIONS);

/** `README.md:12` → `readme-L12.ts`: a file name that says where the block came from. */
function fileFor(block: CodeBlock): string {
  const stem = block.page.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  return `${stem}-L${block.line}${EXTENSIONS[block.lang] ?? '.ts'}`;
}

/** The `types` file of one `exports` entry (a string, or nested conditions). */
function typesOf(entry: unknown): string | null {
  if (typeof entry === 'string') return entry.endsWith('.d.ts') || entry.endsWith('.d.mts') ? entry : null;
  if (entry === null || typeof entry !== 'object') return null;
  const o = entry as Record<string, unknown>;
  for (const key of ['types', 'import', 'node', 'default']) {
    const found = key in o ? typesOf(o[key]) : null;
    if (found) return found;
  }
  return null;
}

/**
 * `paths` for the snippets' tsconfig: every entry point of package.json's `exports` to its declaration file, so the
 * snippets are checked against what the package ships and new entry points are picked up without editing this test.
 */
function entryPointPaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const paths: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(pkg.exports)) {
    const types = typesOf(value);
    if (!types) continue;
    const spec = key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`;
    paths[spec] = [posix.join('../..', types)];
  }
  return paths;
}

interface Compiled {
  diagnostics: string[];
  files: Map<string, CodeBlock>;
}

/** Writes the blocks to build/snippets/src, type-checks them in one program and emits JS to build/snippets/out. */
function compile(blocks: readonly CodeBlock[]): Compiled {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'src'), { recursive: true });
  const files = new Map<string, CodeBlock>();
  for (const block of blocks) {
    const name = fileFor(block);
    // `export {}` keeps each snippet a module of its own, so two pages may both declare `const log`.
    writeFileSync(join(OUT, 'src', name), `${block.code}export {};\n`);
    files.set(resolve(OUT, 'src', name), block);
  }
  const tsconfig = {
    extends: '../../tsconfig.json',
    compilerOptions: {
      rootDir: 'src',
      outDir: 'out',
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      allowJs: true,
      checkJs: true,
      paths: entryPointPaths(),
    },
    include: ['src'],
  };
  writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const diagnostics: string[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(join(OUT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => diagnostics.push(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  if (!parsed) return { diagnostics, files };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const all = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  for (const d of all) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const block = d.file ? files.get(resolve(d.file.fileName)) : undefined;
    if (d.file && block && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      diagnostics.push(`${block.page}:${block.line + line}: TS${d.code}: ${text}`);
    } else {
      diagnostics.push(`${d.file?.fileName ?? '(config)'}: TS${d.code}: ${text}`);
    }
  }
  return { diagnostics, files };
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

function runNode(file: string, cwd: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_S * 1000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, output, timedOut });
    });
  });
}

test('snippet markers are well-formed, each with a reason, each before a code block', () => {
  const problems = [...PAGES.values()].flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});

test('relative links point at files and headings that exist', () => {
  const broken: string[] = [];
  for (const page of PAGES.values()) {
    for (const link of page.links) {
      const [path = '', anchor] = link.target.split('#', 2);
      const target = path === '' ? link.page : posix.normalize(posix.join(posix.dirname(link.page), decodeURI(path)));
      if (EXPECTED_PAGES.includes(target) && !existsSync(join(ROOT, target))) continue;
      if (!existsSync(join(ROOT, target))) {
        broken.push(`${link.page}:${link.line}: ${link.target} (no file ${target})`);
        continue;
      }
      const linked = PAGES.get(target);
      if (anchor && linked && !linked.anchors.has(anchor)) {
        broken.push(`${link.page}:${link.line}: ${link.target} (no heading #${anchor} in ${target})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('docs/index.md links to every page under docs/ and to the expected pages', () => {
  const index = PAGES.get('docs/index.md');
  assert.ok(index, 'docs/index.md exists');
  const linked = new Set(index.links.map((l) => posix.normalize(posix.join('docs', l.target.split('#')[0] ?? ''))));
  const pages = [...PAGES.keys(), ...EXPECTED_PAGES].filter((p) => p.startsWith('docs/') && p !== 'docs/index.md');
  assert.deepEqual([...new Set(pages)].filter((p) => !linked.has(p)), []);
});

describe('code blocks', () => {
  let compiled: Compiled = { diagnostics: ['not compiled'], files: new Map() };
  before(() => {
    compiled = compile(CODE.filter((b) => b.mode !== 'skip'));
  });

  test('type-check under the project’s strict settings', (t) => {
    const count = (mode: string): number => CODE.filter((b) => b.mode === mode).length;
    t.diagnostic(
      `${CODE.length} TS/JS blocks in ${PAGES.size} pages: ${count('run')} run, ${count('no-run')} type-checked only, ` +
        `${count('skip')} skipped; ${BLOCKS.length - CODE.length} blocks in other languages`,
    );
    assert.ok(CODE.length > 0, 'found code blocks');
    assert.deepEqual(compiled.diagnostics, []);
  });

  describe('run with node', { concurrency: 2 }, () => {
    for (const block of CODE.filter((b) => b.mode === 'run')) {
      test(`${block.page}:${block.line}`, async () => {
        const js = join(OUT, 'out', fileFor(block).replace(/\.ts$/, '.js'));
        assert.ok(existsSync(js), `${block.page}:${block.line} was compiled (${js})`);
        // An empty working directory of its own: a snippet must write only under os.tmpdir(), so a file that
        // appears here (a relative path such as 'app.log') is a documentation bug.
        const cwd = join(OUT, 'cwd', fileFor(block));
        mkdirSync(cwd, { recursive: true });
        const r = await runNode(js, cwd);
        const where = `${block.page}:${block.line}`;
        assert.ok(!r.timedOut, `${where} still running after ${RUN_TIMEOUT_S} s\n${r.output}`);
        assert.equal(r.code, 0, `${where} exited with ${r.code ?? r.signal}\n${r.output}`);
        assert.deepEqual(readdirSync(cwd), [], `${where} wrote into its working directory instead of os.tmpdir()`);
      });
    }
  });
});

test('docs/python-interop.md describes every option of the pylogging command, and no other', () => {
  const cli = readFileSync(join(ROOT, 'src', 'cli.ts'), 'utf8');
  const page = readFileSync(join(ROOT, 'docs', 'python-interop.md'), 'utf8');
  const inCli = new Set(cli.match(/--[a-z][a-z-]+/g) ?? []);
  // The options table: rows that start with an option.
  const inTable = new Set([...page.matchAll(/^\| `(--[a-z][a-z-]+)/gm)].map((m) => m[1] ?? ''));
  const generic = new Set(['--help', '--version']);
  assert.deepEqual([...inCli].filter((o) => !generic.has(o) && !inTable.has(o)).sort(), [], 'options of src/cli.ts missing from the table');
  assert.deepEqual([...inTable].filter((o) => !inCli.has(o)).sort(), [], 'options in the table that src/cli.ts does not have');
});
