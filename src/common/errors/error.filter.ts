import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorId } from './error-id';
import { apiText, PxError } from './px.error';
import { requestIdOf } from '@/common/http/request-id';
import { localeOf } from '@/common/i18n/messages';
import { AppConfig } from '@/config/app-config';
import { isDatabaseUnavailable, isInvalidInput } from '@/database/errors';

/**
 * Every non-2xx answer is `{ request_id, error: { id, message[, retry_at] } }` and nothing more
 * (docs/api.md#requests-and-errors). Framework exceptions are translated; anything else is a bug: logged
 * with its stack and answered INTERNAL_ERROR alone. A database that cannot answer is 503 with a
 * retry_at, never a 500: Plaid retries, and no customer is locked out by our outage. A value the
 * database refuses is the caller's: 400 INVALID_REQUEST with a generic message, never SQL.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly config?: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const err = asLoggedPxError(exception, this.logger, this.config);
    if (res.headersSent) return;
    // With `res`: a request refused before RequestContextMiddleware ran (a path Express cannot decode,
    // %ED%A0%80) still gets its X-Request-Id header (docs/api.md#requests-and-errors).
    const answer = envelopeOf(err, requestIdOf(req, res), localeOf(req));
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  }
}

/**
 * The envelope of one error: its status, `{ request_id, error }`, and Retry-After for a 503. The message
 * is the catalogue's (docs/texts.md) in the language the caller's Accept-Language asks for, else English.
 */
export function envelopeOf(
  err: PxError,
  requestId: string,
  locale: string,
): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
  const error: Record<string, unknown> = { id: err.id, message: err.messageIn(locale) };
  const headers: Record<string, string> = {};
  if (err.retryAt) {
    error.retry_at = err.retryAt.toISOString();
    headers['Retry-After'] = String(err.retryAfterSeconds());
  }
  return { status: err.status, body: { request_id: requestId, error }, headers };
}

/** asPxError, with what an operator must see logged: a bug with its stack, the database's trouble. */
export function asLoggedPxError(exception: unknown, logger: Logger, config?: AppConfig): PxError {
  const err = asPxError(exception, config);
  if (err.id === ErrorId.INTERNAL_ERROR) logger.error({ err: exception }, 'unhandled error');
  else if (err.id === ErrorId.SERVICE_UNAVAILABLE && !(exception instanceof PxError))
    logger.warn({ reason: (exception as Error)?.message }, 'database unavailable');
  else if (err.id === ErrorId.INVALID_REQUEST && isInvalidInput(exception))
    // Logged, since validation should have stopped it: the SQL and the value stay out of the answer.
    logger.warn({ reason: (exception as Error)?.message }, 'database refused a value of the request');
  return err;
}

/**
 * What any exception means to a caller: a PxError as is; a database that cannot answer is 503 with a
 * retry_at; a value it refuses is 400; Nest's own HTTP exceptions translated; anything else INTERNAL_ERROR.
 * Shared by the envelope and by the endpoints that answer in a format of their own (/oauth2/token).
 */
export function asPxError(exception: unknown, config?: AppConfig): PxError {
  if (exception instanceof PxError) return exception;
  const retryAt = () => new Date(Date.now() + (config?.DB_RETRY_AFTER ?? 5_000));
  if (isDatabaseUnavailable(exception)) return PxError.unavailable(retryAt(), apiText('unavailable.database'));
  if (isInvalidInput(exception)) return PxError.invalid(apiText('request.unstorable'));
  if (exception instanceof HttpException) {
    switch (exception.getStatus()) {
      case 503:
        return PxError.unavailable(retryAt(), apiText('unavailable.notReady'));
      case 400:
        return new PxError(ErrorId.INVALID_REQUEST);
      case 404:
        return new PxError(ErrorId.NOT_FOUND);
      case 405:
        return new PxError(ErrorId.METHOD_NOT_ALLOWED);
    }
  }
  return new PxError(ErrorId.INTERNAL_ERROR);
}
