import { ArgumentsHost, Catch, ExceptionFilter, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { localeOf } from '@/common/i18n/messages';
import { ThrottledError } from '@/throttle/throttled.error';
import { pageTexts } from './page-texts';
import { Pages } from './pages';

/**
 * The hosted sign-in past THROTTLE_PER_ADDRESS (PRODUCT.md section 13): a customer's browser gets a
 * page, never JSON, in the language it asks for (the sign-in's own locale would cost a database read,
 * which a throttled request must not make), with 503 and Retry-After (RFC 9110 15.6.4, 10.2.3). The
 * sign-in itself is untouched: its cookie still holds, so the customer can go back and post again.
 */
@Catch(ThrottledError)
@Injectable()
export class ThrottledPageFilter implements ExceptionFilter {
  constructor(private readonly pages: Pages) {}

  catch(err: ThrottledError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const t = pageTexts(localeOf(req));
    res.setHeader('Retry-After', String(err.retryAfterSeconds()));
    this.pages.render(res, { status: 503, view: 'notice', title: t.busyTitle, message: t.busyText, t });
  }
}
