import { Controller, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ServedOn } from '@/common/http/listener.guard';
import { AddressThrottleGuard, ClientThrottleGuard } from '@/throttle/throttle.guard';
import { OAuthClientGuard, authenticatedClient } from './client-auth.guard';
import { ApiToken } from './oauth.openapi';
import { TokenErrorsFilter } from './token-errors.filter';
import { TokenEndpointService } from './token-endpoint.service';

/**
 * Plaid's token endpoint (docs/oauth.md), a backend call: the body JSON or form-encoded, the
 * client by Basic or in the body, checked in constant time by the same code as the legacy partner
 * headers; errors as RFC 6749 5.2, and nothing cached (5.1). Throttled as the legacy endpoints are
 * (docs/operations.md, "Throttling the OAuth endpoints"), in the same order: the source address first, then the client once it has authenticated.
 */
@ServedOn('public')
@Controller('oauth2')
export class TokenController {
  constructor(private readonly grants: TokenEndpointService) {}

  @Post('token')
  @ApiToken()
  @UseGuards(AddressThrottleGuard, OAuthClientGuard, ClientThrottleGuard)
  @UseFilters(TokenErrorsFilter)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.status(200).json(await this.grants.grant(authenticatedClient(req), body));
  }
}
