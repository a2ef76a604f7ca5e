// Bundles the published entry points into build/dist: a handful of ES modules instead of ~70.
//
// Why (issue 18, start-up row): a whole process that imports `pylogging` + `pylogging/handlers`, logs one line to a
// FileHandler and exits took 1.33-1.43x pino's wall time, and the difference was the ES module loader resolving,
// reading and linking 68 files. measured (Node 20.20, 2-core VM, 15 interleaved runs each, load 0.2): unbundled
// median 125 ms, bundled with code splitting 100 ms, pino 95 ms. Minified as well (below), 1.02-1.04x pino.
//
// tsc still builds build/src (types, tests, the source of truth); esbuild only regroups the same JavaScript.
// Code splitting keeps ONE copy of every module across entry points (one logger registry, one `state`), and every
// entry point is at the same place under build/dist as its source under src/ (the worker entry files are exports too). The config registry loads handler classes through
// these entry points, never a file by path, so that nothing but an entry point needs to exist under build/dist.
//
// `import.meta.url` is the one thing bundling changes: code moved into a shared chunk would see the chunk's URL. So
// each source file's `import.meta.url` becomes the URL its own output would have had (build/dist/<dir>/<file>.js),
// computed from the real output file's URL and its depth below build/dist, which is known only after bundling (the
// ROOT placeholder below). build/dist sits at the same depth as build/src, so `../../package.json` and the like
// resolve the same way from both.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pid } from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src');
const outDir = join(root, 'build', 'dist');
// Built beside build/dist (same depth, so relative paths hold), then moved in file by file: build/dist never goes
// missing while something reads it. The test suite packs the package (`npm pack` runs this script through
// `prepare`) while other test files import or pack build/dist; an `rm -rf` first made those fail now and then.
const tmpDir = join(root, 'build', `.dist-${pid}`);
const ROOT = '__pylogging_dist_root__';

/** The source of every `default` export and `bin` target in package.json (`./build/dist/x.js` → `src/x.ts`). */
function exportedSources() {
  /** @type {{ exports: Record<string, string | { default?: string }>, bin: Record<string, string> }} */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- plain JS: the JSDoc type above is the shape
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = [];
  const targets = [...Object.values(pkg.exports).map((t) => (typeof t === 'string' ? t : t.default)), ...Object.values(pkg.bin)];
  for (const file of targets) {
    if (typeof file !== 'string' || !file.startsWith('./build/dist/')) continue;
    out.push(join(srcDir, file.slice('./build/dist/'.length).replace(/\.js$/, '.ts')));
  }
  return out;
}

/**
 * Rewrites `import.meta.url` in each source file to the URL its own output file would have.
 * @param {string} text
 * @param {string} path
 */
function ownImportMetaUrl(text, path) {
  if (!text.includes('import.meta.url')) return text;
  const rel = relative(srcDir, path).split(sep).join('/').replace(/\.ts$/, '.js');
  const url = `new URL(${JSON.stringify(rel)}, new URL(${JSON.stringify(ROOT)}, import.meta.url)).href`;
  return text.replaceAll('import.meta.url', url);
}

// `import { a, b as c } from 'node:x';` (one or several lines; `import type` is left to esbuild, which drops it).
const BUILTIN_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'(node:[\w/]+)';/gm;

/**
 * Takes Node's built-in modules with `process.getBuiltinModule` (Node 20.16) instead of `import`.
 *
 * Why (issue 18, start-up row): an ES module import of a built-in goes through its ES module facade, which reads
 * every export of the module once, lazy getters included: `node:fs`'s `ReadStream`/`WriteStream` load fs's stream
 * classes, `node:buffer`'s `File` the File class, `node:util`'s `parseArgs` and `MIMEType` theirs, none of which
 * pylogging uses (process.moduleLoadList after logging one line to a FileHandler, with and without this rewrite).
 * measured (Node 20.20, 2-core VM, 25 interleaved child processes each, time from the first line of the program to
 * the logged line): 68.7 ms with imports, 63.1 ms with getBuiltinModule, pino 54.1 ms. Only the names a file uses
 * are read, once, when its module body runs (its place in the bundle), as `import` would bind them; build/src keeps
 * the imports (tests and types see ordinary ES modules).
 * @param {string} text
 */
function builtinsWithoutFacades(text) {
  return text.replace(BUILTIN_IMPORT, (whole, /** @type {string} */ names, /** @type {string} */ specifier) => {
    const bindings = names
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type '))
      .map((n) => n.replace(/\s+as\s+/, ': '));
    // The same number of lines, so that the source map's lines still match the file's.
    const lines = '\n'.repeat(whole.split('\n').length - 1);
    if (bindings.length === 0) return lines;
    return `const { ${bindings.join(', ')} } = process.getBuiltinModule(${JSON.stringify(specifier)});${lines}`;
  });
}

/** @type {import('esbuild').Plugin} */
const sourceRewrites = {
  name: 'pylogging-source-rewrites',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return { contents: builtinsWithoutFacades(ownImportMetaUrl(text, args.path)), loader: 'ts' };
    });
  },
};

rmSync(tmpDir, { recursive: true, force: true });
const entryPoints = exportedSources();
const result = await build({
  entryPoints,
  outbase: srcDir,
  outdir: tmpDir,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  sourcesContent: false,
  ignoreAnnotations: true, // package.json says "sideEffects": false for users' bundlers; a worker entry file is all side effects
  keepNames: true, // class names are public: handler reprs, error texts and the config registry print them
  // measured (Node 20.20, 2-core VM, bench --only=startup, 3 runs each, load 1-1.5): as written 1.08-1.11x pino,
  // minified (whitespace and syntax; names kept) 1.02-1.04x. Stack traces through pylogging's own frames then point
  // into one long line: the shipped source maps (node --enable-source-maps) map them back to src/.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  plugins: [sourceRewrites],
  logLevel: 'warning',
});

// Fill in each output file's way back to build/dist.
for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(ROOT)) continue;
  const up = relative(dirname(path), tmpDir).split(sep).join('/');
  writeFileSync(path, text.replaceAll(ROOT, up === '' ? './' : `${up}/`));
}
// build/dist is ESM whatever the nearest package.json says (it says so already; this keeps the bundle self-describing).
writeFileSync(join(tmpDir, 'package.json'), '{ "type": "module" }\n');

// A static import of a built-in that the rewrite above missed (a form it does not know) fails the build.
for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const missed = /(?:^|[;}])import\s*[^;()]*?from\s*"node:[^"]+"/.exec(readFileSync(join(root, file), 'utf8'));
  if (missed) throw new Error(`bundle: ${file} still imports a built-in (${missed[0]}): see builtinsWithoutFacades`);
}

/**
 * Every file below `dir`, as paths relative to it.
 * @param {string} dir
 * @returns {string[]}
 */
function filesBelow(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(/** @type {string} */ (e.parentPath ?? e.path), e.name)));
}

// Each rename replaces one file atomically; files of an earlier build that this one did not write go last.
const fresh = new Set(filesBelow(tmpDir));
for (const rel of fresh) {
  mkdirSync(dirname(join(outDir, rel)), { recursive: true });
  renameSync(join(tmpDir, rel), join(outDir, rel));
}
for (const rel of filesBelow(outDir)) if (!fresh.has(rel)) unlinkSync(join(outDir, rel));
rmSync(tmpDir, { recursive: true, force: true });
