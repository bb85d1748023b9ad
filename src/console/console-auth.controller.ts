import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { join } from 'node:path';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { ServedOn } from '@/common/http/listener.guard';
import { RequestContextStore } from '@/common/http/request-context';
import { AppConfig } from '@/config/app-config';
import { ConsoleAudit } from './console-audit.interceptor';
import { csrfRefused } from './console-errors';
import { formatDuration } from './console-format';
import {
  ConsoleRequest,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  clearCookie,
  cookiesOf,
  setCookie,
  wantsHtml,
} from './console-http';
import { CONSOLE_ROLES, ConsoleSessionService } from './console-session.service';
import { OidcFlows } from './console-oidc-flow';
import { ConsoleOidc } from './console-oidc.service';
import { SignInPage } from './console-sign-in-page';
import { ConsoleViews } from './console-views';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard } from './console.guard';
import { SignInForm, SignInPageQuery } from './console.dto';

const ASSETS = join(__dirname, 'assets');

/** Signing in and out of the support console, and its one stylesheet (served by pxauth itself). */
@ServedOn('internal')
@Controller('console')
@UseFilters(ConsoleExceptionFilter)
export class ConsoleAuthController {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly views: ConsoleViews,
    private readonly audit: ConsoleAudit,
    private readonly config: AppConfig,
    private readonly loginPage: SignInPage,
    private readonly oidc: ConsoleOidc,
    private readonly flows: OidcFlows,
  ) {}

  @Get()
  home(@Res() res: Response): void {
    res.redirect(303, '/console/users');
  }

  @Get('assets/console.css')
  stylesheet(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('text/css').sendFile(join(ASSETS, 'console.css'));
  }

  /** The form carries a token bound to a cookie of its own, so no other site can sign a browser in. */
  @Get('login')
  signInPage(@Req() req: Request, @Res() res: Response, @Query() { expired, out }: SignInPageQuery) {
    const locale = this.views.localeOf(req, res);
    const notice = expired
      ? {
          key: 'signin.expired',
          values: {
            ttl: formatDuration(this.config.CONSOLE_SESSION_TTL, locale),
            max: formatDuration(this.config.CONSOLE_SESSION_MAX_AGE, locale),
          },
        }
      : out
        ? { key: 'signin.out', values: {} }
        : null;
    this.loginPage.render(req, res, { notice });
  }

  @Post('login')
  async signIn(@Req() req: ConsoleRequest, @Res() res: Response, @Body() body: SignInForm): Promise<void> {
    const pre = cookiesOf(req)[SIGN_IN_COOKIE];
    if (!pre || !this.sessions.csrfMatches(pre, (req.body as Record<string, unknown>)._csrf, 'sign-in'))
      throw csrfRefused();
    const staff = await this.sessions.staffOfKey(body.key);
    const refused = !staff ? ErrorId.UNAUTHORIZED : !CONSOLE_ROLES.includes(staff.role) ? ErrorId.FORBIDDEN : null;
    if (refused) {
      if (staff) {
        // A known staff member refused is an admin call refused (docs/api.md, "Staff API"); an unknown key names no one.
        const ctx = RequestContextStore.get();
        if (ctx) ctx.staffId = staff.id;
        await this.audit.record(req, refused, staff);
      }
      if (!wantsHtml(req)) throw new PxError(refused);
      this.loginPage.render(req, res, {
        problem: refused === ErrorId.UNAUTHORIZED ? 'signin.bad' : 'signin.role',
        status: refused === ErrorId.UNAUTHORIZED ? 401 : 403,
      });
      return;
    }
    const token = await this.sessions.open(staff!.id);
    const ctx = RequestContextStore.get();
    if (ctx) ctx.staffId = staff!.id;
    await this.audit.record(req, 'ok', staff!);
    clearCookie(req, res, SIGN_IN_COOKIE);
    setCookie(req, res, SESSION_COOKIE, token);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, '/console/users');
  }

  @Post('logout')
  @UseGuards(ConsoleGuard)
  async signOut(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const { staff, token } = req.console!;
    const sealed = staff.subject ? await this.sessions.sealedIdTokenOf(token) : null;
    await this.sessions.close(token);
    await this.audit.record(req, 'ok');
    clearCookie(req, res, SESSION_COOKIE);
    // A person signed in through the provider is signed out there too, when it offers a logout.
    const away = staff.subject
      ? this.oidc.logoutUrl(sealed ? this.flows.openIdToken(sealed, staff.subject) : null)
      : null;
    if (!away) return res.redirect(303, '/console/login?out=1');
    // A page that moves on, not a redirect: the form's Content-Security-Policy (form-action 'self') would
    // stop a redirect of its submission to the provider.
    res.setHeader('Refresh', `0;url=${away}`);
    this.views.render(req, res, 'continue', { heading: 'continue.out', message: 'continue.out.text', next: away });
  }
}
