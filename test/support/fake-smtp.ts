import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';

/** One message as the SMTP server took it: envelope, session, and the parsed parts. */
export interface Received {
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
  headerFrom: string;
  subject: string;
  text: string;
  html: string;
  autoSubmitted: string | undefined;
}

/**
 * A real SMTP server (smtp-server) on loopback, read back with mailparser. `refuse` lists recipients it
 * answers 550 at RCPT TO; `credentials`, when given, are required (AUTH PLAIN/LOGIN, after STARTTLS);
 * `implicitTls` speaks TLS from the first byte (smtps://).
 */
export class FakeSmtp {
  readonly received: Received[] = [];
  private constructor(private readonly server: SMTPServer) {}

  static async start(opts: {
    starttls: boolean;
    implicitTls?: boolean;
    credentials?: { user: string; pass: string };
    refuse?: string[];
  }) {
    const options: SMTPServerOptions = {
      // The default self-signed certificate of smtp-server serves STARTTLS; without it, plain SMTP.
      secure: !!opts.implicitTls,
      disabledCommands: opts.implicitTls ? ['STARTTLS'] : opts.starttls ? [] : ['STARTTLS', 'AUTH'],
      authOptional: !opts.credentials,
      onAuth(auth, _session, cb) {
        const c = opts.credentials;
        if (c && auth.username === c.user && auth.password === c.pass) return cb(null, { user: auth.username });
        cb(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, cb) {
        if (!opts.refuse?.includes(address.address)) return cb();
        cb(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
      },
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((m) => {
            fake.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: session.user as string | undefined,
              headerFrom: m.from?.text ?? '',
              subject: m.subject ?? '',
              text: m.text ?? '',
              html: typeof m.html === 'string' ? m.html : '',
              autoSubmitted: m.headers.get('auto-submitted') as string | undefined,
            });
            cb();
          })
          .catch(cb);
      },
      logger: false,
    };
    const fake: FakeSmtp = new FakeSmtp(new SMTPServer(options));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  get last(): Received {
    return this.received[this.received.length - 1];
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
