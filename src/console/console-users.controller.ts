import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import { ServedOn } from '@/common/http/listener.guard';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import { ConsoleAuditInterceptor } from './console-audit.interceptor';
import { ConsoleRequest } from './console-http';
import { CustomerPages } from './customer-pages';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard, ConsoleRoles } from './console.guard';
import {
  CreateUserForm,
  PasswordForm,
  ReasonForm,
  RenameForm,
  ResetFactorForm,
  SearchQuery,
  TimelineQuery,
} from './console.dto';

/**
 * The customer pages and their controls (docs/console.md). Each change goes through the admin
 * service (the same rules as the JSON API), carries the staff member's reason into its audit event,
 * and answers with a redirect to the customer page, so a reload never repeats it. The roles are those
 * of the admin API: unlocking, terms, revoking and removing factors are support's; locking, setting a
 * password or a new authenticator, renaming and creating customers are admin's.
 */
@ServedOn('internal')
@Controller('console/users')
@UseFilters(ConsoleExceptionFilter)
@UseGuards(ConsoleGuard)
@UseInterceptors(ConsoleAuditInterceptor)
export class ConsoleUsersController {
  constructor(
    private readonly admin: AdminUsersService,
    private readonly pages: CustomerPages,
  ) {}

  @Get()
  @ConsoleRoles('support')
  search(@Req() req: ConsoleRequest, @Res() res: Response, @Query() q: SearchQuery): Promise<void> {
    return this.pages.search(req, res, q.q, q.institution_id, q.cursor);
  }

  /** Who is locked now (docs/console.md, "Recent locks"); before `:id`, so "locks" is not read as a user_id. */
  @Get('locks')
  @ConsoleRoles('support')
  locks(@Req() req: ConsoleRequest, @Res() res: Response, @Query() q: SearchQuery): Promise<void> {
    return this.pages.locks(req, res, q.cursor);
  }

  @Post()
  @ConsoleRoles('admin')
  async create(@Req() req: ConsoleRequest, @Res() res: Response, @Body() form: CreateUserForm): Promise<void> {
    const created = await this.admin.create({
      username: form.username,
      password: form.password,
      phone: form.phone,
      email: form.email,
      totp: form.totp === 'on',
    });
    if (created.totp_qr) return this.pages.totp(req, res, created);
    res.redirect(303, `/console/users/${created.user_id}?done=create`);
  }

  @Get(':id')
  @ConsoleRoles('support')
  show(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Query() q: TimelineQuery,
  ): Promise<void> {
    return this.pages.customer(req, res, id, q.cursor);
  }

  @Post(':id/unlock')
  @ConsoleRoles('support')
  async unlock(@Res() res: Response, @Param('id') id: string, @Body() form: ReasonForm): Promise<void> {
    await this.admin.unlock(id, form.reason);
    done(res, id, 'unlock');
  }

  @Post(':id/lock')
  @ConsoleRoles('support')
  async lock(@Res() res: Response, @Param('id') id: string, @Body() form: ReasonForm): Promise<void> {
    await this.admin.lock(id, form.reason);
    done(res, id, 'lock');
  }

  @Post(':id/terms')
  @ConsoleRoles('support')
  async terms(@Res() res: Response, @Param('id') id: string, @Body() form: ReasonForm): Promise<void> {
    await this.admin.acceptTerms(id, undefined, form.reason);
    done(res, id, 'terms');
  }

  @Post(':id/tokens/revoke')
  @ConsoleRoles('support')
  async revoke(@Res() res: Response, @Param('id') id: string, @Body() form: ReasonForm): Promise<void> {
    const r = await this.admin.revokeTokens(id, form.reason);
    done(res, id, 'revoke', r.tokens_revoked);
  }

  /** Support may remove a factor (a lost phone or authenticator); setting one is admin's. */
  @Post(':id/factors/reset')
  @ConsoleRoles('support')
  async reset(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: ResetFactorForm,
  ) {
    const removal = { phone: { phone: null }, email: { email: null }, totp: { totp: false }, kba: { kba: [] } }[
      form.factor
    ];
    await this.admin.update(id, removal, req.console!.staff.role, form.reason);
    done(res, id, 'reset');
  }

  /** A new authenticator secret, shown this once as a QR code (and never again). */
  @Post(':id/totp')
  @ConsoleRoles('admin')
  async reenrol(@Req() req: ConsoleRequest, @Res() res: Response, @Param('id') id: string, @Body() form: ReasonForm) {
    const view = await this.admin.update(id, { totp: true }, req.console!.staff.role, form.reason);
    return this.pages.totp(req, res, view);
  }

  @Post(':id/password')
  @ConsoleRoles('admin')
  async password(@Res() res: Response, @Param('id') id: string, @Body() form: PasswordForm): Promise<void> {
    const r = await this.admin.setPassword(id, form.password, form.reason);
    done(res, id, 'password', r.tokens_revoked);
  }

  /** A local customer's new username; who they are (user_id, lock, factors, tokens) stays. */
  @Post(':id/rename')
  @ConsoleRoles('admin')
  async rename(@Res() res: Response, @Param('id') id: string, @Body() form: RenameForm): Promise<void> {
    await this.admin.rename(id, form.username, form.reason);
    done(res, id, 'rename');
  }
}

function done(res: Response, id: string, what: string, n?: number): void {
  res.redirect(303, `/console/users/${encodeURIComponent(id)}?done=${what}${n === undefined ? '' : `&n=${n}`}`);
}
