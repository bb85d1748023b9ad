import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '@/config/app-config';
import { ErrorEnvelopeFilter } from '@/common/errors/error.filter';
import { PxError } from '@/common/errors/px.error';
import { requestIdOf } from '@/common/http/request-id';
import { ConsoleSignedOut } from './console-errors';
import { ConsoleRequest, wantsHtml } from './console-http';
import { ConsoleViews } from './console-views';

/**
 * The console's answers to errors. A browser gets a page with the same status, error id and request
 * id as the envelope would carry (and, signed out, the sign-in page); any other client gets the
 * envelope of docs/api.md#requests-and-errors itself. What is not a PxError (a bug, the database away) is left to
 * the envelope filter, which logs it and answers 500 or 503 with nothing leaked.
 */
@Catch()
@Injectable()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly envelope: ErrorEnvelopeFilter;

  constructor(
    private readonly views: ConsoleViews,
    @Optional() config?: AppConfig,
  ) {
    this.envelope = new ErrorEnvelopeFilter(config);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent || !(exception instanceof PxError) || !wantsHtml(req as Request)) {
      this.envelope.catch(exception, host);
      return;
    }
    if (exception instanceof ConsoleSignedOut) {
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, exception.expired ? '/console/login?expired=1' : '/console/login');
      return;
    }
    const locale = req.console?.locale ?? this.views.localeOf(req, res);
    this.views.render(
      req,
      res,
      'error',
      { error: { id: exception.id, message: exception.messageIn(locale) }, requestId: requestIdOf(req) },
      req.console,
      exception.status,
    );
  }
}
