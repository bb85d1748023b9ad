import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ErrorId } from '@/common/errors/error-id';
import { ApiErrors } from '@/common/http/api-errors';
import { Guarded } from '@/common/http/guarded';
import { Roles } from '@/staff-auth/staff.guard';
import { DATA_API_CALLS, INTROSPECT_ROLES } from './data-api-calls';
import { IntrospectDto, RevokeDto } from './token-request.dto';
import { Introspection, TokensService } from './tokens.service';

const INTROSPECTION_SCHEMA = {
  type: 'object' as const,
  required: ['active'],
  properties: {
    active: { type: 'boolean' as const },
    sub: { type: 'string' as const, description: 'The user_id.' },
    user_id: { type: 'string' as const },
    client_id: { type: 'string' as const },
    institution_id: { type: 'string' as const },
    token_type: { type: 'string' as const, enum: ['Bearer', 'refresh_token'] },
    iat: { type: 'integer' as const },
    exp: { type: 'integer' as const },
  },
};

/** For the bank's data API, on the internal listener (docs/api.md#tokens-for-the-banks-data-api). */
@Controller('tokens')
@Guarded(DATA_API_CALLS)
@ApiErrors(ErrorId.INVALID_REQUEST, ErrorId.UNAUTHORIZED, ErrorId.FORBIDDEN)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('introspect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Token introspection (RFC 7662)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: INTROSPECTION_SCHEMA })
  @Roles(...INTROSPECT_ROLES)
  introspect(@Body() body: IntrospectDto): Promise<Introspection> {
    return this.tokens.introspect(body.token, body.user_id);
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Token revocation (RFC 7009): 200 whether or not the token existed' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: { type: 'object', properties: {} } })
  @Roles('resource-server', 'support', 'admin')
  async revoke(@Body() body: RevokeDto): Promise<Record<string, never>> {
    await this.tokens.revoke(body.token);
    return {};
  }
}
