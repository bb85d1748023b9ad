import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import type { RequestContext } from '@/common/http/request-context';
import { hmacSha256, randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffService } from '@/staff-auth/staff.service';
import type { ConsoleSession } from './console-session.entity';
import { ConsoleSessionRepository } from './console-session.repository';

export interface ConsoleStaff {
  /** The staff key's id; null for a person signed in through the bank's OpenID Connect provider. */
  id: string | null;
  name: string;
  role: StaffRole;
  /** A person's `sub` at the provider: who the audit trail names. */
  subject?: string;
}

/** Who the provider says signed in, and the role their claim maps to. */
export interface ConsolePerson {
  subject: string;
  name: string;
  role: StaffRole;
}

/**
 * Who the audit events of a console request name: the staff key, or a person signed in through the
 * provider (who has no staff key) by their `sub` and name there.
 */
export function actorOf(staff: Partial<ConsoleStaff>): Pick<RequestContext, 'staffId' | 'staffSub' | 'staffName'> {
  return staff.id ? { staffId: staff.id } : staff.subject ? { staffSub: staff.subject, staffName: staff.name } : {};
}

/** Roles that may use the console: the people who answer the phone, and administrators. */
export const CONSOLE_ROLES: readonly StaffRole[] = ['support', 'admin'];

/**
 * Console sessions (docs/console.md): a random cookie value whose SHA-256 is the row's key, an
 * idle expiry of CONSOLE_SESSION_TTL moved on by each request in one conditional UPDATE (so every
 * replica agrees), an absolute expiry of CONSOLE_SESSION_MAX_AGE after sign-in that no activity moves
 * (OWASP ASVS 5.0 V7.3.2), and a CSRF token derived from the cookie's value: a page that cannot read the
 * cookie cannot make the token, and the database alone (which holds only the digest) cannot either.
 */
@Injectable()
export class ConsoleSessionService {
  constructor(
    private readonly sessions: ConsoleSessionRepository,
    private readonly staff: StaffService,
    private readonly config: AppConfig,
  ) {}

  /** The staff member of a key that may use the console, or null. */
  async staffOfKey(key: string): Promise<(ConsoleStaff & { id: string }) | null> {
    const row = await this.staff.authenticate(key);
    return row ? { id: row.id, name: row.name, role: row.role } : null;
  }

  /** A new session for the staff member; the returned value goes in the cookie and nowhere else. */
  async open(staffId: string): Promise<string> {
    const now = Date.now();
    await this.sweep(now);
    const token = randomToken(32);
    await this.sessions.insert({
      idHash: sha256(token),
      staffId,
      subject: null,
      personName: null,
      role: null,
      idToken: null,
      createdAt: now,
      lastSeenAt: now,
    });
    return token;
  }

  /** A new session for a person the provider signed in; `sealedIdToken` is their ID token, sealed by the caller. */
  async openPerson(person: ConsolePerson, sealedIdToken: string | null): Promise<string> {
    const now = Date.now();
    await this.sweep(now);
    const token = randomToken(32);
    await this.sessions.insert({
      idHash: sha256(token),
      staffId: null,
      subject: person.subject,
      personName: person.name.slice(0, 200),
      role: person.role,
      idToken: sealedIdToken,
      createdAt: now,
      lastSeenAt: now,
    });
    return token;
  }

  /** The sealed ID token a person's session keeps for the provider's logout, or null. */
  async sealedIdTokenOf(token: string): Promise<string | null> {
    return (await this.sessions.findByHash(sha256(token)))?.idToken ?? null;
  }

  // Sessions idle past their TTL or older than their max age are over: forget them here, in idempotent
  // DELETEs any replica may run.
  private async sweep(now: number): Promise<void> {
    await this.sessions.deleteSeenBefore(now - this.config.CONSOLE_SESSION_TTL);
    await this.sessions.deleteCreatedBefore(now - this.config.CONSOLE_SESSION_MAX_AGE);
  }

  /**
   * The session's staff member, when the session is alive (neither idle past its TTL nor older than its
   * max age) and its key not revoked; the idle clock starts again, the absolute one never does. Both are
   * judged in the one conditional UPDATE. Expired: null (the row stays until the next sign-in sweeps it).
   */
  async resume(token: string): Promise<ConsoleStaff | null> {
    const now = Date.now();
    const idHash = sha256(token);
    const alive = await this.sessions.touchIfAlive(
      idHash,
      now,
      now - this.config.CONSOLE_SESSION_TTL,
      now - this.config.CONSOLE_SESSION_MAX_AGE,
    );
    if (!alive) return null;
    const row = await this.sessions.findByHash(idHash);
    if (row && row.staffId === null) return safeEqual(row.idHash, idHash) ? this.personOf(row) : null;
    const key = row?.staffId && safeEqual(row.idHash, idHash) ? await this.staff.findActive(row.staffId) : null;
    if (!key || !CONSOLE_ROLES.includes(key.role)) return null;
    return { id: key.id, name: key.name, role: key.role };
  }

  /**
   * A person's session lives while console sign-in through the provider stays configured, with the role
   * their claim gave at sign-in (a change of group at the provider takes effect at their next sign-in).
   */
  private personOf(row: ConsoleSession): ConsoleStaff | null {
    if (!this.config.CONSOLE_OIDC_ISSUER || !row.subject || !row.role || !CONSOLE_ROLES.includes(row.role)) return null;
    return { id: null, name: row.personName || row.subject, role: row.role, subject: row.subject };
  }

  async close(token: string): Promise<void> {
    await this.sessions.delete(sha256(token));
  }

  /** The CSRF token of a session (or of a sign-in form, from its pre-session cookie). */
  csrfOf(token: string, purpose: 'session' | 'sign-in' = 'session'): string {
    return hmacSha256(Buffer.from(token, 'utf8'), `pxauth console csrf: ${purpose}`);
  }

  csrfMatches(token: string, given: unknown, purpose: 'session' | 'sign-in' = 'session'): boolean {
    return typeof given === 'string' && safeEqual(this.csrfOf(token, purpose), given);
  }
}
