import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ServedOn } from '@/common/http/listener.guard';
import type { Request, Response } from 'express';
import { localeOf } from '@/common/i18n/messages';
import { RequestContextStore } from '@/common/http/request-context';
import { PartnerGuard } from '@/partners/partner.guard';
import { AuthenticatedBody, AuthTokenDto, TwoFactorDto } from './auth.dto';
import { AuthService } from './auth.service';
import { ChallengeBody } from './challenge-issuer';
import { MfaService } from './mfa.service';

const clientId = () => RequestContextStore.get()!.clientId!;

/** Plaid's non-OAuth endpoints (reference/plaid-exchange-auth.md, "Alternative auth methods"). */
@ServedOn('public')
@Controller('users')
@UseGuards(PartnerGuard)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
  ) {}

  @Post('auth_token')
  async authToken(
    @Body() body: AuthTokenDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthenticatedBody | ChallengeBody> {
    const result = await this.auth.login(body, clientId(), localeOf(req));
    res.status(result.status);
    return result.body;
  }

  @Post(':user_id/2fa')
  async twoFactor(
    @Param('user_id') userId: string,
    @Body() body: TwoFactorDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthenticatedBody> {
    res.status(200);
    return this.mfa.verify(userId, body, clientId());
  }
}
