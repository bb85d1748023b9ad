import { Injectable, Logger } from '@nestjs/common';
import { createGuardrails, generateSecret, generateURI, verifySync } from 'otplib';
import * as QRCode from 'qrcode';
import { KeyRing, UnopenableError } from '@/common/crypto/key-ring';
import { apiText, PxError } from '@/common/errors/px.error';
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
    const secret = this.open(user);
    const r = verifySync({
      secret,
      token: passcode,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: STEP_SECONDS,
      guardrails: GUARDRAILS,
    });
    return r.valid ? (r as { timeStep: number }).timeStep : null;
  }

  /**
   * The sealed secret under the first key, or null when it already is; throws UnopenableError when
   * no configured key opens it. For keys:reencrypt.
   */
  reseal(userId: string, sealed: string): string | null {
    if (this.keys.isCurrent(sealed)) return null;
    return this.keys.encrypt(this.keys.decrypt(sealed, `totp:${userId}`), `totp:${userId}`);
  }

  /**
   * A secret no configured key opens is the bank's configuration, not the customer's code: a 503 that
   * Plaid retries, never a wrong passcode that would count toward a lockout (docs/security.md, "Keys that rotate").
   */
  private open(user: User): string {
    try {
      return this.keys.decrypt(user.totpSecretSealed!, `totp:${user.id}`);
    } catch (err) {
      if (!(err instanceof UnopenableError)) throw err;
      new Logger('TotpService').error(`the TOTP secret of user ${user.id} ${err.message}: check ENCRYPTION_KEYS`);
      throw PxError.unavailable(new Date(Date.now() + 60_000), apiText('unavailable.totpKeys'));
    }
  }

  uri(secret: string, label: string, issuer: string): string {
    return generateURI({ secret, label, issuer });
  }

  qrDataUrl(uri: string): Promise<string> {
    return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M' });
  }
}
