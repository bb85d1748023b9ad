import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { EventType, StaffOutcome, LockOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { AuditTrail } from '@/audit/audit-trail.service';
import type { EventPage, UserEventQuery } from '@/audit/audit-query';
import { apiText, PxError } from '@/common/errors/px.error';
import { KbaService } from '@/kba/kba.service';
import { SendMethods } from '@/otp/send-methods';
import { TotpService } from '@/otp/totp.service';
import { TokensService } from '@/tokens/tokens.service';
import { personKey } from '@/users/lockout/guard-key';
import { LockoutService } from '@/users/lockout/lockout.service';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import type { CreateUserDto, UpdateUserDto } from './admin.dto';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { ErrorId } from '@/common/errors/error-id';
import { UserView, toUserView } from './user-view';

export type CreatedUser = UserView & { totp_uri?: string; totp_qr?: string };

/** What support staff and administrators do to users (docs/api.md#staff-api). */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly kba: KbaService,
    private readonly totp: TotpService,
    private readonly sendMethods: SendMethods,
    private readonly tokens: TokensService,
    private readonly bus: DomainEvents,
    private readonly trail: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates the user and their factors; the TOTP secret is shown this once. With questions, the user
   * row and the questions are one transaction: both or neither. `seed`: what the sandbox fixes
   * (README.md#the-sandbox), its documented TOTP secret and the hash of its one documented password.
   */
  async create(dto: CreateUserDto, seed: { totpSecret?: string; passwordHash?: string } = {}): Promise<CreatedUser> {
    if (dto.mfa_preference === 'kba' && !dto.kba?.length) throw PxError.invalid(apiText('factors.kbaNeedsQuestions'));
    this.refuseFutureTerms('terms_accepted_version', dto.terms_accepted_version);
    const enrollment = dto.totp ? this.totp.enroll(seed.totpSecret) : undefined;
    const user = await this.users.prepare({
      username: dto.username,
      password: dto.password,
      passwordHash: seed.passwordHash,
      institutionId: dto.institution_id,
      phone: dto.phone,
      email: dto.email,
      totpSecretSealed: enrollment?.sealed,
      termsAcceptedVersion: dto.terms_accepted_version,
      mfaPreference: dto.mfa_preference,
    });
    if (dto.kba?.length) await this.kba.enrollNewUser(user, dto.kba);
    else await this.users.insert(user);
    await this.bus.publish({
      type: EventType.UserCreate,
      outcome: StaffOutcome.Created,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { factors: this.factorNames(dto) },
    });
    const view: CreatedUser = await this.view(user);
    if (enrollment) {
      view.totp_uri = this.totp.uri(enrollment.secret, user.username, this.config.TOTP_ISSUER);
      view.totp_qr = await this.totp.qrDataUrl(view.totp_uri);
    }
    return view;
  }

  /**
   * Changes a user's factors. Support staff may only remove (reset) them: setting a new phone,
   * address or TOTP secret is how an account is taken over through a help desk, so that is admin's.
   */
  async update(id: string, dto: UpdateUserDto, role: StaffRole, reason?: string): Promise<CreatedUser> {
    if (dto.username !== undefined) return this.renameAlone(id, dto, role, reason);
    const user = await this.users.getById(id);
    const sets =
      (dto.phone ?? null) !== null ||
      (dto.email ?? null) !== null ||
      dto.totp === true ||
      !!dto.kba?.length ||
      (dto.mfa_preference ?? null) !== null;
    if (sets && role !== 'admin') throw new PxError(ErrorId.FORBIDDEN, apiText('forbidden.setFactors'));
    const patch: Partial<User> = {};
    if (dto.phone !== undefined) patch.phone = dto.phone;
    if (dto.email !== undefined) patch.email = dto.email;
    if (dto.mfa_preference !== undefined) patch.mfaPreference = dto.mfa_preference;
    const enrollment = dto.totp === true ? this.totp.enroll() : undefined;
    if (dto.totp !== undefined)
      Object.assign(patch, { totpSecretSealed: enrollment?.sealed(user.id) ?? null, totpLastStep: null });
    // Any factor set or removed ends the user's open challenges (docs/api.md#post-usersuser_id2fa); a KBA
    // replacement moves the epoch in its own transaction.
    if (dto.kba !== undefined) await this.kba.replace(user.id, dto.kba);
    if (Object.keys(patch).length) await this.users.changeFactors(user, patch);
    const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    await this.bus.publish({
      type: EventType.FactorsChange,
      outcome: sets ? StaffOutcome.Set : StaffOutcome.Reset,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { fields: changed, ...said(reason) },
    });
    const view: CreatedUser = await this.get(id);
    if (enrollment) {
      view.totp_uri = this.totp.uri(enrollment.secret, user.username, this.config.TOTP_ISSUER);
      view.totp_qr = await this.totp.qrDataUrl(view.totp_uri);
    }
    return view;
  }

  /** A rename is sent alone, so that a refused factor change can never leave the user renamed (or the reverse). */
  private renameAlone(id: string, dto: UpdateUserDto, role: StaffRole, reason?: string): Promise<UserView> {
    const others = Object.keys(dto).filter(
      (k) => k !== 'username' && (dto as Record<string, unknown>)[k] !== undefined,
    );
    if (others.length) throw PxError.invalid(apiText('rename.alone', { fields: others.join(', ') }));
    if (role !== 'admin') throw new PxError(ErrorId.FORBIDDEN, apiText('forbidden.rename'));
    return this.rename(id, dto.username!, reason);
  }

  /**
   * A new username for a local user (docs/api.md, "Staff API"): the user_id, lock, counts, factors,
   * terms, open challenges and tokens stay. A shadow user's name is the bank's system's to change.
   */
  async rename(id: string, username: string, reason?: string): Promise<UserView> {
    const user = await this.users.getById(id);
    if (user.source !== 'local') {
      throw new PxError(ErrorId.CONFLICT, apiText('conflict.renameShadow', { source: user.source }));
    }
    await this.users.rename(user, username);
    await this.bus.publish({
      type: EventType.UserRename,
      outcome: StaffOutcome.Changed,
      userId: user.id,
      institutionId: user.institutionId,
      detail: said(reason),
    });
    return this.get(id);
  }

  async get(id: string): Promise<UserView> {
    return this.view(await this.users.getById(id));
  }

  async find(username?: string, institutionId?: string): Promise<UserView[]> {
    const users = await this.users.search(username, institutionId);
    return Promise.all(users.map((u) => this.view(u)));
  }

  async unlock(id: string, reason?: string): Promise<UserView> {
    const user = await this.users.getById(id);
    await this.lockout.unlock(personKey(user));
    await this.bus.publish({
      type: EventType.Unlock,
      outcome: StaffOutcome.Unlocked,
      userId: user.id,
      institutionId: user.institutionId,
      detail: said(reason),
    });
    return this.view(user);
  }

  async lock(id: string, reason?: string): Promise<UserView> {
    const user = await this.users.getById(id);
    await this.lockout.lock(personKey(user), reason ?? 'locked by staff');
    await this.bus.publish({
      type: EventType.Lock,
      outcome: LockOutcome.ByStaff,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { reason: reason ?? null },
    });
    return this.view(user);
  }

  /** A new password revokes every token of the user; the user_id stays (Plaid's update mode). */
  async setPassword(id: string, password: string, reason?: string): Promise<UserView & { tokens_revoked: number }> {
    const user = await this.users.getById(id);
    // A shadow user's password lives at the bank; one set here would never be checked.
    if (user.source !== 'local') {
      throw new PxError(ErrorId.CONFLICT, apiText('conflict.passwordShadow', { source: user.source }));
    }
    await this.users.setPassword(user, password);
    const revoked = await this.tokens.revokeAllFor(user, 'password_changed');
    await this.bus.publish({
      type: EventType.PasswordChange,
      outcome: StaffOutcome.Changed,
      userId: user.id,
      institutionId: user.institutionId,
      detail: said(reason),
    });
    return { ...(await this.view(user)), tokens_revoked: revoked };
  }

  async acceptTerms(id: string, version?: number, reason?: string): Promise<UserView> {
    this.refuseFutureTerms('version', version);
    const user = await this.users.getById(id);
    const v = version ?? this.config.TERMS_VERSION;
    await this.users.acceptTerms(user, v);
    await this.bus.publish({
      type: EventType.Terms,
      outcome: StaffOutcome.Accepted,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { version: v, ...said(reason) },
    });
    return this.get(id);
  }

  /**
   * Staff record what a customer accepted, and no customer can have accepted terms the bank has not
   * published yet: a version above TERMS_VERSION would also keep the user from ever being asked for
   * the next terms, since a login asks only a user whose accepted version is below the current one.
   */
  private refuseFutureTerms(field: string, version: number | undefined): void {
    if (version !== undefined && version > this.config.TERMS_VERSION)
      throw PxError.invalid(apiText('terms.version', { field, version: this.config.TERMS_VERSION }));
  }

  /** The staff member's words, when given, are the reason the revocation is recorded with. */
  async revokeTokens(id: string, reason?: string): Promise<{ tokens_revoked: number }> {
    const user = await this.users.getById(id);
    return { tokens_revoked: await this.tokens.revokeAllFor(user, reason ?? 'staff') };
  }

  /** The user's timeline, newest first, paged like GET /admin/events. */
  async events(id: string, q: UserEventQuery = {}): Promise<EventPage> {
    const user = await this.users.getById(id);
    return this.trail.page({ ...q, user_id: user.id });
  }

  private async view(user: User): Promise<UserView> {
    const [lock, questions] = await Promise.all([this.lockout.state(personKey(user)), this.kba.listFor(user.id)]);
    return toUserView(
      user,
      lock,
      this.sendMethods.all(user),
      questions.map((q) => ({ id: q.id, text: q.text })),
      this.config.TERMS_VERSION,
    );
  }

  private factorNames(dto: CreateUserDto): string[] {
    return [dto.totp && 'totp', (dto.phone || dto.email) && 'otp', dto.kba?.length && 'kba'].filter(
      Boolean,
    ) as string[];
  }
}

/** What the staff member said, for the audit event's detail (only when they said something). */
const said = (reason?: string): { reason: string } | undefined => (reason ? { reason } : undefined);
