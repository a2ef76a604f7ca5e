/**
 * `pylogging/color`: colorlog's `ColoredFormatter` for a readable console in development — the same escape sequences
 * as Python's colorlog 6.7 for the same records, `NO_COLOR`/`FORCE_COLOR` and TTY detection as colorlog does them.
 *
 * @example
 * ```ts
 * import { getLogger, StreamHandler } from 'pylogging';
 * import { ColoredFormatter } from 'pylogging/color';
 * const handler = new StreamHandler(process.stderr);
 * handler.setFormatter(new ColoredFormatter('%(log_color)s%(levelname)-8s%(reset)s %(message)s', { stream: handler.stream }));
 * getLogger('app').addHandler(handler);
 * ```
 * @module pylogging/color
 * @packageDocumentation
 */
export {
  ColoredFormatter,
  TTYColoredFormatter,
  LevelFormatter,
  default_formats,
  type ColoredFormatterOptions,
  type ColorStream,
  type LogColors,
} from './formatters/colored.js';
export { escape_codes, default_log_colors, parse_colors } from './formatters/color-codes.js';
