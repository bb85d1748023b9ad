import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Client, Entry, InvalidCredentialsError } from 'ldapts';
import { AppConfig } from '@/config/app-config';
import { UserRepository } from '@/users/user.repository';
import { CircuitBreaker } from '@/common/resilience/circuit-breaker';
import { CredentialCheck, CredentialSource, LoginAttempt } from '@/users/credentials/credential-source';
import { ShadowUsers, SourceProfile } from '@/users/credentials/shadow-users';
import { Unavailable, UpstreamFailure, throughBreaker } from '@/users/credentials/upstream';
import { escapeDnValue, escapeFilterValue } from './ldap-escape';
import { LdapPool } from './ldap-pool';
import { profileOf } from './ldap-profile';

type DirectoryAnswer = { result: 'invalid' | 'locked' } | { result: 'valid'; profile: SourceProfile };

// A DN under the search base that no directory holds: the bind for an unknown username goes there,
// so that it costs the round trip a wrong password costs (docs/api.md#post-usersauth_token: same time, same 401).
const NO_SUCH_ENTRY = 'cn=pxauth-no-such-entry';

/**
 * CREDENTIAL_SOURCE=ldap (docs/credential-sources.md): a bind as the user, whose DN comes from
 * LDAP_USER_DN_TEMPLATE or from a search as a service account. Every value put in a DN or a filter is
 * escaped (RFC 4514, RFC 4515); an empty password never reaches the directory, since a simple bind
 * with no password is an unauthenticated bind that succeeds (RFC 4513 section 5.1.2).
 */
@Injectable()
export class LdapCredentialSource implements CredentialSource, OnModuleDestroy {
  readonly name = 'ldap' as const;
  private readonly log = new Logger('LdapCredentialSource');
  readonly pool: LdapPool;
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly shadows: ShadowUsers,
  ) {
    this.pool = new LdapPool(config);
    this.breaker = new CircuitBreaker(
      'credential_source',
      config.UPSTREAM_BREAKER_FAILURES,
      config.UPSTREAM_BREAKER_COOLDOWN,
    );
  }

  async verify({ key, username, password }: LoginAttempt): Promise<CredentialCheck> {
    const who = username.normalize('NFKC').trim();
    const dir: DirectoryAnswer | Unavailable =
      password === ''
        ? { result: 'invalid' }
        : await throughBreaker(this.breaker, () =>
            this.withinTimeout(() => this.pool.with((c) => this.ask(c, who, password))),
          );
    if (dir.result === 'unavailable') return dir;
    if (dir.result !== 'valid') {
      return { result: dir.result, user: await this.users.findByUsername(key.institutionId, key.usernameNorm) };
    }
    const user = await this.shadows.resolve('ldap', key, username, dir.profile);
    return { result: 'valid', user, reference: dir.profile.reference };
  }

  /**
   * A login makes up to four directory operations; UPSTREAM_TIMEOUT bounds them all, not each. The
   * operations left behind end at their own timeout, and their connection is dropped, not reused.
   */
  private async withinTimeout<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const running = work().catch((err: unknown) => {
      throw asFailure(err);
    });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UpstreamFailure('timeout')), this.config.UPSTREAM_TIMEOUT);
    });
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
      running.catch(() => undefined);
    }
  }

  private ask(client: Client, username: string, password: string): Promise<DirectoryAnswer> {
    return this.config.LDAP_USER_DN_TEMPLATE
      ? this.bindByTemplate(client, username, password)
      : this.searchThenBind(client, username, password);
  }

  /** The DN from the template; the entry is read, as the user, once the bind has proved the password. */
  private async bindByTemplate(client: Client, username: string, password: string): Promise<DirectoryAnswer> {
    const dn = this.config.LDAP_USER_DN_TEMPLATE!.replaceAll('{username}', escapeDnValue(username));
    if (!(await this.bindAsUser(client, dn, password))) return { result: 'invalid' };
    if (await this.lockedEntry(client, dn)) return { result: 'locked' };
    const entry = await this.readEntry(client, dn);
    if (!entry) throw new UpstreamFailure('directory_error', 'entry not readable after bind');
    return { result: 'valid', profile: profileOf(entry, this.config) };
  }

  /**
   * The service account finds the entry, a locked one is answered before any bind, then the user's
   * bind. An unknown username makes the same round trips (a lock check and a bind that must fail).
   */
  private async searchThenBind(client: Client, username: string, password: string): Promise<DirectoryAnswer> {
    const c = this.config;
    if (!this.pool.isSafe(client)) throw new UpstreamFailure('tls', 'connection not upgraded');
    try {
      await client.bind(c.LDAP_BIND_DN!, c.LDAP_BIND_PASSWORD);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw new UpstreamFailure('directory_error', 'service bind refused');
      throw err;
    }
    const filter = c.LDAP_SEARCH_FILTER!.replaceAll('{username}', escapeFilterValue(username));
    const { searchEntries } = await client.search(c.LDAP_SEARCH_BASE!, {
      scope: 'sub',
      filter,
      sizeLimit: 2,
      attributes: this.attributes(),
      explicitBufferAttributes: this.bufferAttributes(),
    });
    if (searchEntries.length > 1) this.log.warn('LDAP_SEARCH_FILTER matched several entries: refused as invalid');
    const entry = searchEntries.length === 1 ? searchEntries[0] : null;
    if (await this.lockedEntry(client, entry?.dn ?? c.LDAP_SEARCH_BASE!, !entry)) return { result: 'locked' };
    const dn = entry?.dn ?? `${NO_SUCH_ENTRY},${c.LDAP_SEARCH_BASE}`;
    if (!(await this.bindAsUser(client, dn, password)) || !entry) return { result: 'invalid' };
    return { result: 'valid', profile: profileOf(entry, c) };
  }

  private async bindAsUser(client: Client, dn: string, password: string): Promise<boolean> {
    if (!password) return false;
    if (!this.pool.isSafe(client)) throw new UpstreamFailure('tls', 'connection not upgraded');
    try {
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    }
  }

  /** Whether the entry matches LDAP_LOCKED_FILTER (a base-scope search: the directory evaluates it). */
  private async lockedEntry(client: Client, dn: string, dummy = false): Promise<boolean> {
    const locked = this.config.LDAP_LOCKED_FILTER;
    if (!locked) return false;
    // For an unknown username, the same search on the base with a filter that can match nothing.
    const filter = dummy ? `(&${locked}(!(objectClass=*)))` : locked;
    const { searchEntries } = await client.search(dn, { scope: 'base', filter, attributes: ['1.1'] });
    return searchEntries.length > 0;
  }

  private async readEntry(client: Client, dn: string): Promise<Entry | null> {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: this.attributes(),
      explicitBufferAttributes: this.bufferAttributes(),
    });
    return searchEntries[0] ?? null;
  }

  private attributes(): string[] {
    const c = this.config;
    return [c.LDAP_UNIQUE_ATTRIBUTE, c.LDAP_PHONE_ATTRIBUTE, c.LDAP_EMAIL_ATTRIBUTE].filter((a): a is string => !!a);
  }

  /** Active Directory's objectGUID (and any binary id) comes as bytes, not text. */
  private bufferAttributes(): string[] {
    return /guid|sid/i.test(this.config.LDAP_UNIQUE_ATTRIBUTE) ? [this.config.LDAP_UNIQUE_ATTRIBUTE] : [];
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

/** Whatever stopped the directory from answering, as the reason the audit keeps. */
function asFailure(err: unknown): unknown {
  if (err instanceof UpstreamFailure) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'number') return new UpstreamFailure('directory_error', `result code ${code}`);
  if (typeof code === 'string' && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO|HOSTNAME/.test(code))
    return new UpstreamFailure('tls', code);
  if (/timeout|timed out/i.test(message)) return new UpstreamFailure('timeout');
  if (typeof code === 'string' || /connect|closed|socket/i.test(message))
    return new UpstreamFailure('unreachable', typeof code === 'string' ? code : undefined);
  return err;
}
