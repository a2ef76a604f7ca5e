/**
 * `pylogging/config`: Python's `logging.config` — `dictConfig` and `fileConfig` accept a Python service's logging
 * configuration unchanged (class paths such as `logging.handlers.RotatingFileHandler`, Python's keyword names,
 * `ext://sys.stdout`, `cfg://…`), and JavaScript classes as `"<module>#<export>"`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { dictConfig } from 'pylogging/config';
 * dictConfig(JSON.parse(readFileSync('logging.json', 'utf8')));
 * ```
 * @module pylogging/config
 */
export {
  dictConfig,
  dictConfigSync,
  dictConfigFromFile,
  type DictConfig,
  type DictConfigOptions,
  type FormatterConfig,
  type HandlerConfig,
  type LoggerConfig,
} from './config/dict-config.js';
export {
  fileConfig,
  fileConfigSync,
  configFromFile,
  FileNotFoundError,
  RuntimeError,
  type FileConfigOptions,
  type FileConfigSource,
} from './config/file-config.js';
export { handlersClosed } from './config/common.js';
export { ConfigRefusedError, type ConfigAllow, type ConfigReference, type ConfigTrustOptions } from './config/trust.js';
export { ConfigParser, ConfigParserError, DEFAULTSECT, type GetOptions } from './config/ini.js';
export { PyLiteralError, evaluateLiteral } from './config/py-literal.js';
export { preload, ModuleNotFoundError, AttributeError, NameError } from './config/registry.js';
export type { PySignature, PyConstructible } from './core/py-signature.js';
