import { randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One request as it reached the fake Twilio: the path, the Basic credentials and the form fields. */
export interface TwilioRequest {
  method: string;
  path: string;
  user: string;
  pass: string;
  form: Record<string, string>;
  /** Set when pxauth cut the request before it was answered (a delivery past DELIVERY_TIMEOUT). */
  aborted: boolean;
}

/** How the next request is answered: Twilio's 201, an error body with a status, or no answer at all. */
export type TwilioAnswer = { status: number; body?: unknown } | 'hang';

/**
 * A local HTTP server that speaks the two calls of Twilio's REST API pxauth makes (Messages.json,
 * Calls.json), reached through TWILIO_API_URL by the real twilio SDK. It records what arrived and
 * answers as the test queues (201 by default), loopback only.
 */
export class FakeTwilio {
  readonly requests: TwilioRequest[] = [];
  private readonly answers: TwilioAnswer[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeTwilio> {
    const fake: FakeTwilio = new FakeTwilio(createServer((req, res) => void fake.handle(req, res)));
    fake.server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues how the next requests are answered, in order; after them, 201 again. */
  answerNext(...answers: TwilioAnswer[]): void {
    this.answers.push(...answers);
  }

  get last(): TwilioRequest {
    return this.requests[this.requests.length - 1];
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const [user = '', pass = ''] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    const seen: TwilioRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      user,
      pass,
      form: Object.fromEntries(new URLSearchParams(raw)),
      aborted: false,
    };
    this.requests.push(seen);
    res.on('close', () => (seen.aborted = !res.writableFinished));
    const answer = this.answers.shift() ?? { status: 201 };
    if (answer === 'hang') return;
    const body = answer.body ?? this.created(seen);
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  /** Twilio's 201 body, enough of it for the SDK to build its instance. */
  private created(r: TwilioRequest) {
    const call = r.path.endsWith('/Calls.json');
    return {
      sid: `${call ? 'CA' : 'SM'}${randomBytes(16).toString('hex')}`,
      account_sid: r.path.split('/')[3],
      to: r.form.To,
      from: r.form.From ?? null,
      status: 'queued',
      date_created: new Date().toUTCString(),
      ...(call ? {} : { body: r.form.Body, messaging_service_sid: r.form.MessagingServiceSid ?? null }),
    };
  }
}

/** Twilio's error body (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions). */
export function twilioError(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** The settings of live delivery by SMS and voice through `fake`, as the console suites start the app with them. */
export function liveTwilioEnv(fake: { url: string }): Record<string, string> {
  return {
    OTP_DELIVERY: 'live',
    INSTITUTION_NAME: 'First Example Bank',
    TWILIO_API_URL: fake.url,
    TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
    TWILIO_AUTH_TOKEN: 'twilio-auth-token-not-for-logs',
    TWILIO_FROM: '+14155550100',
  };
}
