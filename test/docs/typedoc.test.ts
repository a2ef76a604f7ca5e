/**
 * The API reference (`npm run docs`, issue #14): TypeDoc converts every entry point of package.json "exports" with
 * typedoc.json's validation (notExported, invalidLink, notDocumented), and any warning fails this test with TypeDoc's
 * own text, so an export without a doc comment, a `{@link}` to nothing, or a public type that names an unexported
 * one cannot land. A second test runs the same settings over a tiny package with one undocumented export, so a
 * config change that quietly turns validation off fails too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel, TSConfigReader, TypeDocReader, type TypeDocOptions } from 'typedoc';

// build/test/docs/ → the repository root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Keeps TypeDoc's warnings and errors instead of printing them. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`[${LogLevel[level]}] ${message}`);
  }
}

interface Run {
  messages: string[];
  modules: string[];
}

/** Converts and validates as `npm run docs` does (typedoc.json from the root), without rendering. */
async function runTypeDoc(overrides: TypeDocOptions = {}, packageDir = ROOT): Promise<Run> {
  const app = await Application.bootstrapWithPlugins(
    { options: join(ROOT, 'typedoc.json'), tsconfig: join(ROOT, 'tsconfig.json'), ...overrides },
    [new TypeDocReader(), new TSConfigReader()],
  );
  const logger = new CollectingLogger();
  app.logger = logger;
  // Entry points are inferred from package.json "exports" in this directory (TypeDoc reads process.cwd() otherwise).
  app.options.packageDir = packageDir;
  const project = await app.convert();
  assert.ok(project, `TypeDoc could not convert the project:\n${logger.messages.join('\n')}`);
  app.validate(project);
  return { messages: logger.messages, modules: project.children?.map((m) => m.name) ?? [] };
}

describe('API reference (TypeDoc validation)', () => {
  test('every export of every entry point is documented, every link resolves', async () => {
    const { messages, modules } = await runTypeDoc();
    assert.deepEqual(messages, [], `TypeDoc reported ${messages.length} problem(s):\n${messages.join('\n')}`);

    // Each entry point appears under the specifier users import (`@module pylogging/<subpath>` in its file comment).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const specifiers = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'pylogging' : `pylogging/${k.slice(2)}`))
      .sort();
    assert.deepEqual(
      [...modules].sort(),
      specifiers,
      'each entry file needs `@module <import specifier>` in its first doc comment, e.g. `@module pylogging/json`',
    );
  });

  test('the same settings fail an undocumented export (the check is really on)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogging-typedoc-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', types: [] }, files: ['index.ts'] }),
      );
      writeFileSync(
        join(dir, 'index.ts'),
        [
          '/** The fixture. @module fixture */',
          '/** Documented, with a link to {@link nowhere}. */',
          'export function documented(): void {}',
          'export function undocumented(): void {}',
          '',
        ].join('\n'),
      );
      const { messages } = await runTypeDoc(
        { entryPoints: [join(dir, 'index.ts')], tsconfig: join(dir, 'tsconfig.json') },
        dir,
      );
      assert.ok(
        messages.some((m) => m.includes('undocumented') && m.includes('does not have any documentation')),
        messages.join('\n'),
      );
      assert.ok(messages.some((m) => m.includes('nowhere')), messages.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
