import { Module } from '@nestjs/common';
import { AuthModule } from '@/auth/auth.module';
import { TokensModule } from '@/tokens/tokens.module';
import { GuardedCall } from './guarded-call';
import { IntrospectionFastPath } from './introspection.fast-path';
import { LoginFastPath } from './login.fast-path';
import { SendOtpFastPath, TwoFactorFastPath } from './second-factor.fast-paths';

/**
 * The routes answered before Express and Nest (src/server.ts wires them in front of Express unless
 * FAST_PATHS is false). It calls the domain modules' services; none of them knows it is here.
 */
@Module({
  imports: [AuthModule, TokensModule],
  providers: [GuardedCall, LoginFastPath, SendOtpFastPath, TwoFactorFastPath, IntrospectionFastPath],
  exports: [LoginFastPath, SendOtpFastPath, TwoFactorFastPath, IntrospectionFastPath],
})
export class EdgeModule {}

/** Every lean route, in the order LeanRoutes tries them. */
export const FAST_PATHS = [LoginFastPath, SendOtpFastPath, TwoFactorFastPath, IntrospectionFastPath];
