/**
 * Syslog priorities and facilities (CPython's `SysLogHandler.LOG_*`, from `<sys/syslog.h>`), and the name tables
 * `facility_names`, `priority_names`, `priority_map`. Values and names are CPython 3.13's.
 */


/** Syslog severity 0: system is unusable. */
export const LOG_EMERG = 0;
/** Syslog severity 1: action must be taken immediately. */
export const LOG_ALERT = 1;
/** Syslog severity 2: critical conditions. */
export const LOG_CRIT = 2;
/** Syslog severity 3: error conditions. */
export const LOG_ERR = 3;
/** Syslog severity 4: warning conditions. */
export const LOG_WARNING = 4;
/** Syslog severity 5: normal but significant condition. */
export const LOG_NOTICE = 5;
/** Syslog severity 6: informational. */
export const LOG_INFO = 6;
/** Syslog severity 7: debug-level messages. */
export const LOG_DEBUG = 7;
/** Syslog facility 0: kernel messages. */
export const LOG_KERN = 0;
/** Syslog facility 1: random user-level messages. */
export const LOG_USER = 1;
/** Syslog facility 2: mail system. */
export const LOG_MAIL = 2;
/** Syslog facility 3: system daemons. */
export const LOG_DAEMON = 3;
/** Syslog facility 4: security/authorization messages. */
export const LOG_AUTH = 4;
/** Syslog facility 5: messages generated internally by syslogd. */
export const LOG_SYSLOG = 5;
/** Syslog facility 6: line printer subsystem. */
export const LOG_LPR = 6;
/** Syslog facility 7: network news subsystem. */
export const LOG_NEWS = 7;
/** Syslog facility 8: UUCP subsystem. */
export const LOG_UUCP = 8;
/** Syslog facility 9: clock daemon. */
export const LOG_CRON = 9;
/** Syslog facility 10: security/authorization messages (private). */
export const LOG_AUTHPRIV = 10;
/** Syslog facility 11: FTP daemon. */
export const LOG_FTP = 11;
/** Syslog facility 12: NTP subsystem. */
export const LOG_NTP = 12;
/** Syslog facility 13: log audit. */
export const LOG_SECURITY = 13;
/** Syslog facility 14: log alert. */
export const LOG_CONSOLE = 14;
/** Syslog facility 15: scheduling daemon (Solaris). */
export const LOG_SOLCRON = 15;
/** Syslog facility 16: reserved for local use. */
export const LOG_LOCAL0 = 16;
/** Syslog facility 17: reserved for local use. */
export const LOG_LOCAL1 = 17;
/** Syslog facility 18: reserved for local use. */
export const LOG_LOCAL2 = 18;
/** Syslog facility 19: reserved for local use. */
export const LOG_LOCAL3 = 19;
/** Syslog facility 20: reserved for local use. */
export const LOG_LOCAL4 = 20;
/** Syslog facility 21: reserved for local use. */
export const LOG_LOCAL5 = 21;
/** Syslog facility 22: reserved for local use. */
export const LOG_LOCAL6 = 22;
/** Syslog facility 23: reserved for local use. */
export const LOG_LOCAL7 = 23;

/** CPython's `priority_names`: every name syslog.conf accepts for a severity. */
export const PRIORITY_NAMES: Readonly<Record<string, number>> = Object.freeze({
  alert: LOG_ALERT,
  crit: LOG_CRIT,
  critical: LOG_CRIT,
  debug: LOG_DEBUG,
  emerg: LOG_EMERG,
  err: LOG_ERR,
  error: LOG_ERR, // DEPRECATED
  info: LOG_INFO,
  notice: LOG_NOTICE,
  panic: LOG_EMERG, // DEPRECATED
  warn: LOG_WARNING, // DEPRECATED
  warning: LOG_WARNING,
});

/** CPython's `facility_names`: every name syslog.conf accepts for a facility. */
export const FACILITY_NAMES: Readonly<Record<string, number>> = Object.freeze({
  auth: LOG_AUTH,
  authpriv: LOG_AUTHPRIV,
  console: LOG_CONSOLE,
  cron: LOG_CRON,
  daemon: LOG_DAEMON,
  ftp: LOG_FTP,
  kern: LOG_KERN,
  lpr: LOG_LPR,
  mail: LOG_MAIL,
  news: LOG_NEWS,
  ntp: LOG_NTP,
  security: LOG_SECURITY,
  'solaris-cron': LOG_SOLCRON,
  syslog: LOG_SYSLOG,
  user: LOG_USER,
  uucp: LOG_UUCP,
  local0: LOG_LOCAL0,
  local1: LOG_LOCAL1,
  local2: LOG_LOCAL2,
  local3: LOG_LOCAL3,
  local4: LOG_LOCAL4,
  local5: LOG_LOCAL5,
  local6: LOG_LOCAL6,
  local7: LOG_LOCAL7,
});

/**
 * CPython's `priority_map`: logging level name → priority name (GH-43683: lowercasing is locale-dependent, so the
 * map is explicit). Unknown names map to `'warning'` in `mapPriority`.
 */
export const PRIORITY_MAP: Readonly<Record<string, string>> = Object.freeze({
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
});
