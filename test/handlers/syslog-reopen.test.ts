/**
 * A record logged after close() reopens the SysLogHandler, as CPython's emit() does (issue #17 item 2): UDP over
 * IPv4 and IPv6, and a unix stream socket. CPython's SysLogHandler logs to the same peers first; both must deliver
 * both records, with the same bytes.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLogRecord } from '../../src/index.js';
import { SysLogHandler, type SysLogAddress } from '../../src/handlers.js';
import { runPythonAsync } from '../helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-syslog-reopen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A peer that collects what arrives, as text per datagram or per stream chunk. */
interface Peer {
  got: string[];
  waitFor(n: number): Promise<string[]>;
  close(): Promise<void>;
}

function collector(): Pick<Peer, 'got' | 'waitFor'> & { push(s: string): void } {
  const got: string[] = [];
  const waiters: { n: number; resolve: (v: string[]) => void }[] = [];
  return {
    got,
    push(s) {
      got.push(s);
      for (const w of waiters.splice(0)) {
        if (got.length >= w.n) w.resolve(got);
        else waiters.push(w);
      }
    },
    waitFor(n) {
      return got.length >= n ? Promise.resolve(got) : new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

async function udpPeer(type: 'udp4' | 'udp6', host: string): Promise<Peer & { port: number }> {
  const c = collector();
  const sock = createSocket(type);
  sock.on('message', (m) => c.push(m.toString('latin1')));
  sock.bind(0, host);
  await once(sock, 'listening');
  return { ...c, port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) };
}

async function unixStreamPeer(path: string): Promise<Peer> {
  const c = collector();
  let buf = '';
  const server = createServer((s) => s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    // CPython's unix stream syslog ends each message with NUL (append_nul)
    for (let i = buf.indexOf('\0'); i >= 0; i = buf.indexOf('\0')) {
      c.push(buf.slice(0, i + 1));
      buf = buf.slice(i + 1);
    }
  }));
  server.listen(path);
  await once(server, 'listening');
  return { ...c, close: () => new Promise((r) => server.close(() => r())) };
}

const PY = String.raw`
import json, logging, logging.handlers, socket, sys
cfg = json.load(sys.stdin)
a = cfg['address']
addr = tuple(a) if isinstance(a, list) else a
h = logging.handlers.SysLogHandler(address=addr)
for msg in ('before close', 'after close'):
    h.handle(logging.makeLogRecord({'msg': msg, 'levelname': 'WARNING', 'levelno': 30}))
    h.close()
print(json.dumps('ok'))
`;

async function bothSides(address: SysLogAddress, peer: Peer): Promise<void> {
  assert.equal(await runPythonAsync(PY, { address }), 'ok');
  const fromPython = [...(await peer.waitFor(2))];
  const h = new SysLogHandler({ address });
  for (const msg of ['before close', 'after close']) {
    h.handle(makeLogRecord({ msg, levelname: 'WARNING', levelno: 30 }));
    await h.close();
  }
  const all = await peer.waitFor(4);
  assert.deepEqual(all.slice(2), fromPython);
  assert.equal(h.dropped, 0);
}

// Without the reopen the record after close() never arrives: the bound makes that a failure, not a hang.
describe('SysLogHandler reopens after close(), as CPython', { timeout: 30_000 }, () => {
  test('UDP over IPv4', async () => {
    const peer = await udpPeer('udp4', '127.0.0.1');
    try {
      await bothSides(['127.0.0.1', peer.port], peer);
    } finally {
      await peer.close();
    }
  });

  test('UDP over IPv6', async () => {
    const peer = await udpPeer('udp6', '::1');
    try {
      await bothSides(['::1', peer.port], peer);
    } finally {
      await peer.close();
    }
  });

  test('a unix stream socket', async () => {
    const path = join(dir, 'log.sock');
    const peer = await unixStreamPeer(path);
    try {
      await bothSides(path, peer);
    } finally {
      await peer.close();
    }
  });
});
