/**
 * The HTTP side of HTTPHandler: one request as CPython's `HTTPHandler.emit` makes it (headers in its order and
 * casing), sent with Node's own `node:http`/`node:https` and bounded by the handler's `timeout`, plus the
 * encodings of a record (form fields as Python's `str()`, JSON) and the checks `http.client` makes.
 */
import { Buffer } from 'node:buffer';
import type http from 'node:http';
import { http as httpModule, https as httpsModule } from '../internal/builtins.js';
import { ValueError } from '../core/errors.js';
import type { LogRecord } from '../core/record.js';
import { floatRepr, safeRepr, str, tupleRepr } from '../core/repr.js';

/** Where and how {@link HTTPHandler.getConnection} sends: override it to route through a proxy or custom agent. */
export interface HTTPConnection {
  /** `'https:'` when the handler is `secure`, else `'http:'` (Node's `http.request` option). */
  protocol: 'http:' | 'https:';
  /** Host name or IP to connect to (IPv6 without brackets). */
  hostname: string;
  /** The TCP port: the one in `host`, else 443 or 80. */
  port: number;
  /** The agent holding the keep-alive connection. */
  agent: http.Agent;
}

/**
 * A response with status 400 or more, reported through `handleError`. `status`, `reason` and the start of the
 * response `body` are kept for `handleError` overrides. Differs from CPython, which ignores the response.
 */
export class HTTPError extends Error {
  /** `'HTTPError'`, as urllib's `HTTPError` prints in a report. */
  override name = 'HTTPError';
  /** Stable code for callers that branch on it. */
  readonly code = 'ERR_PYLOGGING_HTTP_STATUS';
  constructor(
    /** The HTTP status code (400 or more). */
    readonly status: number,
    /** The status line's reason phrase (`'Not Found'`), empty when the server sent none. */
    readonly reason: string,
    /** The first 512 bytes of the response body as UTF-8 text, for seeing why the server refused the record. */
    readonly body: string,
  ) {
    // urllib's wording: "HTTP Error 404: Not Found"
    super(`HTTP Error ${status}: ${reason}${body ? ` (response: ${JSON.stringify(body)})` : ''}`);
  }
}

export interface HTTPRequestItem {
  /** The record, or a batch's first record. */
  record: LogRecord;
  /** Bytes it holds (path and body), for the backlog's byte bound. */
  size: number;
  path: string;
  body: Buffer | null;
  contentType: string;
  /** Records in a batch; absent for a single record (batching off). */
  count?: number;
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
export function splitHostPort(host: string, defaultPort: number): [string, number] {
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

/** http.client's `putrequest()` check of the URL. @throws ValueError for control characters, space or non-ASCII. */
export function checkUrl(url: string): void {
  const bad = DISALLOWED_URL.exec(url) ?? NON_ASCII.exec(url);
  if (bad) throw new ValueError(`URL can't contain control characters or non-ASCII. ${JSON.stringify(url)} (found ${JSON.stringify(bad[0])})`);
}

/** `JSON.stringify` that never throws: bigints as strings, `undefined` as null, cycles and odd objects as `%s`. */
export function safeJson(value: unknown): string {
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

/** How {@link sendRequest} sends: the handler's method, header values and timeout. */
export interface RequestSpec {
  method: string;
  /** `host` as given to the handler, for the timeout's message. */
  host: string;
  hostHeader: string;
  authorization: string | null;
  /** Seconds from sending the request to the end of the response. */
  timeout: number;
}

/**
 * Sends one request and reads the response. Resolves for a status below 400; rejects with an {@link HTTPError}
 * for 400 or more, with the connection or TLS error, or after `timeout` seconds without a complete response. A
 * keep-alive socket the server closed while idle fails at once: as Node's docs advise, that request is sent once more
 * on a new socket.
 */
export async function sendRequest(conn: HTTPConnection, spec: RequestSpec, item: HTTPRequestItem): Promise<void> {
  try {
    await requestOnce(conn, spec, item);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket && isReset(err)) await requestOnce(conn, spec, item);
    else throw err;
  }
}

function requestOnce(conn: HTTPConnection, spec: RequestSpec, item: HTTPRequestItem): Promise<void> {
  // CPython's header order and casing: putrequest() adds Host and Accept-Encoding, then emit() adds the rest.
  const headers: Record<string, string> = { Host: spec.hostHeader, 'Accept-Encoding': 'identity' };
  if (spec.method === 'POST' && item.body) {
    headers['Content-type'] = item.contentType;
    headers['Content-length'] = String(item.body.length);
  }
  if (spec.authorization) headers['Authorization'] = spec.authorization;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const request = (conn.protocol === 'https:' ? httpsModule() : httpModule()).request({
      protocol: conn.protocol,
      hostname: conn.hostname,
      port: conn.port,
      method: spec.method,
      path: item.path,
      headers,
      agent: conn.agent,
      setHost: false,
    });
    const timer = setTimeout(() => {
      request.destroy(
        Object.assign(new Error(`HTTPHandler: no response from ${spec.host} within ${spec.timeout} s`), { code: 'ETIMEDOUT' }),
      );
    }, spec.timeout * 1000);
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

function isReset(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** Python `str()` of each field; `args` is a tuple and `created`/`msecs`/`relativeCreated` are floats in CPython. */
export function formEntries(fields: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(fields).map(([k, v]): [string, unknown] => {
    if (k === 'args' && Array.isArray(v)) return [k, tupleRepr(v)];
    if (FLOAT_FIELDS.has(k) && typeof v === 'number') return [k, floatRepr(v)];
    return [k, v]; // urlencode() takes Python's str() of the rest, and quotes bytes as bytes
  });
}
