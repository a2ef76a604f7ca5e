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
import http from 'node:http';
import https from 'node:https';
import { ValueError } from '../core/errors.js';
import { Handler } from '../core/handler.js';
import { RecordsDroppedError } from '../core/errors.js';
import type { LogRecord } from '../core/record.js';
import { floatRepr, safeRepr, str } from '../core/repr.js';
import { Delivery } from '../internal/delivery.js';
import { pyStr, pyTupleStr, urlencode } from '../internal/urlencode.js';

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
  /** Most requests kept waiting while one is in flight; more are dropped and counted. @default 1000 */
  capacity?: number;
  /**
   * Beyond CPython, opt-in: POST `mapLogRecord(record)` as an `application/json` body (values as JSON, `undefined`
   * → `null`) instead of a form. Needs `method: 'POST'`. @default false
   */
  json?: boolean;
}

/** Where and how {@link HTTPHandler.getConnection} sends: override it to route through a proxy or custom agent. */
export interface HTTPConnection {
  protocol: 'http:' | 'https:';
  /** Host name or IP to connect to (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** The agent holding the keep-alive connection. */
  agent: http.Agent;
}

/**
 * A response with status 400 or more, reported through `handleError`. `status`, `reason` and the start of the
 * response `body` are kept for `handleError` overrides. Differs from CPython, which ignores the response.
 */
export class HTTPError extends Error {
  override name = 'HTTPError';
  /** Stable code for callers that branch on it. */
  readonly code = 'ERR_PYLOGGING_HTTP_STATUS';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly body: string,
  ) {
    // urllib's wording: "HTTP Error 404: Not Found"
    super(`HTTP Error ${status}: ${reason}${body ? ` (response: ${JSON.stringify(body)})` : ''}`);
  }
}

interface Request {
  record: LogRecord;
  path: string;
  body: Buffer | null;
  contentType: string;
}

// http.client `_contains_disallowed_url_pchar_re`: putrequest() refuses control characters and space in the URL.
// eslint-disable-next-line no-control-regex
const DISALLOWED_URL = /[\x00-\x20\x7f]/;
// CPython encodes the request line as ASCII; non-ASCII raises UnicodeEncodeError.
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
// Record attributes that are Python floats although a JS number does not say so (CPython 3.13 LogRecord).
const FLOAT_FIELDS = new Set(['created', 'msecs', 'relativeCreated']);
const MAX_ERROR_BODY = 512;

/** CPython's `http.client.HTTPConnection._get_hostport`: `host`, `host:port`, `[v6]:port`; empty port → default. */
function splitHostPort(host: string, defaultPort: number): [string, number] {
  let port = defaultPort;
  const i = host.lastIndexOf(':');
  const j = host.lastIndexOf(']');
  if (i > j) {
    const p = host.slice(i + 1);
    if (p !== '') {
      if (!/^[0-9]+$/.test(p)) throw new ValueError(`nonnumeric port: '${p}'`);
      port = Number(p);
    }
    host = host.slice(0, i);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

function checkUrl(url: string): void {
  const bad = DISALLOWED_URL.exec(url) ?? NON_ASCII.exec(url);
  if (bad) throw new ValueError(`URL can't contain control characters or non-ASCII. ${JSON.stringify(url)} (found ${JSON.stringify(bad[0])})`);
}

/** `JSON.stringify` that never throws: bigints as strings, `undefined` as null, cycles and odd objects as `%s`. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === undefined) return null;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
      if (v instanceof Error) return str(v);
    }
    return v;
  });
}

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
  secure: boolean;
  credentials: readonly [string, string] | null;
  context: HTTPSContext | null;
  /** Seconds per request. */
  timeout: number;
  readonly #json: boolean;
  readonly #hostHeader: string;
  readonly #authorization: string | null;
  readonly #delivery: Delivery<Request>;
  #connection: HTTPConnection | null = null;
  #lastDropped: LogRecord | null = null;

  constructor(host: string, url: string, options: HTTPHandlerOptions = {}) {
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
    this.#delivery = new Delivery<Request>({
      capacity: options.capacity ?? 1000,
      write: (req) => this.#send(req),
      onError: (err, req) => this.handleError(req.record, err),
      onDrop: (n) => {
        const rec = this.#lastDropped;
        if (rec) this.handleError(rec, new RecordsDroppedError(`HTTPHandler dropped ${n} record(s): the queue was full`, n));
      },
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
    const agent = secure ? new https.Agent({ ...agentOptions, ...(this.context ?? {}) }) : new http.Agent(agentOptions);
    return (this.#connection = { protocol: secure ? 'https:' : 'http:', hostname, port, agent });
  }

  /** Encodes the record now and queues the request; never blocks and never throws. */
  override emit(record: LogRecord): void {
    try {
      if (this.#delivery.closed) throw new Error('HTTPHandler is closed');
      const fields = this.mapLogRecord(record);
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
      if (!this.#delivery.push({ record, path, body, contentType })) this.#lastDropped = record;
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** Resolves once every record emitted so far has been answered by the server or reported as failed. */
  override flush(): Promise<void> {
    return this.#delivery.flush();
  }

  /** Sends what is queued, then closes the keep-alive connection. Every call returns the first call's promise. */
  override close(): Promise<void> {
    const base = super.close();
    return Promise.all([base, this.#delivery.close()]).then(() => undefined);
  }

  /** Records dropped because the queue was full or the handler closed. */
  get dropped(): number {
    return this.#delivery.dropped;
  }

  async #send(req: Request): Promise<void> {
    try {
      await this.#request(req);
    } catch (err) {
      // A keep-alive socket the server closed while idle fails at once; Node's docs advise one retry on a new one.
      if ((err as { reusedSocket?: boolean }).reusedSocket && isReset(err)) await this.#request(req);
      else throw err;
    }
  }

  #request(item: Request): Promise<void> {
    const conn = this.getConnection(this.host, this.secure);
    // CPython's header order and casing: putrequest() adds Host and Accept-Encoding, then emit() adds the rest.
    const headers: Record<string, string> = { Host: this.#hostHeader, 'Accept-Encoding': 'identity' };
    if (this.method === 'POST' && item.body) {
      headers['Content-type'] = item.contentType;
      headers['Content-length'] = String(item.body.length);
    }
    if (this.#authorization) headers['Authorization'] = this.#authorization;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const request = (conn.protocol === 'https:' ? https : http).request({
        protocol: conn.protocol,
        hostname: conn.hostname,
        port: conn.port,
        method: this.method,
        path: item.path,
        headers,
        agent: conn.agent,
        setHost: false,
      });
      const timer = setTimeout(() => {
        request.destroy(new Error(`HTTPHandler: no response from ${this.host} within ${this.timeout} s`));
      }, this.timeout * 1000);
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error(safeRepr(err)));
      };
      request.on('error', (err: Error & { reusedSocket?: boolean }) => {
        err.reusedSocket = request.reusedSocket;
        done(err);
      });
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('error', done);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 400) return done();
          const text = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8');
          done(new HTTPError(status, res.statusMessage ?? '', text));
        });
      });
      request.end(item.body ?? undefined);
    });
  }
}

function isReset(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** Python `str()` of each field; `args` is a tuple and `created`/`msecs`/`relativeCreated` are floats in CPython. */
function formEntries(fields: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(fields).map(([k, v]): [string, unknown] => {
    if (k === 'args' && Array.isArray(v)) return [k, pyTupleStr(v)];
    if (FLOAT_FIELDS.has(k) && typeof v === 'number') return [k, floatRepr(v)];
    return [k, typeof v === 'string' ? v : pyStr(v)];
  });
}
