/**
 * HTTPHandler against a real HTTP(S) server on port 0. What CPython's HTTPHandler sends for the same record, to a
 * server of the same kind, is the expected side (python3 oracle, 3.13 where available).
 */
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogRecord, RecordsDroppedError, ValueError, shutdown } from '../../src/index.js';
import type { Clock } from '../../src/internal/clock.js';
import { HTTPError, HTTPHandler, type HTTPConnection, type HTTPHandlerOptions } from '../../src/handlers/http.js';
import { quotePlus, urlencode } from '../../src/internal/urlencode.js';
import {
  comparableHeaders, makeCert, RecordingHTTPServer, runPythonAsync, type Cert, type RecordedRequest,
} from '../helpers/http-server.js';
import { runPython } from '../helpers/python.js';

let dir: string;
let serverCert: Cert;
let clientCert: Cert;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pylogging-http-'));
  serverCert = makeCert(dir, 'server');
  clientCert = makeCert(dir, 'client', 'pylogging-client');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** An HTTPHandler whose failures are collected (and announced) instead of printed. */
class TestHTTPHandler extends HTTPHandler {
  readonly errors: unknown[] = [];
  readonly events = new EventEmitter();
  override handleError(_record: LogRecord, err?: unknown): void {
    this.errors.push(err);
    this.events.emit('error-reported', err);
  }
  async nextError(): Promise<unknown> {
    if (this.errors.length > 0) return this.errors[this.errors.length - 1];
    const [err] = await once(this.events, 'error-reported');
    return err;
  }
}

/** A deterministic record, with extra fields that exercise quoting (None, True, '&', '=', '/', UTF-8, CR/LF). */
function makeRecord(msg = 'hi %s', args: unknown[] = ['there']): LogRecord {
  const r = new LogRecord('app.web', 30, '/app/x.py', 7, msg, args, null, 'f', null, 1700000000500);
  r['n'] = null;
  r['flag'] = true;
  r['sp'] = 'a b&c=d/é ~_.-+ 😀';
  r['inj'] = 'x\r\nX-Injected: 1';
  r['count'] = 3;
  r['ratio'] = 0.1;
  return r;
}

/** The record's fields as JSON, for python3 to rebuild with CPython's types (tuple args, float times). */
function recordForPython(r: LogRecord): Record<string, unknown> {
  return { ...r };
}

const PY_HTTP = String.raw`
import json, sys, ssl, logging, logging.handlers
cfg = json.load(sys.stdin)
class H(logging.handlers.HTTPHandler):
    def handleError(self, record):
        raise
for case in cfg['cases']:
    ctx = None
    if case.get('cafile'):
        ctx = ssl.create_default_context(cafile=case['cafile'])
        if case.get('certfile'):
            ctx.load_cert_chain(case['certfile'], case['keyfile'])
    creds = tuple(case['credentials']) if case.get('credentials') else None
    h = H(case['host'], case['url'], method=case['method'], secure=case.get('secure', False), credentials=creds, context=ctx)
    d = dict(case['record'])
    if isinstance(d['args'], list):
        d['args'] = tuple(d['args'])
    for k in ('created', 'msecs', 'relativeCreated'):
        d[k] = float(d[k])
    h.emit(logging.makeLogRecord(d))
print(json.dumps({'ok': True}))
`;

interface Case {
  host: string;
  url: string;
  method: string;
  secure?: boolean;
  credentials?: [string, string];
  cafile?: string;
  certfile?: string;
  keyfile?: string;
  record: Record<string, unknown>;
}

/** Sends `record` with CPython's HTTPHandler and with ours to `server`; returns [python's request, ours]. */
async function bothSides(
  server: RecordingHTTPServer,
  c: Omit<Case, 'record' | 'host'>,
  options: HTTPHandlerOptions,
  record = makeRecord(),
): Promise<[RecordedRequest, RecordedRequest]> {
  const host = `127.0.0.1:${server.port}`;
  const start = server.requests.length;
  await runPythonAsync(PY_HTTP, { cases: [{ ...c, host, record: recordForPython(record) }] });
  const h = new TestHTTPHandler(host, c.url, options);
  h.handle(record);
  await h.close();
  assert.deepEqual(h.errors, []);
  const reqs = await server.waitFor(start + 2);
  return [reqs[start] as RecordedRequest, reqs[start + 1] as RecordedRequest];
}

function assertSameRequest(py: RecordedRequest, ours: RecordedRequest): void {
  assert.equal(ours.method, py.method);
  assert.equal(ours.url, py.url);
  assert.deepEqual(comparableHeaders(ours.headers), comparableHeaders(py.headers));
  assert.equal(ours.body.toString('latin1'), py.body.toString('latin1'));
}

describe('HTTPHandler: the request equals CPython\'s', () => {
  let server: RecordingHTTPServer;
  before(async () => {
    server = await RecordingHTTPServer.start();
  });
  after(() => server.close());

  test('GET puts urlencode(record.__dict__) in the query string', async () => {
    const [py, ours] = await bothSides(server, { url: '/log', method: 'GET' }, {});
    assertSameRequest(py, ours);
    assert.match(ours.url, /^\/log\?name=app\.web&msg=hi\+%25s&args=%28%27there%27%2C%29&levelname=WARNING&/);
    assert.match(ours.url, /&n=None&flag=True&sp=a\+b%26c%3Dd%2F%C3%A9\+~_\.-%2B\+%F0%9F%98%80&inj=x%0D%0AX-Injected%3A\+1&/);
    assert.equal(ours.body.length, 0);
  });

  test('GET with a query already in the URL appends with &', async () => {
    const [py, ours] = await bothSides(server, { url: '/a?b=c', method: 'GET' }, {});
    assertSameRequest(py, ours);
    assert.ok(ours.url.startsWith('/a?b=c&name=app.web&'));
  });

  test('POST sends a form body with Content-type/Content-length and Basic credentials (UTF-8, colon kept)', async () => {
    const [py, ours] = await bothSides(
      server,
      { url: '/log?x=1', method: 'POST', credentials: ['user', 'pä:ss'] },
      { method: 'post', credentials: ['user', 'pä:ss'] },
    );
    assertSameRequest(py, ours);
    const names = comparableHeaders(ours.headers).map(([k]) => k);
    assert.deepEqual(names, ['Host', 'Accept-Encoding', 'Content-type', 'Content-length', 'Authorization']);
    assert.equal(ours.url, '/log?x=1');
  });

  test('%-args with several values, a mapping, none, and unicode in msg', async () => {
    for (const [msg, args] of [
      ['%s and %d', ['a', 2]],
      ['%(k)s', [{ k: 'v', n: null }]],
      ['plain ünïcode', []],
    ] as [string, unknown[]][]) {
      const [py, ours] = await bothSides(server, { url: '/log', method: 'POST' }, { method: 'POST' }, makeRecord(msg, args));
      assertSameRequest(py, ours);
    }
  });

  test('the Host header drops the default port, as http.client does', async () => {
    const hosts = ['example.com', 'example.com:80', 'example.com:8080', '[::1]:8080', '[::1]', 'example.com:443'];
    const expected = runPython<Record<string, string>>(
      String.raw`
import json, sys, http.client
out = {}
for h in json.load(sys.stdin):
    c = http.client.HTTPConnection(h)
    c.putrequest('GET', '/')
    out[h] = [l.decode() for l in c._buffer if l.startswith(b'Host:')][0][6:]
print(json.dumps(out))`,
      hosts,
    );
    for (const host of hosts) {
      const h = new (class extends TestHTTPHandler {
        override getConnection(): HTTPConnection {
          return { protocol: 'http:', hostname: '127.0.0.1', port: server.port, agent: new http.Agent() };
        }
      })(host, '/host');
      const got = once(server, 'request');
      h.handle(makeRecord());
      const [req] = (await got) as [RecordedRequest];
      await h.close();
      assert.equal(req.headers.find(([k]) => k === 'Host')?.[1], expected[host], host);
    }
  });
});

describe('HTTPHandler over HTTPS', () => {
  let server: RecordingHTTPServer;
  before(async () => {
    server = await RecordingHTTPServer.start({ tls: { key: serverCert.key, cert: serverCert.cert, ca: clientCert.cert } });
  });
  after(() => server.close());

  test('with a context trusting the CA, the request equals CPython\'s over TLS', async () => {
    const [py, ours] = await bothSides(
      server,
      { url: '/secure', method: 'POST', secure: true, cafile: serverCert.certPath },
      { method: 'POST', secure: true, context: { ca: serverCert.cert } },
    );
    assertSameRequest(py, ours);
    assert.equal(ours.clientCN, null);
  });

  test('a client certificate from the context is presented', async () => {
    const [py, ours] = await bothSides(
      server,
      { url: '/mtls', method: 'GET', secure: true, cafile: serverCert.certPath, certfile: clientCert.certPath, keyfile: clientCert.keyPath },
      { secure: true, context: { ca: serverCert.cert, cert: clientCert.cert, key: clientCert.key } },
    );
    assertSameRequest(py, ours);
    assert.equal(py.clientCN, 'pylogging-client');
    assert.equal(ours.clientCN, 'pylogging-client');
  });

  test('an untrusted server certificate is a TLS error reported through handleError', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/x', { secure: true });
    h.handle(makeRecord());
    await h.flush();
    const err = (await h.nextError()) as { code?: string };
    assert.match(String(err.code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
    await h.close();
  });

  test('rejectUnauthorized: false accepts the self-signed certificate', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/insecure', { secure: true, context: { rejectUnauthorized: false } });
    const got = once(server, 'request');
    h.handle(makeRecord());
    await h.close();
    const [req] = (await got) as [RecordedRequest];
    assert.ok(req.url.startsWith('/insecure?name=app.web'));
    assert.deepEqual(h.errors, []);
  });
});

describe('HTTPHandler delivery', () => {
  let server: RecordingHTTPServer;
  before(async () => {
    server = await RecordingHTTPServer.start();
  });
  after(() => server.close());

  test('emit() returns before the request is answered; flush() waits; the connection is kept alive and reused', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/ka', { method: 'POST' });
    const start = server.requests.length;
    server.hold = true;
    for (let i = 0; i < 3; i++) h.handle(makeRecord('n=%d', [i]));
    await server.waitFor(start + 1);
    assert.equal(server.requests.length, start + 1); // one in flight; the rest wait in the queue
    let flushed = false;
    const f = h.flush().then(() => (flushed = true));
    assert.equal(flushed, false);
    server.release();
    await f;
    const reqs = (await server.waitFor(start + 3)).slice(start);
    assert.deepEqual(reqs.map((r) => new URLSearchParams(r.body.toString()).get('args')), ['(0,)', '(1,)', '(2,)']);
    assert.equal(new Set(reqs.map((r) => r.connection)).size, 1);
    await h.close();
    assert.deepEqual(h.errors, []);
  });

  test('a 500 and a 404 are reported with the status and the reply', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/fail', { method: 'POST' });
    server.status = 500;
    h.handle(makeRecord());
    await h.flush();
    server.status = 404;
    h.handle(makeRecord());
    await h.close();
    server.status = 200;
    assert.equal(h.errors.length, 2);
    const [e500, e404] = h.errors as HTTPError[];
    assert.ok(e500 instanceof HTTPError);
    assert.equal(e500.status, 500);
    assert.match(e500.message, /^HTTP Error 500: Internal Server Error \(response: "server says no"\)$/);
    assert.equal(e404?.status, 404);
    assert.equal(e404?.code, 'ERR_PYLOGGING_HTTP_STATUS');
  });

  test('a refused connection is reported', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const h = new TestHTTPHandler(`127.0.0.1:${port}`, '/refused');
    h.handle(makeRecord());
    await h.close();
    assert.equal((h.errors[0] as { code?: string }).code, 'ECONNREFUSED');
  });

  test('a server that never answers is given up after `timeout` and reported', async () => {
    server.silent = true;
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/slow', { timeout: 0.2 });
    h.handle(makeRecord());
    await h.close();
    server.silent = false;
    assert.match(String(h.errors[0]), /no response from 127\.0\.0\.1:\d+ within 0\.2 s/);
  });

  test('a full queue drops records and reports how many, once', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/full', { capacity: 1 });
    const start = server.requests.length;
    server.hold = true;
    h.handle(makeRecord('first', []));
    await server.waitFor(start + 1); // in flight
    for (let i = 0; i < 4; i++) h.handle(makeRecord('more', [])); // one queued, three dropped
    assert.equal(h.dropped, 3);
    server.release();
    await h.close();
    assert.equal(h.errors.length, 1);
    assert.match(String(h.errors[0]), /dropped 3 records/);
    assert.equal(server.requests.length, start + 2);
  });

  test('emit() after close() is reported, not sent', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/closed');
    await h.close();
    h.handle(makeRecord());
    assert.match(String(h.errors[0]), /HTTPHandler is closed/);
    assert.equal(await h.close(), undefined);
  });

  test('CR/LF in record fields are percent-encoded and add no header', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/inj', { method: 'POST' });
    const got = once(server, 'request');
    h.handle(makeRecord('line1\r\nX-Evil: yes', []));
    await h.close();
    const [req] = (await got) as [RecordedRequest];
    assert.equal(req.headers.some(([k]) => /x-evil|x-injected/i.test(k)), false);
    const form = new URLSearchParams(req.body.toString());
    assert.equal(form.get('msg'), 'line1\r\nX-Evil: yes');
    assert.equal(form.get('inj'), 'x\r\nX-Injected: 1');
  });

  test('json: true posts mapLogRecord() as JSON (beyond CPython)', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/json', { method: 'POST', json: true });
    const got = once(server, 'request');
    h.handle(makeRecord());
    await h.close();
    const [req] = (await got) as [RecordedRequest];
    assert.equal(req.headers.find(([k]) => k === 'Content-type')?.[1], 'application/json');
    const body = JSON.parse(req.body.toString('utf8'));
    assert.deepEqual([body.name, body.msg, body.args, body.n, body.sp], ['app.web', 'hi %s', ['there'], null, 'a b&c=d/é ~_.-+ 😀']);
  });

  test('mapLogRecord() can be overridden to send other fields', async () => {
    const h = new (class extends TestHTTPHandler {
      override mapLogRecord(r: LogRecord): Record<string, unknown> {
        return { level: r.levelname, text: r.getMessage() };
      }
    })(`127.0.0.1:${server.port}`, '/mapped');
    const got = once(server, 'request');
    h.handle(makeRecord());
    await h.close();
    const [req] = (await got) as [RecordedRequest];
    assert.equal(req.url, '/mapped?level=WARNING&text=hi+there');
  });
});

/** A clock the test moves by hand. */
class FakeClock implements Clock {
  t = 1_700_000_000;
  now(): number {
    return this.t;
  }
}

/** The records of a form batch: one form per line. */
function formLines(req: RecordedRequest): URLSearchParams[] {
  return req.body.toString('utf8').split('\n').map((line) => new URLSearchParams(line));
}

describe('HTTPHandler batching (beyond CPython, opt-in)', () => {
  let server: RecordingHTTPServer;
  before(async () => {
    server = await RecordingHTTPServer.start();
  });
  after(() => server.close());

  test('maxRecords cuts batches by count; flush() sends the partial batch; each line is the CPython form body', async () => {
    const host = `127.0.0.1:${server.port}`;
    const h = new TestHTTPHandler(host, '/batch?x=1', { method: 'POST', batch: { maxRecords: 3, maxDelay: Infinity } });
    const start = server.requests.length;
    for (let i = 0; i < 7; i++) h.handle(makeRecord('n=%d', [i]));
    await server.waitFor(start + 2); // two full batches went out without a flush
    await h.flush(); // the third, partial one
    const reqs = server.requests.slice(start);
    assert.deepEqual(reqs.map((r) => formLines(r).map((f) => f.get('args'))), [['(0,)', '(1,)', '(2,)'], ['(3,)', '(4,)', '(5,)'], ['(6,)']]);
    for (const r of reqs) {
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/batch?x=1');
      assert.equal(r.headers.find(([k]) => k === 'Content-type')?.[1], 'text/plain; charset=utf-8');
      assert.equal(r.headers.find(([k]) => k === 'Content-length')?.[1], String(r.body.length));
    }
    // CR/LF inside fields stay percent-encoded: they cannot split a line.
    assert.equal(formLines(reqs[0] as RecordedRequest)[0]?.get('inj'), 'x\r\nX-Injected: 1');
    // Each line is byte for byte what the unbatched handler (tested equal to CPython's above) posts for that record.
    const single = new TestHTTPHandler(host, '/single', { method: 'POST' });
    const rec = makeRecord('n=%d', [0]);
    single.handle(rec);
    await single.close();
    const lastReq = server.requests[server.requests.length - 1] as RecordedRequest;
    assert.equal(reqs[0]?.body.toString('utf8').split('\n')[0], lastReq.body.toString('utf8'));
    await h.close();
    assert.deepEqual(h.errors, []);
    assert.deepEqual(single.errors, []);
  });

  test('json: true sends a batch as a JSON array of mapLogRecord() objects', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/jbatch', { method: 'POST', json: true, batch: { maxRecords: 2 } });
    const start = server.requests.length;
    for (let i = 0; i < 3; i++) h.handle(makeRecord('n=%d', [i]));
    await h.close();
    const reqs = server.requests.slice(start);
    assert.equal(reqs.length, 2);
    for (const r of reqs) assert.equal(r.headers.find(([k]) => k === 'Content-type')?.[1], 'application/json');
    const bodies = reqs.map((r) => JSON.parse(r.body.toString('utf8')) as { args: number[]; n: null; sp: string }[]);
    assert.deepEqual(bodies.map((b) => b.map((o) => o.args)), [[[0], [1]], [[2]]]);
    assert.deepEqual([bodies[0]?.[0]?.n, bodies[0]?.[0]?.sp], [null, 'a b&c=d/é ~_.-+ 😀']);
    assert.deepEqual(h.errors, []);
  });

  test('maxDelay cuts batches by time: a record arriving when the batch is maxDelay old (injected clock) sends it first', async () => {
    const clock = new FakeClock();
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/timed', { method: 'POST', clock, batch: { maxRecords: 100, maxDelay: 5 } });
    const start = server.requests.length;
    h.handle(makeRecord('a', []));
    clock.t += 4.999;
    h.handle(makeRecord('b', [])); // 4.999 s after the first: same batch
    clock.t += 0.001;
    h.handle(makeRecord('c', [])); // 5 s after the first: [a, b] goes out, c starts the next batch
    const [first] = (await server.waitFor(start + 1)).slice(start);
    clock.t += 100; // nothing else is emitted, so nothing is sent until flush()
    await h.flush();
    const reqs = server.requests.slice(start);
    assert.deepEqual([formLines(first as RecordedRequest).map((f) => f.get('msg'))], [['a', 'b']]);
    assert.deepEqual(reqs.map((r) => formLines(r).map((f) => f.get('msg'))), [['a', 'b'], ['c']]);
    await h.close();
    assert.deepEqual(h.errors, []);
  });

  test('maxDelay\'s timer sends a waiting batch without flush()', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/timer', { method: 'POST', batch: { maxDelay: 0.02 } });
    const got = once(server, 'request');
    h.handle(makeRecord('a', []));
    h.handle(makeRecord('b', []));
    const [req] = (await got) as [RecordedRequest]; // the event the timer causes, not a sleep
    assert.deepEqual(formLines(req).map((f) => f.get('msg')), ['a', 'b']);
    await h.close();
    assert.deepEqual(h.errors, []);
  });

  test('close() and shutdown() send a partial batch that would otherwise wait for maxDelay', async () => {
    for (const end of ['close', 'shutdown'] as const) {
      const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, `/${end}`, { method: 'POST', batch: { maxRecords: 100, maxDelay: 3600 } });
      const start = server.requests.length;
      h.handle(makeRecord('a', []));
      h.handle(makeRecord('b', []));
      assert.equal(server.requests.length, start);
      if (end === 'close') await h.close();
      else await shutdown([h]);
      const reqs = server.requests.slice(start);
      assert.deepEqual(reqs.map((r) => [r.url, formLines(r).map((f) => f.get('msg'))]), [[`/${end}`, ['a', 'b']]], end);
      assert.deepEqual(h.errors, []);
    }
  });

  test('a failed batch is reported once, with its record count and the HTTPError as cause', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/batchfail', { method: 'POST', batch: { maxRecords: 100 } });
    server.status = 503;
    try {
      for (let i = 0; i < 3; i++) h.handle(makeRecord('n=%d', [i]));
      await h.flush();
    } finally {
      server.status = 200;
    }
    await h.close();
    assert.equal(h.errors.length, 1);
    const err = h.errors[0] as RecordsDroppedError;
    assert.ok(err instanceof RecordsDroppedError);
    assert.equal(err.dropped, 3);
    assert.equal(err.code, 'ERR_PYLOGGING_RECORDS_DROPPED');
    assert.match(err.message, /^HTTPHandler could not deliver a batch of 3 records: HTTP Error 503: Service Unavailable/);
    assert.ok(err.cause instanceof HTTPError);
    assert.equal(err.cause.status, 503);
    assert.equal(h.dropped, 0); // given up, not dropped: as for single records
  });

  test('a full queue drops whole batches and counts their records, reported once', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/batchfull', { method: 'POST', capacity: 1, batch: { maxRecords: 2 } });
    const start = server.requests.length;
    server.hold = true;
    h.handle(makeRecord('a', []));
    h.handle(makeRecord('b', [])); // batch 1: in flight
    await server.waitFor(start + 1);
    for (let i = 0; i < 6; i++) h.handle(makeRecord('more', [])); // batch 2 queued; batches 3 and 4 dropped
    h.handle(makeRecord('last', [])); // a partial batch, dropped too at close()
    server.release();
    await h.close();
    assert.equal(h.dropped, 5);
    assert.equal(h.errors.length, 1);
    const err = h.errors[0] as RecordsDroppedError;
    assert.equal(err.dropped, 5);
    assert.match(err.message, /dropped 5 records/);
    assert.deepEqual(server.requests.slice(start).map((r) => formLines(r).length), [2, 2]);
  });

  test('emit() after close() is reported, not batched', async () => {
    const h = new TestHTTPHandler(`127.0.0.1:${server.port}`, '/closedbatch', { method: 'POST', batch: {} });
    await h.close();
    h.handle(makeRecord());
    assert.match(String(h.errors[0]), /HTTPHandler is closed/);
  });

  test('process end: the waiting batch is sent when the event loop runs dry, reported as lost on process.exit()', async () => {
    const mod = new URL('../../src/handlers/http.js', import.meta.url).href;
    const script = (ending: string): string => `
      import { HTTPHandler } from ${JSON.stringify(mod)};
      import { LogRecord } from ${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)};
      const h = new HTTPHandler('127.0.0.1:${server.port}', '/exit-${ending}', { method: 'POST', batch: { maxDelay: 3600 } });
      for (const m of ['a', 'b']) h.handle(new LogRecord('child', 30, 'x.js', 1, m, [], null));
      ${ending === 'exit' ? 'process.exit(0);' : ''}`;
    const run = async (ending: string): Promise<string> => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(ending)], { stdio: ['ignore', 'ignore', 'pipe'] });
      const err: Buffer[] = [];
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 0);
      return Buffer.concat(err).toString();
    };
    const start = server.requests.length;
    assert.equal(await run('dry'), '');
    const reqs = server.requests.slice(start);
    assert.deepEqual(reqs.map((r) => [r.url, formLines(r).map((f) => f.get('msg'))]), [['/exit-dry', ['a', 'b']]]);
    const stderr = await run('exit');
    assert.match(stderr, /RecordsDroppedError: HTTPHandler lost 2 records: still batched at process exit/);
    assert.equal(server.requests.length, start + 1);
  });
});

describe('HTTPHandler constructor', () => {
  const table: [string, () => unknown, string][] = [
    ['a method other than GET/POST', () => new HTTPHandler('h', '/', { method: 'PUT' }), 'method must be GET or POST'],
    ['context without secure', () => new HTTPHandler('h', '/', { context: { ca: 'x' } }), 'context parameter only makes sense with secure=True'],
    ['a non-numeric port', () => new HTTPHandler('h:8o', '/'), "nonnumeric port: '8o'"],
  ];
  for (const [name, make, message] of table) {
    test(`throws CPython's ValueError for ${name}`, () => {
      assert.throws(make, (e: unknown) => e instanceof ValueError && e instanceof RangeError && (e).message === message);
    });
  }

  test('CPython raises the same ValueErrors', () => {
    const got = runPython<string[]>(String.raw`
import json, logging.handlers
out = []
for kw in ({'method': 'PUT'}, {'context': object()}):
    try:
        logging.handlers.HTTPHandler('h', '/', **kw)
    except ValueError as e:
        out.append(str(e))
print(json.dumps(out))`);
    assert.deepEqual(got, ['method must be GET or POST', 'context parameter only makes sense with secure=True']);
  });

  test('a URL with CR/LF or a space is refused (http.client refuses it at putrequest)', () => {
    assert.throws(() => new HTTPHandler('h', '/log\r\nX-Evil: 1'), ValueError);
    assert.throws(() => new HTTPHandler('h', '/a b'), ValueError);
  });

  test('batch needs POST and valid limits', () => {
    assert.throws(() => new HTTPHandler('h', '/', { batch: {} }), (e: unknown) => e instanceof ValueError && e.message === 'batch requires method POST');
    for (const batch of [{ maxRecords: 0 }, { maxRecords: 1.5 }, { maxDelay: 0 }, { maxDelay: -1 }, { maxDelay: NaN }, { maxDelay: 1e10 }]) {
      assert.throws(() => new HTTPHandler('h', '/', { method: 'POST', batch }), RangeError, JSON.stringify(batch));
    }
    assert.ok(new HTTPHandler('h', '/', { method: 'POST', batch: { maxDelay: Infinity } }));
  });

  test('method is upper-cased, defaults keep CPython\'s values', () => {
    const h = new HTTPHandler('example.com', '/x', { method: 'post' });
    assert.deepEqual([h.method, h.secure, h.credentials, h.context, h.timeout], ['POST', false, null, null, 5]);
  });
});

describe('urlencode', () => {
  test('quote_plus and urlencode equal Python\'s for awkward strings and values', () => {
    const strings = ['', 'a b', 'a+b', '~_.-', '/?#[]@!$&\'()*,;=%', 'é', '😀', '\r\n\t\0', 'ü'.repeat(3)];
    const expected = runPython<string[]>(
      String.raw`
import json, sys, urllib.parse
print(json.dumps([urllib.parse.quote_plus(s) for s in json.load(sys.stdin)]))`,
      strings,
    );
    assert.deepEqual(strings.map(quotePlus), expected);
    const py = runPython<string>(String.raw`
import json, urllib.parse
print(json.dumps(urllib.parse.urlencode({'a': None, 'b': True, 'c': 3, 'd': 0.5, 'e': [1, 'x'], 'f': {'k': None}, 'g': 'x y'})))`);
    assert.equal(urlencode({ a: null, b: true, c: 3, d: 0.5, e: [1, 'x'], f: { k: undefined }, g: 'x y' }), py);
  });
});
