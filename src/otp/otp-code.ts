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
    return hmacSha256(this.keys.otpKeys[0], `${challengeId}|${code}`);
  }

  /** Under any configured key, so a code sent before a key rotation still works after it; every key is tried. */
  matches(challengeId: string, passcode: string, sealed: string): boolean {
    const input = `${challengeId}|${passcode.trim()}`;
    return this.keys.otpKeys.map((key) => safeEqual(hmacSha256(key, input), sealed)).includes(true);
  }
}
