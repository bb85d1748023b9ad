import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ServedOn } from '@/common/http/listener.guard';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { PartnerGuard } from '@/partners/partner.guard';
import { SendOtpDto } from './send-otp.dto';
import { OtpService } from './otp.service';

@ServedOn('public')
@Controller('users/:user_id')
@UseGuards(PartnerGuard)
export class OtpController {
  constructor(
    private readonly otp: OtpService,
    private readonly maintenance: MaintenanceService,
  ) {}

  /** Plaid: "Trigger OTP". 200 with no body once the provider accepted the message. */
  @Post('sendOtp')
  @HttpCode(200)
  async sendOtp(@Param('user_id') userId: string, @Body() body: SendOtpDto): Promise<void> {
    await this.maintenance.assertOpen();
    await this.otp.send(userId, body.challenge_id, body.send_method_id);
  }
}
