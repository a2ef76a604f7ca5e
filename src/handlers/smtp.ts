/**
 * SMTPHandler: Python's `logging.handlers.SMTPHandler`, sending through a bounded queue and one sender, with the
 * SMTP client (nodemailer) loaded only when the first mail goes out.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { Handler } from '../core/handler.js';
import { RecordsDroppedError } from '../core/errors.js';
import type { LogRecord } from '../core/record.js';
import { str } from '../core/repr.js';
import { Delivery } from '../internal/delivery.js';
import { sendOnce } from '../internal/smtp-client.js';
import { buildMessage, envelopeAddresses, formatDate } from '../internal/smtp-message.js';

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
  /** Most mails kept waiting while one is being sent; more are dropped and counted. @default 100 */
  capacity?: number;
}

interface Mail {
  record: LogRecord;
  raw: Buffer;
}

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
 */
export class SMTPHandler extends Handler {
  mailhost: string;
  /** `null` means port 25 (smtplib's SMTP_PORT), as CPython's `mailport=None`. */
  mailport: number | null;
  username: string | null;
  password: string | null;
  fromaddr: string;
  toaddrs: string[];
  subject: string;
  secure: readonly string[] | null;
  timeout: number;
  readonly #implicitTLS: boolean;
  readonly #tls: SMTPTLSOptions;
  readonly #delivery: Delivery<Mail>;
  #lastDropped: LogRecord | null = null;

  constructor(
    mailhost: string | readonly [string, number],
    fromaddr: string,
    toaddrs: string | readonly string[],
    subject: string,
    options: SMTPHandlerOptions = {},
  ) {
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
    this.#delivery = new Delivery<Mail>({
      capacity: options.capacity ?? 100,
      write: (mail) => this.#send(mail),
      onError: (err, mail) => this.handleError(mail.record, err),
      onDrop: (n) => {
        const rec = this.#lastDropped;
        if (rec) this.handleError(rec, new RecordsDroppedError(`SMTPHandler dropped ${n} record(s): the queue was full`, n));
      },
    });
  }

  /** The subject for `record`; returns `subject`. Override for a record-dependent subject. */
  getSubject(_record: LogRecord): string {
    return this.subject;
  }

  /** Formats the record, builds the message now (Date = now) and queues it; never blocks, never throws. */
  override emit(record: LogRecord): void {
    try {
      if (this.#delivery.closed) throw new Error('SMTPHandler is closed');
      const subject = this.getSubject(record);
      // buildMessage refuses CR/LF in From/To/Subject (ValueError, as EmailMessage), so the envelope is clean too.
      const raw = buildMessage({
        from: this.fromaddr,
        to: this.toaddrs,
        subject: typeof subject === 'string' ? subject : str(subject),
        date: formatDate(new Date()),
        body: this.format(record),
      });
      if (!this.#delivery.push({ record, raw })) this.#lastDropped = record;
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /** Resolves once every record emitted so far has been sent or reported. */
  override flush(): Promise<void> {
    return this.#delivery.flush();
  }

  /** Sends what is queued, then stops accepting records. Every call returns the first call's promise. */
  override close(): Promise<void> {
    const base = super.close();
    return Promise.all([base, this.#delivery.close()]).then(() => undefined);
  }

  /** Records dropped because the queue was full or the handler closed. */
  get dropped(): number {
    return this.#delivery.dropped;
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
      from: envelopeAddresses(this.fromaddr)[0] ?? this.fromaddr,
      to: envelopeAddresses(this.toaddrs.join(',')),
      raw: mail.raw,
    });
  }
}
