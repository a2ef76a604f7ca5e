/**
 * `pylogging/handlers`: Python's `logging.handlers` — size- and time-rotating files, WatchedFileHandler, socket,
 * datagram, syslog, HTTP, SMTP and NT event log handlers, memory and queue handlers, a listener that runs handlers
 * on a worker thread, and {@link LogRecordReceiver}, which accepts the pickled records SocketHandler and
 * DatagramHandler send (from this package or from CPython).
 * @module pylogging/handlers
 */

/** Python's `DEFAULT_TCP_LOGGING_PORT` (SocketHandler, the receiver). */
export const DEFAULT_TCP_LOGGING_PORT = 9020;
/** Python's `DEFAULT_UDP_LOGGING_PORT` (DatagramHandler). */
export const DEFAULT_UDP_LOGGING_PORT = 9021;
/** Python's `DEFAULT_HTTP_LOGGING_PORT`. */
export const DEFAULT_HTTP_LOGGING_PORT = 9022;
/** Python's `DEFAULT_SOAP_LOGGING_PORT`. */
export const DEFAULT_SOAP_LOGGING_PORT = 9023;
/** Python's `SYSLOG_UDP_PORT`. */
export const SYSLOG_UDP_PORT = 514;
/** Python's `SYSLOG_TCP_PORT`. */
export const SYSLOG_TCP_PORT = 514;

export { StreamHandler, NullHandler } from './handlers/stream.js';
export { FileHandler, type FileHandlerOptions } from './handlers/file.js';
export { WatchedFileHandler } from './handlers/watched-file.js';
export {
  BaseRotatingHandler,
  RotatingFileHandler,
  type RotatingFileHandlerOptions,
  type Namer,
  type Rotator,
} from './handlers/rotating.js';
export { TimedRotatingFileHandler, type TimedRotatingFileHandlerOptions, type AtTime } from './handlers/timed-rotating.js';
export type { Clock } from './internal/clock.js';
export { SMTPHandler, type SMTPHandlerOptions, type SMTPTLSOptions, type SMTPBatchOptions } from './handlers/smtp.js';
export {
  HTTPHandler,
  HTTPError,
  type HTTPHandlerOptions,
  type HTTPSContext,
  type HTTPConnection,
  type HTTPBatchOptions,
} from './handlers/http.js';
export {
  SysLogHandler,
  type SysLogHandlerOptions,
  type SysLogAddress,
  type SysLogSocktype,
  type SysLogSocket,
  type Rfc5424Options,
} from './handlers/syslog.js';
export * from './handlers/syslog-constants.js';
export {
  NTEventLogHandler,
  WinError,
  EVENTLOG_ERROR_TYPE,
  EVENTLOG_WARNING_TYPE,
  EVENTLOG_INFORMATION_TYPE,
  EVENTLOG_AUDIT_SUCCESS,
  EVENTLOG_AUDIT_FAILURE,
  type NTEventLogBackend,
  type NTEventLogHandlerOptions,
} from './handlers/nteventlog.js';
export { BufferingHandler, MemoryHandler, type MemoryHandlerOptions } from './handlers/memory.js';
export {
  QueueHandler,
  QueueListener,
  Queue,
  QueueFull,
  QueueEmpty,
  type QueueListenerOptions,
  type PutQueue,
  type GetQueue,
  type QueueLike,
  type QueueItem,
  type ListenerLike,
} from './handlers/queue.js';
export {
  WorkerQueueListener,
  RingQueue,
  type WorkerQueueListenerOptions,
  type WorkerHandlerSpec,
  type WorkerClassSpec,
  type WorkerModuleSpec,
  type WorkerFormatterSpec,
} from './handlers/worker-listener.js';
export {
  SocketHandler,
  type SocketHandlerOptions,
  type SocketThreadSettings,
} from './handlers/socket.js';
export { DatagramHandler, type DatagramSocket } from './handlers/datagram.js';
export {
  LogRecordReceiver,
  UnpicklingError,
  type DroppedInfo,
  type LogRecordReceiverOptions,
  type ReceiverAddresses,
  type RefusedInfo,
} from './receiver.js';
export { RecordsDroppedError } from './core/errors.js';
export { UnixDgramMissingError } from './internal/unix-dgram.js';
