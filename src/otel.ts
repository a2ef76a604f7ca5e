/**
 * `pylogging/otel`: OpenTelemetry trace correlation (Python's `LoggingInstrumentor`: `otelTraceID`, `otelSpanID`,
 * `otelTraceSampled`, `otelServiceName` on every record) and `LoggingHandler`, which exports records as OTLP logs
 * through `@opentelemetry/sdk-logs`. The OpenTelemetry packages are optional peers, loaded when a feature is used.
 * See docs/otel.md.
 * @module pylogging/otel
 * @packageDocumentation
 */
export {
  LoggingInstrumentor,
  instrumentLogging,
  uninstrumentLogging,
  TraceContextFilter,
  DEFAULT_LOGGING_FORMAT,
  type InstrumentOptions,
  type LogHook,
} from './otel/correlation.js';
export {
  LoggingHandler,
  RESERVED_ATTRS,
  type LoggingHandlerOptions,
  type OtlpOptions,
} from './otel/handler.js';
export type {
  LoggerProviderLike,
  OtelLoggerLike,
  OtelLogRecord,
  SpanContextLike,
  SpanLike,
  TracerProviderLike,
} from './otel/types.js';
export { stdToOtel, severityText } from './otel/severity.js';
