import { RequiredString } from '@/common/http/dto';

export class SendOtpDto {
  @RequiredString(1, 64) challenge_id: string;
  @RequiredString(1, 64) send_method_id: string;
}
