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
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { UserEventQuery } from '@/audit/audit-query';
import { ApiErrors } from '@/common/http/api-errors';
import { ErrorId } from '@/common/errors/error-id';
import { ServedOn } from '@/common/http/listener.guard';
import { Roles, StaffGuard, StaffRequest } from '@/staff-auth/staff.guard';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { CreateUserDto, FindUsersQuery, LockDto, SetPasswordDto, TermsDto, UpdateUserDto } from './admin.dto';
import { AdminUsersService } from './admin-users.service';
import { UserSearchService } from './user-search.service';
import { CreatedUser, EventPage, TokensRevoked, UserList, UserPasswordSet, UserView } from './admin.openapi';

const NOT_FOUND = ApiErrors(ErrorId.NOT_FOUND);

/** `:id` is always the user_id (docs/api.md#staff-api). */
@ServedOn('internal')
@Controller('admin/users')
@UseGuards(StaffGuard)
@UseInterceptors(AdminAuditInterceptor)
@ApiErrors(ErrorId.INVALID_REQUEST, ErrorId.UNAUTHORIZED, ErrorId.FORBIDDEN)
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly search: UserSearchService,
  ) {}

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: CreatedUser })
  @ApiErrors(ErrorId.CONFLICT)
  create(@Body() body: CreateUserDto) {
    return this.users.create(body);
  }

  @Get()
  @Roles('support')
  @ApiOkResponse({ type: UserList })
  async find(@Query() q: FindUsersQuery) {
    if (q.q !== undefined) return this.search.search(q.q, q.institution_id, q.cursor);
    return { users: await this.users.find(q.username, q.institution_id) };
  }

  @Get(':id')
  @Roles('support')
  @ApiOkResponse({ type: UserView })
  @NOT_FOUND
  get(@Param('id') id: string) {
    return this.users.get(id);
  }

  /** Support may reset (remove) factors; admins may also set them, and rename a local user. */
  @Patch(':id')
  @Roles('support')
  @ApiOkResponse({ type: CreatedUser })
  @ApiErrors(ErrorId.NOT_FOUND, ErrorId.CONFLICT)
  update(@Param('id') id: string, @Body() body: UpdateUserDto, @Req() req: StaffRequest) {
    return this.users.update(id, body, req.staff!.role);
  }

  @Get(':id/events')
  @Roles('support')
  @ApiOkResponse({ type: EventPage })
  @NOT_FOUND
  events(@Param('id') id: string, @Query() q: UserEventQuery) {
    return this.users.events(id, q);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @Roles('support')
  @ApiOkResponse({ type: UserView })
  @NOT_FOUND
  unlock(@Param('id') id: string) {
    return this.users.unlock(id);
  }

  /** docs/api.md#staff-api gives locking to support staff too: a customer who calls in a theft. */
  @Post(':id/lock')
  @HttpCode(200)
  @Roles('support')
  @ApiOkResponse({ type: UserView })
  @NOT_FOUND
  lock(@Param('id') id: string, @Body() body: LockDto) {
    return this.users.lock(id, body.reason);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: UserPasswordSet })
  @ApiErrors(ErrorId.NOT_FOUND, ErrorId.CONFLICT)
  password(@Param('id') id: string, @Body() body: SetPasswordDto) {
    return this.users.setPassword(id, body.password);
  }

  @Post(':id/terms')
  @HttpCode(200)
  @Roles('support')
  @ApiOkResponse({ type: UserView })
  @NOT_FOUND
  terms(@Param('id') id: string, @Body() body: TermsDto) {
    return this.users.acceptTerms(id, body.version);
  }

  @Post(':id/tokens/revoke')
  @HttpCode(200)
  @Roles('support')
  @ApiOkResponse({ type: TokensRevoked })
  @NOT_FOUND
  revokeTokens(@Param('id') id: string) {
    return this.users.revokeTokens(id);
  }
}
