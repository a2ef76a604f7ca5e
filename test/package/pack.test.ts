/**
 * The package as a user gets it: `npm pack` (which builds: the `prepare` script), the tarball's contents, an install
 * into an empty project with no devDependencies, every entry point of package.json "exports" imported from ESM and
 * required from CommonJS, its types under each TypeScript resolution mode, the quick start and the `pylogging`
 * command run from the installed copy, the optional peers really absent, and attw + publint on the tarball.
 *
 * Entry points are read from package.json "exports", never listed here, so a new one is checked as soon as it is
 * exported. The install from a git URL (`git+file://` of a clone of HEAD) installs every devDependency in the clone
 * to build it, which takes minutes: it runs when CI=true (`.ci/run`) or PYLOGGING_TEST_GIT_INSTALL=1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');

interface Manifest {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
}
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Each export as the specifier a user writes (`pylogging`, `pylogging/handlers`), with its targets. */
const ENTRIES = Object.entries(PKG.exports).map(([key, target]) => ({
  key,
  specifier: key === '.' ? PKG.name : `${PKG.name}/${key.slice(2)}`,
  targets: typeof target === 'string' ? { default: target } : target,
}));
const CODE_ENTRIES = ENTRIES.filter((e) => !e.key.endsWith('.json'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Child processes get no coverage collection (c8 measures build/src, not the installed copy) and no test context. */
const { NODE_V8_COVERAGE: _c, NODE_TEST_CONTEXT: _t, ...ENV } = process.env;

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...ENV, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

async function ok(cmd: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Run> {
  const r = await run(cmd, args, cwd, env);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** An empty project (type: module) under `parent`: it gets only what a test installs into it. */
function emptyProject(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  return dir;
}

/**
 * Prints, as JSON, for every code entry: its export names, or the error importing it. The same script runs as ESM
 * (`import()`) and as CommonJS (`require()`, which loads ES modules on Node >= 20.19).
 */
function importScript(kind: 'esm' | 'cjs'): string {
  const load = kind === 'esm' ? 'await import(spec)' : 'require(spec)';
  const body = `const out = {};
for (const spec of ${JSON.stringify(CODE_ENTRIES.map((e) => e.specifier))}) {
  try { out[spec] = { names: Object.keys(${load}).sort() }; }
  catch (e) { out[spec] = { error: String(e.code ?? e.name), message: String(e.message) }; }
}
out['package.json'] = require('${PKG.name}/package.json').version;
console.log(JSON.stringify(out));`;
  return kind === 'esm' ? `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${body}` : body;
}

/** A worker entry's module guards itself: imported outside a worker thread it throws this. */
const WORKER_ONLY = /runs only as a worker thread/;

describe('the packed package', () => {
  let work = '';
  let tarball = '';
  let packed: { path: string }[] = [];
  let project = '';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'pylogging-pack-'));
    // Scripts run (no --ignore-scripts): `npm pack` must build by itself (prepare).
    const r = await ok('npm', ['pack', '--json', '--pack-destination', work], ROOT);
    const [info] = JSON.parse(r.stdout) as [{ filename: string; files: { path: string }[] }];
    tarball = join(work, info.filename);
    packed = info.files;
    project = emptyProject(work, 'project');
    await ok('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], project);
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the build of src/ (and its bundle), its sources, README, docs, LICENSE, and nothing else', () => {
    const paths = packed.map((f) => f.path).sort();
    const allowed = /^(?:build\/src\/.+\.(?:js|d\.ts|js\.map|d\.ts\.map)|build\/dist\/(?:.+\.js|.+\.js\.map|package\.json)|src\/.+\.ts|docs\/.+\.md|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
    assert.deepEqual(paths.filter((p) => !allowed.test(p)), []);
    for (const p of ['README.md', 'LICENSE', 'package.json']) assert.ok(paths.includes(p), p);
    assert.equal(paths.filter((p) => /^(?:build\/)?(?:test|bench|examples)\//.test(p)).length, 0);
    // every export target and the bin are in it
    for (const e of ENTRIES) for (const t of Object.values(e.targets)) assert.ok(paths.includes(posix.normalize(t)), `${e.key} → ${t}`);
    for (const t of Object.values(PKG.bin)) assert.ok(paths.includes(posix.normalize(t)), t);
    // the maps point at sources that are shipped
    const installed = join(project, 'node_modules', PKG.name);
    for (const map of paths.filter((p) => p.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      for (const s of sources) assert.ok(paths.includes(posix.join(posix.dirname(map), s)), `${map} → ${s}`);
    }
    // what the shipped README and docs link to is shipped too (npm shows the README with no repository to resolve against)
    for (const page of paths.filter((p) => p.endsWith('.md'))) {
      const text = readFileSync(join(installed, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        assert.ok(paths.includes(posix.normalize(posix.join(posix.dirname(page), target))), `${page} links to ${target}, not in the tarball`);
      }
    }
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} pylogging contributors\n/);
  });

  test('installs alone: no dependency, and the optional peers (koffi, unix-dgram, nodemailer) are not pulled in', () => {
    assert.deepEqual(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.')), [PKG.name]);
    for (const peer of ['koffi', 'unix-dgram', 'nodemailer']) {
      assert.ok(PKG.peerDependencies[peer], peer);
      assert.equal(PKG.peerDependenciesMeta[peer]?.optional, true, peer);
    }
  });

  test('every entry point in "exports" imports from ESM and requires from CommonJS, with the same names', async () => {
    writeFileSync(join(project, 'esm.mjs'), importScript('esm'));
    writeFileSync(join(project, 'cjs.cjs'), importScript('cjs'));
    const [esm, cjs] = await Promise.all([ok('node', ['esm.mjs'], project), ok('node', ['cjs.cjs'], project)]);
    assert.equal(esm.stderr, '');
    assert.equal(cjs.stderr, ''); // require(esm) without an ExperimentalWarning on this Node
    type Result = Record<string, { names?: string[]; error?: string; message?: string } | string>;
    const fromEsm = JSON.parse(esm.stdout) as Result;
    const fromCjs = JSON.parse(cjs.stdout) as Result;
    assert.equal(fromEsm['package.json'], PKG.version);
    assert.equal(fromCjs['package.json'], PKG.version);
    for (const { specifier } of CODE_ENTRIES) {
      const e = fromEsm[specifier] as { names?: string[]; message?: string };
      const c = fromCjs[specifier] as { names?: string[]; error?: string; message?: string };
      if (e.names) {
        assert.ok(e.names.length > 0, specifier);
        assert.deepEqual(c, e, `${specifier}: require() gives what import() gives`);
      } else {
        // A worker thread's entry file (for new Worker() and bundlers): it loaded, ran, and refused the main thread.
        assert.match(e.message ?? '', WORKER_ONLY, `${specifier}: ${e.message}`);
        assert.ok(c.error === 'ERR_REQUIRE_ASYNC_MODULE' || WORKER_ONLY.test(c.message ?? ''), `${specifier}: ${c.message}`);
      }
    }
    const usable = CODE_ENTRIES.filter((x) => (fromEsm[x.specifier] as { names?: string[] }).names);
    assert.ok(usable.some((x) => x.key === '.') && usable.some((x) => x.key === './handlers'));
  });

  test('types for every entry point under moduleResolution nodenext, node16, bundler and node10', async () => {
    const specs = CODE_ENTRIES.map((e) => e.specifier);
    const imports = specs.map((s, i) => `import * as m${i} from '${s}';`).join('\n');
    const use = `export const all = [${specs.map((_, i) => `m${i}`).join(', ')}];\nconst log: m0.Logger = m0.getLogger('types');\nlog.info('%s', 'ok');\n`;
    assert.equal(specs[0], PKG.name); // m0 is the main entry
    writeFileSync(join(project, 'types.mts'), `${imports}\n${use}`);
    writeFileSync(join(project, 'types.ts'), `${imports}\n${use}`);
    // TypeScript >= 5.8 lets CommonJS require() an ES module under module nodenext (as Node >= 20.19 does).
    const requires = specs.map((s, i) => `import m${i} = require('${s}');`).join('\n');
    writeFileSync(join(project, 'types.cts'), `${requires}\n${use}`);
    const tsc = [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--target', 'es2022',
      '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node'];
    // Each run costs seconds, so: the declarations themselves are checked once (skipLibCheck false, nodenext, ESM and
    // CommonJS files in one program); the other modes check resolution and use. attw below covers each mode too.
    const modes: [string, string[]][] = [
      ['nodenext (ESM and CommonJS)', ['--skipLibCheck', 'false', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'types.mts', 'types.cts']],
      ['node16 (ESM)', ['--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', 'types.mts']],
      ['bundler', ['--skipLibCheck', '--module', 'esnext', '--moduleResolution', 'bundler', 'types.ts']],
      // typesVersions maps the subpaths for node10
      ['node10', ['--skipLibCheck', '--module', 'commonjs', '--moduleResolution', 'node10', 'types.ts']],
    ];
    const results = [];
    for (const [, args] of modes) results.push(await run(process.execPath, [...tsc, ...args], project)); // 2 cores: one at a time
    results.forEach((r, i) => assert.equal(r.code, 0, `${modes[i]?.[0]}:\n${r.stdout}${r.stderr}`));
  });

  test('attw (every entry, every resolution mode) and publint pass on the tarball', async () => {
    // attw's JSON (~250 kB) goes to a file: it ends with process.exit(), which cuts a pipe's pending output short.
    const attwOut = join(work, 'attw.json');
    const [attw, publint] = await Promise.all([
      run('sh', ['-c', `"$0" "$1" "$2" --format json > "$3"`, process.execPath, join(BIN, 'attw'), tarball, attwOut], work),
      ok(process.execPath, [join(BIN, 'publint'), 'run', tarball, '--strict'], work),
    ]);
    assert.match(publint.stdout, /All good!/);
    assert.equal(attw.stderr, '');
    const { analysis } = JSON.parse(readFileSync(attwOut, 'utf8')) as {
      analysis: { entrypoints: Record<string, unknown>; problems: { kind: string; entrypoint: string; resolutionKind: string }[] };
    };
    assert.deepEqual(Object.keys(analysis.entrypoints).sort(), ENTRIES.map((e) => e.key).sort());
    // The one finding is by design: the package is ESM only, so TypeScript's node16 mode sees `require()` of it from
    // CommonJS as "dynamic import only" (Node >= 20.19 and TypeScript's nodenext allow it: checked above).
    const other = analysis.problems.filter((p) => !(p.kind === 'CJSResolvesToESM' && p.resolutionKind === 'node16-cjs'));
    assert.deepEqual(other, []);
  });

  test('typesVersions (node10) maps every subpath export to its types', () => {
    const map = PKG.typesVersions?.['*'] ?? {};
    for (const e of CODE_ENTRIES.filter((x) => x.key !== '.')) {
      assert.deepEqual(map[e.key.slice(2)], [e.targets['types']], `typesVersions["*"]["${e.key.slice(2)}"]`);
    }
  });

  test('the quick start runs from the installed package', async () => {
    copyFileSync(join(ROOT, 'build', 'examples', 'quickstart.js'), join(project, 'quickstart.js'));
    const r = await ok('node', ['quickstart.js'], project);
    assert.match(r.stderr, /^\d{4}-\d\d-\d\d [\d:,]+ WARNING app\.web: slow request: \/api\/items took 812\.3 ms$/m);
    assert.match(r.stderr, /ERROR app\.web: could not parse the body of request req-42\nSyntaxError: /);
    assert.match(r.stdout, /DEBUG {4}app\.db \[quickstart\.js:\d+\]: connecting to db\.internal:5432\n/);
  });

  test('the bundled worker entry files run: thread mode and WorkerQueueListener deliver from the installed package', async () => {
    // Every worker starts from an entry file of the bundle (the default workerUrl, and each exported worker entry
    // given as workerUrl). A bundler that dropped an entry file's side effects would leave a worker that never reads.
    const script = `
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getLogger } from 'pylogging';
import { SocketHandler, QueueHandler, WorkerQueueListener } from 'pylogging/handlers';
const resolve = createRequire(import.meta.url).resolve;
const frames = [];
let buf = Buffer.alloc(0);
const server = net.createServer((s) => s.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) { frames.push(buf.readUInt32BE(0)); buf = buf.subarray(4 + buf.readUInt32BE(0)); }
}));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const out = {};
for (const url of [undefined, resolve('pylogging/socket-worker'), resolve('pylogging/worker')]) {
  const before = frames.length;
  const h = new SocketHandler('127.0.0.1', port, { thread: url === undefined ? true : { workerUrl: url } });
  const log = getLogger('thread'); log.propagate = false; log.addHandler(h);
  for (let i = 0; i < 300; i++) log.warning('n=%d', i);
  await h.close(); log.removeHandler(h);
  while (frames.length < before + 300) await new Promise((r) => setTimeout(r, 10));
  out[url ?? 'default'] = frames.length - before;
}
const listener = new WorkerQueueListener([{ class: 'FileHandler', filename: 'queue.log', formatter: '%(message)s' }]);
const qh = new QueueHandler(listener.queue);
const qlog = getLogger('queue'); qlog.propagate = false; qlog.addHandler(qh);
listener.start();
for (let i = 0; i < 300; i++) qlog.warning('q=%d', i);
await listener.stop();
out.queue = readFileSync('queue.log', 'utf8').split('\\n').filter(Boolean).length;
server.close();
console.log(JSON.stringify(out));
`;
    writeFileSync(join(project, 'workers.mjs'), script);
    const r = await ok('node', ['workers.mjs'], project);
    const got = JSON.parse(r.stdout) as Record<string, number>;
    assert.deepEqual(Object.values(got), [300, 300, 300, 300], r.stdout);
    assert.equal(r.stderr, '');
  });

  test('the installed pylogging command: --version, listen --help', async () => {
    const bin = join(project, 'node_modules', '.bin', 'pylogging');
    assert.equal((await ok(bin, ['--version'], project)).stdout, `${PKG.version}\n`);
    assert.match((await ok(bin, ['listen', '--help'], project)).stdout, /^usage: pylogging listen /);
  });

  test('without the optional unix-dgram installed: a clear error naming the package to install', async () => {
    const sock = join(work, 'absent.dgram');
    const script = `import { DatagramHandler, SysLogHandler } from '${PKG.name}/handlers';
try { new SysLogHandler({ address: ${JSON.stringify(sock)}, socktype: 'dgram' }); } catch (e) { console.log(e.message); }
try { new DatagramHandler(${JSON.stringify(sock)}, null); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    writeFileSync(join(project, 'no-peer.mjs'), script);
    const r = await ok('node', ['no-peer.mjs'], project);
    const [syslog, datagram] = r.stdout.split('\n');
    assert.equal(syslog, "socktype 'dgram' on a unix path needs the optional package 'unix-dgram' (npm install unix-dgram)");
    assert.match(datagram ?? '', /^UnixDgramMissingError: unix datagram sockets need the optional package 'unix-dgram' \(npm install unix-dgram\): Cannot find module 'unix-dgram'/);
    const cli = await run(join(project, 'node_modules', '.bin', 'pylogging'), ['listen', '--unix-dgram', sock], project);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /^pylogging listen: unix datagram sockets need the optional package 'unix-dgram' \(npm install unix-dgram\): Cannot find module 'unix-dgram'/);
    assert.equal(existsSync(sock), false);
  });

  const gitInstall = process.env['CI'] === 'true' || process.env['PYLOGGING_TEST_GIT_INSTALL'] === '1';
  test('installs from a git URL (a clone of HEAD): npm builds it, and it imports', { skip: !gitInstall && 'slow (installs every devDependency to build): runs when CI=true or PYLOGGING_TEST_GIT_INSTALL=1' }, async () => {
    const clone = join(work, 'clone');
    await ok('git', ['clone', '--quiet', '--no-local', ROOT, clone], work);
    assert.equal(existsSync(join(clone, 'build')), false); // a fresh clone: nothing built
    const dir = emptyProject(work, 'git-project');
    // npm's git fetcher installs the clone's devDependencies and runs prepare (the build) before packing it. (npm 11.19
    // then lists pylogging's prepare as an install script not covered by allowScripts: it has already run.)
    await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${clone}`], dir);
    writeFileSync(join(dir, 'esm.mjs'), importScript('esm'));
    const r = await ok('node', ['esm.mjs'], dir);
    const got = JSON.parse(r.stdout) as Record<string, { names?: string[] }>;
    assert.ok(got[PKG.name]?.names?.includes('getLogger'), r.stdout);
  });
});
