import { createHmac, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { ServerOptions, createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One customer as the bank's login system knows them. */
export interface BankUser {
  password: string;
  reference: string;
  phone?: string | null;
  email?: string;
  terms_pending?: boolean;
  /** The bank says this instead of judging the password. */
  state?: 'locked' | 'not_allowed';
}

export type BankMode = 'normal' | 'hang' | 'garbage' | 'wrong_type' | 'error_500';

/**
 * The bank's side of docs/credential-sources.md, as a bank would write it: a real HTTP server on loopback
 * that checks `X-PXAUTH-Signature` over the timestamp and the exact body bytes, refuses a timestamp
 * more than 5 minutes away, and answers one of the four results. The test switches it into trouble
 * (`mode`), takes it away (`stop`) and brings it back on the same port (`start`).
 */
export class BankServer {
  readonly users = new Map<string, BankUser>();
  mode: BankMode = 'normal';
  /** The key the bank checks signatures with (a test changes it to show a wrong key is refused). */
  key: string;
  /** Seconds the bank's clock is ahead of pxauth's (a test moves it to show a stale timestamp is refused). */
  clockSkew = 0;
  /** Milliseconds the bank takes before a normal answer. */
  delayMs = 0;
  /** Requests whose signature verified, and their bodies as the bank parsed them. */
  readonly accepted: Record<string, unknown>[] = [];
  refused = 0;
  /** TCP connections pxauth opened to the bank (keep-alive keeps this small). */
  connections = 0;
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  /** Subject CNs of the client certificates presented (HTTPS with `requestCert`). */
  readonly clientCerts: string[] = [];

  /** `key: null`: the bank relies on mutual TLS alone. `tls`: HTTPS with these options. */
  constructor(
    key: string | null,
    private readonly tls?: ServerOptions,
  ) {
    this.key = key ?? '';
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/pxauth/verify`;
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    server.on(this.tls ? 'secureConnection' : 'connection', (s: Socket) => {
      const peer = (s as TLSSocket).getPeerCertificate?.();
      if (peer?.subject) this.clientCerts.push(String(peer.subject.CN));
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** The bank goes away: the listener closes and every open connection is cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (!this.signedByPxauth(req, body)) {
      this.refused++;
      return send(res, 401, { error: 'bad signature' });
    }
    const ask = JSON.parse(body.toString('utf8')) as { username: string; password: string };
    this.accepted.push(ask);
    if (this.mode === 'hang') return; // never answers; pxauth gives up at UPSTREAM_TIMEOUT
    if (this.mode === 'garbage') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>oops');
    if (this.mode === 'error_500') return send(res, 500, { error: 'internal' });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    // The bank's own rule for usernames: here, case and surrounding spaces do not matter.
    const user = this.users.get(ask.username.trim().toLowerCase());
    if (this.mode === 'wrong_type') return send(res, 200, { result: 'valid', reference: 12345 });
    if (!user) return send(res, 200, { result: 'invalid' });
    if (user.state) return send(res, 200, { result: user.state });
    if (user.password !== ask.password)
      return send(res, 200, { result: 'invalid', hint: 'unknown fields are ignored' });
    const { reference, phone, email, terms_pending } = user;
    return send(res, 200, { result: 'valid', reference, phone, email, terms_pending, segment: 'retail' });
  }

  /** The check a bank would write from docs/credential-sources.md: HMAC over "<timestamp>.<body>", 5 minutes. */
  private signedByPxauth(req: IncomingMessage, body: Buffer): boolean {
    if (!this.key) return !!(req.socket as TLSSocket).authorized;
    const ts = String(req.headers['x-pxauth-timestamp'] ?? '');
    const sig = String(req.headers['x-pxauth-signature'] ?? '');
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 + this.clockSkew - Number(ts)) > 300) return false;
    const expected = Buffer.from(`v1=${createHmac('sha256', this.key).update(`${ts}.`).update(body).digest('hex')}`);
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
