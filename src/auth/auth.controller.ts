import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequestContextStore } from '@/common/http/request-context';
import { Guarded } from '@/common/http/guarded';
import { localeOf } from '@/common/i18n/messages';
import { AuthenticatedBody, AuthTokenDto, TwoFactorDto } from './auth.dto';
import { ApiAuthToken, ApiSendOtp, ApiTwoFactor } from './auth.openapi';
import { AuthService } from './auth.service';
import { PLAID_CALLS } from './plaid-calls';
import { ChallengeBody } from './challenge-issuer';
import { SendOtpDto } from './send-otp.dto';
import { SendOtpService } from './send-otp.service';
import { TwoFactorService } from './two-factor.service';

const clientId = () => RequestContextStore.get()!.clientId!;

/** Plaid's non-OAuth endpoints (reference/plaid-exchange-auth.md, "Alternative auth methods"). */
@Controller('users')
@Guarded(PLAID_CALLS)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sendOtps: SendOtpService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  @Post('auth_token')
  @ApiAuthToken()
  async authToken(
    @Body() body: AuthTokenDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthenticatedBody | ChallengeBody> {
    const result = await this.auth.login(body, clientId(), localeOf(req));
    res.status(result.status);
    return result.body;
  }

  /** Plaid: "Trigger OTP". 200 with no body once the provider accepted the message. */
  @Post(':user_id/sendOtp')
  @ApiSendOtp()
  @HttpCode(200)
  sendOtp(@Param('user_id') userId: string, @Body() body: SendOtpDto): Promise<void> {
    return this.sendOtps.send(userId, body, clientId());
  }

  @Post(':user_id/2fa')
  @ApiTwoFactor()
  @HttpCode(200)
  verify(@Param('user_id') userId: string, @Body() body: TwoFactorDto): Promise<AuthenticatedBody> {
    return this.twoFactor.verify(userId, body, clientId());
  }
}
