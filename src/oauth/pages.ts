import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@/config/app-config';
import { PageTexts } from './page-texts';

const VIEWS = join(__dirname, 'views');
export const SIGN_IN_COOKIE = 'pxauth_signin';

/** A page to show: the view, its status, and what it shows. */
export interface Page {
  status: number;
  view: 'signin' | 'otp' | 'totp' | 'kba' | 'notice';
  title: string;
  t: PageTexts;
  error?: string;
  [key: string]: unknown;
}

/**
 * Renders the hosted sign-in pages (eta, escaped by default) and sets what every one of them carries:
 * nothing cached, never framed, no script, nothing loaded from elsewhere (docs/oauth.md).
 */
@Injectable()
export class Pages {
  private readonly eta = new Eta({ views: VIEWS, autoEscape: true, cache: true });
  readonly css = readFileSync(join(VIEWS, 'signin.css'), 'utf8');

  constructor(private readonly config: AppConfig) {}

  render(res: Response, page: Page, redirectUri?: string): void {
    this.secure(res, redirectUri);
    res
      .status(page.status)
      .type('html')
      .send(this.eta.render(`./${page.view}`, page));
  }

  redirect(res: Response, to: string): void {
    this.secure(res, to);
    res.redirect(303, to);
  }

  /**
   * form-action names the client's redirect origin too: after a form post, a browser applies it to the
   * redirect that follows, and the last one goes to the redirect URI.
   */
  secure(res: Response, redirectUri?: string): void {
    const formAction = ["'self'", ...(redirectUri ? [new URL(redirectUri).origin] : [])].join(' ');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; ` +
        "frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
  }

  /** HttpOnly, SameSite=Lax (the redirect back from a bank's own pages still carries it), Secure over TLS. */
  setCookie(req: Request, res: Response, token: string, expiresAt: number): void {
    const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
    res.setHeader('Set-Cookie', this.cookie(req, `${SIGN_IN_COOKIE}=${token}`, maxAge));
  }

  clearCookie(req: Request, res: Response): void {
    res.setHeader('Set-Cookie', this.cookie(req, `${SIGN_IN_COOKIE}=`, 0));
  }

  private cookie(req: Request, pair: string, maxAge: number): string {
    // Secure when the customer's browser reaches pxauth over TLS: directly, or through the https front
    // that OAUTH_ISSUER names (pxauth itself usually sits behind a TLS-terminating proxy).
    const tls = req.secure || this.config.OAUTH_ISSUER.startsWith('https://');
    return `${pair}; Path=/oauth2; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${tls ? '; Secure' : ''}`;
  }
}

export function cookieOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SIGN_IN_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
