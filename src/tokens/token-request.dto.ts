import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { RequiredString } from '@/common/http/dto';

export class IntrospectDto {
  @ApiProperty({ description: 'The auth_token to ask about (RFC 7662 section 2.1).' })
  @RequiredString(1, 512)
  token: string;
  @ApiPropertyOptional({ description: "When given, a token that is not this user's is inactive." })
  @IsOptional()
  @RequiredString(1, 64)
  user_id?: string;
}

export class RevokeDto {
  @ApiProperty({ description: 'The auth_token to revoke (RFC 7009 section 2.1).' })
  @RequiredString(1, 512)
  token: string;
}
