/**
 * `pylogging`: Python's `logging` module for Node.js.
 *
 * @example
 * ```ts
 * import { basicConfig, getLogger, INFO } from 'pylogging';
 * basicConfig({ level: INFO, format: '%(asctime)s %(levelname)s %(name)s: %(message)s' });
 * getLogger('app.db').info('query took %d ms', 12);
 * ```
 * @module pylogging
 */
export {
  CRITICAL,
  FATAL,
  ERROR,
  WARNING,
  WARN,
  INFO,
  DEBUG,
  NOTSET,
  addLevelName,
  getLevelName,
  getLevelNamesMapping,
  checkLevel,
  type Level,
} from './core/levels.js';
export {
  ValueError,
  KeyError,
  LookupError,
  UnicodeEncodeError,
  NotImplementedError,
  OverflowError,
  AttributeError,
  IndexError,
  RecordsDroppedError,
} from './core/errors.js';
export {
  LogRecord,
  makeLogRecord,
  setLogRecordFactory,
  getLogRecordFactory,
  type LogRecordFactory,
  type RecordArgs,
  type ExcInfo,
} from './core/record.js';
export { pyRepr } from './core/repr.js';
export type { PercentArgs } from './core/printf.js';
export { Formatter, BufferingFormatter, type FormatterOptions, type Converter } from './core/formatter.js';
export type { FormatStyle, StyleChar } from './core/format-styles.js';
export { localtime, gmtime, strftime, type StructTime } from './core/strftime.js';
export { Filter, Filterer, type FilterLike, type FilterFunction, type FilterType } from './core/filter.js';
export { Handler, getHandlerByName, getHandlerNames } from './core/handler.js';
export { kw, Keywords, type LogKeywords } from './core/keywords.js';
export { Logger, RootLogger, PlaceHolder, Manager, root, type LoggerClass } from './core/logger.js';
export { LoggerAdapter, type LoggerAdapterOptions, type AdapterTarget } from './core/adapter.js';
export {
  BASIC_FORMAT,
  settings,
  lastResort,
  getLogger,
  getLoggerClass,
  setLoggerClass,
  basicConfig,
  disable,
  shutdown,
  captureWarnings,
  debug,
  info,
  warning,
  warn,
  error,
  exception,
  critical,
  fatal,
  log,
  type BasicConfigOptions,
} from './core/api.js';
export type { CallerInfoMode } from './core/state.js';
export { StreamHandler, NullHandler, type WritableLike } from './core/stream-handler.js';
export { FileHandler, type FileHandlerOptions } from './core/file-handler.js';
export type { FileStream } from './internal/file-stream.js';
export type { EncodingName, ErrorsName } from './internal/encoding.js';
