import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AppConfig } from '@/config/app-config';
import { hmacSha256, safeEqual } from '@/common/crypto/digest';
import { KeyRing } from '@/common/crypto/key-ring';

/** OTP codes: OTP_LENGTH random digits, stored only as HMAC-SHA256(server key, challenge id | code). */
@Injectable()
export class OtpCodes {
  constructor(
    private readonly keys: KeyRing,
    private readonly config: AppConfig,
  ) {}

  generate(): string {
    return String(randomInt(0, 10 ** this.config.OTP_LENGTH)).padStart(this.config.OTP_LENGTH, '0');
  }

  seal(challengeId: string, code: string): string {
    return hmacSha256(this.keys.otpKey, `${challengeId}|${code}`);
  }

  matches(challengeId: string, passcode: string, sealed: string): boolean {
    return safeEqual(this.seal(challengeId, passcode.trim()), sealed);
  }
}
