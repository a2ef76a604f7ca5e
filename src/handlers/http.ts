/**
 * HTTPHandler: Python's `logging.handlers.HTTPHandler`, delivering through a bounded queue and one keep-alive
 * connection (SPEC "Synchronous surface, asynchronous delivery").
 *
 * Built on Node's own `node:http`/`node:https` rather than undici: the core stays dependency-free, the client sends
 * header names exactly as given (CPython's `Content-type`/`Content-length` casing, no `User-Agent`), and an `Agent`
 * gives keep-alive reuse with TLS options. `fetch` (undici inside Node) cannot reproduce CPython's request: it
 * lower-cases names and adds `accept`, `accept-language`, `sec-fetch-mode`, `user-agent` and gzip.
 */
import { Buffer } from 'node:buffer';
import type https from 'node:https';
import { http as httpModule, https as httpsModule } from '../internal/builtins.js';
import { ValueError } from '../core/errors.js';
import { Handler } from '../core/handler.js';
import { batchConfig, batchFailed, type Batch } from './batch.js';
import type { LogRecord } from '../core/record.js';
import { systemClock, type Clock } from '../internal/clock.js';
import { RequestQueue } from './request-queue.js';
import { urlencode } from '../internal/urlencode.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import {
  checkUrl, formEntries, HTTPError, safeJson, sendRequest, splitHostPort, type HTTPConnection, type HTTPRequestItem as Request, type RequestSpec,
} from './http-request.js';
import { DEFAULT_MAX_BYTES } from './socket-options.js';

export { HTTPError, type HTTPConnection } from './http-request.js';

/**
 * TLS settings for HTTPS, standing in for CPython's `ssl.SSLContext`: the CA to trust, a client certificate and
 * key, whether to reject an unverified server (default true, as CPython's default HTTPS context does), SNI name.
 */
export type HTTPSContext = Pick<
  https.AgentOptions,
  | 'ca'
  | 'cert'
  | 'key'
  | 'pfx'
  | 'passphrase'
  | 'rejectUnauthorized'
  | 'servername'
  | 'checkServerIdentity'
  | 'minVersion'
  | 'maxVersion'
  | 'ciphers'
  | 'secureContext'
>;

/** Keyword options of {@link HTTPHandler}. */
export interface HTTPHandlerOptions {
  /** `'GET'` (record in the query string) or `'POST'` (form body); case-insensitive. @default 'GET' */
  method?: string;
  /** HTTPS instead of HTTP. @default false */
  secure?: boolean;
  /** `[user, password]` sent as `Authorization: Basic …` (UTF-8, as CPython). @default null */
  credentials?: readonly [string, string] | null;
  /** TLS settings for HTTPS; only with `secure: true` (CPython's `context`). @default null */
  context?: HTTPSContext | null;
  /**
   * Seconds a request may take, from connecting to the end of the response, before it is given up and reported.
   * Beyond CPython, which waits forever. @default 5.0
   */
  timeout?: number;
  /**
   * Most requests kept waiting while one is in flight; more are dropped and counted. With `batch` a request is a
   * batch, so up to `capacity × maxRecords` records may wait. @default 1000
   */
  capacity?: number;
  /**
   * Most bytes of requests (path and body) kept waiting, besides `capacity`; more are dropped and counted.
   * @default 64 MiB
   */
  maxBytes?: number;
  /**
   * Beyond CPython, opt-in: POST `mapLogRecord(record)` as an `application/json` body (values as JSON, `undefined`
   * → `null`) instead of a form. Needs `method: 'POST'`. @default false
   */
  json?: boolean;
  /**
   * Beyond CPython, opt-in: send several records per request (see {@link HTTPBatchOptions} for the body format and
   * when a batch is sent). Needs `method: 'POST'`. `null` (the default) sends one request per record, as CPython.
   * @default null
   */
  batch?: HTTPBatchOptions | null;
  /** Time source for a batch's age, read by `emit()` (tests inject one). @default the system clock */
  clock?: Clock;
}

/**
 * Opt-in batching of {@link HTTPHandler} (beyond CPython). Records are encoded when emitted and collected; the batch
 * goes out as one POST when it holds `maxRecords` records, when its first record is `maxDelay` seconds old, on
 * `flush()`, `close()` and `shutdown()`, and when the event loop runs dry (`'beforeExit'`).
 *
 * The body, always in this format once batching is on (a batch of one too), so a receiver needs one parser:
 * - `json: true`: a JSON array of the `mapLogRecord()` objects, `Content-type: application/json`. A single record
 *   without batching is a JSON object, so array vs object tells the two apart.
 * - otherwise: one CPython form body (`urlencode(mapLogRecord(record))`) per line, lines separated by `\n` (no
 *   trailing newline), `Content-type: text/plain; charset=utf-8`. `urlencode` percent-encodes every CR and LF
 *   (`%0D`, `%0A`), so splitting on `\n` yields exactly one line per record, each parsed by any form parser
 *   (`urllib.parse.parse_qsl`, `URLSearchParams`). Repeated fields in one form (`name=a&…&name=b`) would not be
 *   unambiguous: records with different fields (extras, `mapLogRecord` overrides) could not be told apart. The
 *   content type is not the form type, so a receiver written for CPython's HTTPHandler fails loudly instead of
 *   reading a batch as one garbled record.
 */
export interface HTTPBatchOptions {
  /** Most records per request; the batch is sent as soon as it holds this many. @default 100 */
  maxRecords?: number;
  /**
   * Seconds the first record of a batch may wait before the batch is sent: an `unref()`'d timer, and a check in
   * `emit()` (so a long synchronous burst still cuts batches on time). `Infinity`: only `maxRecords`, `flush()`,
   * `close()` and process end send. @default 1.0
   */
  maxDelay?: number;
}

const HTTP_KEYS = optionKeys<HTTPHandlerOptions>()([
  'method', 'secure', 'credentials', 'context', 'timeout', 'capacity', 'maxBytes', 'json', 'batch', 'clock',
]);

/**
 * Python's `HTTPHandler(host, url, method='GET', secure=False, credentials=None, context=None)`: sends every record
 * to a web server as `urlencode(mapLogRecord(record))`, in the query string (GET) or as an
 * `application/x-www-form-urlencoded` body (POST), with the headers CPython sends (`Host` without a default port,
 * `Accept-Encoding: identity`, `Content-type`, `Content-length`, Basic `Authorization`).
 *
 * `emit()` encodes the record at once and queues the request; one request is in flight at a time, over a
 * keep-alive connection. `flush()`/`close()` resolve once every queued request has been answered or given up.
 *
 * Differs from CPython: connection errors, timeouts, TLS errors and responses with status ≥ 400 are reported
 * through `handleError` (CPython ignores the status); a `timeout` (5 s) bounds each request; the connection is
 * reused; `emit()` after `close()` reports the record through `handleError` instead of sending it.
 *
 * Opt-in batching (`batch`, beyond CPython; body format in {@link HTTPBatchOptions}): `emit()` encodes the record
 * at once and adds it to the batch being collected; a full or `maxDelay`-old batch is queued as one request.
 * `flush()`, `close()` and `shutdown()` send a partial batch first, so nothing waits out its delay. A failed batch
 * is reported once, as a `RecordsDroppedError` (`dropped`: the batch's record count, `cause`: the `HTTPError`,
 * connection or timeout error), with the batch's first record. At process end: when the event loop runs dry
 * (`'beforeExit'`) the waiting batch is sent (its timer is `unref()`'d and does not keep the process alive); on
 * `process.exit()` or an uncaught exception nothing asynchronous can run, so the waiting batch is lost and reported
 * through `handleError` as a `RecordsDroppedError` (requests already queued are cut off unreported, as without
 * batching). Call `await shutdown()` before `process.exit()` to deliver everything.
 *
 * @throws ValueError (a RangeError) `method must be GET or POST`, `context parameter only makes sense with
 * secure=True`, a non-numeric port or a URL with control characters.
 */
export class HTTPHandler extends Handler {
  /** `host` or `host:port`, as given. */
  host: string;
  /** The request path, possibly with a query string. */
  url: string;
  /** `'GET'` or `'POST'`. */
  method: string;
  /** True sends over HTTPS (CPython's `secure`); the default port becomes 443. */
  secure: boolean;
  /** `[user, password]` sent as a Basic `Authorization` header on every request, or null. */
  credentials: readonly [string, string] | null;
  /** TLS settings for the HTTPS agent (CPython's `context`); null uses Node's defaults, which verify the server. */
  context: HTTPSContext | null;
  /** Seconds per request. */
  timeout: number;
  readonly #json: boolean;
  readonly #hostHeader: string;
  readonly #authorization: string | null;
  readonly #queue: RequestQueue<Request, string, null>;
  #connection: HTTPConnection | null = null;

  /** Python's `HTTPHandler(host, url, method='GET', secure=False, credentials=None, context=None)`, for dictConfig. */
  static override pySignature: typeof Handler.pySignature = { params: ['host', 'url', 'method', 'secure', 'credentials', 'context'], required: 2, positional: 2 };
  constructor(host: string, url: string, options: HTTPHandlerOptions = {}) {
    if (new.target === HTTPHandler) checkOptions('HTTPHandler', options, HTTP_KEYS);
    super();
    const method = String(options.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new ValueError('method must be GET or POST');
    const secure = options.secure ?? false;
    const context = options.context ?? null;
    if (!secure && context !== null) throw new ValueError('context parameter only makes sense with secure=True');
    if (typeof host !== 'string' || host === '') throw new TypeError(`host must be a non-empty string, got ${String(host)}`);
    if (typeof url !== 'string') throw new TypeError(`url must be a string, got ${String(url)}`);
    checkUrl(url);
    const timeout = options.timeout ?? 5.0;
    if (typeof timeout !== 'number' || !(timeout > 0)) throw new RangeError(`timeout must be a positive number of seconds, got ${String(timeout)}`);
    if (options.json && method !== 'POST') throw new ValueError('json requires method POST');
    const batch = batchConfig(options.batch, 1.0);
    if (batch && method !== 'POST') throw new ValueError('batch requires method POST');
    const [hostname, port] = splitHostPort(host, secure ? 443 : 80);
    this.host = host;
    this.url = url;
    this.method = method;
    this.secure = secure;
    this.credentials = options.credentials ?? null;
    this.context = context;
    this.timeout = timeout;
    this.#json = options.json ?? false;
    // http.client putrequest(): IPv6 literals in brackets; the port only when it is not the scheme's default.
    const h = hostname.includes(':') ? `[${hostname}]` : hostname;
    this.#hostHeader = port === (secure ? 443 : 80) ? h : `${h}:${port}`;
    this.#authorization = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials[0]}:${this.credentials[1]}`, 'utf8').toString('base64')}`
      : null;
    this.#queue = new RequestQueue<Request, string, null>({
      capacity: options.capacity ?? 1000,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      clock: options.clock ?? systemClock,
      send: (req) => sendRequest(this.getConnection(this.host, this.secure), this.#spec(), req),
      // A status >= 400 refuses this record; anything else (refused, reset, no answer in time, TLS) is the server's.
      peerFailed: (err) => !(err instanceof HTTPError),
      who: 'HTTPHandler',
      batchNoun: 'batch',
      report: (record, err) => this.handleError(record, err),
      batch: { config: batch, send: (b) => this.#sendBatch(b) },
      teardown: () => this.#connection?.agent.destroy(),
    });
  }

  /**
   * The fields sent for `record`; CPython returns `record.__dict__`. Returns a shallow copy of the record's own
   * attributes in CPython's order (plus `message`/`asctime` if a formatter already set them, as in CPython).
   * Override to send other fields. Form encoding renders values with Python's `str()` (`None`, `True`, `('a',)`
   * for `args`, `500.0` for `msecs`).
   */
  mapLogRecord(record: LogRecord): Record<string, unknown> {
    return { ...record };
  }

  /**
   * The connection to send through: protocol, host, port and a keep-alive agent (built once, on first use).
   * Override to route through a proxy or share an agent, as CPython's `getConnection` allows.
   */
  getConnection(host: string, secure: boolean): HTTPConnection {
    if (this.#connection) return this.#connection;
    const [hostname, port] = splitHostPort(host, secure ? 443 : 80);
    // One socket: the queue keeps one request in flight, so keep-alive reuses the same connection.
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    const agent = secure
      ? new (httpsModule().Agent)({ ...agentOptions, ...(this.context ?? {}) })
      : new (httpModule().Agent)(agentOptions);
    return (this.#connection = { protocol: secure ? 'https:' : 'http:', hostname, port, agent });
  }

  /** Encodes the record now and queues the request; never blocks and never throws. */
  override emit(record: LogRecord): void {
    try {
      if (this.#queue.closed) throw new Error('HTTPHandler is closed');
      const fields = this.mapLogRecord(record);
      if (this.#queue.batcher !== null) {
        this.#queue.batcher.add(record, this.#json ? safeJson(fields) : urlencode(formEntries(fields)), () => null);
        return;
      }
      let path = this.url;
      let body: Buffer | null = null;
      let contentType = 'application/x-www-form-urlencoded';
      if (this.#json) {
        body = Buffer.from(safeJson(fields), 'utf8');
        contentType = 'application/json';
      } else {
        const data = urlencode(formEntries(fields));
        if (this.method === 'GET') path += (path.includes('?') ? '&' : '?') + data;
        else body = Buffer.from(data, 'utf8');
      }
      this.#queue.push({ record, path, body, contentType, size: path.length + (body?.length ?? 0) });
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * Resolves once every record emitted so far has been answered by the server or reported as failed. With `batch`,
   * the batch being collected is sent now, however small.
   */
  override flush(): Promise<void> {
    return this.#queue.flush();
  }

  /**
   * Sends what is queued (with `batch`, the batch being collected too), then closes the keep-alive connection.
   * Every call returns the first call's promise.
   */
  override close(): Promise<void> {
    return Promise.all([super.close(), this.#queue.close()]).then(() => undefined);
  }

  /**
   * Records dropped: the queue was full, or given up while the server failed (with `batch`, every record of a
   * batch). A request the server refused, or that failed, is reported instead.
   */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** Queues a complete batch as one request. Never throws. */
  #sendBatch(b: Batch<string, null>): void {
    const count = b.parts.length;
    try {
      const body = this.#json ? `[${b.parts.join(',')}]` : b.parts.join('\n');
      const contentType = this.#json ? 'application/json' : 'text/plain; charset=utf-8';
      const bytes = Buffer.from(body, 'utf8');
      this.#queue.push({ record: b.first, path: this.url, body: bytes, contentType, count, size: bytes.length });
    } catch (err) {
      this.handleError(b.first, batchFailed('HTTPHandler could not deliver a batch', count, err));
    }
  }

  /** How each request is sent: the method and header values CPython's emit() uses, and the timeout. */
  #spec(): RequestSpec {
    return { method: this.method, host: this.host, hostHeader: this.#hostHeader, authorization: this.#authorization, timeout: this.timeout };
  }
}
