/**
 * The SMTP conversation, through nodemailer (an optional peer dependency, loaded on the first mail so that
 * `pylogging` stays dependency-free for everyone who never sends one).
 *
 * nodemailer is given the finished message (`raw`) and the envelope, so it adds nothing to the message: the bytes
 * are CPython's (see smtp-message.ts); nodemailer only speaks SMTP (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA with
 * dot-stuffing, QUIT).
 */
import type { ConnectionOptions } from 'node:tls';

/** The part of nodemailer's API we use (stable from nodemailer 6 to 10). */
interface Transport {
  sendMail(mail: { envelope: { from: string; to: string[] }; raw: Buffer }): Promise<unknown>;
  close(): void;
}
interface Nodemailer {
  createTransport(options: Record<string, unknown>): Transport;
}

let loaded: Promise<Nodemailer> | null = null;

/**
 * Imports nodemailer once. Rejects with an error that says how to install it when it is missing.
 * `specifier` exists for tests.
 */
export function loadNodemailer(specifier = 'nodemailer'): Promise<Nodemailer> {
  const load = async (): Promise<Nodemailer> => {
    try {
      const mod = (await import(specifier)) as Nodemailer & { default?: Nodemailer };
      return typeof mod.createTransport === 'function' ? mod : (mod.default as Nodemailer);
    } catch (err) {
      const e = new Error(
        `SMTPHandler needs the optional package "nodemailer" to send mail: npm install nodemailer (${String(
          (err as Error).message ?? err,
        )})`,
      );
      (e as Error & { code: string }).code = 'ERR_PYLOGGING_NO_NODEMAILER';
      throw e;
    }
  };
  if (specifier !== 'nodemailer') return load();
  return (loaded ??= load().catch((err: unknown) => {
    loaded = null; // try again next time: the package may have been installed meanwhile
    throw err;
  }));
}

/** One SMTP session, as CPython's SMTPHandler runs it. */
export interface SmtpSend {
  host: string;
  port: number;
  /** `'none'`: plain SMTP; `'starttls'`: EHLO, STARTTLS (required), EHLO; `'implicit'`: TLS from the first byte. */
  tls: 'none' | 'starttls' | 'implicit';
  auth: { user: string; pass: string } | null;
  /** TLS options (client certificate, CA, rejectUnauthorized). */
  tlsOptions: ConnectionOptions;
  /** Seconds for connecting, the greeting and each later reply (CPython's socket timeout). */
  timeout: number;
  from: string;
  to: string[];
  raw: Buffer;
}

/** Runs one session: connect, (STARTTLS), (AUTH), MAIL, RCPT…, DATA, QUIT. Rejects with the server's reply. */
export async function sendOnce(s: SmtpSend): Promise<void> {
  const nodemailer = await loadNodemailer();
  const ms = s.timeout * 1000;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.tls === 'implicit',
    // CPython never upgrades on its own: STARTTLS only when asked (credentials + secure), and then it must work.
    ignoreTLS: s.tls === 'none',
    requireTLS: s.tls === 'starttls',
    ...(s.auth ? { auth: s.auth } : {}),
    tls: s.tlsOptions,
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ envelope: { from: s.from, to: s.to }, raw: s.raw });
  } finally {
    transport.close();
  }
}
