/**
 * A real HTTP(S) server on 127.0.0.1 port 0 that records every request as it arrived (method, raw URL, header names
 * in their casing and order, body, which connection carried it, the client certificate), plus two helpers the SMTP
 * and HTTP tests share: a throwaway self-signed certificate (as peers/make-cert.sh) and an asynchronous python3
 * runner (the oracle must not block the event loop that serves it).
 */
import { spawn, execFileSync } from 'node:child_process';
import { once, EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { PYTHON } from './python.js';

/** A PEM key and certificate on disk and in memory. */
export interface Cert {
  keyPath: string;
  certPath: string;
  key: Buffer;
  cert: Buffer;
}

/**
 * Writes `DIR/<name>-key.pem` and `DIR/<name>-cert.pem`: self-signed EC P-256 for `localhost` and `127.0.0.1`, the
 * recipe of peers/make-cert.sh (about 15 ms).
 */
export function makeCert(dir: string, name = 'server', cn = 'localhost'): Cert {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath,
      '-out', certPath, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { keyPath, certPath, key: readFileSync(keyPath), cert: readFileSync(certPath) };
}

/** Runs `script` under the python3 oracle with `input` as JSON on stdin; resolves with its JSON output. */
export async function runPythonAsync<T = unknown>(script: string, input: unknown = null): Promise<T> {
  const child = spawn(PYTHON, ['-c', script], {
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(JSON.stringify(input));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`python exited ${String(code)}: ${Buffer.concat(err).toString()}`);
  return JSON.parse(Buffer.concat(out).toString('utf8')) as T;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** The request target exactly as sent. */
  url: string;
  /** Header names as sent (casing kept), in order. */
  headers: [string, string][];
  body: Buffer;
  /** Which connection carried it (1, 2, …, in accept order). */
  connection: number;
  /** CN of the client certificate, when one was presented. */
  clientCN: string | null;
}

/** Options of {@link RecordingHTTPServer.start}. */
export interface RecordingHTTPServerOptions {
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer };
}

/** The recording server. `status` answers every request; `hold` keeps responses back until `release()`. */
export class RecordingHTTPServer extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  status = 200;
  /** While true, responses wait for {@link release}; lets a test keep a request in flight. */
  hold = false;
  /** When true, requests are never answered (timeouts). */
  silent = false;
  port = 0;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  #held: (() => void)[] = [];
  #connections = 0;
  #ids = new WeakMap<Socket, number>();

  private constructor(options: RecordingHTTPServerOptions) {
    super();
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#onRequest(req, res);
    this.#server = options.tls
      ? https.createServer(
          { key: options.tls.key, cert: options.tls.cert, ...(options.tls.ca ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: false } : {}) },
          onRequest,
        )
      : http.createServer(onRequest);
    this.#server.keepAliveTimeout = 30_000;
    this.#server.on(options.tls ? 'secureConnection' : 'connection', (s: Socket) => {
      this.#ids.set(s, ++this.#connections);
    });
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  /** Starts listening on 127.0.0.1, port 0. */
  static async start(options: RecordingHTTPServerOptions = {}): Promise<RecordingHTTPServer> {
    const s = new RecordingHTTPServer(options);
    s.#server.listen(0, '127.0.0.1');
    await once(s.#server, 'listening');
    s.port = (s.#server.address() as AddressInfo).port;
    return s;
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
      }
      const sock = req.socket as TLSSocket;
      const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : null;
      const cn = peer?.subject?.CN;
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers,
        body: Buffer.concat(chunks),
        connection: this.#ids.get(req.socket) ?? this.#ids.get(sock) ?? 0,
        clientCN: typeof cn === 'string' ? cn : null,
      };
      this.requests.push(rec);
      this.emit('request', rec);
      if (this.silent) return;
      const answer = (): void => {
        const text = this.status >= 400 ? 'server says no' : 'ok';
        res.writeHead(this.status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (this.hold) this.#held.push(answer);
      else answer();
    });
  }

  /** Answers the requests held back while `hold` was true, and stops holding. */
  release(): void {
    this.hold = false;
    const held = this.#held;
    this.#held = [];
    for (const a of held) a();
  }

  /** Resolves once `n` requests in total have arrived. */
  async waitFor(n: number): Promise<RecordedRequest[]> {
    while (this.requests.length < n) await once(this, 'request');
    return this.requests.slice(0, n);
  }

  /** Closes the server and every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Header pairs without the transport headers Node's client adds on its own (`Connection: keep-alive`). */
export function comparableHeaders(headers: readonly [string, string][]): [string, string][] {
  return headers.filter(([k]) => k.toLowerCase() !== 'connection');
}
