import { IsOptional } from 'class-validator';
import { RequiredString } from '@/common/http/dto';

export class IntrospectDto {
  @RequiredString(1, 512) token: string;
  @IsOptional() @RequiredString(1, 64) user_id?: string;
}

export class RevokeDto {
  @RequiredString(1, 512) token: string;
}
