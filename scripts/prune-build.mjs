// Removes compiled files whose TypeScript source is gone. The build is incremental (tsc --incremental), and tsc never
// deletes an output, so a removed or renamed source would otherwise leave its .js/.d.ts/.map behind in build/ and in
// the published tarball (found when src/formatters/color-options.ts was removed).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = join(root, 'build');
const OUTPUT = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

/** @param {string} dir */
function walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(build, 'snippets')) walk(path); // the docs test's own output, not tsc's
      continue;
    }
    const m = OUTPUT.exec(entry.name);
    if (!m) continue;
    const source = join(root, relative(build, dir), entry.name.slice(0, -m[1].length) + '.ts');
    if (!existsSync(source)) rmSync(path);
  }
}
for (const top of ['src', 'test', 'bench', 'examples']) walk(join(build, top));
