import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { TLSSocket, ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { AppConfig } from '@/config/app-config';
import { UpstreamFailure } from '@/users/credentials/upstream';

/**
 * At most UPSTREAM_POOL_SIZE connections to the directory, each used by one login at a time (a bind
 * changes who the connection is) and kept for the next one: no connection is opened per login, and
 * none is left behind. A connection that failed is closed and replaced when next needed.
 */
export class LdapPool {
  private readonly idle: Client[] = [];
  private readonly waiting: ((c: Client | null) => void)[] = [];
  private live = 0;
  private closed = false;
  private readonly tls: ConnectionOptions;
  private readonly identity: ConnectionOptions;

  constructor(private readonly config: AppConfig) {
    this.tls = config.LDAP_CA_FILE ? { ca: readFileSync(config.LDAP_CA_FILE) } : {};
    // StartTLS upgrades a socket that is already open: the name to check the certificate against must be given.
    const host = new URL(config.LDAP_URL!).hostname.replace(/^\[|\]$/g, '');
    this.identity = isIP(host) ? { host } : { host, servername: host };
  }

  /** Runs `use` on a connection of its own; a connection that threw anything but a result code is dropped. */
  async with<T>(use: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    let healthy = false;
    try {
      await this.secure(client);
      const out = await use(client);
      healthy = true;
      return out;
    } catch (err) {
      // An LDAP result (wrong password, no such object) leaves the connection as good as it was.
      healthy = typeof (err as { code?: unknown }).code === 'number';
      throw err;
    } finally {
      this.release(client, healthy);
    }
  }

  /**
   * A connection that is down is opened again here, with StartTLS before anything else is sent:
   * ldapts reconnects by itself in clear, so a password is only sent on a connection seen upgraded.
   */
  private async secure(client: Client): Promise<void> {
    if (!client.isConnected && this.config.LDAP_STARTTLS) await client.startTLS({ ...this.tls, ...this.identity });
  }

  /** Whether a password may go over this connection now (checked synchronously right before the bind). */
  isSafe(client: Client): boolean {
    if (!this.config.LDAP_STARTTLS) return true;
    const socket = (client as unknown as { socket?: unknown }).socket;
    return client.isConnected && socket instanceof TLSSocket;
  }

  private acquire(): Promise<Client> {
    if (this.closed) return Promise.reject(new UpstreamFailure('unreachable', 'shutting down'));
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.live < this.config.UPSTREAM_POOL_SIZE) {
      this.live++;
      return Promise.resolve(this.create());
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(wake), 1);
        reject(new UpstreamFailure('busy'));
      }, this.config.UPSTREAM_TIMEOUT);
      const wake = (c: Client | null) => {
        clearTimeout(timer);
        if (c) resolve(c);
        else reject(new UpstreamFailure('unreachable', 'shutting down'));
      };
      this.waiting.push(wake);
    });
  }

  private create(): Client {
    return new Client({
      url: this.config.LDAP_URL!,
      timeout: this.config.UPSTREAM_TIMEOUT,
      connectTimeout: this.config.UPSTREAM_TIMEOUT,
      // ldapts opens implicit TLS whenever tlsOptions are given: only for ldaps://, never for StartTLS.
      ...(this.config.LDAP_URL!.startsWith('ldaps:') && { tlsOptions: this.tls }),
    });
  }

  private release(client: Client, healthy: boolean): void {
    if (!healthy || this.closed) {
      void client.unbind().catch(() => undefined);
      this.live--;
      const next = this.closed ? undefined : this.waiting.shift();
      if (next) {
        this.live++;
        next(this.create());
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) next(client);
    else this.idle.push(client);
  }

  /** Connections now open (idle or in use), for the tests and the health of the pool. */
  get size(): number {
    return this.live;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(null);
    const idle = this.idle.splice(0);
    this.live -= idle.length;
    await Promise.all(idle.map((c) => c.unbind().catch(() => undefined)));
  }
}
