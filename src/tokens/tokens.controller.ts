import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ServedOn } from '@/common/http/listener.guard';
import { Roles, StaffGuard } from '@/staff-auth/staff.guard';
import { IntrospectDto, RevokeDto } from './token-request.dto';
import { Introspection, TokensService } from './tokens.service';

/** For the bank's data API, on the internal listener (PRODUCT.md section 8). */
@ServedOn('internal')
@Controller('tokens')
@UseGuards(StaffGuard)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('introspect')
  @HttpCode(200)
  @Roles('resource-server', 'admin')
  introspect(@Body() body: IntrospectDto): Promise<Introspection> {
    return this.tokens.introspect(body.token, body.user_id);
  }

  @Post('revoke')
  @HttpCode(200)
  @Roles('resource-server', 'support', 'admin')
  async revoke(@Body() body: RevokeDto): Promise<Record<string, never>> {
    await this.tokens.revoke(body.token);
    return {};
  }
}
