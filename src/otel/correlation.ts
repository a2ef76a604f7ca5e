/**
 * Trace correlation: the current span's ids on every record, as opentelemetry-python-contrib's logging
 * instrumentation (`opentelemetry.instrumentation.logging.LoggingInstrumentor`) puts them there.
 *
 * Ported from opentelemetry-python-contrib 466ae4c (2026-08-21),
 * instrumentation/opentelemetry-instrumentation-logging/src/opentelemetry/instrumentation/logging/__init__.py
 * (`_instrument`, lines 143-240; `_uninstrument`, 242-249) and constants.py (`DEFAULT_LOGGING_FORMAT`). As in
 * Python the fields come from a wrapped log record factory (`setLogRecordFactory`), so nothing changes in the core
 * and a program that never calls `instrument()` pays nothing: the core imports no OpenTelemetry code.
 */
import type * as OtelApi from '@opentelemetry/api';
import { basicConfig, getLogger } from '../core/api.js';
import { Filter } from '../core/filter.js';
import { DEBUG, ERROR, INFO, NOTSET, WARNING, getLevelName } from '../core/levels.js';
import { root } from '../core/logger.js';
import { getLogRecordFactory, setLogRecordFactory, type LogRecord, type LogRecordFactory } from '../core/record.js';
import { checkOptions } from '../internal/options.js';
import { requireOtel } from './load.js';
import { LoggingHandler } from './handler.js';
import type { SpanLike, TracerProviderLike } from './types.js';

type Api = typeof OtelApi;

/** constants.py line 4: the format `setLoggingFormat` installs with `basicConfig()`. */
export const DEFAULT_LOGGING_FORMAT =
  '%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] [trace_id=%(otelTraceID)s span_id=%(otelSpanID)s resource.service.name=%(otelServiceName)s trace_sampled=%(otelTraceSampled)s] - %(message)s';

/** `__init__.py` line 78: the names `OTEL_PYTHON_LOG_LEVEL` accepts. */
const LEVELS: Readonly<Record<string, number>> = { debug: DEBUG, info: INFO, warning: WARNING, error: ERROR };

/** Called for each record made while a valid span is current (Python's `log_hook(span, record)`). */
export type LogHook = (span: SpanLike, record: LogRecord) => void;

/**
 * Options of {@link LoggingInstrumentor.instrument}: Python's keyword arguments, camelCased. Each defaults to the
 * environment variable Python reads, then to Python's default.
 */
export interface InstrumentOptions {
  /** Where the service name comes from (`resource.attributes['service.name']`); default the global one. */
  tracerProvider?: TracerProviderLike | null;
  /** Inject the fields and call `basicConfig({ format, level })`. Default: `OTEL_PYTHON_LOG_CORRELATION=true`. */
  setLoggingFormat?: boolean;
  /** Inject the four fields into every record without touching any format. Default false. */
  injectTraceContext?: boolean;
  /** The format `setLoggingFormat` installs. Default `OTEL_PYTHON_LOG_FORMAT`, then {@link DEFAULT_LOGGING_FORMAT}. */
  loggingFormat?: string | null;
  /** The root level `setLoggingFormat` sets. Default `OTEL_PYTHON_LOG_LEVEL` (debug/info/warning/error), then INFO. */
  logLevel?: number | null;
  /** Called with the span and the record for each record made inside a valid span; its errors are ignored. */
  logHook?: LogHook | null;
  /**
   * Add a {@link LoggingHandler} for the global logger provider to the root logger (Python's default, so records
   * are exported once a global `LoggerProvider` is set). Default: `OTEL_PYTHON_LOG_AUTO_INSTRUMENTATION` is not
   * `false` — unless `OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true`, where Python skips it with a warning.
   * Left at its default, it is skipped when `@opentelemetry/api-logs` is not installed.
   */
  enableLogAutoInstrumentation?: boolean;
  /** That handler's `logCodeAttributes`. Default `OTEL_PYTHON_LOG_CODE_ATTRIBUTES=true`, else false. */
  logCodeAttributes?: boolean;
  /** That handler's level. Default `OTEL_PYTHON_LOG_HANDLER_LEVEL` (a level name), else NOTSET. */
  logHandlerLevel?: number | null;
}

const OPTION_KEYS = [
  'tracerProvider',
  'setLoggingFormat',
  'injectTraceContext',
  'loggingFormat',
  'logLevel',
  'logHook',
  'enableLogAutoInstrumentation',
  'logCodeAttributes',
  'logHandlerLevel',
] as const satisfies readonly (keyof InstrumentOptions)[];

/** Python's `ContextVar`-free state of the (singleton) instrumentor. */
let oldFactory: LogRecordFactory | null = null;
let logHook: LogHook | null = null;
let loggingHandler: LoggingHandler | null = null;
let instrumented = false;

const instrumentorLog = (): ReturnType<typeof getLogger> => getLogger('opentelemetry.instrumentation.instrumentor');

function envTrue(name: string, dflt: string): boolean {
  return (process.env[name] ?? dflt).trim().toLowerCase() === 'true';
}

/** `__init__.py` `_get_log_level`: a level name, or NOTSET with a warning. */
function handlerLevelFromEnv(): number | null {
  const name = process.env['OTEL_PYTHON_LOG_HANDLER_LEVEL'];
  if (name === undefined) return null;
  const result = getLevelName(name.toUpperCase().trim());
  if (typeof result !== 'number') {
    getLogger('opentelemetry.instrumentation.logging').warning(
      'Invalid log level %r for %s; defaulting to NOTSET',
      name,
      'OTEL_PYTHON_LOG_HANDLER_LEVEL',
    );
    return NOTSET;
  }
  return result;
}

/** What Python's `provider.resource.attributes.get("service.name")` reads, on the JS SDK's providers. */
function serviceNameOf(api: Api, given: TracerProviderLike | null): string | null {
  let provider: unknown = given ?? api.trace.getTracerProvider();
  // JS's global provider is always a ProxyTracerProvider (Python's get_tracer_provider() returns the real one once
  // set): look through it, and wait for a delegate rather than caching "" from the proxy for good.
  if (provider instanceof api.ProxyTracerProvider) {
    const delegate: unknown = provider.getDelegate();
    if (delegate === undefined || delegate === null || delegate.constructor?.name === 'NoopTracerProvider') return null;
    provider = delegate;
  }
  const p = provider as { resource?: unknown; _resource?: unknown };
  // The JS SDK keeps it in `_resource`; a provider with a public `resource` (as Python's has) is read first.
  const resource = (p.resource ?? p._resource) as { attributes?: Record<string, unknown> } | undefined;
  if (!resource) return '';
  const name = resource.attributes?.['service.name'];
  return typeof name === 'string' && name !== '' ? name : '';
}

const INVALID_TRACE = '00000000000000000000000000000000';
const INVALID_SPAN = '0000000000000000';

/**
 * The wrapping factory of `__init__.py` lines 165-203. The JS API gives the span's ids as lowercase hex already
 * (Python formats its integers with `032x`/`016x`); an all-zero context is `INVALID_SPAN_CONTEXT`.
 */
function makeFactory(
  api: Api,
  previous: LogRecordFactory,
  inject: boolean,
  provider: TracerProviderLike | null,
  withHook = true,
): LogRecordFactory {
  let serviceName: string | null = null;
  return (...args) => {
    const record = previous(...args);
    const hook = withHook ? logHook : null;
    if (!inject && typeof hook !== 'function') return record;
    if (inject) {
      record['otelSpanID'] = '0';
      record['otelTraceID'] = '0';
      record['otelTraceSampled'] = false;
      serviceName ??= serviceNameOf(api, provider);
      record['otelServiceName'] = serviceName ?? '';
    }
    const span = api.trace.getSpan(api.context.active());
    if (span !== undefined) {
      const ctx = span.spanContext();
      if (!(ctx.traceId === INVALID_TRACE && ctx.spanId === INVALID_SPAN)) {
        if (inject) {
          record['otelSpanID'] = ctx.spanId;
          record['otelTraceID'] = ctx.traceId;
          // Python: `ctx.trace_flags.sampled`, a bool (printed `True`/`False` by `%(otelTraceSampled)s`).
          record['otelTraceSampled'] = (ctx.traceFlags & api.TraceFlags.SAMPLED) !== 0;
        }
        if (typeof hook === 'function') {
          try {
            hook(span, record);
          } catch {
            // Python: `except Exception: pass`.
          }
        }
      }
    }
    return record;
  };
}

/**
 * Python's `LoggingInstrumentor` (a singleton there; every instance here shares one state): `instrument()` wraps the
 * log record factory so records carry `otelTraceID`, `otelSpanID`, `otelTraceSampled` and `otelServiceName`, and by
 * default adds a {@link LoggingHandler} for the global logger provider to the root logger; `uninstrument()` undoes
 * both. See docs/otel.md.
 */
export class LoggingInstrumentor {
  /** True between `instrument()` and `uninstrument()` (Python's `is_instrumented_by_opentelemetry`). */
  get is_instrumented_by_opentelemetry(): boolean {
    return instrumented;
  }

  /**
   * Python's `instrument(**kwargs)`. A second call while instrumented logs Python's warning and does nothing.
   * @throws {Error} naming `@opentelemetry/api` (or `@opentelemetry/api-logs` for the handler) when not installed.
   * @throws {TypeError} for an unknown option.
   */
  instrument(options: InstrumentOptions = {}): void {
    checkOptions('instrument()', options, OPTION_KEYS);
    if (instrumented) {
      instrumentorLog().warning('Attempting to instrument while already instrumented');
      return;
    }
    const api = requireOtel<Api>('@opentelemetry/api', 'Trace correlation');
    const provider = options.tracerProvider ?? null;
    const previous = getLogRecordFactory();
    const setLoggingFormat = options.setLoggingFormat ?? envTrue('OTEL_PYTHON_LOG_CORRELATION', 'false');
    let handler: LoggingHandler | null = null;
    // Python builds the handler last; here first, so a missing peer throws before anything has changed.
    const skipHandler = envTrue('OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED', 'notset');
    const enableHandler = options.enableLogAutoInstrumentation ?? envTrue('OTEL_PYTHON_LOG_AUTO_INSTRUMENTATION', 'true');
    if (!skipHandler && enableHandler) {
      try {
        handler = new LoggingHandler(options.logHandlerLevel ?? handlerLevelFromEnv() ?? NOTSET, null, {
          logCodeAttributes: options.logCodeAttributes ?? envTrue('OTEL_PYTHON_LOG_CODE_ATTRIBUTES', 'false'),
        });
      } catch (err) {
        // Without @opentelemetry/api-logs no global LoggerProvider can exist, so the default handler could never
        // export anything: correlation alone needs only @opentelemetry/api. Asked for explicitly, it must load.
        if (options.enableLogAutoInstrumentation === true) throw err;
      }
    }
    oldFactory = previous;
    logHook = options.logHook ?? null;
    if (setLoggingFormat) {
      const format = options.loggingFormat ?? process.env['OTEL_PYTHON_LOG_FORMAT'] ?? null;
      const envLevel = process.env['OTEL_PYTHON_LOG_LEVEL'];
      const level = options.logLevel ?? (envLevel === undefined ? undefined : LEVELS[envLevel]);
      basicConfig({ format: format || DEFAULT_LOGGING_FORMAT, level: level || INFO });
    }
    const inject = setLoggingFormat || options.injectTraceContext === true;
    setLogRecordFactory(makeFactory(api, previous, inject, provider));
    if (skipHandler) {
      getLogger('opentelemetry.instrumentation.logging').warning(
        'Skipping installation of LoggingHandler from `opentelemetry-instrumentation-logging` to avoid duplicate ' +
          "logs. The SDK's deprecated LoggingHandler is already active " +
          '(OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true). To migrate, unset this environment variable. ' +
          "The SDK's handler will be removed in a future release.",
      );
    } else if (handler !== null) {
      root.addHandler(handler);
      loggingHandler = handler;
    }
    instrumented = true;
  }

  /** Python's `uninstrument()`: restores the record factory and removes the handler `instrument()` added. */
  uninstrument(): void {
    if (!instrumented) {
      instrumentorLog().warning('Attempting to uninstrument while already uninstrumented');
      return;
    }
    if (oldFactory !== null) {
      setLogRecordFactory(oldFactory);
      oldFactory = null;
    }
    if (loggingHandler !== null) {
      root.removeHandler(loggingHandler);
      loggingHandler = null;
    }
    logHook = null;
    instrumented = false;
  }
}

/** `new LoggingInstrumentor().instrument(options)`. */
export function instrumentLogging(options: InstrumentOptions = {}): void {
  new LoggingInstrumentor().instrument(options);
}

/** `new LoggingInstrumentor().uninstrument()`. */
export function uninstrumentLogging(): void {
  new LoggingInstrumentor().uninstrument();
}

/**
 * The same four fields as a filter, for configurations that cannot run code first (dictConfig:
 * `{ '()': 'pylogging/otel#TraceContextFilter' }` on a handler). Beyond Python, which has only the factory. A
 * filter runs when a handler receives the record — in the logging call, so the span is still the current one —
 * and leaves fields a record already has (from `instrument()`) alone.
 */
export class TraceContextFilter extends Filter {
  readonly #api: Api;
  readonly #factory: LogRecordFactory;
  /** dictConfig calls it with one options object (`'()': 'pylogging/otel#TraceContextFilter'`), not Filter's `name`. */
  static override pySignature = null;

  /**
   * @param options `tracerProvider`: where the service name comes from (default the global one).
   * @throws {Error} naming `@opentelemetry/api` when it is not installed.
   */
  constructor(options: { tracerProvider?: TracerProviderLike | null } = {}) {
    super();
    checkOptions('TraceContextFilter', options, ['tracerProvider']);
    this.#api = requireOtel<Api>('@opentelemetry/api', 'TraceContextFilter');
    // Reuses the factory's code on a record made elsewhere: the "previous factory" returns that record.
    let target: LogRecord | null = null;
    this.#factory = makeFactory(this.#api, () => target as LogRecord, true, options.tracerProvider ?? null, false);
    this.#set = (r) => {
      target = r;
    };
  }

  readonly #set: (r: LogRecord) => void;

  /** Adds the fields (unless present) and lets the record through. */
  override filter(record: LogRecord): boolean {
    if (typeof record['otelTraceID'] === 'string') return true;
    this.#set(record);
    this.#factory(null, null, '', 0, null, null, null);
    return true;
  }
}
