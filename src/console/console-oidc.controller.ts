import { Controller, Get, Logger, Req, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { ServedOn } from '@/common/http/listener.guard';
import { RequestContextStore } from '@/common/http/request-context';
import { ConsoleAudit } from './console-audit.interceptor';
import { ConsoleRequest, SESSION_COOKIE, clearCookie, cookiesOf, setCookie, wantsHtml } from './console-http';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_TTL_SECONDS, OidcFlows } from './console-oidc-flow';
import { ConsoleOidc, OidcRefused } from './console-oidc.service';
import { ConsoleSessionService, ConsoleStaff, actorOf } from './console-session.service';
import { SignInPage } from './console-sign-in-page';
import { ConsoleViews } from './console-views';
import { ConsoleExceptionFilter } from './console.filter';

/**
 * Console sign-in through the bank's OpenID Connect provider (README, "The support console"): the start sends the
 * browser to the provider with a fresh state, nonce and PKCE challenge sealed in its cookie; the callback
 * checks them, maps the person's claim to a role and opens their session. Staff keys work beside it.
 */
@ServedOn('internal')
@Controller('console/oidc')
@UseFilters(ConsoleExceptionFilter)
export class ConsoleOidcController {
  private readonly logger = new Logger('ConsoleOidc');

  constructor(
    private readonly oidc: ConsoleOidc,
    private readonly flows: OidcFlows,
    private readonly sessions: ConsoleSessionService,
    private readonly signInPage: SignInPage,
    private readonly views: ConsoleViews,
    private readonly audit: ConsoleAudit,
  ) {}

  @Get('start')
  async start(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new PxError(ErrorId.NOT_FOUND);
    const flow = this.flows.begin();
    const url = await this.unlessUnavailable(req, res, () => this.oidc.authorizationUrl(flow));
    if (url === null) return;
    // Lax: the provider's redirect back is a cross-site navigation, which a Strict cookie would miss.
    setCookie(req, res, OIDC_FLOW_COOKIE, this.flows.seal(flow), OIDC_FLOW_TTL_SECONDS, 'Lax');
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url);
  }

  @Get('callback')
  async callback(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    // Single use: whatever this callback's outcome, the flow is over in this browser.
    const flow = this.flows.open(cookiesOf(req)[OIDC_FLOW_COOKIE]);
    clearCookie(req, res, OIDC_FLOW_COOKIE);
    res.setHeader('Cache-Control', 'no-store');
    let signIn;
    try {
      signIn = await this.unlessUnavailable(req, res, () => this.oidc.finish(req.originalUrl, flow));
    } catch (err) {
      if (!(err instanceof OidcRefused)) throw err;
      this.logger.warn({ reason: err.message }, 'console sign-in through the provider refused');
      await this.audit.record(req, ErrorId.UNAUTHORIZED);
      return this.refuse(req, res, ErrorId.UNAUTHORIZED, 'signin.oidc.failed');
    }
    if (signIn === null) return;
    const { subject, name, role, idToken } = signIn;
    if (!role) {
      // Known to the provider, but in no group the console maps: refused, and the audit trail names them.
      this.actAs({ id: null, subject, name });
      await this.audit.record(req, ErrorId.FORBIDDEN, { id: null, subject, name });
      return this.refuse(req, res, ErrorId.FORBIDDEN, 'signin.oidc.role');
    }
    const person = { subject, name, role };
    const token = await this.sessions.openPerson(person, idToken ? this.flows.sealIdToken(idToken, subject) : null);
    this.actAs({ id: null, ...person });
    await this.audit.record(req, 'ok', { id: null, ...person });
    setCookie(req, res, SESSION_COOKIE, token);
    // A page of ours moves on to the console, rather than a redirect: the navigation the provider began
    // is cross-site, and would not carry the SameSite=Strict session cookie to the next page.
    res.setHeader('Refresh', '0;url=/console/users');
    this.views.render(req, res, 'continue', {
      heading: 'continue.in',
      message: 'continue.in.text',
      next: '/console/users',
    });
  }

  private actAs(staff: Partial<ConsoleStaff>): void {
    const ctx = RequestContextStore.get();
    if (ctx) Object.assign(ctx, actorOf(staff));
  }

  private refuse(req: ConsoleRequest, res: Response, id: ErrorId, problem: string): void {
    if (!wantsHtml(req)) throw new PxError(id);
    this.signInPage.render(req, res, { problem, status: new PxError(id).status });
  }

  /** `step`'s result; null once the sign-in page has said the provider cannot be reached (503). */
  private async unlessUnavailable<T>(req: ConsoleRequest, res: Response, step: () => Promise<T>): Promise<T | null> {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof PxError) || err.id !== ErrorId.SERVICE_UNAVAILABLE || !wantsHtml(req)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds()));
      this.signInPage.render(req, res, { problem: 'signin.oidc.unavailable', status: err.status });
      return null;
    }
  }
}
