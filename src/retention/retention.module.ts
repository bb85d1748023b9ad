import { Module } from '@nestjs/common';
import { ChallengeModule } from '@/challenge/challenge.module';
import { OAuthModule } from '@/oauth/oauth.module';
import { OtpModule } from '@/otp/otp.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { PurgeJob } from './purge.job';

@Module({
  imports: [ChallengeModule, UsersModule, OtpModule, TokensModule, OAuthModule],
  providers: [PurgeJob],
  exports: [PurgeJob],
})
export class RetentionModule {}
