import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { ErrorEnvelopeFilter, asLoggedPxError } from '@/common/errors/error.filter';
import { AppConfig } from '@/config/app-config';
import { ThrottledError } from '@/throttle/throttled.error';
import { OAuthError } from './token-endpoint.service';

/**
 * POST /oauth2/token's refusals in its own format, RFC 6749 5.2 (docs/oauth.md), never the
 * legacy envelope; nothing cached (5.1). Past THROTTLE_PER_ADDRESS or THROTTLE_PER_CLIENT: 503, as
 * docs/operations.md says (Plaid's contract has no 429), with `error: temporarily_unavailable` (RFC 6749's code
 * for "cannot handle the request now", 4.1.2.1), a `Retry-After` header (RFC 9110 10.2.3: what HTTP and
 * OAuth client libraries honour) and pxauth's `retry_at` as an extra member, which an RFC 6749 client
 * ignores (5.1: unrecognized value names MUST be ignored). Every other failure is in that format too: a
 * database that cannot answer (or maintenance) is the same 503 `temporarily_unavailable`, anything the
 * request got wrong `invalid_request`, and a bug `server_error` (500), logged as the envelope's are.
 */
@Catch()
@Injectable()
export class TokenErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthToken');

  constructor(private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (exception instanceof ThrottledError)
      return unavailable(res, exception, 'Too many requests; retry after the time in Retry-After.');
    if (!(exception instanceof OAuthError)) return this.other(exception, host, res);
    const err = exception;
    const basic = /^basic /i.test(req.headers.authorization ?? '');
    if (err.error === 'invalid_client' && basic)
      res.setHeader('WWW-Authenticate', 'Basic realm="pxauth", charset="UTF-8"');
    // invalid_grant says no more than that: which check failed stays out of the answer.
    const description = err.error === 'invalid_grant' ? undefined : err.description;
    const status = err.error === 'invalid_client' ? 401 : 400;
    res.status(status).json(description ? { error: err.error, error_description: description } : { error: err.error });
  }

  private other(exception: unknown, host: ArgumentsHost, res: Response): void {
    const err = asLoggedPxError(exception, this.logger, this.config);
    // Not an answer of this endpoint (404 while OAuth is off): the envelope every missing route gives.
    if (![ErrorId.SERVICE_UNAVAILABLE, ErrorId.INVALID_REQUEST, ErrorId.INTERNAL_ERROR].includes(err.id))
      return new ErrorEnvelopeFilter(this.config).catch(err, host);
    // asPxError gives every SERVICE_UNAVAILABLE its retry_at (the database's is DB_RETRY_AFTER ahead).
    if (err.id === ErrorId.SERVICE_UNAVAILABLE) unavailable(res, err, err.message);
    else if (err.id === ErrorId.INTERNAL_ERROR) res.status(500).json({ error: 'server_error' });
    else res.status(400).json({ error: 'invalid_request', error_description: err.message });
  }
}

/** 503 `temporarily_unavailable` (RFC 6749 4.1.2.1) with Retry-After and pxauth's retry_at. */
function unavailable(res: Response, err: PxError, description: string): void {
  res.setHeader('Retry-After', String(err.retryAfterSeconds()));
  res.status(503).json({
    error: 'temporarily_unavailable',
    error_description: description,
    retry_at: err.retryAt?.toISOString(),
  });
}
