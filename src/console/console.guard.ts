import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { RequestContextStore } from '@/common/http/request-context';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { ConsoleAudit } from './console-audit.interceptor';
import { ConsoleSignedOut, csrfRefused } from './console-errors';
import { ConsoleRequest, SESSION_COOKIE, cookiesOf } from './console-http';
import { translator } from './console-i18n';
import { CONSOLE_ROLES, ConsoleSessionService, actorOf } from './console-session.service';
import { ConsoleViews } from './console-views';

const ROLES_KEY = 'pxauth:console-roles';
/** Who may use a console page or control: the same split as the admin API (`admin` may do everything). */
export const ConsoleRoles = (...roles: StaffRole[]) => SetMetadata(ROLES_KEY, roles);

/**
 * A console request needs a live session (else: signed out); a change needs the session's CSRF token
 * (docs/console.md, "CSRF": every change carries a token), checked before anything else is judged; then the
 * role. A control the role may not use is not shown, and this refuses it when it is forced anyway.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly views: ConsoleViews,
    private readonly audit: ConsoleAudit,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const token = cookiesOf(req)[SESSION_COOKIE];
    const staff = token ? await this.sessions.resume(token) : null;
    if (!token || !staff) throw new ConsoleSignedOut(!!token);
    const locale = this.views.localeOf(req, res);
    const csrf = this.sessions.csrfOf(token);
    req.console = { staff, token, csrf, locale, timeZone: this.views.timeZone, t: translator(locale) };
    const ctx = RequestContextStore.get();
    if (ctx) Object.assign(ctx, actorOf(staff));

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const given = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (!this.sessions.csrfMatches(token, given)) {
        await this.audit.record(req, 'CSRF_REFUSED');
        throw csrfRefused();
      }
    }
    const allowed =
      this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? CONSOLE_ROLES;
    if (staff.role !== 'admin' && !allowed.includes(staff.role)) {
      await this.audit.record(req, ErrorId.FORBIDDEN);
      throw new PxError(ErrorId.FORBIDDEN);
    }
    return true;
  }
}
