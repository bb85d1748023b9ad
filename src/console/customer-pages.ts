import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '@/audit/audit.service';
import { AppConfig } from '@/config/app-config';
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

const TIMELINE_LENGTH = 200;

/** The console's read pages: what they gather, and which template shows it. */
@Injectable()
export class CustomerPages {
  constructor(
    private readonly admin: AdminUsersService,
    private readonly audit: AuditService,
    private readonly staff: StaffService,
    private readonly tokens: TokensService,
    private readonly views: ConsoleViews,
    private readonly config: AppConfig,
    private readonly search_: UserSearchService,
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

  async customer(req: ConsoleRequest, res: Response, id: string): Promise<void> {
    const user = await this.admin.get(id);
    const [events, tokens] = await Promise.all([
      this.audit.forUser(user.user_id, TIMELINE_LENGTH),
      this.tokens.activeFor(user.user_id),
    ]);
    const names = await this.staff.namesOf(events.map((e) => e.staffId).filter((s): s is string => !!s));
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
    );
    // The notice after a change names one of ours, never text from the address bar.
    const doneKey =
      typeof req.query.done === 'string' && hasText(`done.${req.query.done}`) ? `done.${req.query.done}` : null;
    const n = typeof req.query.n === 'string' ? Number(req.query.n) : undefined;
    this.views.render(req, res, 'customer', { page, done: doneKey, n }, session);
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
