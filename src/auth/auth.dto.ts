import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, ValidateNested } from 'class-validator';
import { RequiredString } from '@/common/http/dto';

export class AuthTokenDto {
  @ApiProperty({ description: 'Submitted username.', minLength: 1, maxLength: 256 })
  @RequiredString(1, 256)
  username: string;
  @ApiProperty({ description: 'Submitted password.', minLength: 1, maxLength: 1024 })
  @RequiredString(1, 1024)
  password: string;
  @ApiPropertyOptional({ description: 'Institution identifier for partners with multiple institutions.' })
  @IsOptional()
  @RequiredString(1, 64)
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
