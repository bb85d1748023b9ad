import { Injectable } from '@nestjs/common';
import { ChallengeService } from '@/challenge/challenge.service';
import type { OpenChallenge } from '@/challenge/open-challenge';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { CommonOutcome, EventType, SendOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { OtpSender } from '@/otp/otp-sender';
import { personKey } from '@/users/lockout/guard-key';
import { LockoutService } from '@/users/lockout/lockout.service';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import type { AuthPath } from './grant';
import type { SendOtpDto } from './send-otp.dto';

// A provider that failed for a moment (5xx, 429, timeout): Plaid may try again this soon.
const RETRY_AFTER_DELIVERY_FAILURE_MS = 30_000;

/** POST /users/:user_id/sendOtp (docs/api.md#post-usersuser_idsendotp): every answer is an audit event. */
@Injectable()
export class SendOtpService {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly challenges: ChallengeService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly sender: OtpSender,
    private readonly events: DomainEvents,
  ) {}

  /** The same sends for both paths (legacy sendOtp and the OAuth pages); `path` goes into the events. */
  async send(userId: string, input: SendOtpDto, clientId: string, path: AuthPath = 'legacy'): Promise<void> {
    let user: User | null = null;
    let challenge: OpenChallenge | null = null;
    let method: string | null = null;
    const record = (outcome: SendOutcome | CommonOutcome, detail: Record<string, unknown> = {}) =>
      this.events.publish({
        type: EventType.OtpSend,
        outcome,
        userId: user?.id ?? null,
        institutionId: user?.institutionId ?? null,
        detail: { challenge_id: challenge?.id ?? null, method, path, ...detail },
      });
    const refuse = async (outcome: SendOutcome | CommonOutcome, error: PxError, detail?: Record<string, unknown>) => {
      await record(outcome, detail);
      return error;
    };

    user = await this.users.findById(userId);
    const closed = await this.maintenance.closed();
    if (closed) throw await refuse(CommonOutcome.Maintenance, closed);
    const otp = user && (await this.challenges.open(userId, clientId, input.challenge_id, ['otp']));
    challenge = otp;
    if (!user || !otp) throw await refuse(CommonOutcome.ChallengeNotFound, new PxError(ErrorId.CHALLENGE_NOT_FOUND));
    if (await this.lockout.isLocked(personKey(user))) {
      throw await refuse(CommonOutcome.Locked, new PxError(ErrorId.ACCOUNT_LOCKED));
    }
    if (!this.challenges.isLive(otp, user)) {
      throw await refuse(CommonOutcome.ChallengeExpired, new PxError(ErrorId.CHALLENGE_EXPIRED));
    }
    const offered = otp.methods.find((m) => m.id === input.send_method_id);
    if (!offered) throw await refuse(SendOutcome.InvalidSendMethod, new PxError(ErrorId.INVALID_SEND_METHOD));
    method = offered.type;
    if (otp.refused.includes(offered.id)) {
      // The provider's code is on the event of the first refusal; this one says it was not asked again.
      throw await refuse(SendOutcome.ProviderRefused, new PxError(ErrorId.SEND_METHOD_UNAVAILABLE), {
        reason: 'refused_before',
      });
    }

    const result = await this.sender.send(otp, user, offered);
    switch (result.status) {
      case 'delivered':
        return record(SendOutcome.Sent);
      case 'no_destination':
        throw await refuse(
          SendOutcome.InvalidSendMethod,
          new PxError(ErrorId.INVALID_SEND_METHOD, apiText('sendMethod.gone')),
        );
      case 'limit_reached':
        throw await refuse(SendOutcome.LimitReached, new PxError(ErrorId.SEND_LIMIT_REACHED));
      case 'transient':
        throw await refuse(
          SendOutcome.ProviderFailed,
          PxError.unavailable(new Date(Date.now() + RETRY_AFTER_DELIVERY_FAILURE_MS), apiText('unavailable.delivery')),
          { reason: result.reason, provider_code: result.providerCode ?? null },
        );
      case 'permanent':
        throw await refuse(SendOutcome.ProviderRefused, new PxError(ErrorId.SEND_METHOD_UNAVAILABLE), {
          reason: result.reason,
          provider_code: result.providerCode ?? null,
        });
    }
  }
}
