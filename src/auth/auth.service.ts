import { Injectable } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { TokensService } from '@/tokens/tokens.service';
import { LockoutService } from '@/users/lockout/lockout.service';
import { UsersService } from '@/users/users.service';
import { AuthenticatedBody, AuthTokenDto } from './auth.dto';
import { ChallengeBody, ChallengeIssuer } from './challenge-issuer';

export type LoginResult = { status: 200; body: AuthenticatedBody } | { status: 202; body: ChallengeBody };

/** POST /users/auth_token, in the order of PRODUCT.md section 4. */
@Injectable()
export class AuthService {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly issuer: ChallengeIssuer,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  async login(input: AuthTokenDto, clientId: string, locale: string): Promise<LoginResult> {
    // 1. maintenance
    await this.maintenance.assertOpen();
    const key = this.users.guardKey(input.institution_id, input.username);
    const event = { type: 'login', institutionId: key.institutionId, detail: { username_known: false } };

    // 2. locked: 403 without looking at the password. The attempt is counted before the check,
    //    so a burst can never check more than LOCKOUT_THRESHOLD wrong passwords.
    if (!(await this.lockout.takeAttempt(key))) {
      // Attributed to the user when there is one, so support staff see the refused attempts (section 9).
      const lockedUser = await this.users.findByKey(key);
      await this.audit.record({
        ...event,
        userId: lockedUser?.id ?? null,
        detail: { username_known: !!lockedUser },
        outcome: 'locked',
      });
      throw new PxError(ErrorId.ACCOUNT_LOCKED);
    }

    // 3. the password, with a dummy verify for an unknown username (same time, same 401).
    const user = await this.users.findByKey(key);
    const rec = { ...event, userId: user?.id ?? null, detail: { username_known: !!user } };
    if (!(await this.users.verifyPassword(user, input.password))) {
      await this.audit.record({ ...rec, outcome: 'invalid_credentials' });
      await this.lockout.lockIfDue(key, user?.id ?? null);
      throw new PxError(ErrorId.INVALID_CREDENTIALS);
    }
    await this.lockout.giveBack(key);
    const known = user!;

    // 4. terms pending
    if (this.users.termsPending(known)) {
      await this.audit.record({ ...rec, outcome: 'terms_not_accepted' });
      throw new PxError(ErrorId.TERMS_NOT_ACCEPTED);
    }

    // 5. a second factor: 202 with a challenge
    const kind = await this.issuer.choose(known);
    if (kind) {
      const body = await this.issuer.issue(known, kind, clientId, locale);
      await this.audit.record({
        ...rec,
        outcome: 'challenge_issued',
        detail: { ...rec.detail, kind, challenge_id: body.challenge.id },
      });
      return { status: 202, body };
    }

    // 6. authenticated
    await this.lockout.reset(key);
    const token = await this.tokens.issue(known, clientId);
    await this.audit.record({ ...rec, outcome: 'success' });
    return { status: 200, body: { user_id: known.id, auth_token: token } };
  }
}
