import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { UserEventQuery } from '@/audit/audit-query';
import { ServedOn } from '@/common/http/listener.guard';
import { Roles, StaffGuard, StaffRequest } from '@/staff-auth/staff.guard';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { CreateUserDto, FindUsersQuery, LockDto, SetPasswordDto, TermsDto, UpdateUserDto } from './admin.dto';
import { AdminUsersService } from './admin-users.service';

/** `:id` is always the user_id (PRODUCT.md section 9). */
@ServedOn('internal')
@Controller('admin/users')
@UseGuards(StaffGuard)
@UseInterceptors(AdminAuditInterceptor)
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Post()
  @Roles('admin')
  create(@Body() body: CreateUserDto) {
    return this.users.create(body);
  }

  @Get()
  @Roles('support')
  async find(@Query() q: FindUsersQuery) {
    return { users: await this.users.find(q.username, q.institution_id) };
  }

  @Get(':id')
  @Roles('support')
  get(@Param('id') id: string) {
    return this.users.get(id);
  }

  /** Support may reset (remove) factors; admins may also set them. */
  @Patch(':id')
  @Roles('support')
  update(@Param('id') id: string, @Body() body: UpdateUserDto, @Req() req: StaffRequest) {
    return this.users.update(id, body, req.staff!.role);
  }

  @Get(':id/events')
  @Roles('support')
  events(@Param('id') id: string, @Query() q: UserEventQuery) {
    return this.users.events(id, q);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @Roles('support')
  unlock(@Param('id') id: string) {
    return this.users.unlock(id);
  }

  /** PRODUCT.md section 9 gives locking to support staff too: a customer who calls in a theft. */
  @Post(':id/lock')
  @HttpCode(200)
  @Roles('support')
  lock(@Param('id') id: string, @Body() body: LockDto) {
    return this.users.lock(id, body.reason);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Roles('admin')
  password(@Param('id') id: string, @Body() body: SetPasswordDto) {
    return this.users.setPassword(id, body.password);
  }

  @Post(':id/terms')
  @HttpCode(200)
  @Roles('support')
  terms(@Param('id') id: string, @Body() body: TermsDto) {
    return this.users.acceptTerms(id, body.version);
  }

  @Post(':id/tokens/revoke')
  @HttpCode(200)
  @Roles('support')
  revokeTokens(@Param('id') id: string) {
    return this.users.revokeTokens(id);
  }
}
