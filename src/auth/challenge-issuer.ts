import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { FactorKind } from '@/users/factor-kind';
import { ChallengeService } from '@/challenge/challenge.service';
import { KbaService } from '@/kba/kba.service';
import { otpPrompts } from '@/otp/messages/otp-texts';
import { SendMethods } from '@/otp/send-methods';
import type { User } from '@/users/user.entity';

export type ChallengeBody =
  | {
      user_id: string;
      challenge: {
        id: string;
        type: 'otp';
        prompt: string;
        send_methods: { id: string; mask: string; type: string }[];
      };
    }
  | { user_id: string; challenge: { id: string; type: 'totp'; prompt: string } }
  | { user_id: string; challenge: { id: string; type: 'kba'; questions: { id: string; text: string }[] } };

/**
 * The 202 of docs/api.md#challenges-202: the factor is the user's preference if they have it, else the
 * first of MFA_PRIORITY they have; the body is exactly Plaid's MfaOtp/Totp/KbaEscalationChallenge.
 */
@Injectable()
export class ChallengeIssuer {
  constructor(
    private readonly challenges: ChallengeService,
    private readonly kba: KbaService,
    private readonly sendMethods: SendMethods,
    private readonly config: AppConfig,
  ) {}

  async factorsOf(user: User): Promise<FactorKind[]> {
    const has: FactorKind[] = [];
    if (user.totpSecretSealed) has.push('totp');
    if (this.sendMethods.offered(user).length) has.push('otp');
    if (this.config.KBA_ENABLED && (await this.kba.countFor(user.id)) > 0) has.push('kba');
    return has;
  }

  async choose(user: User): Promise<FactorKind | null> {
    const has = await this.factorsOf(user);
    if (user.mfaPreference && has.includes(user.mfaPreference)) return user.mfaPreference;
    return this.config.MFA_PRIORITY.find((k) => has.includes(k)) ?? null;
  }

  /** `loginName`: the normalised username typed at the login, on which the answers count too. */
  async issue(
    user: User,
    kind: FactorKind,
    clientId: string,
    locale: string,
    loginName: string,
  ): Promise<ChallengeBody> {
    const t = otpPrompts(locale);
    const common = { user, clientId, locale, loginName };
    switch (kind) {
      case 'otp': {
        const methods = this.sendMethods.offered(user);
        const c = await this.challenges.issue({ ...common, kind, methods });
        const send_methods = methods.map(({ id, mask, type }) => ({ id, mask, type }));
        return { user_id: user.id, challenge: { id: c.id, type: 'otp', prompt: t.otpPrompt, send_methods } };
      }
      case 'totp': {
        const c = await this.challenges.issue({ ...common, kind });
        return { user_id: user.id, challenge: { id: c.id, type: 'totp', prompt: t.totpPrompt } };
      }
      case 'kba': {
        const asked = await this.kba.draw(user.id, this.config.KBA_QUESTIONS_ASKED);
        const c = await this.challenges.issue({ ...common, kind, questionIds: asked.map((q) => q.id) });
        const questions = asked.map((q) => ({ id: q.id, text: q.text }));
        return { user_id: user.id, challenge: { id: c.id, type: 'kba', questions } };
      }
    }
  }
}
