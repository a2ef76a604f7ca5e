/**
 * Issue 18: a program that logs to a file does not pay for Node's network modules. `pylogging/handlers` loads
 * `node:net`, `tls`, `http`, `https`, `dgram` and `dns` only when a network handler needs one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const NETWORK = ['net', 'tls', 'http', 'https', 'dgram', 'dns', 'dns/promises'];

function loadedAfter(code: string): string[] {
  const handlers = new URL('../../src/handlers.js', import.meta.url).href;
  const index = new URL('../../src/index.js', import.meta.url).href;
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
