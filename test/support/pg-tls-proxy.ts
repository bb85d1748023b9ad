import { readFileSync } from 'node:fs';
import { Server, Socket, connect, createServer } from 'node:net';
import { TLSSocket } from 'node:tls';

// The PostgreSQL protocol's SSLRequest: length 8, then the code 1234 5679 (PostgreSQL docs, 55.2.10).
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * A PostgreSQL server that speaks TLS, for the client side's test: it answers a client's SSLRequest
 * with 'S', ends TLS with the given certificate, and passes the plain protocol on to the real server
 * (which need not have TLS configured). A client that does not ask for TLS is passed on as it is.
 * `tls` and `plain` count the connections of each kind.
 */
export class PgTlsProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  tls = 0;
  plain = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly cert: { certFile: string; keyFile: string },
  ) {}

  async start(): Promise<void> {
    const cert = readFileSync(this.cert.certFile);
    const key = readFileSync(this.cert.keyFile);
    this.server = createServer((client) => {
      this.track(client);
      client.once('readable', () => {
        const first = client.read(8) as Buffer | null;
        if (!first) return client.destroy();
        const upstream = this.track(connect(this.target.port, this.target.host));
        if (!first.equals(SSL_REQUEST)) {
          this.plain++;
          upstream.write(first);
          client.pipe(upstream).pipe(client);
          return;
        }
        this.tls++;
        client.write('S');
        const secure = this.track(new TLSSocket(client, { isServer: true, cert, key }));
        secure.pipe(upstream).pipe(secure);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private track<T extends Socket>(s: T): T {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  }
}
