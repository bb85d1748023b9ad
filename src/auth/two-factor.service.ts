import { Inject, Injectable } from '@nestjs/common';
import { ChallengeService } from '@/challenge/challenge.service';
import { FACTOR_VERIFIERS, FactorVerifier } from '@/challenge/factor-verifier';
import type { OpenChallenge } from '@/challenge/open-challenge';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { CommonOutcome, EventType, TwoFactorOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { TokensService } from '@/tokens/tokens.service';
import { Overloaded } from '@/users/check-admission';
import { nameOf, personKey } from '@/users/lockout/guard-key';
import { AttemptRefused, LockoutService } from '@/users/lockout/lockout.service';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import { AuthenticatedBody, TwoFactorDto } from './auth.dto';
import { Grant, authTokenGrant } from './grant';
import { attemptRefused } from './in-flight';

/**
 * POST /users/:user_id/2fa (docs/security.md, "Locks follow the person"). Two attempts are taken before the answer
 * is judged, one of the challenge's and one of the person's (whatever identifier they typed, and
 * carrying the wrong passwords of the name typed at the login), so a burst over any number of
 * challenges and identifiers judges no more than LOCKOUT_THRESHOLD wrong answers before the lock. A
 * right answer spends the challenge in one conditional UPDATE: of concurrent right answers one gets a token.
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly challenges: ChallengeService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    @Inject(FACTOR_VERIFIERS) private readonly verifiers: FactorVerifier[],
    private readonly tokens: TokensService,
    private readonly events: DomainEvents,
  ) {}

  /** POST /users/:user_id/2fa: the answer below, granting an auth_token. */
  async verify(userId: string, input: TwoFactorDto, clientId: string): Promise<AuthenticatedBody> {
    const grant = authTokenGrant(this.tokens, clientId);
    const { user, granted } = await this.answer(userId, input, grant);
    return { user_id: user.id, auth_token: granted };
  }

  /** The one second-factor step of both paths (legacy and OAuth); refusals throw a PxError. */
  answer<T>(userId: string, input: TwoFactorDto, grant: Grant<T>): Promise<{ user: User; granted: T }> {
    // The answer's events (its outcome, a lock, its token) are written together, before it answers.
    return this.events.inOneWrite(() => this.judge(userId, input, grant));
  }

  private async judge<T>(userId: string, input: TwoFactorDto, grant: Grant<T>): Promise<{ user: User; granted: T }> {
    let user: User | null = null;
    let challenge: OpenChallenge | null = null;
    const refuse = async (outcome: TwoFactorOutcome | CommonOutcome, error: PxError) => {
      const detail = { kind: challenge?.kind ?? null, challenge_id: challenge?.id ?? null, path: grant.path };
      await this.events.publish({
        type: EventType.TwoFactor,
        outcome,
        userId: user?.id ?? null,
        institutionId: user?.institutionId ?? null,
        detail,
      });
      return error;
    };

    // 1. maintenance; 2. the challenge, of this user, answered in the shape its kind asks for
    user = await this.users.findById(userId);
    const closed = await this.maintenance.closed();
    if (closed) throw await refuse(CommonOutcome.Maintenance, closed);
    challenge =
      user && (await this.challenges.open(userId, grant.clientId, input.challenge_id, ['otp', 'totp', 'kba']));
    if (!user || !challenge)
      throw await refuse(CommonOutcome.ChallengeNotFound, new PxError(ErrorId.CHALLENGE_NOT_FOUND));
    const verifier = this.verifiers.find((v) => v.kind === challenge.kind)!;
    try {
      verifier.precheck(challenge, input);
    } catch (err) {
      if (err instanceof PxError) throw await refuse(outcomeOf(err), err);
      throw err;
    }

    // 3. the person's attempt: locked is 403, and answers after the lock are not counted. It is given
    //    back on every way out of steps 4 and 5 but a wrong answer and a completion.
    const refused = (why: AttemptRefused) => refuse(...attemptRefused(why));
    return this.lockout.withAttempt(personKey(user), refused, async (attempt) => {
      // 4. the challenge's attempt, then the judgement
      if (!this.challenges.isLive(challenge, user)) {
        throw await refuse(CommonOutcome.ChallengeExpired, new PxError(ErrorId.CHALLENGE_EXPIRED));
      }
      try {
        verifier.assertReady(challenge);
      } catch (err) {
        if (err instanceof PxError) throw await refuse(outcomeOf(err), err);
        throw err;
      }
      if (!(await this.challenges.takeAttempt(challenge))) {
        throw await refuse(CommonOutcome.ChallengeExpired, new PxError(ErrorId.CHALLENGE_EXPIRED));
      }
      // Shed before it could be judged: the user's attempt is given back on the way out.
      const verdict = await verifier.judge(challenge, user, input, grant.path).catch(async (err: unknown) => {
        if (err instanceof Overloaded) throw await refuse(CommonOutcome.Overloaded, err);
        throw err;
      });
      if (!verdict.right) {
        await attempt.judgedWrong(user.id);
        throw await refuse(TwoFactorOutcome.Wrong, new PxError(ErrorId.INVALID_MFA));
      }
      // Of concurrent right answers one spends the challenge; the others are "already used" and count nothing.
      if (!(await this.challenges.spend(challenge))) {
        throw await refuse(CommonOutcome.ChallengeExpired, new PxError(ErrorId.CHALLENGE_EXPIRED));
      }
      if (!(await verifier.confirm(user, verdict))) {
        await attempt.judgedWrong(user.id);
        throw await refuse(TwoFactorOutcome.TotpReplay, new PxError(ErrorId.INVALID_MFA));
      }

      // 5. the token, unless a password change, factor reset or lock ended the challenge meanwhile
      const granted = await grant.issue(user);
      if (!(await attempt.completed(user, challenge.userEpoch))) {
        await grant.withdraw(granted);
        throw await refuse(CommonOutcome.ChallengeExpired, new PxError(ErrorId.CHALLENGE_EXPIRED));
      }
      // The name typed at the login starts again too: its wrong passwords were carried to the person.
      await this.lockout.reset(nameOf(user, challenge.loginName), user, challenge.userEpoch);
      await this.events.publish({
        type: EventType.TwoFactor,
        outcome: TwoFactorOutcome.Success,
        userId: user.id,
        institutionId: user.institutionId,
        detail: { kind: challenge.kind, challenge_id: challenge.id, path: grant.path },
      });
      return { user, granted };
    });
  }
}

/** The outcome recorded for an answer refused before any attempt was taken. */
function outcomeOf(err: PxError): CommonOutcome | TwoFactorOutcome {
  switch (err.id) {
    case ErrorId.OTP_NOT_SENT:
      return TwoFactorOutcome.OtpNotSent;
    case ErrorId.CHALLENGE_EXPIRED:
      return CommonOutcome.ChallengeExpired;
    default:
      return CommonOutcome.InvalidRequest;
  }
}
