import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { CommonOutcome, EventType, LoginOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { TokensService } from '@/tokens/tokens.service';
import { CheckAdmission, Overloaded } from '@/users/check-admission';
import { CREDENTIAL_SOURCE, CredentialSource } from '@/users/credentials/credential-source';
import { guardKey } from '@/users/lockout/guard-key';
import { AttemptRefused, LockoutService } from '@/users/lockout/lockout.service';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import { AuthenticatedBody, AuthTokenDto } from './auth.dto';
import { ChallengeBody, ChallengeIssuer } from './challenge-issuer';
import { Grant, authTokenGrant } from './grant';
import { attemptRefused } from './in-flight';

export type LoginResult = { status: 200; body: AuthenticatedBody } | { status: 202; body: ChallengeBody };

/** A login judged: authenticated with what the grant gave, or a second factor to answer. */
export type Authentication<T> =
  { done: true; user: User; granted: T } | { done: false; user: User; challenge: ChallengeBody };

/** POST /users/auth_token, in the order of docs/api.md#post-usersauth_token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    @Inject(CREDENTIAL_SOURCE) private readonly credentials: CredentialSource,
    private readonly issuer: ChallengeIssuer,
    private readonly tokens: TokensService,
    private readonly events: DomainEvents,
    private readonly admission: CheckAdmission,
    private readonly config: AppConfig,
  ) {}

  /** POST /users/auth_token: the login below, granting an auth_token. */
  async login(input: AuthTokenDto, clientId: string, locale: string): Promise<LoginResult> {
    const grant = authTokenGrant(this.tokens, clientId);
    const a = await this.authenticate(input, clientId, locale, grant);
    if (!a.done) return { status: 202, body: a.challenge };
    return { status: 200, body: { user_id: a.user.id, auth_token: a.granted } };
  }

  /**
   * The one login of both paths (legacy and OAuth): every step, counter and event is the same; only
   * what a completed login grants differs. Refusals throw a PxError, as docs/api.md's error ids name them.
   */
  authenticate<T>(input: AuthTokenDto, clientId: string, locale: string, grant: Grant<T>): Promise<Authentication<T>> {
    // The login's events (its outcome, a lock, its token) are written together, before it answers.
    return this.events.inOneWrite(() => this.judge(input, clientId, locale, grant));
  }

  private async judge<T>(
    input: AuthTokenDto,
    clientId: string,
    locale: string,
    grant: Grant<T>,
  ): Promise<Authentication<T>> {
    const key = guardKey(this.config, input.institution_id, input.username);
    // Whom the events name: the user the source said this is; before it said (or when it could not), the
    // user of that name, read once and only for the event, so support staff see what hit them (docs/console.md).
    let user: User | null | undefined;
    const refuse = async (
      outcome: LoginOutcome | CommonOutcome,
      error: PxError,
      extra: Record<string, string> = {},
    ) => {
      if (user === undefined) user = await this.users.findByKey(key);
      const detail = { username_known: !!user, source: this.credentials.name, path: grant.path, ...extra };
      await this.events.publish({
        type: EventType.Login,
        outcome,
        userId: user?.id ?? null,
        institutionId: key.institutionId,
        detail,
      });
      return error;
    };

    // 0. overloaded: a check that could not start in time is refused before an attempt is counted or
    //    anything else read (docs/operations.md#shedding-and-throttling), so that a flood of refusals stays cheap.
    const shed = this.admission.refusalNow(grant.path);
    if (shed) throw await refuse(CommonOutcome.Overloaded, shed);

    // 1. maintenance
    const closed = await this.maintenance.closed();
    if (closed) throw await refuse(CommonOutcome.Maintenance, closed);

    // 2. locked: 403 without looking at the password. The attempt is taken before the check, so a
    //    burst never checks more than LOCKOUT_THRESHOLD wrong passwords; all of them in flight is a 503.
    //    It is given back on every way out of steps 3 to 6 but a wrong password and a completion.
    const refused = (why: AttemptRefused) => refuse(...attemptRefused(why));
    return this.lockout.withAttempt(key, refused, async (attempt) => {
      // 3. the password, where CREDENTIAL_SOURCE says; only a wrong one stays counted (a shed check is not).
      const check = await this.credentials
        .verify({ key, username: input.username, password: input.password, path: grant.path })
        .catch(async (err: unknown) => {
          if (!(err instanceof Overloaded)) throw err;
          throw await refuse(CommonOutcome.Overloaded, err);
        });
      if (check.result === 'unavailable') {
        const reason = { reason: check.reason };
        throw await refuse(LoginOutcome.SourceUnavailable, PxError.unavailable(check.retryAt), reason);
      }
      user = check.user;
      if (check.result === 'invalid') {
        await attempt.judgedWrong(user?.id ?? null);
        throw await refuse(LoginOutcome.InvalidCredentials, new PxError(ErrorId.INVALID_CREDENTIALS));
      }
      const bySource = { decided_by: 'source' };
      if (check.result === 'locked') {
        const by = check.here ? { decided_by: 'pxauth', locked: 'person' } : bySource;
        throw await refuse(CommonOutcome.Locked, new PxError(ErrorId.ACCOUNT_LOCKED), by);
      }
      if (check.result === 'not_allowed') {
        throw await refuse(LoginOutcome.TermsNotAccepted, new PxError(ErrorId.TERMS_NOT_ACCEPTED), bySource);
      }
      const known = check.user;

      // The source said who this is: their own lock holds through every identifier they can type.
      if (this.users.lockedNow(known)) {
        throw await refuse(CommonOutcome.Locked, new PxError(ErrorId.ACCOUNT_LOCKED), { locked: 'person' });
      }

      // 4. terms pending
      if (this.users.termsPending(known)) {
        throw await refuse(LoginOutcome.TermsNotAccepted, new PxError(ErrorId.TERMS_NOT_ACCEPTED));
      }

      // 5. a second factor: 202 with a challenge, bound to the auth epoch the password was checked under
      const kind = await this.issuer.choose(known);
      if (kind) {
        const body = await this.issuer.issue(known, kind, clientId, locale, key.usernameNorm);
        await this.lockout.carryToPerson(key, known);
        await this.events.publish({
          type: EventType.Login,
          outcome: LoginOutcome.ChallengeIssued,
          userId: known.id,
          institutionId: known.institutionId,
          detail: { username_known: true, kind, challenge_id: body.challenge.id, path: grant.path },
        });
        return { done: false, user: known, challenge: body };
      }

      // 6. authenticated, unless the password changed (or a lock came) while it was being checked
      const granted = await grant.issue(known);
      if (!(await attempt.completed(known, known.authEpoch))) {
        await grant.withdraw(granted);
        throw await refuse(LoginOutcome.Superseded, new PxError(ErrorId.INVALID_CREDENTIALS));
      }
      await this.events.publish({
        type: EventType.Login,
        outcome: LoginOutcome.Success,
        userId: known.id,
        institutionId: known.institutionId,
        detail: { username_known: true, path: grant.path },
      });
      return { done: true, user: known, granted };
    });
  }
}
