import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@/audit/audit-trail.service';
import type { EventView } from '@/audit/audit-query';
import { apiText, PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';
import type { User } from '@/users/user.entity';
import type { LockKey, UserKey } from '@/users/user.repository';
import { UsersService } from '@/users/users.service';
import { FOREVER } from '@/users/lockout/forever';
import { AdminUsersService } from './admin-users.service';
import { type SearchKind, interpretSearch } from './search-input';
import type { UserView } from './user-view';

export const SEARCH_PAGE = 25;

export interface SearchPage {
  interpretation: SearchKind;
  users: UserView[];
  /** With a request id: that request's audit events, newest first. */
  events?: EventView[];
  next_cursor: string | null;
}

export interface LockedUser {
  user_id: string;
  username: string;
  institution_id: string;
  locked_at: string | null;
  /** null: until staff unlock it. */
  until: string | null;
  reason: string | null;
}

export interface LockPage {
  locks: LockedUser[];
  next_cursor: string | null;
}

/**
 * The support console's one search box (docs/console.md, "Finding a customer"): what a caller can say
 * (a username or its beginning, a user_id, a phone in any format, an email, a request id from Plaid),
 * read as one of them, paged by a cursor (the key of the last row) and never by an offset.
 */
@Injectable()
export class UserSearchService {
  constructor(
    private readonly users: UsersService,
    private readonly admin: AdminUsersService,
    private readonly trail: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  async search(q: string, institutionId?: string, cursor?: string, limit = SEARCH_PAGE): Promise<SearchPage> {
    const input = interpretSearch(q, this.config.CONSOLE_PHONE_REGION);
    if (input.kind === 'request_id') return this.byRequest(input.value, institutionId);
    const after = cursor === undefined ? undefined : decode<UserKey>(cursor, 'us1:', isUserKey);
    const match =
      input.kind === 'email'
        ? { email: input.value }
        : input.kind === 'phone'
          ? { phone: input.value }
          : { prefix: input.value };
    const rows = await this.users.findPage(match, institutionId, after, limit + 1);
    const page = rows.slice(0, limit);
    // The exact user_id a caller read out comes first, on the first page only.
    if (input.kind === 'username' && !after) {
      const byId = await this.users.findPage({ id: input.value }, institutionId, undefined, 1);
      if (byId[0] && !page.some((u) => u.id === byId[0].id)) page.unshift(byId[0]);
    }
    const last = rows.length > limit ? page[page.length - 1] : undefined;
    return {
      interpretation: input.kind,
      users: await Promise.all(page.map((u) => this.admin.get(u.id))),
      next_cursor: last ? encode('us1:', [last.usernameNorm, last.id]) : null,
    };
  }

  /** Who is locked now, the newest lock first. */
  async locks(cursor?: string, limit = SEARCH_PAGE): Promise<LockPage> {
    const after = cursor === undefined ? undefined : decode<LockKey>(cursor, 'lk1:', isLockKey);
    const rows = await this.users.usersLockedNow(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = rows.length > limit ? page[page.length - 1] : undefined;
    return {
      locks: page.map(lockedUser),
      next_cursor: last ? encode('lk1:', [last.lockedAt ?? 0, last.id]) : null,
    };
  }

  /** A request's audit events, and the customers they name (a request concerns one customer, or none). */
  private async byRequest(requestId: string, institutionId?: string): Promise<SearchPage> {
    const all = (await this.trail.page({ request_id: requestId, limit: 100 })).events;
    const events = institutionId ? all.filter((e) => e.institution_id === institutionId) : all;
    const ids = [...new Set(events.map((e) => e.user_id).filter((id): id is string => !!id))];
    return {
      interpretation: 'request_id',
      users: await Promise.all(ids.map((id) => this.admin.get(id))),
      events,
      next_cursor: null,
    };
  }
}

function lockedUser(u: User): LockedUser {
  return {
    user_id: u.id,
    username: u.username,
    institution_id: u.institutionId,
    locked_at: u.lockedAt ? new Date(u.lockedAt).toISOString() : null,
    until: u.lockedUntil >= FOREVER ? null : new Date(u.lockedUntil).toISOString(),
    reason: u.lockReason,
  };
}

// A cursor is the key of the page's last row: opaque to callers (base64url of a versioned JSON array).
function encode(prefix: string, key: [string | number, string]): string {
  return Buffer.from(prefix + JSON.stringify(key)).toString('base64url');
}

function decode<T>(cursor: string, prefix: string, read: (v: unknown) => T | undefined): T {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  let key: T | undefined;
  try {
    key = text.startsWith(prefix) ? read(JSON.parse(text.slice(prefix.length))) : undefined;
  } catch {
    key = undefined;
  }
  if (!key) throw PxError.invalid(apiText('cursor.invalid'));
  return key;
}

const isUserKey = (v: unknown): UserKey | undefined =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string'
    ? { usernameNorm: v[0], id: v[1] }
    : undefined;

const isLockKey = (v: unknown): LockKey | undefined =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string'
    ? { lockedAt: v[0] as number, id: v[1] }
    : undefined;
