/**
 * Issue 18: a program that logs to a file does not pay for Node's network modules. `pylogging/handlers` loads
 * `node:net`, `tls`, `http`, `https`, `dgram` and `dns` only when a network handler needs one; and the published
 * bundle does not pay for the ES-module facades of the built-ins it uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const NETWORK = ['net', 'tls', 'http', 'https', 'dgram', 'dns', 'dns/promises'];

function loadedAfter(code: string, build: 'src' | 'dist' = 'src'): string[] {
  const handlers = new URL(`../../${build}/handlers.js`, import.meta.url).href;
  const index = new URL(`../../${build}/index.js`, import.meta.url).href;
  const script = `
    const before = new Set(process.moduleLoadList);
    const { getLogger } = await import(${JSON.stringify(index)});
    const h = await import(${JSON.stringify(handlers)});
    ${code}
    const fresh = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule '));
    process.stdout.write(JSON.stringify(fresh.map((m) => m.slice('NativeModule '.length))));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

test('importing pylogging/handlers and logging to a FileHandler loads no network module', () => {
  const loaded = loadedAfter(`
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const log = getLogger('lazy');
    const fh = new h.FileHandler(join(mkdtempSync(join(tmpdir(), 'pylogging-lazy-')), 'a.log'));
    log.addHandler(fh);
    log.warning('one line');
    fh.close();`);
  assert.deepEqual(loaded.filter((m) => NETWORK.includes(m)), []);
});

test('the network modules load when a network handler is built and used', () => {
  const loaded = loadedAfter(`
    const sock = new h.SocketHandler('127.0.0.1', 9);
    await sock.makeSocket(1).then((s) => s.destroy(), () => undefined);
    sock.close();
    new h.HTTPHandler('127.0.0.1:9', '/').getConnection('127.0.0.1:9', true);`);
  for (const m of ['net', 'https', 'tls']) assert.ok(loaded.includes(m), `${m} in ${loaded.join(' ')}`);
});

// What the ES-module facades of `node:fs` and `node:util` load (they read every export, lazy getters included) and
// pylogging never uses: the published bundle takes built-ins with process.getBuiltinModule (scripts/bundle.mjs).
const FACADE_ONLY = ['internal/fs/streams', 'internal/util/parse_args/parse_args', 'internal/mime'];

test('the published bundle (build/dist) logs to a file without loading what the built-ins\' ES facades would', () => {
  const loaded = loadedAfter(
    `
    const { mkdtempSync } = process.getBuiltinModule('node:fs');
    const { join } = process.getBuiltinModule('node:path');
    const { tmpdir } = process.getBuiltinModule('node:os');
    const log = getLogger('lazy');
    const fh = new h.FileHandler(join(mkdtempSync(join(tmpdir(), 'pylogging-lazy-')), 'a.log'));
    log.addHandler(fh);
    log.warning('one line');
    fh.close();`,
    'dist',
  );
  assert.deepEqual(loaded.filter((m) => FACADE_ONLY.includes(m) || NETWORK.includes(m)), []);
  // The same program through an ES import of node:fs does load them: the check above can fail.
  const withFacade = loadedAfter(`await import('node:fs'); await import('node:util');`, 'dist');
  assert.ok(FACADE_ONLY.every((m) => withFacade.includes(m)), withFacade.join(' '));
});
