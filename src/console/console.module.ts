import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffModule } from '@/staff/staff.module';
import { TokensModule } from '@/tokens/tokens.module';
import { ConsoleAudit, ConsoleAuditInterceptor } from './console-audit.interceptor';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleSession } from './console-session.entity';
import { ConsoleSessionService } from './console-session.service';
import { ConsoleUsersController } from './console-users.controller';
import { ConsoleViews } from './console-views';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard } from './console.guard';
import { CustomerPages } from './customer-pages';

/**
 * The support console (issue 9, PRODUCT.md section 9): server-rendered pages on the internal listener
 * for people who are not engineers. It owns its sessions; the work is the admin API's services.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ConsoleSession]), StaffModule, TokensModule],
  controllers: [ConsoleAuthController, ConsoleUsersController],
  providers: [
    ConsoleSessionService,
    ConsoleViews,
    ConsoleAudit,
    ConsoleAuditInterceptor,
    ConsoleGuard,
    ConsoleExceptionFilter,
    CustomerPages,
  ],
})
export class ConsoleModule {}
