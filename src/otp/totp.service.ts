import { Injectable } from '@nestjs/common';
import { createGuardrails, generateSecret, generateURI, verifySync } from 'otplib';
import * as QRCode from 'qrcode';
import { KeyRing } from '@/common/crypto/key-ring';
import type { User } from '@/users/user.entity';

// RFC 4226 asks for at least 128 bits, and new secrets have 160; 80-bit secrets that authenticator
// apps already hold (the sandbox's JBSWY3DPEHPK3PXP among them) must still verify.
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });
const STEP_SECONDS = 30;

export interface TotpEnrollment {
  secret: string;
  sealed: (userId: string) => string;
}

/** RFC 6238: SHA-1, 6 digits, 30 s steps, one step of drift either way. */
@Injectable()
export class TotpService {
  constructor(private readonly keys: KeyRing) {}

  enroll(secret = generateSecret()): TotpEnrollment {
    return { secret, sealed: (userId) => this.keys.encrypt(secret, `totp:${userId}`) };
  }

  /** The matched time step, or null. Replay is the caller's to refuse (once per user, atomically). */
  matchStep(user: User, passcode: string, nowMs = Date.now()): number | null {
    if (!user.totpSecretSealed || !/^\d{6}$/.test(passcode)) return null;
    const secret = this.keys.decrypt(user.totpSecretSealed, `totp:${user.id}`);
    const r = verifySync({
      secret,
      token: passcode,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: STEP_SECONDS,
      guardrails: GUARDRAILS,
    });
    return r.valid ? (r as { timeStep: number }).timeStep : null;
  }

  uri(secret: string, label: string, issuer: string): string {
    return generateURI({ secret, label, issuer });
  }

  qrDataUrl(uri: string): Promise<string> {
    return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M' });
  }
}
