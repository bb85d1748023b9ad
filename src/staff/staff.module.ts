import { Module } from '@nestjs/common';
import { KbaModule } from '@/kba/kba.module';
import { OtpModule } from '@/otp/otp.module';
import { PartnersModule } from '@/partners/partners.module';
import { TokensModule } from '@/tokens/tokens.module';
import { UsersModule } from '@/users/users.module';
import { AdminAuditInterceptor } from './admin/admin-audit.interceptor';
import { AdminOpsController } from './admin/admin-ops.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AdminUsersService } from './admin/admin-users.service';
import { UserSearchService } from './admin/user-search.service';
import { StaffAuthModule } from '@/staff-auth/staff-auth.module';

/** The internal listener's admin API. */
@Module({
  imports: [StaffAuthModule, UsersModule, KbaModule, OtpModule, TokensModule, PartnersModule],
  controllers: [AdminUsersController, AdminOpsController],
  providers: [AdminUsersService, UserSearchService, AdminAuditInterceptor],
  exports: [AdminUsersService, UserSearchService, StaffAuthModule],
})
export class StaffModule {}
