import { ApiProperty } from '@nestjs/swagger';
import { RequiredString } from '@/common/http/dto';

export class SendOtpDto {
  @ApiProperty({ description: 'The ID for the escalation flow instance.' })
  @RequiredString(1, 64)
  challenge_id: string;
  @ApiProperty({ description: "The `id` of one of the challenge's `send_methods`." })
  @RequiredString(1, 64)
  send_method_id: string;
}
