/**
 * A real SMTP server on 127.0.0.1 port 0, built on npm `smtp-server` as peers/smtp-peer.cjs is: plain, AUTH
 * (PLAIN/LOGIN, allowed before STARTTLS), STARTTLS, implicit TLS, and optionally asking for a client certificate.
 * Every message is kept with its envelope, the authenticated user, whether TLS was on, and the client cert's CN.
 */
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message as received (raw DATA bytes, dot-unstuffed). */
export interface ReceivedMail {
  mailFrom: string | null;
  rcptTo: string[];
  user: string | null;
  secure: boolean;
  raw: Buffer;
  clientCN: string | null;
}

/** Options of {@link TestSMTPServer.start}. */
export interface TestSMTPServerOptions {
  /** Require AUTH with these credentials. */
  auth?: [string, string];
  /** Offer STARTTLS with this key and certificate. */
  starttls?: { key: Buffer; cert: Buffer; requestCert?: boolean };
  /** Implicit TLS (SMTPS) with this key and certificate. */
  implicitTLS?: { key: Buffer; cert: Buffer };
}

/** The server; `mails` fills as messages arrive, `waitFor(n)` awaits them. */
export class TestSMTPServer extends EventEmitter {
  readonly mails: ReceivedMail[] = [];
  port = 0;
  readonly #server: SMTPServer;
  readonly #clientCN = new Map<string, string>();

  private constructor(o: TestSMTPServerOptions) {
    super();
    const tls = o.starttls ?? o.implicitTLS;
    const disabled: string[] = [];
    if (!o.auth) disabled.push('AUTH');
    if (!o.starttls && !o.implicitTLS) disabled.push('STARTTLS');
    const options: SMTPServerOptions = {
      logger: false,
      banner: 'pylogging test peer',
      disabledCommands: disabled,
      authOptional: !o.auth,
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      closeTimeout: 200,
      disableReverseLookup: true,
      onAuth: (a, _session, cb) => {
        if (o.auth && a.username === o.auth[0] && a.password === o.auth[1]) cb(null, { user: a.username });
        else cb(new Error('Invalid username or password'));
      },
      onSecure: (socket, session, cb) => {
        const peer = (socket as TLSSocket).getPeerCertificate?.();
        const cn = peer?.subject?.CN;
        if (typeof cn === 'string') this.#clientCN.set(session.id, cn);
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          const mail: ReceivedMail = {
            mailFrom: from ? from.address : null,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : null,
            secure: session.secure,
            raw: Buffer.concat(chunks),
            clientCN: this.#clientCN.get(session.id) ?? null,
          };
          this.mails.push(mail);
          this.emit('mail', mail);
          cb(null);
        });
      },
    };
    if (tls) {
      options.key = tls.key;
      options.cert = tls.cert;
    }
    if (o.starttls?.requestCert) Object.assign(options, { requestCert: true, rejectUnauthorized: false });
    if (o.implicitTLS) options.secure = true;
    this.#server = new SMTPServer(options);
    this.#server.on('error', () => {
      // a client that gives up mid-session (tests of failures) is not a server failure
    });
  }

  /** Starts listening on 127.0.0.1, port 0. */
  static async start(options: TestSMTPServerOptions = {}): Promise<TestSMTPServer> {
    const s = new TestSMTPServer(options);
    s.#server.listen(0, '127.0.0.1');
    await once(s.#server.server, 'listening');
    s.port = (s.#server.server.address() as AddressInfo).port;
    return s;
  }

  /** Resolves once `n` messages in total have arrived. */
  async waitFor(n: number): Promise<ReceivedMail[]> {
    while (this.mails.length < n) await once(this, 'mail');
    return this.mails.slice(0, n);
  }

  /** Stops the server (open sessions are cut after 200 ms). */
  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The message with the `Date:` header's value blanked, for comparing with CPython's. */
export function withoutDate(raw: Buffer): string {
  return raw.toString('latin1').replace(/^Date: [^\r\n]*\r\n/m, 'Date: <date>\r\n');
}
