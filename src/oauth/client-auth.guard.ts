import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { RequestContextStore } from '@/common/http/request-context';
import { PartnersService } from '@/partners/partners.service';
import { clientCredentials } from './client-auth';
import { IdTokenSigner } from './id-token.signer';
import { OAuthError } from './token-endpoint.service';

const authenticated = new WeakMap<Request, string>();

/**
 * POST /oauth2/token's client authentication (RFC 6749 2.3.1) as a guard, in the place PartnerGuard
 * holds on the legacy endpoints: between the per-address and the per-client throttle, so that only a
 * client that proved its secret is counted against THROTTLE_PER_CLIENT and no one can spend another
 * client's allowance by naming its id (docs/operations.md#shedding-and-throttling). Refusals are OAuthErrors, which the
 * token endpoint's filter answers as RFC 6749 5.2 says.
 */
@Injectable()
export class OAuthClientGuard implements CanActivate {
  constructor(
    private readonly partners: PartnersService,
    private readonly signer: IdTokenSigner,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Without an id_token key (production before ID_TOKEN_KEY is set) OAuth does not exist: 404.
    if (!this.signer.enabled) throw new PxError(ErrorId.NOT_FOUND);
    const req = context.switchToHttp().getRequest<Request>();
    const creds = clientCredentials(req, (req.body ?? {}) as Record<string, unknown>);
    if (!creds.ok) throw new OAuthError(creds.error);
    try {
      await this.partners.authenticate(creds.clientId, creds.secret);
    } catch (err) {
      if (err instanceof PxError && err.id === ErrorId.INVALID_CLIENT) throw new OAuthError('invalid_client');
      throw err;
    }
    const ctx = RequestContextStore.get();
    if (ctx) {
      ctx.clientId = creds.clientId;
      ctx.path = 'oauth';
    }
    authenticated.set(req, creds.clientId);
    return true;
  }
}

/** The client OAuthClientGuard authenticated for this request. */
export function authenticatedClient(req: Request): string {
  const clientId = authenticated.get(req);
  if (!clientId) throw new Error('OAuthClientGuard did not run on this route');
  return clientId;
}
