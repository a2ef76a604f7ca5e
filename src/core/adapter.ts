/**
 * LoggerAdapter: a logger view that adds contextual `extra` to every call.
 */
import { isKeywords, Keywords, type LogKeywords } from './keywords.js';
import { CRITICAL, DEBUG, ERROR, getLevelName, INFO, WARNING, type Level } from './levels.js';
import type { Logger, Manager } from './logger.js';
import { pyRepr } from './repr.js';
import { checkOptions, optionKeys } from '../internal/options.js';

/** Keyword arguments of {@link LoggerAdapter}. */
export interface LoggerAdapterOptions {
  /** Merge the call's `extra` over the adapter's instead of replacing it (3.13). @default false */
  merge_extra?: boolean;
}

const ADAPTER_KEYS = optionKeys<LoggerAdapterOptions>()(['merge_extra']);

/** What an adapter wraps: a Logger or another adapter. */
export type AdapterTarget = Logger | LoggerAdapter;

/**
 * Python's `LoggerAdapter(logger, extra, merge_extra)`. Override {@link LoggerAdapter.process} to change the
 * message or keywords of every call (for example to prefix a request id).
 */
export class LoggerAdapter {
  /** The wrapped logger or adapter. */
  logger: AdapterTarget;
  /** Attributes added to every record. */
  extra: Readonly<Record<string, unknown>> | null;
  /** See {@link LoggerAdapterOptions.merge_extra}. */
  merge_extra: boolean;

  constructor(logger: AdapterTarget, extra: Readonly<Record<string, unknown>> | null = null, options: LoggerAdapterOptions = {}) {
    if (new.target === LoggerAdapter) checkOptions('LoggerAdapter', options, ADAPTER_KEYS);
    this.logger = logger;
    this.extra = extra;
    this.merge_extra = options.merge_extra ?? false;
  }

  /**
   * Python's `process(msg, kwargs)`: returns the message and keywords to log with. The default sets `extra` to
   * the adapter's (dropping the call's), or merges the call's over it with `merge_extra`.
   */
  process(msg: unknown, kwargs: LogKeywords): [unknown, LogKeywords] {
    const extra = this.merge_extra && kwargs.extra ? { ...this.extra, ...kwargs.extra } : this.extra;
    return [msg, { ...kwargs, extra }];
  }

  /** Logs at DEBUG through {@link LoggerAdapter.process}. */
  debug(msg: unknown, ...args: unknown[]): void {
    this.log(DEBUG, msg, ...args);
  }
  /** Logs at INFO. */
  info(msg: unknown, ...args: unknown[]): void {
    this.log(INFO, msg, ...args);
  }
  /** Logs at WARNING. */
  warning(msg: unknown, ...args: unknown[]): void {
    this.log(WARNING, msg, ...args);
  }
  /** Deprecated alias of warning. */
  warn(msg: unknown, ...args: unknown[]): void {
    this.log(WARNING, msg, ...args);
  }
  /** Logs at ERROR. */
  error(msg: unknown, ...args: unknown[]): void {
    this.log(ERROR, msg, ...args);
  }
  /** Logs at ERROR with `exc_info` (default `true`; pass the error with `kw({ exc_info: err })`). */
  exception(msg: unknown, ...args: unknown[]): void {
    const last = args[args.length - 1];
    if (isKeywords(last)) {
      if (last.exc_info === undefined) args[args.length - 1] = new Keywords({ ...last, exc_info: true });
    } else {
      args.push(new Keywords({ exc_info: true }));
    }
    this.log(ERROR, msg, ...args);
  }
  /** Logs at CRITICAL. */
  critical(msg: unknown, ...args: unknown[]): void {
    this.log(CRITICAL, msg, ...args);
  }
  /** Alias of critical. */
  fatal(msg: unknown, ...args: unknown[]): void {
    this.log(CRITICAL, msg, ...args);
  }

  /** Logs at `level` after {@link LoggerAdapter.process}; the level check comes first, as in Python. */
  log(level: number, msg: unknown, ...args: unknown[]): void {
    if (!this.isEnabledFor(level)) return;
    const last = args[args.length - 1];
    let kwargs: LogKeywords = {};
    if (isKeywords(last)) {
      kwargs = last;
      args = args.slice(0, -1);
    }
    const [m, k] = this.process(msg, kwargs);
    this.logger.log(level, m, ...args, new Keywords(k));
  }

  /** Delegates to the logger. */
  isEnabledFor(level: number): boolean {
    return this.logger.isEnabledFor(level);
  }
  /** Delegates to the logger. */
  setLevel(level: Level): void {
    this.logger.setLevel(level);
  }
  /** Delegates to the logger. */
  getEffectiveLevel(): number {
    return this.logger.getEffectiveLevel();
  }
  /** Delegates to the logger. */
  hasHandlers(): boolean {
    return this.logger.hasHandlers();
  }
  /** Delegates to the logger. */
  _log(level: number, msg: unknown, args: unknown[], keywords: LogKeywords | null = null): void {
    this.logger._log(level, msg, args, keywords);
  }
  /** The wrapped logger's manager; assigning sets the wrapped logger's (nested adapters rely on it, as in CPython). */
  get manager(): Manager {
    return this.logger.manager;
  }

  /** Sets the wrapped logger's `manager`, as CPython's `LoggerAdapter.manager` property setter does. */
  set manager(value: Manager) {
    this.logger.manager = value;
  }
  /** The wrapped logger's name. */
  get name(): string {
    return this.logger.name;
  }

  /** `%r` shows {@link toString}, as Python's repr does. */
  [pyRepr](): string {
    return this.toString();
  }

  /** Python's repr: `<LoggerAdapter a (WARNING)>`. */
  toString(): string {
    return `<${this.constructor.name} ${this.name} (${String(getLevelName(this.getEffectiveLevel()))})>`;
  }
}
