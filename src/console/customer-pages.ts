import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '@/audit/audit.service';
import { AuditTrail } from '@/audit/audit-trail.service';
import { AppConfig } from '@/config/app-config';
import { PartnersService } from '@/partners/partners.service';
import type { CreatedUser } from '@/staff/admin/admin-users.service';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import { UserSearchService } from '@/staff/admin/user-search.service';
import { StaffService } from '@/staff-auth/staff.service';
import { TokensService } from '@/tokens/tokens.service';
import type { ConsoleRequest } from './console-http';
import { hasText } from './console-i18n';
import { ConsoleViews } from './console-views';
import { customerPage } from './customer-page';
import { formatTime } from './console-format';

// The lock's story reads the latest events (the failures since the last sign-in or unlock); the
// timeline pages through all of them, newest first, this many to a page (docs/console.md, "The timeline").
const LOCK_STORY_EVENTS = 200;
export const TIMELINE_PAGE = 50;

/** The console's read pages: what they gather, and which template shows it. */
@Injectable()
export class CustomerPages {
  constructor(
    private readonly admin: AdminUsersService,
    private readonly audit: AuditService,
    private readonly trail: AuditTrail,
    private readonly staff: StaffService,
    private readonly tokens: TokensService,
    private readonly views: ConsoleViews,
    private readonly config: AppConfig,
    private readonly search_: UserSearchService,
    private readonly partners: PartnersService,
  ) {}

  /**
   * Whatever a caller can tell support (docs/console.md, "Finding a customer"): the page says what the
   * input was read as, and links to the next page by its cursor.
   */
  async search(req: ConsoleRequest, res: Response, q?: string, institutionId?: string, cursor?: string) {
    const found = q ? await this.search_.search(q, institutionId, cursor) : undefined;
    const next = found?.next_cursor
      ? pageLink('/console/users', { q, institution_id: institutionId, cursor: found.next_cursor })
      : null;
    const first = cursor ? pageLink('/console/users', { q, institution_id: institutionId }) : null;
    this.views.render(
      req,
      res,
      'search',
      {
        q: q ?? '',
        institutionId: institutionId ?? '',
        results: found?.users ?? [],
        searched: !!q,
        found,
        next,
        first,
        time: this.time(req),
      },
      req.console,
    );
  }

  /** Who is locked now, the newest lock first (docs/console.md, "Recent locks"). */
  async locks(req: ConsoleRequest, res: Response, cursor?: string): Promise<void> {
    const page = await this.search_.locks(cursor);
    const next = page.next_cursor ? pageLink('/console/users/locks', { cursor: page.next_cursor }) : null;
    this.views.render(
      req,
      res,
      'locks',
      { locks: page.locks, next, first: cursor ? '/console/users/locks' : null, time: this.time(req) },
      req.console,
    );
  }

  private time(req: ConsoleRequest): (at: string) => string {
    const { locale, timeZone } = req.console!;
    return (at) => formatTime(at, locale, timeZone);
  }

  async customer(req: ConsoleRequest, res: Response, id: string, cursor?: string): Promise<void> {
    const user = await this.admin.get(id);
    const [events, timeline, tokens] = await Promise.all([
      this.audit.forUser(user.user_id, LOCK_STORY_EVENTS),
      this.trail.rows({ user_id: user.user_id, cursor, limit: TIMELINE_PAGE }, { withoutStaffOk: true }),
      this.tokens.activeFor(user.user_id),
    ]);
    const staffIds = [...events, ...timeline.rows].map((e) => e.staffId).filter((s): s is string => !!s);
    const names = await this.staff.namesOf([...new Set(staffIds)]);
    const session = req.console!;
    const page = customerPage(
      user,
      events,
      names,
      tokens,
      this.config.LOCKOUT_THRESHOLD,
      session.t,
      session.locale,
      session.timeZone,
      timeline.rows,
    );
    const clients = await this.partners.namesOf(page.timeline.map((e) => e.client).filter((c): c is string => !!c));
    for (const e of page.timeline) if (e.client) e.clientName = clients.get(e.client);
    const base = `/console/users/${user.user_id}`;
    const paging = {
      size: TIMELINE_PAGE,
      older: timeline.next_cursor ? pageLink(base, { cursor: timeline.next_cursor }) + '#timeline' : null,
      newer: timeline.prev_cursor ? pageLink(base, { cursor: timeline.prev_cursor }) + '#timeline' : null,
      newest: cursor ? `${base}#timeline` : null,
    };
    // The notice after a change names one of ours, never text from the address bar.
    const doneKey =
      typeof req.query.done === 'string' && hasText(`done.${req.query.done}`) ? `done.${req.query.done}` : null;
    const n = typeof req.query.n === 'string' ? Number(req.query.n) : undefined;
    this.views.render(req, res, 'customer', { page, done: doneKey, n, paging }, session);
  }

  /** The one time a TOTP secret is shown: as a QR code, and as text for typing in. */
  totp(req: ConsoleRequest, res: Response, view: CreatedUser): void {
    const secret = view.totp_uri ? new URL(view.totp_uri).searchParams.get('secret') : null;
    this.views.render(req, res, 'totp', { user: view, qr: view.totp_qr, secret }, req.console);
  }
}

function pageLink(path: string, query: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.set(k, v);
  return `${path}?${p.toString()}`;
}
