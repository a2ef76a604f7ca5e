/**
 * SMTPHandler: Python's `logging.handlers.SMTPHandler`, sending through a bounded queue and one sender, with the
 * SMTP client (nodemailer) loaded only when the first mail goes out.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { Handler } from '../core/handler.js';
import { ValueError } from '../core/errors.js';
import { batchConfig, batchFailed, type Batch } from './batch.js';
import type { LogRecord } from '../core/record.js';
import { str } from '../core/repr.js';
import { systemClock, type Clock } from '../internal/clock.js';
import { RequestQueue, type RequestItem } from './request-queue.js';
import { sendOnce } from '../internal/smtp-client.js';
import { buildMessage, checkAddress, checkHeaderValue, formatDate } from '../internal/smtp-message.js';
import { checkOptions, optionKeys } from '../internal/options.js';
import { DEFAULT_MAX_BYTES } from './socket-options.js';

/** TLS settings beyond CPython's `secure` tuple: CA to trust, `rejectUnauthorized`, SNI `servername`, versions. */
export type SMTPTLSOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized' | 'servername' | 'minVersion' | 'ciphers' | 'checkServerIdentity'
>;

/** Keyword options of {@link SMTPHandler}. */
export interface SMTPHandlerOptions {
  /** `[username, password]`; without it the handler neither logs in nor uses STARTTLS (CPython). @default null */
  credentials?: readonly [string, string] | null;
  /**
   * Used only with `credentials`, as in CPython: `[]` means STARTTLS; `[keyfile]` STARTTLS presenting the key and
   * certificate read from that one PEM file; `[keyfile, certfile]` STARTTLS presenting that key and certificate.
   * @default null
   */
  secure?: readonly [] | readonly [string] | readonly [string, string] | null;
  /** Seconds to wait for the connection, the greeting and each reply (CPython's default is 5.0). @default 5.0 */
  timeout?: number;
  /**
   * Beyond CPython: TLS from the first byte (SMTPS, usually port 465), with or without credentials. `secure`'s
   * key/certificate files are presented here too. @default false
   */
  implicitTLS?: boolean;
  /**
   * Beyond CPython: Node TLS options for STARTTLS and implicit TLS. The default, `{ rejectUnauthorized: false }`,
   * is what smtplib does (`starttls()` and `SMTP_SSL` use an unverified context); pass `{ ca, rejectUnauthorized:
   * true }` to verify the server. @default { rejectUnauthorized: false }
   */
  tls?: SMTPTLSOptions;
  /**
   * Most mails kept waiting while one is being sent; more are dropped and counted. With `batch` a mail is a digest,
   * so up to `capacity × maxRecords` records may wait. @default 100
   */
  capacity?: number;
  /** Most bytes of mails kept waiting, besides `capacity`; more are dropped and counted. @default 64 MiB */
  maxBytes?: number;
  /**
   * Beyond CPython, opt-in: mail several records as one digest (see {@link SMTPBatchOptions}). `null` (the default)
   * sends one mail per record, as CPython. @default null
   */
  batch?: SMTPBatchOptions | null;
  /** Time source for a batch's age, read by `emit()` (tests inject one). @default the system clock */
  clock?: Clock;
}

/**
 * Opt-in digests of {@link SMTPHandler} (beyond CPython), like the cookbook's BufferingSMTPHandler: the records are
 * formatted when emitted and collected; one mail goes out when the digest holds `maxRecords` records, when its
 * first record is `maxDelay` seconds old, on `flush()`, `close()` and `shutdown()`, and when the event loop runs dry
 * (`'beforeExit'`). The mail has the usual headers, `Subject` from `getSubject()` of the digest's first record and
 * `Date` when it is sent; its body is the formatted records joined by newlines, oldest first.
 */
export interface SMTPBatchOptions {
  /** Most records per mail; the digest is sent as soon as it holds this many. @default 100 */
  maxRecords?: number;
  /**
   * Seconds the first record of a digest may wait before it is mailed: an `unref()`'d timer, and a check in
   * `emit()`. `Infinity`: only `maxRecords`, `flush()`, `close()` and process end send. @default 10
   */
  maxDelay?: number;
}

interface Mail extends RequestItem {
  raw: Buffer;
}

/** nodemailer's codes for a server that cannot be reached or does not answer (a reply from it has `responseCode`). */
const PEER_FAILURES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS']);

const SMTP_KEYS = optionKeys<SMTPHandlerOptions>()([
  'credentials', 'secure', 'timeout', 'implicitTLS', 'tls', 'capacity', 'maxBytes', 'batch', 'clock',
]);

/**
 * Python's `SMTPHandler(mailhost, fromaddr, toaddrs, subject, credentials=None, secure=None, timeout=5.0)`: mails
 * every record, formatted, to `toaddrs`. The message has CPython's bytes: `From`, `To` (joined by `,`), `Subject`
 * (RFC 2047 encoded words for non-ASCII, folded at 78), `Date` (local time), `Content-Type: text/plain;
 * charset="utf-8"`, a 7bit/8bit/quoted-printable/base64 body as `EmailMessage.set_content` picks, `MIME-Version`.
 *
 * `emit()` builds the message at once and queues it; one sender opens a connection per mail, as CPython does
 * (EHLO, STARTTLS and AUTH as configured, MAIL, RCPT per address, DATA, QUIT). Failures, with the server's reply,
 * go to `handleError`. `flush()`/`close()` resolve once every queued mail is sent or reported.
 *
 * Needs the optional package `nodemailer` (`npm install nodemailer`); it is imported when the first mail is sent,
 * and its absence is reported through `handleError`.
 *
 * Differs from CPython: a non-empty `secure` works (3.12+ `starttls()` lost its key/cert arguments, so CPython
 * reports a TypeError instead of sending); `[keyfile]` alone reads key and certificate from one file (CPython ≤ 3.11
 * raised `certfile must be specified`); `implicitTLS` and `tls` are new; `emit()` after `close()` is reported
 * instead of sent.
 *
 * Opt-in digests (`batch`, beyond CPython; see {@link SMTPBatchOptions}): `emit()` formats the record at once and
 * adds it to the digest being collected (a subject, from or to address with a line break is refused for the
 * record that would start a digest, as above); a full or `maxDelay`-old digest is queued as one mail. `flush()`,
 * `close()` and `shutdown()` send a partial digest first, so nothing waits out its delay. A failed digest is
 * reported once, as a `RecordsDroppedError` (`dropped`: the digest's record count, `cause`: the server's reply or
 * connection error), with the digest's first record. At process end: when the event loop runs dry (`'beforeExit'`)
 * the waiting digest is sent (its timer is `unref()`'d and does not keep the process alive); on `process.exit()`
 * or an uncaught exception nothing asynchronous can run, so the waiting digest is lost and reported through
 * `handleError` as a `RecordsDroppedError` (mails already queued are cut off unreported, as without batching).
 * Call `await shutdown()` before `process.exit()` to deliver everything.
 */
export class SMTPHandler extends Handler {
  /** The SMTP server's host name (CPython's `mailhost`, split from the port when a `[host, port]` pair was given). */
  mailhost: string;
  /** `null` means port 25 (smtplib's SMTP_PORT), as CPython's `mailport=None`. */
  mailport: number | null;
  /** The login name from `credentials`; null sends without AUTH (and without STARTTLS), as CPython does. */
  username: string | null;
  /** The password from `credentials`, or null. */
  password: string | null;
  /** The `From:` header and the envelope sender. */
  fromaddr: string;
  /** The recipients: the `To:` header (comma-joined) and one `RCPT TO` each; a single string becomes a list of one. */
  toaddrs: string[];
  /** The `Subject:` header, as {@link SMTPHandler.getSubject} returns it (override that to vary it per record). */
  subject: string;
  /**
   * CPython's `secure` tuple (`[]`, `[keyfile]` or `[keyfile, certfile]`): with `credentials`, STARTTLS presenting
   * those files; null for a plain connection.
   */
  secure: readonly string[] | null;
  /** Seconds allowed for the connection, the greeting and each server reply. */
  timeout: number;
  readonly #implicitTLS: boolean;
  readonly #tls: SMTPTLSOptions;
  readonly #queue: RequestQueue<Mail, string, string>;
  /** The digest being collected; its head is the subject of its first record. */

  /** Python's `SMTPHandler(mailhost, fromaddr, toaddrs, subject, credentials, secure, timeout)`, for dictConfig. */
  static override pySignature: typeof Handler.pySignature = {
    params: ['mailhost', 'fromaddr', 'toaddrs', 'subject', 'credentials', 'secure', 'timeout'],
    required: 4,
    positional: 4,
  };
  constructor(
    mailhost: string | readonly [string, number],
    fromaddr: string,
    toaddrs: string | readonly string[],
    subject: string,
    options: SMTPHandlerOptions = {},
  ) {
    if (new.target === SMTPHandler) checkOptions('SMTPHandler', options, SMTP_KEYS);
    super();
    if (Array.isArray(mailhost)) {
      const [host, port] = mailhost as readonly [string, number];
      this.mailhost = host;
      this.mailport = port;
    } else {
      this.mailhost = mailhost as string;
      this.mailport = null;
    }
    if (typeof this.mailhost !== 'string' || this.mailhost === '') {
      throw new TypeError(`mailhost must be a host name or [host, port], got ${String(mailhost)}`);
    }
    if (this.mailport !== null && !(Number.isInteger(this.mailport) && this.mailport >= 0 && this.mailport < 65536)) {
      throw new RangeError(`mailport must be an integer port, got ${String(this.mailport)}`);
    }
    const creds = options.credentials ?? null;
    this.username = creds ? creds[0] : null;
    this.password = creds ? creds[1] : null;
    this.fromaddr = fromaddr;
    this.toaddrs = typeof toaddrs === 'string' ? [toaddrs] : [...toaddrs];
    // Refused here, not at the first record: a bad address in a config is a config error (issue #17 item 15).
    checkAddress(this.fromaddr, 'fromaddr');
    if (this.toaddrs.length === 0) throw new ValueError('toaddrs holds no address');
    for (const a of this.toaddrs) checkAddress(a, 'toaddrs entry');
    this.subject = subject;
    this.secure = options.secure ?? null;
    if (this.secure !== null && (!Array.isArray(this.secure) || this.secure.length > 2)) {
      throw new TypeError(`secure must be [], [keyfile] or [keyfile, certfile], got ${String(this.secure)}`);
    }
    this.timeout = options.timeout ?? 5.0;
    if (typeof this.timeout !== 'number' || !(this.timeout > 0)) {
      throw new RangeError(`timeout must be a positive number of seconds, got ${String(this.timeout)}`);
    }
    this.#implicitTLS = options.implicitTLS ?? false;
    this.#tls = options.tls ?? { rejectUnauthorized: false };
    const batch = batchConfig(options.batch, 10);
    this.#queue = new RequestQueue<Mail, string, string>({
      capacity: options.capacity ?? 100,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      clock: options.clock ?? systemClock,
      send: (mail) => this.#send(mail),
      peerFailed: (err) => {
        const e = err as { code?: unknown; responseCode?: unknown } | null;
        return e?.responseCode === undefined && PEER_FAILURES.has(String(e?.code));
      },
      who: 'SMTPHandler',
      batchNoun: 'digest',
      report: (record, err) => this.handleError(record, err),
      batch: { config: batch, send: (b) => this.#sendDigest(b) },
    });
  }

  /**
   * Records dropped: the queue was full, or given up while the server failed (with `batch`, every record of a
   * digest). A mail the server refused, or that failed, is reported instead.
   */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** Resolves once every record emitted so far was mailed, reported or given up; mails a partial digest first. */
  override flush(): Promise<void> {
    return this.#queue.flush();
  }

  /** As {@link flush}, after which records are refused (reported). Every call returns the first call's promise. */
  override close(): Promise<void> {
    return Promise.all([super.close(), this.#queue.close()]).then(() => undefined);
  }

  /** The subject for `record`; returns `subject`. Override for a record-dependent subject. */
  getSubject(_record: LogRecord): string {
    return this.subject;
  }

  /** Formats the record, builds the message now (Date = now) and queues it; never blocks, never throws. */
  override emit(record: LogRecord): void {
    try {
      if (this.#queue.closed) throw new Error('SMTPHandler is closed');
      if (this.#queue.batcher !== null) {
        this.#queue.batcher.add(record, this.format(record), () => this.#digestSubject(record));
        return;
      }
      const subject = this.getSubject(record);
      // buildMessage refuses CR/LF in From/To/Subject (ValueError, as EmailMessage), so the envelope is clean too.
      const raw = buildMessage({
        from: this.fromaddr,
        to: this.toaddrs,
        subject: typeof subject === 'string' ? subject : str(subject),
        date: formatDate(new Date()),
        body: this.format(record),
      });
      this.#queue.push({ record, raw, size: raw.length });
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** The subject of a digest starting with `record`; refuses now what buildMessage would refuse later. */
  #digestSubject(record: LogRecord): string {
    const s = this.getSubject(record);
    const subject = typeof s === 'string' ? s : str(s);
    // No header injection, and no digest lost later for a bad header: the record that would start it is refused.
    for (const v of [this.fromaddr, this.toaddrs.join(','), subject]) checkHeaderValue(v);
    return subject;
  }

  /** Builds a complete digest into one mail and queues it. Never throws. */
  #sendDigest(d: Batch<string, string>): void {
    const count = d.parts.length;
    try {
      const raw = buildMessage({
        from: this.fromaddr,
        to: this.toaddrs,
        subject: d.head,
        date: formatDate(new Date()),
        body: d.parts.join('\n'),
      });
      this.#queue.push({ record: d.first, raw, count, size: raw.length });
    } catch (err) {
      this.handleError(d.first, batchFailed('SMTPHandler could not deliver a digest', count, err));
    }
  }

  async #send(mail: Mail): Promise<void> {
    const useAuth = Boolean(this.username);
    // CPython: STARTTLS only with credentials and `secure is not None`.
    const starttls = useAuth && this.secure !== null && !this.#implicitTLS;
    const tlsOptions: ConnectionOptions = { ...this.#tls };
    const files = this.secure ?? [];
    if ((starttls || this.#implicitTLS) && files.length > 0) {
      const [keyfile, certfile] = files;
      const key = await readFile(keyfile as string);
      tlsOptions.key = key;
      tlsOptions.cert = certfile === undefined ? key : await readFile(certfile);
    }
    await sendOnce({
      host: this.mailhost,
      port: this.mailport || (this.#implicitTLS ? 465 : 25), // smtplib: `if not port: port = SMTP_PORT`
      tls: this.#implicitTLS ? 'implicit' : starttls ? 'starttls' : 'none',
      auth: useAuth ? { user: this.username as string, pass: this.password ?? '' } : null,
      tlsOptions,
      timeout: this.timeout,
      // smtplib's send_message: the envelope comes from the From and To headers, parsed as addresses.
      // Checked again: fromaddr/toaddrs are public fields and may have been reassigned since construction.
      from: checkAddress(this.fromaddr, 'fromaddr')[0] as string,
      to: this.toaddrs.flatMap((a) => checkAddress(a, 'toaddrs entry')),
      raw: mail.raw,
    });
  }
}
