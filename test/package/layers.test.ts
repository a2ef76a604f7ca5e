/**
 * The layers of `src/`, as CPython has them, and a check that every import points down them.
 *
 * LAYERS below is the one place the order is defined (docs/performance.md, "How the code is laid out", points
 * here). A file may import files of its own layer or of a lower one, never of a higher one:
 *
 * 1. `base`: Python's builtins that logging stands on (exceptions, `str()`/`repr()`, float formatting, `str % args`)
 *    and `internal/`, helpers that know nothing about loggers or handlers (pickle, encodings, clocks, exit hooks).
 * 2. `core`: CPython's `logging/__init__.py`: levels, records, formatters, filters, Handler, StreamHandler,
 *    FileHandler, NullHandler, loggers, the module-level API.
 * 3. `formatters`: formatters and filters beyond CPython's (JSON, colour, redaction) and the async context.
 * 4. `handlers`: CPython's `logging.handlers`, and the OpenTelemetry handler.
 * 5. `config`: CPython's `logging.config`: it names handlers and formatters, so it sits above them.
 * 6. `entries`: the package's entry points: `src/*.ts` (export lists, the command line) and every other file
 *    package.json "exports" names (the worker threads' main files, which configure handlers as dictConfig does).
 *
 * Imports are read with the TypeScript parser (static and dynamic `import`, `export … from`), both value and
 * type-only imports, since a type names the layer it comes from as much as a value does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const PKG = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};

/** `handlers/worker-main.ts` for each `./build/dist/handlers/worker-main.js` (the bundle) package.json exports. */
const EXPORTED: readonly string[] = Object.values(PKG.exports)
  .flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))
  .map((t) => /^\.\/build\/(?:src|dist)\/(.+)\.js$/.exec(t)?.[1])
  .filter((t) => t !== undefined)
  .map((t) => `${t}.ts`);

/** Lowest first. A pattern is a path under `src/`: a file, or a directory ending in `/`. First match wins. */
const LAYERS: readonly { name: string; paths: readonly string[] }[] = [
  {
    name: 'base',
    paths: ['internal/', 'core/errors.ts', 'core/float-format.ts', 'core/repr.ts', 'core/printf.ts', 'core/printf-convert.ts'],
  },
  { name: 'core', paths: ['core/'] },
  { name: 'formatters', paths: ['formatters/', 'filters/', 'context/'] },
  { name: 'handlers', paths: ['handlers/', 'otel/'] },
  { name: 'config', paths: ['config/'] },
  { name: 'entries', paths: [''] },
];

function layerOf(file: string): number {
  if (EXPORTED.includes(file)) return LAYERS.length - 1;
  return layerOfPath(file);
}

/**
 * Imports that break the order today, each with the reason it is still there. Keep this list short: an entry is a
 * debt, not a permission.
 */
const KNOWN: ReadonlyMap<string, string> = new Map([
  [
    'internal/record-decoder.ts -> core/record.ts',
    'the worker-side record decoder builds LogRecords (with their prototype); left in internal/ beside its encoder and codec tables',
  ],
  [
    'internal/pickle-record.ts -> core/record.ts',
    "type only: SocketHandler's record pickler reads a record's fields; left in internal/ beside the pickler it shares a slab with",
  ],
]);

function layerOfPath(file: string): number {
  const i = LAYERS.findIndex((l) => l.paths.some((p) => (p.endsWith('/') || p === '' ? file.startsWith(p) : file === p)));
  assert.notEqual(i, -1, `${file} is in no layer`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative module specifier `file` imports or re-exports, statically or with `import()`. */
function importsIn(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** `a/b.ts -> c/d.ts` for each import in `src/` that points to a higher layer. */
function upwardImports(): string[] {
  const bad: string[] = [];
  for (const abs of sources(SRC)) {
    const from = relative(SRC, abs).split(sep).join('/');
    for (const spec of importsIn(abs, readFileSync(abs, 'utf8'))) {
      const to = relative(SRC, resolve(dirname(abs), spec.replace(/\.js$/, '.ts'))).split(sep).join('/');
      if (layerOf(to) > layerOf(from)) bad.push(`${from} -> ${to}`);
    }
  }
  return [...new Set(bad)];
}

test('every import in src/ points to its own layer or a lower one', () => {
  const bad = upwardImports().filter((edge) => !KNOWN.has(edge));
  assert.deepEqual(bad, [], `upward imports (layers, lowest first: ${LAYERS.map((l) => l.name).join(' < ')})`);
});

test('the known exceptions still exist (remove an entry once its import is gone)', () => {
  const edges = new Set(upwardImports());
  assert.deepEqual([...KNOWN.keys()].filter((k) => !edges.has(k)), []);
});

test('StreamHandler, FileHandler and NullHandler live in core, as in CPython', () => {
  assert.equal(layerOf('core/stream-handler.ts'), 1);
  assert.equal(layerOf('core/file-handler.ts'), 1);
  assert.ok(sources(join(SRC, 'core')).some((f) => f.endsWith('stream-handler.ts')));
  assert.ok(sources(join(SRC, 'core')).some((f) => f.endsWith('file-handler.ts')));
});

test('the layer check sees what it should: each kind of import, and the order', () => {
  assert.ok(layerOf('internal/pickle.ts') < layerOf('core/logger.ts'));
  assert.ok(layerOf('core/logger.ts') < layerOf('handlers/socket.ts'));
  assert.ok(layerOf('handlers/socket.ts') < layerOf('config/registry.ts'));
  assert.ok(layerOf('config/registry.ts') < layerOf('index.ts'));
  assert.ok(EXPORTED.includes('handlers/worker-main.ts'));
  assert.equal(layerOf('handlers/worker-main.ts'), layerOf('index.ts'));
  const text = "import type { A } from './a.js';\nexport { B } from './b.js';\nconst m = await import('./c.js');\ntype D = import('./d.js').D;\nimport 'node:fs';\n";
  assert.deepEqual(importsIn('probe.ts', text), ['./a.js', './b.js', './c.js', './d.js']);
});
