/**
 * `pylogging/json`: JSON lines, as python-json-logger writes them.
 *
 * ```ts
 * import { JsonFormatter } from 'pylogging/json';
 * handler.setFormatter(new JsonFormatter('%(asctime)s %(levelname)s %(name)s %(message)s'));
 * ```
 * @module pylogging/json
 */
export { JsonFormatter, RESERVED_ATTRS, type LogData } from './formatters/json.js';
export type { JsonFormatterOptions } from './formatters/json-options.js';
export { jsonEncoderDefault } from './formatters/json-default.js';
export type { JsonDefault } from './formatters/json-encode.js';
