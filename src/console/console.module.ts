import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OtpModule } from '@/otp/otp.module';
import { PartnersModule } from '@/partners/partners.module';
import { StaffModule } from '@/staff/staff.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { ServiceTroubleMiddleware, ServiceTroubleReader } from './console-banners';
import { ConsoleAudit, ConsoleAuditInterceptor } from './console-audit.interceptor';
import { ConsoleAuthController } from './console-auth.controller';
import { OidcFlows } from './console-oidc-flow';
import { ConsoleOidcController } from './console-oidc.controller';
import { ConsoleOidc } from './console-oidc.service';
import { ConsoleSession } from './console-session.entity';
import { ConsoleSessionRepository } from './console-session.repository';
import { ConsoleSessionService } from './console-session.service';
import { SignInPage } from './console-sign-in-page';
import { ConsoleUsersController } from './console-users.controller';
import { ConsoleViews } from './console-views';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard } from './console.guard';
import { CustomerPages } from './customer-pages';

/**
 * The support console (docs/console.md): server-rendered pages on the internal listener
 * for people who are not engineers. It owns its sessions; the work is the admin API's services.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ConsoleSession]),
    StaffModule,
    TokensModule,
    PartnersModule,
    OtpModule,
    UsersModule,
  ],
  controllers: [ConsoleAuthController, ConsoleOidcController, ConsoleUsersController],
  providers: [
    ConsoleSessionService,
    ConsoleSessionRepository,
    ConsoleViews,
    ConsoleAudit,
    ConsoleAuditInterceptor,
    ConsoleGuard,
    ConsoleExceptionFilter,
    CustomerPages,
    ConsoleOidc,
    OidcFlows,
    SignInPage,
    ServiceTroubleReader,
  ],
})
export class ConsoleModule implements NestModule {
  /** Every console page carries the banners of docs/console.md ("Banners"): the state is read before the guards. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ServiceTroubleMiddleware)
      .forRoutes(ConsoleAuthController, ConsoleOidcController, ConsoleUsersController);
  }
}
