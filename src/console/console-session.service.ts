import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { hmacSha256, randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffService } from '@/staff-auth/staff.service';
import { ConsoleSessionRepository } from './console-session.repository';

export interface ConsoleStaff {
  id: string;
  name: string;
  role: StaffRole;
}

/** Roles that may use the console: the people who answer the phone, and administrators. */
export const CONSOLE_ROLES: readonly StaffRole[] = ['support', 'admin'];

/**
 * Console sessions (PRODUCT.md section 9): a random cookie value whose SHA-256 is the row's key, an
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
  async staffOfKey(key: string): Promise<ConsoleStaff | null> {
    const row = await this.staff.authenticate(key);
    return row ? { id: row.id, name: row.name, role: row.role } : null;
  }

  /** A new session for the staff member; the returned value goes in the cookie and nowhere else. */
  async open(staffId: string): Promise<string> {
    const now = Date.now();
    // Sessions idle past their TTL or older than their max age are over: forget them here, in idempotent
    // DELETEs any replica may run.
    await this.sessions.deleteSeenBefore(now - this.config.CONSOLE_SESSION_TTL);
    await this.sessions.deleteCreatedBefore(now - this.config.CONSOLE_SESSION_MAX_AGE);
    const token = randomToken(32);
    await this.sessions.insert({ idHash: sha256(token), staffId, createdAt: now, lastSeenAt: now });
    return token;
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
    const key = row && safeEqual(row.idHash, idHash) ? await this.staff.findActive(row.staffId) : null;
    if (!key || !CONSOLE_ROLES.includes(key.role)) return null;
    return { id: key.id, name: key.name, role: key.role };
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
