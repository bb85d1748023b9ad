import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, ValidateNested } from 'class-validator';
import { RequiredString } from '@/common/http/dto';

/** The longest value of each AuthTokenDto field, in characters (also src/edge/login.fast-path.ts's plain case). */
export const AUTH_TOKEN_MAX = { username: 256, password: 1024, institution_id: 64 } as const;

export class AuthTokenDto {
  @ApiProperty({ description: 'Submitted username.', minLength: 1, maxLength: AUTH_TOKEN_MAX.username })
  @RequiredString(1, AUTH_TOKEN_MAX.username)
  username: string;
  @ApiProperty({ description: 'Submitted password.', minLength: 1, maxLength: AUTH_TOKEN_MAX.password })
  @RequiredString(1, AUTH_TOKEN_MAX.password)
  password: string;
  @ApiPropertyOptional({ description: 'Institution identifier for partners with multiple institutions.' })
  @IsOptional()
  @RequiredString(1, AUTH_TOKEN_MAX.institution_id)
  institution_id?: string;
}

export class KbaAnswerDto {
  @ApiProperty({ description: 'The ID for the challenge question.' })
  @RequiredString(1, 64)
  question_id: string;
  @ApiProperty({ description: 'The submitted answer.' })
  @RequiredString(1, 256)
  text: string;
}

/** OTP and TOTP send `passcode`; KBA sends `answers[i].question_id` and `answers[i].text`. */
export class TwoFactorDto {
  @ApiProperty({ description: 'The ID for the escalation flow instance.' })
  @RequiredString(1, 64)
  challenge_id: string;
  @ApiPropertyOptional({ description: 'The submitted TOTP or OTP passcode (OTP and TOTP challenges).' })
  @IsOptional()
  @RequiredString(1, 64)
  passcode?: string;
  @ApiPropertyOptional({
    type: [KbaAnswerDto],
    description: 'KBA challenges: `answers[0].question_id=…&answers[0].text=…` in a form.',
  })
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
