/**
 * The shapes of OpenTelemetry objects that pylogging/otel's public API mentions, written out structurally so the
 * published declarations name no OpenTelemetry package (they are optional peers: a project without them must still
 * type-check). The real classes (`BasicTracerProvider`, sdk-logs' `LoggerProvider`, api-logs' `Logger`) fit them.
 */

/** An `@opentelemetry/api` `SpanContext`, as far as correlation reads it. */
export interface SpanContextLike {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Bit 0 is "sampled". */
  traceFlags: number;
}

/** An `@opentelemetry/api` `Span`, as a log hook receives it. */
export interface SpanLike {
  /** The span's ids and flags. */
  spanContext(): SpanContextLike;
}

/** An `@opentelemetry/api` `TracerProvider` (its resource's `service.name` becomes `otelServiceName`). */
export interface TracerProviderLike {
  /** Returns a tracer; present on every tracer provider. */
  getTracer(name: string, version?: string): unknown;
}

/** An `@opentelemetry/api-logs` `LogRecord`, as `LoggingHandler.translate()` builds it. */
export interface OtelLogRecord {
  /** When the event happened: `[seconds, nanoseconds]`. */
  timestamp?: unknown;
  /** When the handler saw it: `[seconds, nanoseconds]`. */
  observedTimestamp?: unknown;
  /** 0-24 (`SeverityNumber`). */
  severityNumber?: number;
  /** `INFO`, `WARN`, `FATAL`, … */
  severityText?: string;
  /** The message, or the logged value itself. */
  body?: unknown;
  /** `extra` fields, `code.*`, `exception.*`. */
  attributes?: Record<string, unknown>;
  /** The active context (the SDK reads the span from it). */
  context?: unknown;
}

/** An `@opentelemetry/api-logs` `Logger`. */
export interface OtelLoggerLike {
  /** Hands a record to the provider's processors. */
  emit(record: OtelLogRecord): void;
  /** False for the no-op logger and for a provider that has shut down or filters the severity out. */
  enabled?(options?: { severityNumber?: number; context?: unknown }): boolean;
}

/** The part of an `@opentelemetry/api-logs` `LoggerProvider` the handler uses (`forceFlush`/`shutdown` if present). */
export interface LoggerProviderLike {
  /** Returns the logger for a logger name (Python: `get_logger(record.name, logger_provider=…)`). */
  getLogger(name: string): OtelLoggerLike;
  /** `@opentelemetry/sdk-logs`' `LoggerProvider.forceFlush`. */
  forceFlush?(): Promise<void>;
  /** `@opentelemetry/sdk-logs`' `LoggerProvider.shutdown`. */
  shutdown?(): Promise<void>;
}
