import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '@/audit/audit.service';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';
import type { CreatedUser } from '@/staff/admin/admin-users.service';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import type { UserView } from '@/staff/admin/user-view';
import { StaffService } from '@/staff-auth/staff.service';
import { TokensService } from '@/tokens/tokens.service';
import type { ConsoleRequest } from './console-http';
import { hasText } from './console-i18n';
import { ConsoleViews } from './console-views';
import { customerPage } from './customer-page';

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
  ) {}

  /** By username (as the login compares it) or by user_id: the two things a caller can tell support. */
  async search(req: ConsoleRequest, res: Response, q?: string, institutionId?: string): Promise<void> {
    let results: UserView[] = [];
    if (q) {
      results = await this.admin.find(q, institutionId);
      if (!results.length) {
        const byId = await this.admin.get(q).catch((e: unknown) => {
          if (e instanceof PxError && e.id === ErrorId.NOT_FOUND) return null;
          throw e;
        });
        if (byId && (!institutionId || byId.institution_id === institutionId)) results = [byId];
      }
    }
    this.views.render(
      req,
      res,
      'search',
      { q: q ?? '', institutionId: institutionId ?? '', results, searched: !!q },
      req.console,
    );
  }

  async customer(req: ConsoleRequest, res: Response, id: string): Promise<void> {
    const user = await this.admin.get(id);
    const [events, tokens] = await Promise.all([
      this.audit.forUser(user.user_id, TIMELINE_LENGTH),
      this.tokens.activeFor(user.user_id),
    ]);
    const names = await this.staff.namesOf(events.map((e) => e.staffId).filter((s): s is string => !!s));
    const session = req.console!;
    const page = customerPage(user, events, names, tokens, this.config.LOCKOUT_THRESHOLD, session.t, session.locale);
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
