import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { ServedOn } from '@/common/http/listener.guard';
import { RequestContextStore } from '@/common/http/request-context';
import { PartnersService } from '@/partners/partners.service';
import { clientCredentials } from './client-auth';
import { IdTokenSigner } from './id-token.signer';
import { OAuthError, TokenGrants } from './token.service';

/**
 * Plaid's token endpoint (PRODUCT.md section 14), a backend call: the body JSON or form-encoded, the
 * client by Basic or in the body, checked in constant time by the same code as the legacy partner
 * headers; errors as RFC 6749 5.2, and nothing cached (5.1).
 */
@ServedOn('public')
@Controller('oauth2')
export class TokenController {
  constructor(
    private readonly grants: TokenGrants,
    private readonly partners: PartnersService,
    private readonly signer: IdTokenSigner,
  ) {}

  @Post('token')
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.signer.enabled) throw new PxError(ErrorId.NOT_FOUND);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const creds = clientCredentials(req, body);
    const deny = (status: number, error: string, description?: string) => {
      if (status === 401 && creds.basic) res.setHeader('WWW-Authenticate', 'Basic realm="pxauth", charset="UTF-8"');
      res.status(status).json(description ? { error, error_description: description } : { error });
    };
    if (!creds.ok) return deny(creds.error === 'invalid_client' ? 401 : 400, creds.error);
    try {
      await this.partners.authenticate(creds.clientId, creds.secret);
    } catch (err) {
      if (err instanceof PxError && err.id === ErrorId.INVALID_CLIENT) return deny(401, 'invalid_client');
      throw err;
    }
    const ctx = RequestContextStore.get();
    if (ctx) ctx.clientId = creds.clientId;
    try {
      res.status(200).json(await this.grants.grant(creds.clientId, body));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      // invalid_grant says no more than that: which check failed stays out of the answer.
      deny(400, err.error, err.error === 'invalid_grant' ? undefined : err.description);
    }
  }
}
