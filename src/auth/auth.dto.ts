import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, ValidateNested } from 'class-validator';
import { RequiredString } from '@/common/http/dto';

export class AuthTokenDto {
  @RequiredString(1, 256) username: string;
  @RequiredString(1, 1024) password: string;
  @IsOptional() @RequiredString(1, 64) institution_id?: string;
}

export class KbaAnswerDto {
  @RequiredString(1, 64) question_id: string;
  @RequiredString(1, 256) text: string;
}

/** OTP and TOTP send `passcode`; KBA sends `answers[i].question_id` and `answers[i].text`. */
export class TwoFactorDto {
  @RequiredString(1, 64) challenge_id: string;
  @IsOptional() @RequiredString(1, 64) passcode?: string;
  @IsOptional()
  @IsArray({ message: 'must be a list of {question_id, text}' })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => KbaAnswerDto)
  answers?: KbaAnswerDto[];
}

export interface AuthenticatedBody {
  user_id: string;
  auth_token: string;
}
