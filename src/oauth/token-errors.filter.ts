import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ThrottledError } from '@/throttle/throttled.error';
import { OAuthError } from './token.service';

/**
 * POST /oauth2/token's refusals in its own format, RFC 6749 5.2 (PRODUCT.md section 14), never the
 * legacy envelope; nothing cached (5.1). Past THROTTLE_PER_ADDRESS or THROTTLE_PER_CLIENT: 503, as
 * section 13 says (Plaid's contract has no 429), with `error: temporarily_unavailable` (RFC 6749's code
 * for "cannot handle the request now", 4.1.2.1), a `Retry-After` header (RFC 9110 10.2.3: what HTTP and
 * OAuth client libraries honour) and section 13's `retry_at` as an extra member, which an RFC 6749 client
 * ignores (5.1: unrecognized value names MUST be ignored).
 */
@Catch(OAuthError, ThrottledError)
export class TokenErrorsFilter implements ExceptionFilter {
  catch(err: OAuthError | ThrottledError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (err instanceof ThrottledError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds()));
      res.status(503).json({
        error: 'temporarily_unavailable',
        error_description: 'Too many requests; retry after the time in Retry-After.',
        retry_at: err.retryAt?.toISOString(),
      });
      return;
    }
    const basic = /^basic /i.test(req.headers.authorization ?? '');
    if (err.error === 'invalid_client' && basic)
      res.setHeader('WWW-Authenticate', 'Basic realm="pxauth", charset="UTF-8"');
    // invalid_grant says no more than that: which check failed stays out of the answer.
    const description = err.error === 'invalid_grant' ? undefined : err.description;
    const status = err.error === 'invalid_client' ? 401 : 400;
    res.status(status).json(description ? { error: err.error, error_description: description } : { error: err.error });
  }
}
