/**
 * pylogging/otel trace correlation, with the real OpenTelemetry JS API and trace SDK: the four fields of Python's
 * LoggingInstrumentor inside nested spans, across await, outside any span, on a worker thread's output, from the
 * dictConfig filter; uninstrument() and the lazy loading.
 */
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as immediate } from 'node:timers/promises';
import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  DEBUG,
  Formatter,
  getLogger,
  getLogRecordFactory,
  Handler,
  LogRecord,
  root,
} from '../../src/index.js';
import { dictConfig } from '../../src/config.js';
import { QueueHandler } from '../../src/handlers/queue.js';
import { WorkerQueueListener } from '../../src/handlers/worker-listener.js';
import {
  DEFAULT_LOGGING_FORMAT,
  instrumentLogging,
  LoggingHandler,
  LoggingInstrumentor,
  TraceContextFilter,
  uninstrumentLogging,
} from '../../src/otel.js';
import { saveLoggingState, type Saved } from '../helpers/reset.js';
import { REPO_ROOT } from '../helpers/rsyslog.js';

const dir = mkdtempSync(join(tmpdir(), 'pylogging-otel-'));
const contextManager = new AsyncLocalStorageContextManager();
const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }) });
const tracer = provider.getTracer('test');

before(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k];
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  trace.disable();
  context.disable();
});

class Recorder extends Handler {
  records: LogRecord[] = [];
  lines: string[] = [];
  override emit(record: LogRecord): void {
    this.records.push(record);
    this.lines.push(this.format(record));
  }
}

let saved: Saved;
let seq = 0;
beforeEach(() => {
  saved = saveLoggingState();
});
afterEach(() => {
  if (new LoggingInstrumentor().is_instrumented_by_opentelemetry) uninstrumentLogging();
  saved.restore();
});

function setup(fmt = '%(otelTraceID)s %(otelSpanID)s %(otelTraceSampled)r %(otelServiceName)s|%(message)s') {
  const rec = new Recorder();
  rec.setFormatter(new Formatter(fmt));
  const log = getLogger(`otel.t${seq++}`);
  log.propagate = false;
  log.setLevel(DEBUG);
  log.addHandler(rec);
  return { log, rec };
}

const ids = (span: Span): string => `${span.spanContext().traceId} ${span.spanContext().spanId}`;

describe('instrument({ injectTraceContext: true })', () => {
  test('nested spans, across await, and outside any span', async () => {
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const { log, rec } = setup();
    log.info('before');
    const expected: string[] = ['0 0 False checkout|before'];
    await tracer.startActiveSpan('outer', async (outer) => {
      log.info('outer');
      expected.push(`${ids(outer)} True checkout|outer`);
      await tracer.startActiveSpan('inner', async (inner) => {
        await immediate();
        log.info('inner after await');
        expected.push(`${ids(inner)} True checkout|inner after await`);
        inner.end();
      });
      await new Promise((r) => setTimeout(r, 1));
      log.info('outer again');
      expected.push(`${ids(outer)} True checkout|outer again`);
      outer.end();
    });
    log.info('after');
    expected.push('0 0 False checkout|after');
    assert.deepEqual(rec.lines, expected);
    const r = rec.records[1] as LogRecord;
    assert.match(r['otelTraceID'] as string, /^[0-9a-f]{32}$/);
    assert.match(r['otelSpanID'] as string, /^[0-9a-f]{16}$/);
    assert.equal(r['otelTraceSampled'], true);
  });

  test('concurrent requests each see their own span', async () => {
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const { log, rec } = setup('%(otelSpanID)s|%(message)s');
    const spans: Span[] = [];
    await Promise.all(
      ['a', 'b'].map((name) =>
        tracer.startActiveSpan(name, async (span) => {
          spans.push(span);
          log.info(name);
          await immediate();
          log.info(name);
          span.end();
        }),
      ),
    );
    const byMsg = rec.lines.map((l) => l.split('|')).sort((x, y) => (x[1] as string).localeCompare(y[1] as string));
    const [sa, sb] = spans.sort((x, y) => (x as unknown as { name: string }).name.localeCompare((y as unknown as { name: string }).name));
    assert.deepEqual(byMsg, [
      [sa?.spanContext().spanId, 'a'], [sa?.spanContext().spanId, 'a'],
      [sb?.spanContext().spanId, 'b'], [sb?.spanContext().spanId, 'b'],
    ]);
  });

  test('an unsampled span: its ids, otelTraceSampled false', () => {
    const unsampled = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off');
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const { log, rec } = setup();
    unsampled.startActiveSpan('off', (span) => {
      log.info('x');
      assert.deepEqual(rec.lines, [`${ids(span)} False checkout|x`]);
      span.end();
    });
  });

  test('a span context propagated from elsewhere (non-recording span) counts, as in Python', () => {
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const { log, rec } = setup('%(otelTraceID)s %(otelSpanID)s %(otelTraceSampled)r|%(message)s');
    const remote = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    context.with(trace.setSpan(context.active(), remote), () => log.info('remote'));
    assert.deepEqual(rec.lines, ['0af7651916cd43dd8448eb211c80319c b7ad6b7169203331 True|remote']);
  });

  test('service name: from the tracerProvider option; "" for a resource without one', () => {
    const other = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing' }) });
    instrumentLogging({ injectTraceContext: true, tracerProvider: other, enableLogAutoInstrumentation: false });
    const { log, rec } = setup('%(otelServiceName)s|%(message)s');
    log.info('x');
    uninstrumentLogging();
    const bare = { getTracer: () => tracer, resource: resourceFromAttributes({}) };
    instrumentLogging({ injectTraceContext: true, tracerProvider: bare, enableLogAutoInstrumentation: false });
    log.info('y');
    assert.deepEqual(rec.lines, ['billing|x', '|y']);
  });

  test('extra cannot overwrite the fields: KeyError, as in Python (the factory sets them first)', () => {
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const log = getLogger('otel.extra');
    assert.throws(() => log.makeRecord('otel.extra', 20, 'f.js', 1, 'x', [], null, null, { otelTraceID: 'mine' }), {
      name: 'KeyError',
    });
  });
});

describe('logHook, setLoggingFormat, uninstrument', () => {
  test('logHook gets the span and the record inside a span only; its errors are swallowed', () => {
    const seen: [string, string][] = [];
    instrumentLogging({
      enableLogAutoInstrumentation: false,
      logHook: (span, record) => {
        seen.push([span.spanContext().spanId, record.getMessage()]);
        record['hooked'] = true;
        throw new Error('ignored');
      },
    });
    const { log, rec } = setup('%(message)s');
    log.info('outside');
    tracer.startActiveSpan('s', (span) => {
      log.info('inside');
      assert.deepEqual(seen, [[span.spanContext().spanId, 'inside']]);
      span.end();
    });
    assert.equal(rec.records[0]?.['hooked'], undefined);
    assert.equal(rec.records[1]?.['hooked'], true);
    // Only the hook was asked for: no fields injected.
    assert.equal(rec.records[1]?.['otelTraceID'], undefined);
  });

  test('setLoggingFormat: basicConfig with Python\'s DEFAULT_LOGGING_FORMAT at INFO', () => {
    for (const h of [...root.handlers]) root.removeHandler(h);
    instrumentLogging({ setLoggingFormat: true, enableLogAutoInstrumentation: false });
    assert.equal(root.level, 20);
    const h = root.handlers[0] as Handler;
    assert.equal(h.formatter?._fmt, DEFAULT_LOGGING_FORMAT);
    const record = getLogger('root').makeRecord('root', 30, '/x/example.py', 7, 'OTel test', [], null);
    // Python's own example output (instrumentation __init__.py docstring), apart from the time and the bool's %s.
    assert.match(
      h.format(record),
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING \[root\] \[example\.py:7\] \[trace_id=0 span_id=0 resource\.service\.name=checkout trace_sampled=false\] - OTel test$/,
    );
  });

  test('OTEL_PYTHON_LOG_CORRELATION=true means setLoggingFormat, OTEL_PYTHON_LOG_FORMAT its format', () => {
    for (const h of [...root.handlers]) root.removeHandler(h);
    process.env['OTEL_PYTHON_LOG_CORRELATION'] = 'true';
    process.env['OTEL_PYTHON_LOG_FORMAT'] = '%(otelTraceID)s %(message)s';
    process.env['OTEL_PYTHON_LOG_LEVEL'] = 'debug';
    try {
      instrumentLogging({ enableLogAutoInstrumentation: false });
    } finally {
      delete process.env['OTEL_PYTHON_LOG_CORRELATION'];
      delete process.env['OTEL_PYTHON_LOG_FORMAT'];
      delete process.env['OTEL_PYTHON_LOG_LEVEL'];
    }
    assert.equal(root.level, DEBUG);
    assert.equal(root.handlers[0]?.formatter?._fmt, '%(otelTraceID)s %(message)s');
  });

  test('by default a LoggingHandler for the global logger provider joins the root logger; uninstrument removes it', () => {
    const before = getLogRecordFactory();
    const handlersBefore = [...root.handlers];
    instrumentLogging({ injectTraceContext: true });
    const added = root.handlers.filter((h) => !handlersBefore.includes(h));
    assert.equal(added.length, 1);
    assert.ok(added[0] instanceof LoggingHandler);
    assert.notEqual(getLogRecordFactory(), before);
    uninstrumentLogging();
    assert.equal(getLogRecordFactory(), before);
    assert.deepEqual(root.handlers, handlersBefore);
    const { log, rec } = setup('%(message)s');
    log.info('plain');
    assert.equal(rec.records[0]?.['otelTraceID'], undefined);
  });

  test('instrument twice / uninstrument twice: Python\'s warnings, no second wrapper', () => {
    const warnings = new Recorder();
    getLogger('opentelemetry.instrumentation.instrumentor').addHandler(warnings);
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const factory = getLogRecordFactory();
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    assert.equal(getLogRecordFactory(), factory);
    uninstrumentLogging();
    uninstrumentLogging();
    assert.deepEqual(warnings.records.map((r) => r.getMessage()), [
      'Attempting to instrument while already instrumented',
      'Attempting to uninstrument while already uninstrumented',
    ]);
  });

  test('unknown option: TypeError naming it, with a suggestion', () => {
    assert.throws(() => instrumentLogging({ injectTraceContex: true } as never), {
      name: 'TypeError',
      message: "instrument(): unknown option 'injectTraceContex' (did you mean 'injectTraceContext'?)",
    });
  });
});

describe('TraceContextFilter (dictConfig)', () => {
  test('a dictConfig filter adds the four fields to what a handler formats', () => {
    const rec = new Recorder();
    dictConfig({
      version: 1,
      filters: { otel: { '()': 'pylogging/otel#TraceContextFilter' } },
      formatters: { f: { format: '%(otelTraceID)s/%(otelSpanID)s/%(otelServiceName)s %(message)s' } },
      handlers: { h: { '()': () => rec, formatter: 'f', filters: ['otel'] } },
      loggers: { 'otel.dict': { handlers: ['h'], level: 'DEBUG', propagate: false } },
    });
    assert.ok(rec.filters[0] instanceof TraceContextFilter);
    const log = getLogger('otel.dict');
    log.info('out');
    tracer.startActiveSpan('s', (span) => {
      log.info('in');
      span.end();
      assert.deepEqual(rec.lines, ['0/0/checkout out', `${span.spanContext().traceId}/${span.spanContext().spanId}/checkout in`]);
    });
  });
});

describe('worker thread', () => {
  test('WorkerQueueListener: the worker writes the ids current on the logging thread', async () => {
    instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false });
    const path = join(dir, 'worker.log');
    const listener = new WorkerQueueListener({
      class: 'FileHandler',
      filename: path,
      formatter: { format: '%(otelTraceID)s %(otelSpanID)s %(otelServiceName)s|%(message)s' },
    });
    const qh = new QueueHandler(listener.queue);
    qh.listener = listener;
    const log = getLogger(`otel.w${seq++}`);
    log.propagate = false;
    log.setLevel(DEBUG);
    log.addHandler(qh);
    listener.start();
    const expected = ['0 0 checkout|outside'];
    log.info('outside');
    await Promise.all(
      ['w1', 'w2'].map((name) =>
        tracer.startActiveSpan(name, async (span) => {
          log.info(name);
          await immediate();
          log.info(`${name} later`);
          expected.push(`${ids(span)} checkout|${name}`, `${ids(span)} checkout|${name} later`);
          span.end();
        }),
      ),
    );
    await listener.stop();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(lines.sort(), expected.sort());
  });
});

describe('loading', () => {
  test('the built modules import no OpenTelemetry package statically', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.js')) files.push(p);
      }
    };
    walk(join(REPO_ROOT, 'build', 'src'));
    const offenders = files.filter((f) => /(?:from|import)\s*\(?\s*['"]@opentelemetry\//.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  test('importing pylogging/otel loads nothing; instrument() loads @opentelemetry/api; a missing peer is named', () => {
    const script = `
      const Module = require('node:module');
      const loaded = [];
      const orig = Module._load;
      const hide = process.argv[1];
      Module._load = function (req, ...rest) {
        if (req.startsWith('@opentelemetry/')) {
          loaded.push(req);
          if (req === hide) { const e = new Error("Cannot find module '" + req + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        }
        return orig.call(this, req, ...rest);
      };
      (async () => {
        const otel = await import('pylogging/otel');
        const logging = await import('pylogging');
        logging.getLogger('x').warning('plain');
        const out = { afterImport: [...loaded] };
        try { otel.instrumentLogging({ injectTraceContext: true, enableLogAutoInstrumentation: false }); out.instrumented = [...loaded]; }
        catch (e) { out.error = e.message; }
        try { new otel.LoggingHandler(); out.handler = [...loaded]; }
        catch (e) { out.handlerError = e.message; }
        otel.uninstrumentLogging();
        try { otel.instrumentLogging({ injectTraceContext: true }); out.rootHandlers = logging.root.handlers.length; }
        catch (e) { out.defaultError = e.message; }
        console.log(JSON.stringify(out));
      })();
    `;
    const run = (hide: string): Record<string, unknown> =>
      JSON.parse(execFileSync(process.execPath, ['-e', script, hide], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Record<string, unknown>;
    assert.deepEqual(run('none'), {
      afterImport: [],
      instrumented: ['@opentelemetry/api'],
      handler: ['@opentelemetry/api', '@opentelemetry/api-logs'],
      rootHandlers: 1,
    });
    const missing = run('@opentelemetry/api');
    assert.equal(missing['error'], "Trace correlation needs the optional peer dependency '@opentelemetry/api': npm install @opentelemetry/api");
    const noLogs = run('@opentelemetry/api-logs');
    assert.equal(noLogs['handlerError'], "LoggingHandler needs the optional peer dependency '@opentelemetry/api-logs': npm install @opentelemetry/api-logs");
    // Correlation alone needs only @opentelemetry/api: the default handler is left out without api-logs.
    assert.equal(noLogs['rootHandlers'], 0);
    assert.equal(noLogs['defaultError'], undefined);
  });
});
