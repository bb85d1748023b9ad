import { Module } from '@nestjs/common';
import { ChallengeModule } from '@/challenge/challenge.module';
import { FACTOR_VERIFIERS, FactorVerifier } from '@/challenge/factor-verifier';
import { KbaModule } from '@/kba/kba.module';
import { KbaVerifier } from '@/kba/kba.verifier';
import { OtpModule } from '@/otp/otp.module';
import { OtpVerifier } from '@/otp/otp.verifier';
import { TotpVerifier } from '@/otp/totp.verifier';
import { PartnersModule } from '@/partners/partners.module';
import { ThrottleModule } from '@/throttle/throttle.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ChallengeIssuer } from './challenge-issuer';
import { SendOtpService } from './send-otp.service';
import { TwoFactorService } from './two-factor.service';

/** The Plaid-facing module: auth_token, sendOtp and 2fa, each one flow over users, challenges and tokens. */
@Module({
  imports: [PartnersModule, UsersModule, ChallengeModule, OtpModule, KbaModule, TokensModule, ThrottleModule],
  controllers: [AuthController],
  exports: [AuthService, SendOtpService, TwoFactorService, ChallengeIssuer],
  providers: [
    AuthService,
    SendOtpService,
    TwoFactorService,
    ChallengeIssuer,
    {
      // One verifier per factor kind, each owning its rules (docs/api.md#post-usersuser_id2fa).
      provide: FACTOR_VERIFIERS,
      inject: [OtpVerifier, TotpVerifier, KbaVerifier],
      useFactory: (...verifiers: FactorVerifier[]) => verifiers,
    },
  ],
})
export class AuthModule {}
