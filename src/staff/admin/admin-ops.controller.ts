import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam } from '@nestjs/swagger';
import { AuditTrail } from '@/audit/audit-trail.service';
import { EventQuery } from '@/audit/audit-query';
import { ServedOn } from '@/common/http/listener.guard';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { OutboxService } from '@/otp/delivery/outbox.service';
import { PartnersService } from '@/partners/partners.service';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { ApiErrors } from '@/common/http/api-errors';
import { Roles, StaffGuard } from '@/staff-auth/staff.guard';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { CreateClientDto, LocksQuery, MaintenanceDto, OutboxQuery } from './admin.dto';
import { UserSearchService } from './user-search.service';
import { EventPage, IssuedCredentials, LockPage, MaintenanceState, OutboxList, RevokedSecret } from './admin.openapi';

/** The audit trail, the sandbox outbox, maintenance mode and Plaid's client credentials. */
@ServedOn('internal')
@Controller('admin')
@UseGuards(StaffGuard)
@UseInterceptors(AdminAuditInterceptor)
@ApiErrors(ErrorId.INVALID_REQUEST, ErrorId.UNAUTHORIZED, ErrorId.FORBIDDEN)
export class AdminOpsController {
  constructor(
    private readonly outbox: OutboxService,
    private readonly maintenance: MaintenanceService,
    private readonly partners: PartnersService,
    private readonly trail: AuditTrail,
    private readonly search: UserSearchService,
  ) {}

  /** Who is locked now, newest lock first, paged like the events (docs/console.md, "Recent locks"). */
  @Get('locks')
  @Roles('support')
  @ApiOkResponse({ type: LockPage })
  listLocks(@Query() q: LocksQuery) {
    return this.search.locks(q.cursor);
  }

  /** The audit trail, newest first, filtered and paged with an opaque cursor. */
  @Get('events')
  @Roles('support')
  @ApiOkResponse({ type: EventPage })
  listEvents(@Query() q: EventQuery) {
    return this.trail.page(q);
  }

  @Get('outbox')
  @Roles('support')
  @ApiOkResponse({ type: OutboxList })
  async listOutbox(@Query() q: OutboxQuery) {
    return { messages: await this.outbox.list(q.to) };
  }

  @Get('maintenance')
  @Roles('support')
  @ApiOkResponse({ type: MaintenanceState })
  getMaintenance() {
    return this.maintenance.state();
  }

  @Put('maintenance')
  @Roles('admin')
  @ApiOkResponse({ type: MaintenanceState })
  setMaintenance(@Body() body: MaintenanceDto) {
    return this.maintenance.set(body.enabled, body.retry_at ? new Date(body.retry_at) : undefined, body.message);
  }

  /** The secret is in this answer and nowhere else, ever. */
  @Post('clients')
  @Roles('admin')
  @ApiCreatedResponse({ type: IssuedCredentials })
  createClient(@Body() body: CreateClientDto) {
    return this.partners.createClient(body.name, undefined, body.redirect_uris);
  }

  @Post('clients/:id/secrets')
  @HttpCode(201)
  @Roles('admin')
  @ApiCreatedResponse({ type: IssuedCredentials, description: 'The new secret, in this answer only.' })
  @ApiErrors(ErrorId.NOT_FOUND, ErrorId.CONFLICT)
  addSecret(@Param('id') id: string) {
    return this.partners.addSecret(id);
  }

  @Delete('clients/:id/secrets/:n')
  @Roles('admin')
  @ApiOkResponse({ type: RevokedSecret })
  @ApiParam({ name: 'n', schema: { type: 'integer', enum: [1, 2] }, description: 'The secret slot.' })
  @ApiErrors(ErrorId.NOT_FOUND, ErrorId.CONFLICT)
  revokeSecret(
    @Param('id') id: string,
    @Param('n', new ParseIntPipe({ exceptionFactory: () => PxError.invalid(apiText('secret.slot')) })) n: number,
  ) {
    return this.partners.revokeSecret(id, n);
  }
}
