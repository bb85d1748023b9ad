import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@/auth/auth.module';
import { MaintenanceModule } from '@/maintenance/maintenance.module';
import { PartnersModule } from '@/partners/partners.module';
import { ThrottleModule } from '@/throttle/throttle.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { OAuthClientGuard } from './client-auth.guard';
import { IdTokenSigner } from './id-token.signer';
import { OAuthCode } from './oauth-code.entity';
import { OAuthCodes } from './oauth-codes.service';
import { Pages } from './pages';
import { SignIn } from './sign-in.entity';
import { SignInController } from './sign-in.controller';
import { SignInFlow } from './sign-in.flow';
import { SignIns } from './sign-ins';
import { TokenController } from './token.controller';
import { TokenGrants } from './token.service';

/**
 * Plaid Exchange OAuth (PRODUCT.md section 14): the authorize endpoint and hosted sign-in pages over
 * the auth module's one login, and the token endpoint over the tokens module.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OAuthCode, SignIn]),
    AuthModule,
    MaintenanceModule,
    PartnersModule,
    ThrottleModule,
    TokensModule,
    UsersModule,
  ],
  controllers: [SignInController, TokenController],
  providers: [IdTokenSigner, OAuthClientGuard, OAuthCodes, Pages, SignIns, SignInFlow, TokenGrants],
  exports: [OAuthCodes, SignIns],
})
export class OAuthModule {}
