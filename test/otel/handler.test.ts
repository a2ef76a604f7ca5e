/**
 * pylogging/otel LoggingHandler: the mapping of Python's `LoggingHandler._translate` (checked against the table and
 * reserved names taken from the Python SDK source, test/fixtures/otel/python-sdk.json), delivered end to end by the
 * official OTLP/HTTP exporter to a local server; flush/close/shutdown and process exit; the collector down.
 */
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { DEBUG, Formatter, getLogger, kw, LogRecord, makeLogRecord, shutdown } from '../../src/index.js';
import { dictConfig } from '../../src/config.js';
import { LoggingHandler, RESERVED_ATTRS, severityText, stdToOtel } from '../../src/otel.js';
import { RecordingHTTPServer } from '../helpers/http-server.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';
import { REPO_ROOT } from '../helpers/rsyslog.js';

const python = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'otel', 'python-sdk.json'), 'utf8')) as {
  std_to_otel: Record<string, number>;
  reserved_attrs: string[];
};
const tracer = new BasicTracerProvider().getTracer('t');
const contextManager = new AsyncLocalStorageContextManager();

before(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k];
  context.setGlobalContextManager(contextManager.enable());
});
after(() => context.disable());

let saved: Saved;
let seq = 0;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => saved.restore());

function memoryProvider(): { provider: LoggerProvider; exporter: InMemoryLogRecordExporter } {
  const exporter = new InMemoryLogRecordExporter();
  return { provider: new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }), exporter };
}

function logger(h: LoggingHandler): ReturnType<typeof getLogger> {
  const log = getLogger(`otel.h${seq++}`);
  log.propagate = false;
  log.setLevel(1);
  log.addHandler(h);
  return log;
}

/** Captures what reportError/handleError write to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array): boolean => {
    chunks.push(String(c));
    return true;
  });
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return chunks.join('');
}

describe('mapping (Python SDK _translate)', () => {
  test('severity number for every level 0-60 and severity text: the SDK\'s std_to_otel table', () => {
    for (const [level, number] of Object.entries(python.std_to_otel)) assert.equal(stdToOtel(Number(level)), number, `level ${level}`);
    assert.equal(stdToOtel(1000), 24);
    assert.deepEqual(
      ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'Level 25', 'TRACE'].map(severityText),
      ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'Level 25', 'TRACE'],
    );
  });

  test('reserved attributes are the SDK\'s _RESERVED_ATTRS; every own field of a record is among them', () => {
    assert.deepEqual([...RESERVED_ATTRS].sort(), [...python.reserved_attrs].sort());
    const r = new LogRecord('n', 20, '/p/f.js', 1, 'm', [], null);
    r.getMessage(); // no own field appears by formatting either
    new Formatter('%(asctime)s %(message)s').format(r);
    assert.deepEqual(Object.keys(r).filter((k) => !RESERVED_ATTRS.has(k)), []);
  });

  test('a record through a LoggerProvider: timestamps, severity, body, extra and code attributes, exception, trace', async () => {
    const { provider, exporter } = memoryProvider();
    const h = new LoggingHandler(DEBUG, provider);
    const log = logger(h);
    const err = new TypeError('bad input');
    let spanIds = { traceId: '', spanId: '' };
    tracer.startActiveSpan('op', (span) => {
      spanIds = span.spanContext();
      log.warning('user %s failed', 'ann', kw({ exc_info: err, extra: { user: 'ann', attempt: 2, nested: { a: [1, 'b'] } } }));
      span.end();
    });
    await h.flush();
    const [out] = exporter.getFinishedLogRecords();
    assert.ok(out);
    assert.equal(out.severityNumber, 13);
    assert.equal(out.severityText, 'WARN');
    assert.equal(out.body, 'user ann failed');
    assert.equal(out.instrumentationScope.name, log.name);
    assert.equal(out.spanContext?.traceId, spanIds.traceId);
    assert.equal(out.spanContext?.spanId, spanIds.spanId);
    const a = out.attributes;
    assert.deepEqual(
      { user: a['user'], attempt: a['attempt'], nested: a['nested'] },
      { user: 'ann', attempt: 2, nested: { a: [1, 'b'] } },
    );
    assert.equal(a['code.file.path'], fileURLToPath(import.meta.url));
    assert.equal(typeof a['code.line.number'], 'number');
    assert.equal(a['exception.type'], 'TypeError');
    assert.equal(a['exception.message'], 'bad input');
    assert.match(a['exception.stacktrace'] as string, /^TypeError: bad input\n {4}at /);
    assert.ok((a['exception.stacktrace'] as string).endsWith('\n'));
    for (const k of Object.keys(a)) assert.ok(!RESERVED_ATTRS.has(k), k);
    await h.close();
  });

  test('timestamp is Python\'s int(created * 1e9); observed timestamp is the time of emit', () => {
    const h = new LoggingHandler(0, memoryProvider().provider);
    const r = makeLogRecord({ msg: 'x', created: 1700000000.123456 });
    const t = h.translate(r);
    // 1700000000.123456 * 1e9 is 1700000000123456000 in float64 (exactly what int() of Python's product gives).
    assert.deepEqual(t.timestamp, [1700000000, 123456000]);
    const before = Date.now();
    const [s, ns] = h.translate(r).observedTimestamp as [number, number];
    assert.ok(s * 1000 + ns / 1e6 >= before - 1);
  });

  test('body: non-str msg without args is kept (objects, arrays, numbers, null, bytes), else stringified; a formatter wins', () => {
    const h = new LoggingHandler(0, memoryProvider().provider);
    const body = (msg: unknown, args: unknown[] = []): unknown => h.translate(new LogRecord('n', 20, 'p', 1, msg, args, null)).body;
    assert.deepEqual(body({ a: 1 }), { a: 1 });
    assert.deepEqual(body([1, 'x']), [1, 'x']);
    assert.equal(body(3.5), 3.5);
    assert.equal(body(true), true);
    assert.equal(body(null), null);
    assert.deepEqual(body(new Uint8Array([1, 2])), new Uint8Array([1, 2]));
    assert.deepEqual(body(new Map([['k', 'v']])), { k: 'v' });
    assert.equal(body(new Error('boom')), 'Error: boom');
    assert.equal(body(Symbol('s')), 'Symbol(s)');
    assert.equal(body('%s!', ['hi']), 'hi!');
    // Python: str(msg) % args, which raises for a msg without placeholders (emit reports it through handleError).
    assert.throws(() => body({ a: 1 }, ['extra']), { name: 'TypeError', message: 'not all arguments converted during string formatting' });
    h.setFormatter(new Formatter('%(levelname)s:%(message)s'));
    assert.equal(body('m'), 'INFO:m');
  });

  test('logCodeAttributes: false leaves the code.* attributes out (the instrumentation handler\'s default)', () => {
    const h = new LoggingHandler(0, memoryProvider().provider, { logCodeAttributes: false });
    const attrs = h.translate(new LogRecord('n', 20, 'p', 1, 'm', [], null)).attributes ?? {};
    assert.deepEqual(Object.keys(attrs), []);
    assert.equal(h.usesCallerInfo(), false);
    assert.equal(new LoggingHandler(0, memoryProvider().provider).usesCallerInfo(), true);
  });

  test('no provider set: the global no-op logger is skipped (Python skips a NoOpLogger); a set global one is used', async () => {
    const h = new LoggingHandler();
    let translated = 0;
    h.translate = ((t) => (r: LogRecord) => (translated++, t(r)))(h.translate.bind(h));
    const log = logger(h);
    log.info('dropped');
    assert.equal(translated, 0);
    const { provider, exporter } = memoryProvider();
    logs.setGlobalLoggerProvider(provider);
    try {
      log.info('kept');
      await h.flush();
      assert.deepEqual(exporter.getFinishedLogRecords().map((r) => r.body), ['kept']);
    } finally {
      logs.disable();
    }
  });

  test('options are closed; bad values are named', () => {
    assert.throws(() => new LoggingHandler({ loggerProvder: null } as never), {
      message: "LoggingHandler: unknown option 'loggerProvder' (did you mean 'loggerProvider'?)",
    });
    assert.throws(() => new LoggingHandler({ otlp: { urll: 'x' } } as never), {
      message: "LoggingHandler otlp: unknown option 'urll' (did you mean 'url'?)",
    });
    assert.throws(() => new LoggingHandler(0, 'nope' as never), { name: 'TypeError', message: /loggerProvider must be a LoggerProvider/ });
    assert.throws(() => new LoggingHandler({ otlp: true, loggerProvider: memoryProvider().provider }), { message: /not both/ });
  });

  test('an error inside the provider goes to handleError; other records still go out', async () => {
    const seen: unknown[] = [];
    const throwing = {
      getLogger: () => ({
        enabled: () => true,
        emit(r: { body?: unknown }): void {
          if (r.body === 'bad') throw new Error('provider failed');
          seen.push(r.body);
        },
      }),
    };
    const h = new LoggingHandler(0, throwing);
    const errors: unknown[] = [];
    h.handleError = (_r, e) => errors.push(e);
    const log = logger(h);
    log.info('bad');
    log.info('good');
    await h.flush();
    assert.deepEqual(seen, ['good']);
    assert.equal((errors[0] as Error).message, 'provider failed');
  });
});

describe('OTLP/HTTP end to end (exporter-logs-otlp-http, JSON)', () => {
  let server: RecordingHTTPServer;
  before(async () => {
    server = await RecordingHTTPServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  interface OtlpValue {
    stringValue?: string;
    intValue?: number | string;
    doubleValue?: number;
    boolValue?: boolean;
    kvlistValue?: { values: { key: string; value: OtlpValue }[] };
    arrayValue?: { values: OtlpValue[] };
  }
  interface OtlpRecord {
    timeUnixNano: string;
    observedTimeUnixNano: string;
    severityNumber: number;
    severityText: string;
    body: OtlpValue;
    attributes: { key: string; value: OtlpValue }[];
    traceId?: string;
    spanId?: string;
    flags?: number;
  }
  const decode = (v: OtlpValue): unknown =>
    v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ??
    (v.arrayValue ? v.arrayValue.values.map(decode) : v.kvlistValue ? Object.fromEntries(v.kvlistValue.values.map((e) => [e.key, decode(e.value)])) : null);
  function records(): { scope: string; resource: Record<string, unknown>; rec: OtlpRecord }[] {
    const out = [];
    for (const req of server.requests) {
      const body = JSON.parse(req.body.toString('utf8')) as {
        resourceLogs: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeLogs: { scope: { name: string }; logRecords: OtlpRecord[] }[] }[];
      };
      for (const rl of body.resourceLogs) {
        const resource = Object.fromEntries(rl.resource.attributes.map((a) => [a.key, decode(a.value)]));
        for (const sl of rl.scopeLogs) for (const rec of sl.logRecords) out.push({ scope: sl.scope.name, resource, rec });
      }
    }
    return out;
  }

  test('field by field: what the mapping promises is what the collector receives', async () => {
    const h = new LoggingHandler({
      level: DEBUG,
      otlp: { url: `http://127.0.0.1:${server.port}/v1/logs`, serviceName: 'checkout', resourceAttributes: { 'deployment.environment': 'test' }, scheduledDelayMillis: 600_000 },
    });
    const log = logger(h);
    const made: LogRecord[] = [];
    h.addFilter((r) => (made.push(r), true));
    let span = { traceId: '', spanId: '', traceFlags: 0 };
    tracer.startActiveSpan('op', (s) => {
      span = s.spanContext();
      log.info('hello %s', 'world', kw({ extra: { user: 'ann', n: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] } }));
      s.end();
    });
    log.log(25, { event: 'x' });
    log.error('failed', kw({ exc_info: new RangeError('too big') }));
    await h.flush();
    const got = records();
    assert.equal(server.requests[0]?.url, '/v1/logs');
    assert.deepEqual(server.requests[0]?.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1], 'application/json');
    assert.equal(got.length, 3);
    for (const [i, { scope, resource, rec }] of got.entries()) {
      const r = made[i] as LogRecord;
      assert.equal(scope, log.name);
      assert.equal(resource['service.name'], 'checkout');
      assert.equal(resource['deployment.environment'], 'test');
      assert.equal(rec.timeUnixNano, String(BigInt(Math.trunc(r.created * 1e9))));
      assert.ok(BigInt(rec.observedTimeUnixNano) >= BigInt(Math.trunc(r.created * 1e3)) * 1_000_000n);
      assert.equal(rec.severityNumber, python.std_to_otel[String(r.levelno)]);
      const attrs = Object.fromEntries(rec.attributes.map((a) => [a.key, decode(a.value)]));
      assert.equal(attrs['code.file.path'], r.pathname);
      assert.equal(attrs['code.function.name'], r.funcName);
      assert.equal(attrs['code.line.number'], r.lineno);
    }
    const [info, custom, error] = got.map((g) => g.rec) as [OtlpRecord, OtlpRecord, OtlpRecord];
    assert.equal(info.severityText, 'INFO');
    assert.deepEqual(decode(info.body), 'hello world');
    assert.equal(info.traceId, span.traceId);
    assert.equal(info.spanId, span.spanId);
    assert.equal(info.flags, 1);
    const infoAttrs = Object.fromEntries(info.attributes.map((a) => [a.key, decode(a.value)]));
    assert.deepEqual(
      { user: infoAttrs['user'], n: infoAttrs['n'], ratio: infoAttrs['ratio'], ok: infoAttrs['ok'], tags: infoAttrs['tags'] },
      { user: 'ann', n: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] },
    );
    assert.equal(custom.severityText, 'Level 25');
    assert.equal(custom.severityNumber, 12);
    assert.deepEqual(decode(custom.body), { event: 'x' });
    assert.equal(custom.traceId, undefined);
    assert.equal(error.severityText, 'ERROR');
    const errAttrs = Object.fromEntries(error.attributes.map((a) => [a.key, decode(a.value)]));
    assert.equal(errAttrs['exception.type'], 'RangeError');
    assert.equal(errAttrs['exception.message'], 'too big');
    assert.match(errAttrs['exception.stacktrace'] as string, /^RangeError: too big\n/);
    await h.close();
  });

  test('flush() sends what was accepted; close() of a built provider sends the rest and shuts it down', async () => {
    const h = new LoggingHandler({ otlp: { url: `http://127.0.0.1:${server.port}/v1/logs`, scheduledDelayMillis: 600_000 } });
    const log = logger(h);
    log.info('one');
    await h.flush();
    assert.deepEqual(records().map((r) => decode(r.rec.body)), ['one']);
    log.info('two');
    log.info('three');
    await h.close();
    assert.deepEqual(records().map((r) => decode(r.rec.body)), ['one', 'two', 'three']);
    log.info('after close');
    await h.flush();
    assert.equal(records().length, 3);
  });

  test('logging.shutdown() delivers, and dictConfig builds the handler from its Python class path', async () => {
    dictConfig({
      version: 1,
      handlers: {
        otlp: {
          class: 'opentelemetry.sdk._logs.LoggingHandler',
          level: 'INFO',
          otlp: { url: `http://127.0.0.1:${server.port}/v1/logs`, scheduledDelayMillis: 600_000 },
        },
      },
      loggers: { 'otel.dc': { handlers: ['otlp'], level: 'DEBUG', propagate: false } },
    });
    const log = getLogger('otel.dc');
    assert.ok(log.handlers[0] instanceof LoggingHandler);
    log.debug('below the handler level');
    log.info('via dictConfig');
    await shutdown([log.handlers[0]]);
    assert.deepEqual(records().map((r) => [r.scope, decode(r.rec.body)]), [['otel.dc', 'via dictConfig']]);
  });

  test('dictConfig with the JS reference pylogging/otel#LoggingHandler and its options', async () => {
    dictConfig({
      version: 1,
      handlers: {
        otlp: {
          '()': 'pylogging/otel#LoggingHandler',
          otlp: { url: `http://127.0.0.1:${server.port}/v1/logs`, scheduledDelayMillis: 600_000 },
          logCodeAttributes: false,
        },
      },
      loggers: { 'otel.ref': { handlers: ['otlp'], level: 'INFO', propagate: false } },
    });
    const log = getLogger('otel.ref');
    const h = log.handlers[0] as LoggingHandler;
    assert.ok(h instanceof LoggingHandler);
    log.info('via a JS reference');
    await h.close();
    const [got] = records();
    assert.equal(decode(got?.rec.body ?? {}), 'via a JS reference');
    assert.deepEqual(got?.rec.attributes, []);
  });

  test('dictConfig: the Python signature binds as CPython would', () => {
    assert.throws(
      () => dictConfig({ version: 1, handlers: { h: { class: 'opentelemetry.sdk._logs.LoggingHandler', logger_provder: null } } }),
      (err: Error) => {
        assert.equal(err.message, "Unable to configure handler 'h'");
        assert.equal((err.cause as Error).message, "LoggingHandler.__init__() got an unexpected keyword argument 'logger_provder'");
        return true;
      },
    );
  });

  const child = join(REPO_ROOT, 'build', 'test', 'fixtures', 'otel-exit-child.js');
  const run = promisify(execFile);

  test('process end: a program that just ends delivers (beforeExit flush)', async () => {
    await run(process.execPath, [child, 'natural', `http://127.0.0.1:${server.port}/v1/logs`, '3'], { cwd: REPO_ROOT });
    assert.deepEqual(records().map((r) => decode(r.rec.body)), ['record 0 of 3', 'record 1 of 3', 'record 2 of 3']);
  });

  test('process.exit() after await shutdown() delivers', async () => {
    await run(process.execPath, [child, 'shutdown-exit', `http://127.0.0.1:${server.port}/v1/logs`, '3'], { cwd: REPO_ROOT });
    assert.deepEqual(records().map((r) => decode(r.rec.body)), ['record 0 of 3', 'record 1 of 3', 'record 2 of 3']);
  });

  test('process.exit() without shutdown(): nothing asynchronous runs, the batch is lost (documented)', async () => {
    await run(process.execPath, [child, 'exit', `http://127.0.0.1:${server.port}/v1/logs`, '3'], { cwd: REPO_ROOT });
    assert.equal(server.requests.length, 0);
  });

  test('collector down: flush() returns within the exporter timeout, the failure is reported, the queue stays bounded', async () => {
    const down = await RecordingHTTPServer.start();
    const url = `http://127.0.0.1:${down.port}/v1/logs`;
    await down.close();
    const h = new LoggingHandler({ otlp: { url, timeoutMillis: 500, maxQueueSize: 4, maxExportBatchSize: 4, scheduledDelayMillis: 600_000 } });
    const log = logger(h);
    const report = await stderrOf(async () => {
      for (let i = 0; i < 10; i++) log.info('lost %d', i);
      await h.flush();
      await h.close();
    });
    assert.match(report, /--- Logging error ---/);
    assert.match(report, /RecordsDroppedError: LoggingHandler: OTLP export of 4 records failed/);
    // Each failed request is reported with its size (at most maxExportBatchSize); records beyond maxQueueSize are
    // dropped by the SDK's queue and not reported (only its self-observability metrics count them).
    const counts = [...report.matchAll(/OTLP export of (\d+) record/g)].map((m) => Number(m[1]));
    assert.ok(counts.length >= 1 && counts.every((c) => c >= 1 && c <= 4), String(counts));
    assert.ok(counts.reduce((a, b) => a + b, 0) <= 10);
  });
});
