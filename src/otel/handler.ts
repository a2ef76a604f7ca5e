/**
 * Python's `opentelemetry.sdk._logs.LoggingHandler`: records become OpenTelemetry log records, handed to a
 * `LoggerProvider` of `@opentelemetry/sdk-logs`, whose processors and exporters do the batching, sending and retries.
 *
 * Ported from opentelemetry-python 0a5d76b (1.45.0.dev, 2026-08-21),
 * opentelemetry-sdk/src/opentelemetry/sdk/_logs/_internal/__init__.py: `_RESERVED_ATTRS` (lines 511-538),
 * `LoggingHandler` (541-665: `_get_attributes`, `_translate`, `emit`, `flush`), `_STD_TO_OTEL`/`std_to_otel`
 * (952-1010). `logCodeAttributes` and the recursion guard come from the handler that replaces it in
 * opentelemetry-python-contrib 466ae4c, instrumentation/opentelemetry-instrumentation-logging/.../handler.py.
 * No OpenTelemetry package is loaded until a handler is constructed.
 */
import type * as OtelApi from '@opentelemetry/api';
import type * as ApiLogs from '@opentelemetry/api-logs';
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import type * as OtlpHttp from '@opentelemetry/exporter-logs-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import { RecordsDroppedError } from '../core/errors.js';
import { Formatter } from '../core/formatter.js';
import { Handler, reportError } from '../core/handler.js';
import { checkLevel, NOTSET, type Level } from '../core/levels.js';
import type { LogRecord } from '../core/record.js';
import { str } from '../core/repr.js';
import { recordCount } from '../internal/drop-ledger.js';
import { checkOptions } from '../internal/options.js';
import { requireOtel } from './load.js';
import { severityText, stdToOtel } from './severity.js';
import type { LoggerProviderLike, OtelLoggerLike, OtelLogRecord } from './types.js';
import { pyOptions, type PySignature } from '../core/py-signature.js';

/**
 * The provider {@link LoggingHandler} builds when `otlp` is given: `BatchLogRecordProcessor` + `OTLPLogExporter`
 * (OTLP/HTTP, JSON). Unset keys take the SDK's defaults and its `OTEL_EXPORTER_OTLP_*`/`OTEL_BLRP_*` variables.
 */
export interface OtlpOptions {
  /** The collector's logs endpoint; default `http://localhost:4318/v1/logs`. */
  url?: string;
  /** Extra request headers (authentication). */
  headers?: Record<string, string>;
  /** Per-request timeout of the exporter, retries included (SDK default 10000 ms). */
  timeoutMillis?: number;
  /** Records waiting to be exported; beyond it new records are dropped (SDK default 2048). */
  maxQueueSize?: number;
  /** Records per request (SDK default 512). */
  maxExportBatchSize?: number;
  /** Delay between two exports (SDK default 1000 ms). */
  scheduledDelayMillis?: number;
  /** Bound on one export, after which it counts as failed (SDK default 30000 ms). */
  exportTimeoutMillis?: number;
  /** `service.name` of the resource (loads `@opentelemetry/resources`). */
  serviceName?: string;
  /** Further resource attributes (loads `@opentelemetry/resources`). */
  resourceAttributes?: Record<string, string | number | boolean>;
}

/** Options of {@link LoggingHandler}; `level` and `loggerProvider` may also be given positionally, as in Python. */
export interface LoggingHandlerOptions {
  /** The handler's level (Python's `level`), default NOTSET. */
  level?: Level;
  /** The provider records go to (Python's `logger_provider`); default the global one (`logs.getLoggerProvider()`). */
  loggerProvider?: LoggerProviderLike | null;
  /** Build a provider that exports over OTLP/HTTP (`true` for the defaults); not with `loggerProvider`. */
  otlp?: boolean | OtlpOptions;
  /**
   * Add `code.file.path`, `code.function.name`, `code.line.number` (default true, as the SDK's handler; the
   * instrumentation's handler defaults to false). Turns on caller capture for loggers that reach this handler.
   */
  logCodeAttributes?: boolean;
}

const OPTION_KEYS = ['level', 'loggerProvider', 'otlp', 'logCodeAttributes'] as const;
const OTLP_KEYS = [
  'url',
  'headers',
  'timeoutMillis',
  'maxQueueSize',
  'maxExportBatchSize',
  'scheduledDelayMillis',
  'exportTimeoutMillis',
  'serviceName',
  'resourceAttributes',
] as const;

/** `_RESERVED_ATTRS`: the record's own attributes, never copied into the log record's attributes. */
export const RESERVED_ATTRS: ReadonlySet<string> = new Set([
  'asctime', 'args', 'created', 'exc_info', 'exc_text', 'filename', 'funcName', 'getMessage', 'message', 'levelname',
  'levelno', 'lineno', 'module', 'msecs', 'msg', 'name', 'pathname', 'process', 'processName', 'relativeCreated',
  'stack_info', 'thread', 'threadName', 'taskName',
]);

const plainFormatter = new Formatter();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function emptyArgs(args: unknown): boolean {
  if (args === null || args === undefined) return true;
  if (Array.isArray(args)) return args.length === 0;
  return typeof args === 'object' && Object.keys(args).length === 0;
}

/**
 * The body when there is no formatter (`_translate`, lines 583-624): a non-string `msg` without arguments is kept
 * as it is when OTLP can carry it — Python's None, bool, bytes, int, float, str, Sequence and Mapping; here null,
 * booleans, numbers, `Uint8Array`, arrays, plain objects and `Map`s — and stringified otherwise.
 */
function bodyOf(record: LogRecord): unknown {
  const msg = record.msg;
  if (emptyArgs(record.args) && typeof msg !== 'string') {
    if (msg === null || msg === undefined) return null;
    if (typeof msg === 'boolean' || typeof msg === 'number' || msg instanceof Uint8Array) return msg;
    if (Array.isArray(msg) || isPlainObject(msg)) return msg;
    if (msg instanceof Map) return Object.fromEntries(msg) as unknown;
    return str(msg);
  }
  return record.getMessage();
}

/** Python's `int(record.created * 1e9)`, as an `HrTime`: the same float product, truncated, then split exactly. */
function hrTimeOf(created: number): OtelApi.HrTime {
  const ns = BigInt(Math.trunc(created * 1e9));
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

function exceptionName(value: unknown): string | null {
  if (value instanceof Error) return value.name;
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return value.constructor?.name ?? 'Object';
  return typeof value;
}

/**
 * A handler that turns each record into an OpenTelemetry log record and emits it through a `LoggerProvider` —
 * Python's `opentelemetry.sdk._logs.LoggingHandler(level, logger_provider)`. See docs/otel.md for the mapping.
 *
 * `flush()` resolves when the provider's `forceFlush()` does (everything accepted so far exported, or given up).
 * `close()` shuts down a provider the handler built (`otlp`), exporting what is queued; a provider passed in or the
 * global one belongs to the application and is only flushed. When the event loop runs dry, a handler that accepted
 * records since its last flush flushes once (`'beforeExit'`), so a program that simply ends delivers them; on
 * `process.exit()` nothing asynchronous can run: `await shutdown()` first.
 *
 * Differs from Python: `flush()` waits for the export instead of starting it in a thread; failed exports of a
 * built provider are reported through `handleError` as a `RecordsDroppedError` (the SDK alone reports them only to
 * its `diag` logger).
 * @throws {Error} naming the OpenTelemetry package to install when one is missing.
 */
export class LoggingHandler extends Handler {
  readonly #provider: LoggerProviderLike | null;
  readonly #owned: boolean;
  readonly #api: typeof OtelApi;
  readonly #apiLogs: typeof ApiLogs;
  readonly #loggers = new Map<string, OtelLoggerLike>();
  readonly #codeAttributes: boolean;
  #emitting = false;
  #unflushed = false;
  #beforeExit: (() => void) | null = null;

  /** opentelemetry-sdk's `LoggingHandler(level=NOTSET, logger_provider=None)`; the keyword-only names are ours. */
  static override pySignature: PySignature | null = {
    params: ['level', 'logger_provider'],
    kwonly: ['otlp', 'logCodeAttributes'],
    build: (C, kw) =>
      new C(kw['level'] ?? NOTSET, kw['logger_provider'] ?? null, pyOptions(kw, { otlp: 'otlp', logCodeAttributes: 'logCodeAttributes' })),
  };
  constructor(level?: Level | LoggingHandlerOptions, loggerProvider?: LoggerProviderLike | null, options?: LoggingHandlerOptions);
  constructor(
    levelOrOptions: Level | LoggingHandlerOptions = NOTSET,
    loggerProvider: LoggerProviderLike | null = null,
    options: LoggingHandlerOptions = {},
  ) {
    const o: LoggingHandlerOptions =
      typeof levelOrOptions === 'object' && levelOrOptions !== null ? { ...levelOrOptions } : { ...options };
    checkOptions('LoggingHandler', o, OPTION_KEYS);
    const level = typeof levelOrOptions === 'object' && levelOrOptions !== null ? (o.level ?? NOTSET) : levelOrOptions;
    super(checkLevel(level));
    const given = o.loggerProvider ?? loggerProvider ?? null;
    if (given !== null && (typeof given !== 'object' || typeof given.getLogger !== 'function')) {
      throw new TypeError(`LoggingHandler: loggerProvider must be a LoggerProvider (with getLogger()), got ${str(given)}`);
    }
    if (o.logCodeAttributes !== undefined && typeof o.logCodeAttributes !== 'boolean') {
      throw new TypeError(`LoggingHandler: logCodeAttributes must be a boolean, got ${str(o.logCodeAttributes)}`);
    }
    this.#codeAttributes = o.logCodeAttributes ?? true;
    this.#api = requireOtel('@opentelemetry/api', 'LoggingHandler');
    this.#apiLogs = requireOtel('@opentelemetry/api-logs', 'LoggingHandler');
    const otlp = o.otlp ?? false;
    if (otlp !== false) {
      if (given !== null) throw new TypeError('LoggingHandler: give loggerProvider or otlp, not both');
      this.#provider = this.#buildProvider(otlp === true ? {} : otlp);
      this.#owned = true;
    } else {
      this.#provider = given;
      this.#owned = false;
    }
  }

  #buildProvider(otlp: OtlpOptions): LoggerProviderLike {
    if (typeof otlp !== 'object' || otlp === null) throw new TypeError(`LoggingHandler: otlp must be true or an object, got ${str(otlp)}`);
    checkOptions('LoggingHandler otlp', otlp, OTLP_KEYS);
    const sdk = requireOtel<typeof SdkLogs>('@opentelemetry/sdk-logs', 'LoggingHandler({ otlp })');
    const http = requireOtel<typeof OtlpHttp>('@opentelemetry/exporter-logs-otlp-http', 'LoggingHandler({ otlp })');
    const exporter = new http.OTLPLogExporter({
      ...(otlp.url !== undefined ? { url: otlp.url } : {}),
      ...(otlp.headers !== undefined ? { headers: otlp.headers } : {}),
      ...(otlp.timeoutMillis !== undefined ? { timeoutMillis: otlp.timeoutMillis } : {}),
    });
    const processor = new sdk.BatchLogRecordProcessor({
      exporter: this.#reporting(exporter),
      ...(otlp.maxQueueSize !== undefined ? { maxQueueSize: otlp.maxQueueSize } : {}),
      ...(otlp.maxExportBatchSize !== undefined ? { maxExportBatchSize: otlp.maxExportBatchSize } : {}),
      ...(otlp.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: otlp.scheduledDelayMillis } : {}),
      ...(otlp.exportTimeoutMillis !== undefined ? { exportTimeoutMillis: otlp.exportTimeoutMillis } : {}),
    });
    let resource: Resources.Resource | undefined;
    if (otlp.serviceName !== undefined || otlp.resourceAttributes !== undefined) {
      const res = requireOtel<typeof Resources>('@opentelemetry/resources', 'LoggingHandler({ otlp: { serviceName } })');
      resource = res.defaultResource().merge(
        res.resourceFromAttributes({
          ...otlp.resourceAttributes,
          ...(otlp.serviceName !== undefined ? { 'service.name': otlp.serviceName } : {}),
        }),
      );
    }
    return new sdk.LoggerProvider({ processors: [processor], ...(resource ? { resource } : {}) });
  }

  /** The exporter, with failed exports reported through `handleError` (the SDK only tells its `diag` logger). */
  #reporting(exporter: SdkLogs.LogRecordExporter): SdkLogs.LogRecordExporter {
    return {
      export: (logs, done) => {
        exporter.export(logs, (result) => {
          if ((result.code as number) !== 0) {
            const n = logs.length;
            this.#report(new RecordsDroppedError(`LoggingHandler: OTLP export of ${recordCount(n)} failed`, n, { cause: result.error }));
          }
          done(result);
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush(),
    };
  }

  #report(err: unknown): void {
    // No pylogging record is at hand once the SDK has batched: the report names the error only.
    reportError(err);
  }

  /** The provider records go to: the one given or built, else the current global one. */
  get loggerProvider(): LoggerProviderLike {
    return this.#provider ?? this.#apiLogs.logs.getLoggerProvider();
  }

  /** Caller information is needed for the `code.*` attributes. */
  override usesCallerInfo(): boolean {
    return this.#codeAttributes || super.usesCallerInfo();
  }

  /** Python's `_get_attributes`: `extra` fields and other non-reserved record attributes, caller and exception. */
  getAttributes(record: LogRecord): Record<string, unknown> {
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      if (!RESERVED_ATTRS.has(key)) attributes[key] = record[key];
    }
    if (this.#codeAttributes) {
      attributes['code.file.path'] = record.pathname;
      attributes['code.function.name'] = record.funcName;
      attributes['code.line.number'] = record.lineno;
    }
    const ei = record.exc_info;
    // Python's `(type, value, tb)`; `true` is JS's "no current exception", Python's `(None, None, None)`.
    if (ei !== null && ei !== undefined && ei !== false && ei !== true) {
      const value = Array.isArray(ei) && ei.length === 3 ? (ei[1] as unknown) : ei;
      const type = exceptionName(value);
      if (type !== null) attributes['exception.type'] = type;
      // Python: `str(value.args[0])` when the exception has arguments — an Error's message, when it has one.
      const message = value instanceof Error ? value.message : value === null || value === undefined ? '' : str(value);
      if (message !== '') attributes['exception.message'] = message;
      // Python: `"".join(traceback.format_exception(...))`, which ends with a newline.
      attributes['exception.stacktrace'] = `${plainFormatter.formatException(ei)}\n`;
    }
    return attributes;
  }

  /** Python's `_translate`: the OpenTelemetry log record for `record`. */
  translate(record: LogRecord): OtelLogRecord {
    const now = Date.now();
    return {
      timestamp: hrTimeOf(record.created),
      observedTimestamp: [Math.floor(now / 1000), (now % 1000) * 1_000_000],
      context: this.#api.context.active(),
      severityText: severityText(record.levelname),
      severityNumber: stdToOtel(record.levelno),
      body: this.formatter ? this.format(record) : bodyOf(record),
      attributes: this.getAttributes(record),
    };
  }

  /** Emits the translated record through the provider's logger for `record.name`. */
  override emit(record: LogRecord): void {
    // handler.py (contrib) lines 207-224: a record logged from inside the export pipeline would re-enter here.
    if (this.#emitting) return;
    this.#emitting = true;
    try {
      const provider = this.loggerProvider;
      let logger = this.#provider === null ? provider.getLogger(record.name) : this.#loggers.get(record.name);
      if (logger === undefined) {
        logger = provider.getLogger(record.name);
        this.#loggers.set(record.name, logger);
      }
      // Python skips a NoOpLogger; the JS API says it with `enabled()` (false for the no-op logger, and for a
      // provider that has shut down or filters the severity out).
      if (typeof logger.enabled === 'function' && !logger.enabled({ severityNumber: stdToOtel(record.levelno) })) return;
      logger.emit(this.translate(record));
      this.#markUnflushed();
    } catch (err) {
      this.handleError(record, err);
    } finally {
      this.#emitting = false;
    }
  }

  #markUnflushed(): void {
    if (this.#unflushed) return;
    this.#unflushed = true;
    if (this.#beforeExit === null) {
      this.#beforeExit = () => {
        if (this.#unflushed) void this.flush();
      };
      process.on('beforeExit', this.#beforeExit);
    }
  }

  /** Python's `flush()`: the provider's `forceFlush()`, awaited. Never rejects: a failure is reported. */
  override async flush(): Promise<void> {
    this.#unflushed = false;
    const provider = this.loggerProvider;
    if (typeof provider.forceFlush !== 'function') return;
    try {
      await provider.forceFlush();
    } catch (err) {
      this.#report(err);
    }
  }

  /**
   * Flushes, then shuts down a provider the handler built; the application's own provider is left running (Python's
   * handler has no `close()` of its own either).
   */
  override async close(): Promise<void> {
    await super.close();
    if (this.#beforeExit !== null) {
      process.removeListener('beforeExit', this.#beforeExit);
      this.#beforeExit = null;
    }
    if (this.#owned && this.#provider?.shutdown) {
      this.#unflushed = false;
      try {
        await this.#provider.shutdown();
      } catch (err) {
        this.#report(err);
      }
    } else {
      await this.flush();
    }
  }
}
