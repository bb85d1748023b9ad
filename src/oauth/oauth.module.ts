import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
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
import { OAuthCodeRepository } from './oauth-code.repository';
import { OAuthCodes } from './oauth-codes.service';
import { SignInPagesThrottle, TokenThrottle } from './oauth-throttle.middleware';
import { Pages } from './pages';
import { SignInCookies } from './sign-in-cookie';
import { SignIn } from './sign-in.entity';
import { SignInController } from './sign-in.controller';
import { SignInFlow } from './sign-in.flow';
import { SignInRepository } from './sign-in.repository';
import { SignIns } from './sign-ins';
import { TokenController } from './token.controller';
import { TokenEndpointService } from './token-endpoint.service';

/**
 * Plaid Exchange OAuth: the authorize endpoint and hosted sign-in pages over the auth module's one
 * login, and the token endpoint over the tokens module; every OAuth route but the style sheet and the
 * public key is limited per source address by default (docs/oauth.md).
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
  providers: [
    IdTokenSigner,
    OAuthClientGuard,
    OAuthCodes,
    OAuthCodeRepository,
    Pages,
    SignInCookies,
    SignIns,
    SignInRepository,
    SignInFlow,
    TokenEndpointService,
    SignInPagesThrottle,
    TokenThrottle,
  ],
  exports: [OAuthCodes, SignIns],
})
export class OAuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(SignInPagesThrottle)
      .exclude(
        { path: 'oauth2/assets/{*file}', method: RequestMethod.GET },
        { path: 'oauth2/jwks', method: RequestMethod.GET },
      )
      .forRoutes(SignInController);
    consumer.apply(TokenThrottle).forRoutes(TokenController);
  }
}
