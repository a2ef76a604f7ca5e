/**
 * Opt-in RFC 5424 output and RFC 6587 octet-counting framing for SysLogHandler. CPython has neither; its
 * handler sends `<PRI>` + message (the BSD/RFC 3164 shape without timestamp or hostname).
 *
 * ```
 * RFC 5424 §6:  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [SP MSG]
 *               <134>1 2024-05-01T12:00:00.123Z web01 shop 4242 - [extra@32473 user="ann"] paid
 * RFC 6587 §3.4.1 (TCP), RFC 5425 §4.3 (TLS):  MSG-LEN SP SYSLOG-MSG   e.g. "48 <134>1 …"
 * ```
 */
import { hostname as osHostname } from 'node:os';
import { basename, extname } from 'node:path';
import type { LogRecord } from '../core/record.js';
import { str } from '../core/repr.js';
import { checkOptions, optionKeys } from '../internal/options.js';

/** Options of the RFC 5424 output (`SysLogHandlerOptions.rfc5424`). */
export interface Rfc5424Options {
  /** HOSTNAME field. @default `os.hostname()` */
  hostname?: string;
  /** APP-NAME field. @default the main script's name without extension (`process.argv[1]`), else `node` */
  appName?: string;
  /** MSGID field when the record has no string `msgid` attribute (from `extra`). @default `'-'` */
  msgid?: string;
  /**
   * SD-ID of the element that carries the record's extra attributes (those set through `extra` or by filters),
   * or null to send none. RFC 5424 §7.2.2: a private SD-ID is `name@<private enterprise number>`; 32473 is the
   * number RFC 5612 reserves for documentation, so use your own in production.
   * @default 'extra@32473'
   */
  sdId?: string | null;
}

/** Attributes every record has (CPython's `LogRecord.__dict__`, plus what formatters add): never structured data. */
const STANDARD = new Set([
  'name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'exc_info', 'exc_text',
  'stack_info', 'lineno', 'funcName', 'created', 'msecs', 'relativeCreated', 'thread', 'threadName',
  'processName', 'process', 'taskName', 'message', 'asctime', 'msgid', 'structured_data',
]);

/** RFC 5424 §6.2: PRINTUSASCII (33–126) only, at most `max` characters; empty → NILVALUE `-`. */
function headerField(value: string, max: number): string {
  const v = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return v === '' ? '-' : v;
}

/** RFC 5424 §6.3.3: SD-NAME is 1–32 PRINTUSASCII except `=`, SP, `]` and `"`. */
function sdName(value: string): string {
  const v = value.replace(/[^\x21-\x7e]|[= \]"]/g, '_').slice(0, 32);
  return v === '' ? '_' : v;
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. */
function sdValue(value: unknown): string {
  return str(value).replace(/["\\\]]/g, '\\$&');
}

function sdElement(id: string, params: Readonly<Record<string, unknown>>): string {
  let out = `[${sdName(id)}`;
  for (const key of Object.keys(params)) out += ` ${sdName(key)}="${sdValue(params[key])}"`;
  return `${out}]`;
}

function defaultAppName(): string {
  const script = process.argv[1];
  if (!script) return 'node';
  const base = basename(script);
  return base.slice(0, base.length - extname(base).length) || 'node';
}

const RFC5424_KEYS = optionKeys<Rfc5424Options>()(['hostname', 'appName', 'msgid', 'sdId']);

/** Builds everything of an RFC 5424 message except `<PRI>1 `, which the handler precomputes per level. */
export class Rfc5424Encoder {
  /** ` HOSTNAME APP-NAME ` — the same for every record, so built once. */
  readonly #middle: string;
  readonly #msgid: string;
  readonly #sdId: string | null;

  constructor(options: Rfc5424Options) {
    checkOptions('SysLogHandler rfc5424', options, RFC5424_KEYS);
    if (options.sdId !== undefined && options.sdId !== null && !/^[^=\]" ]{1,32}$/.test(options.sdId)) {
      throw new RangeError(`rfc5424.sdId must be 1-32 characters without '=', ' ', ']' or '"', got '${options.sdId}'`);
    }
    const host = headerField(options.hostname ?? osHostname(), 255);
    const app = headerField(options.appName ?? defaultAppName(), 48);
    this.#middle = ` ${host} ${app} `;
    this.#msgid = headerField(options.msgid ?? '-', 32);
    this.#sdId = options.sdId === undefined ? 'extra@32473' : options.sdId;
  }

  /**
   * `TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]` for `record` with the formatted text `msg`.
   * TIMESTAMP is `record.created` in UTC with milliseconds (RFC 5424 §6.2.3 allows up to 6 fraction digits).
   * MSG is plain UTF-8 without a BOM (§6.4 MSG-ANY), which every receiver accepts.
   */
  encode(record: LogRecord, msg: string): string {
    const created = typeof record.created === 'number' ? record.created : Date.now() / 1000;
    const ts = new Date(Math.round(created * 1000)).toISOString();
    const procid = record.process === null || record.process === undefined ? '-' : headerField(String(record.process), 128);
    const msgid = typeof record['msgid'] === 'string' ? headerField(record['msgid'], 32) : this.#msgid;
    return `${ts}${this.#middle}${procid} ${msgid} ${this.structuredData(record)}${msg === '' ? '' : ` ${msg}`}`;
  }

  /**
   * STRUCTURED-DATA (§6.3): the elements of a `structured_data` attribute (`{ 'id@pen': { key: value } }`),
   * then one `sdId` element holding the record's other extra attributes; `-` when there are none.
   */
  structuredData(record: LogRecord): string {
    let out = '';
    const explicit = record['structured_data'];
    if (explicit !== null && typeof explicit === 'object') {
      for (const [id, params] of Object.entries(explicit as Record<string, unknown>)) {
        out += sdElement(id, params !== null && typeof params === 'object' ? (params as Record<string, unknown>) : {});
      }
    }
    if (this.#sdId !== null) {
      let extra: Record<string, unknown> | null = null;
      for (const key of Object.keys(record)) {
        if (STANDARD.has(key)) continue;
        (extra ??= {})[key] = record[key];
      }
      if (extra !== null) out += sdElement(this.#sdId, extra);
    }
    return out === '' ? '-' : out;
  }
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetFrame(payload: Buffer): Buffer {
  const head = Buffer.from(`${payload.length} `, 'latin1');
  return Buffer.concat([head, payload], head.length + payload.length);
}
