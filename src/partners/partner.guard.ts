import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '@/config/app-config';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { RequestContextStore } from '@/common/http/request-context';
import { PartnersService } from './partners.service';

/** Every /users/* call: X-PLAID-CLIENT-ID and X-PLAID-SECRET, then X-PLAID-VERSION if present. */
@Injectable()
export class PartnerGuard implements CanActivate {
  constructor(
    private readonly partners: PartnersService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const clientId = await this.partners.authenticate(header(req, 'x-plaid-client-id'), header(req, 'x-plaid-secret'));
    const version = req.headers['x-plaid-version'];
    if (
      version !== undefined &&
      (typeof version !== 'string' || !this.config.SUPPORTED_PLAID_VERSIONS.includes(version))
    ) {
      throw new PxError(
        ErrorId.UNSUPPORTED_VERSION,
        apiText('version.supported', { versions: this.config.SUPPORTED_PLAID_VERSIONS.join(', ') }),
      );
    }
    const ctx = RequestContextStore.get();
    if (ctx) {
      ctx.clientId = clientId;
      ctx.path = 'legacy';
    }
    return true;
  }
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
