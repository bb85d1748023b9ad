import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { join } from 'node:path';
import { AppConfig } from '@/config/app-config';
import { type TroubleRequest, bannersOf } from './console-banners';
import { LANG_COOKIE, cookiesOf, setCookie } from './console-http';
import { CONSOLE_LOCALES, ConsoleLocale, consoleLocale, translator } from './console-i18n';
import type { ConsoleContext } from './console-http';

/**
 * No asset from outside the service (docs/console.md): scripts none at all, styles and images
 * from pxauth only (the TOTP QR code is a data: URL made here), forms only to pxauth, never framed.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** Server-rendered pages (eta 4, escaping every interpolation), in the staff member's language. */
@Injectable()
export class ConsoleViews {
  private readonly eta = new Eta({ views: join(__dirname, 'views'), cache: true, autoEscape: true });

  constructor(private readonly config: AppConfig) {}

  /** CONSOLE_TIMEZONE: every date of every page is shown in it. */
  get timeZone(): string {
    return this.config.CONSOLE_TIMEZONE;
  }

  /** `?lang=es` switches the language and remembers it in a cookie; else the cookie, else Accept-Language. */
  localeOf(req: Request, res: Response): ConsoleLocale {
    const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    if (asked && (CONSOLE_LOCALES as readonly string[]).includes(asked)) {
      setCookie(req, res, LANG_COOKIE, asked, 365 * 86_400);
      return asked as ConsoleLocale;
    }
    return consoleLocale(req, cookiesOf(req)[LANG_COOKIE]);
  }

  render(
    req: Request,
    res: Response,
    view: string,
    data: Record<string, unknown>,
    session?: ConsoleContext,
    status = 200,
  ): void {
    const locale = session?.locale ?? this.localeOf(req, res);
    const t = session?.t ?? translator(locale);
    const html = this.eta.render(view, {
      ...data,
      locale,
      t,
      banners: bannersOf((req as TroubleRequest).trouble, t, locale, this.timeZone),
      staff: session?.staff ?? null,
      csrf: session?.csrf ?? data.csrf ?? '',
      path: req.path,
    });
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    res.status(status).type('html').send(html);
  }
}
