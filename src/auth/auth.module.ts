import { Module } from '@nestjs/common';
import { ChallengeModule } from '@/challenge/challenge.module';
import { KbaModule } from '@/kba/kba.module';
import { OtpModule } from '@/otp/otp.module';
import { PartnersModule } from '@/partners/partners.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ChallengeIssuer } from './challenge-issuer';
import { MfaService } from './mfa.service';

@Module({
  imports: [PartnersModule, UsersModule, ChallengeModule, OtpModule, KbaModule, TokensModule],
  controllers: [AuthController],
  providers: [AuthService, MfaService, ChallengeIssuer],
})
export class AuthModule {}
