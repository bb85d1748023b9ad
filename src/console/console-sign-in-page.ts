import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomToken } from '@/common/crypto/digest';
import { SIGN_IN_COOKIE, setCookie } from './console-http';
import { ConsoleOidc } from './console-oidc.service';
import { ConsoleSessionService } from './console-session.service';
import { ConsoleViews } from './console-views';

export interface SignInNotice {
  key: string;
  values: Record<string, unknown>;
}

/**
 * The sign-in page: the staff-key form, whose token is bound to a cookie of its own so that no other
 * site can sign a browser in, and the provider's button when console sign-in through OpenID Connect is on.
 */
@Injectable()
export class SignInPage {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly views: ConsoleViews,
    private readonly oidc: ConsoleOidc,
  ) {}

  render(
    req: Request,
    res: Response,
    {
      notice = null,
      problem = null,
      status = 200,
    }: { notice?: SignInNotice | null; problem?: string | null; status?: number },
  ): void {
    const pre = randomToken(32);
    setCookie(req, res, SIGN_IN_COOKIE, pre);
    const csrf = this.sessions.csrfOf(pre, 'sign-in');
    this.views.render(req, res, 'login', { csrf, notice, problem, oidc: this.oidc.enabled }, undefined, status);
  }
}
