import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { FactorKind } from './factor-kind';
import { randomToken } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { isUniqueViolation } from '@/database/errors';
import type { SqlStep } from '@/database/transaction';
import { GuardKey, guardKey } from './lockout/guard-key';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { LockKey, UserKey, UserRepository } from './user.repository';
import { likePrefix, normalizeUsername, storedUsername } from './username';

export interface NewUser {
  username: string;
  password: string;
  /** `password` already hashed by PasswordHasher.hash, when the caller made it (the sandbox's users share one). */
  passwordHash?: string;
  institutionId?: string;
  phone?: string | null;
  email?: string | null;
  totpSecretSealed?: (userId: string) => string;
  termsAcceptedVersion?: number;
  mfaPreference?: FactorKind | null;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly repo: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  /** Whether the user is locked as the row read says (a lock set after the read moves the epoch, ending the step). */
  lockedNow(user: User): boolean {
    return user.lockedUntil > Date.now();
  }

  findById(id: string): Promise<User | null> {
    return this.repo.findById(id);
  }

  async getById(id: string): Promise<User> {
    const user = await this.repo.findById(id);
    if (!user) throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.user'));
    return user;
  }

  findByKey(key: GuardKey): Promise<User | null> {
    return this.repo.findByUsername(key.institutionId, key.usernameNorm);
  }

  search(username: string | undefined, institutionId: string | undefined): Promise<User[]> {
    const usernameNorm =
      username === undefined ? undefined : normalizeUsername(username, this.config.USERNAME_CASE_SENSITIVE);
    if (usernameNorm === '') throw PxError.invalid(apiText('username.blank'));
    return this.repo.search({ usernameNorm, institutionId }, 100);
  }

  /**
   * A page of users whose username starts with `prefix`, normalised as a login normalises a username
   * (so case is ignored unless USERNAME_CASE_SENSITIVE), or whose id, email or phone is the one given.
   */
  findPage(
    match: { prefix: string } | { id: string } | { email: string } | { phone: string },
    institutionId: string | undefined,
    after: UserKey | undefined,
    limit: number,
  ): Promise<User[]> {
    if (!('prefix' in match)) return this.repo.findPage(match, institutionId, after, limit);
    const prefix = normalizeUsername(match.prefix, this.config.USERNAME_CASE_SENSITIVE);
    if (!prefix) throw PxError.invalid(apiText('search.blank'));
    return this.repo.findPage({ prefix, like: likePrefix(prefix) }, institutionId, after, limit);
  }

  usersLockedNow(after: LockKey | undefined, limit: number): Promise<User[]> {
    return this.repo.lockedAt(Date.now(), after, limit);
  }

  /** Validates and hashes a new user; nothing is written until `insert`. */
  async prepare(input: NewUser): Promise<User> {
    const key = guardKey(this.config, input.institutionId, input.username);
    if (!key.usernameNorm) throw PxError.invalid(apiText('username.blank'));
    if (await this.repo.findByUsername(key.institutionId, key.usernameNorm)) throw this.duplicate();
    return this.newUser(key, {
      ...input,
      passwordHash: input.passwordHash ?? (await this.hasher.hash(input.password)),
    });
  }

  /**
   * The row of a new local user under `key`, its password already hashed: every way of creating a
   * local user (the admin API and the CLI through `prepare`, users:import) makes it here.
   */
  newUser(key: GuardKey, input: Omit<NewUser, 'password' | 'institutionId'> & { passwordHash: string }): User {
    const now = Date.now();
    const id = randomToken(16);
    return Object.assign(new User(), {
      id,
      institutionId: key.institutionId,
      username: storedUsername(input.username),
      usernameNorm: key.usernameNorm,
      passwordHash: input.passwordHash,
      phone: input.phone ?? null,
      email: input.email ?? null,
      totpSecretSealed: input.totpSecretSealed ? input.totpSecretSealed(id) : null,
      totpLastStep: null,
      mfaPreference: input.mfaPreference ?? null,
      authEpoch: 0,
      source: 'local',
      reference: null,
      termsAcceptedVersion: input.termsAcceptedVersion ?? this.config.TERMS_VERSION,
      createdAt: now,
      updatedAt: now,
    });
  }

  /**
   * The statement that makes the user exist, in one transaction with `alongside` when given (another
   * module's rows that must not exist without the user: its KBA questions); a concurrent twin loses
   * with CONFLICT.
   */
  async insert(user: User, alongside: SqlStep[] = []): Promise<void> {
    try {
      await this.repo.insert(user, alongside);
    } catch (err) {
      throw isUniqueViolation(err) ? this.duplicate() : err;
    }
  }

  /**
   * A local user's new name, normalised and checked as at creation, in the same institution. Only the
   * name changes: the user_id, the person's lock and counts, factors, terms, open challenges and tokens
   * stay (a rename is not a credential change). A name taken is CONFLICT, decided by the unique index.
   */
  async rename(user: User, username: string): Promise<void> {
    const usernameNorm = normalizeUsername(username, this.config.USERNAME_CASE_SENSITIVE);
    let renamed: boolean;
    try {
      renamed = await this.repo.rename(user.id, storedUsername(username), usernameNorm);
    } catch (err) {
      throw isUniqueViolation(err) ? this.duplicate() : err;
    }
    if (!renamed) throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.user'));
  }

  private duplicate(): PxError {
    return new PxError(ErrorId.CONFLICT, apiText('conflict.username'));
  }

  async update(user: User, patch: Partial<User>): Promise<void> {
    await this.repo.update(user.id, patch);
  }

  /**
   * A factor set or removed: the open challenges of the user end (docs/api.md#post-usersuser_id2fa), since they
   * were opened for the factors as they were.
   */
  async changeFactors(user: User, patch: Partial<User>): Promise<void> {
    await this.repo.updateAndMoveEpoch(user.id, patch);
  }

  /**
   * A new password ends every open challenge and every login that checked the old one: the epoch
   * moves in the same statement. The caller revokes the tokens after this (docs/api.md#post-usersauth_token).
   */
  async setPassword(user: User, password: string): Promise<void> {
    await this.repo.updateAndMoveEpoch(user.id, { passwordHash: await this.hasher.hash(password) });
  }

  /** Whether nothing (password change, factor reset, lock) ended what began under `epoch`. */
  epochIs(user: User, epoch: number): Promise<boolean> {
    return this.repo.epochIs(user.id, epoch);
  }

  async acceptTerms(user: User, version: number): Promise<void> {
    await this.repo.update(user.id, { termsAcceptedVersion: version });
  }

  termsPending(user: User): boolean {
    return user.termsAcceptedVersion < this.config.TERMS_VERSION;
  }

  claimTotpStep(user: User, step: number): Promise<boolean> {
    return this.repo.claimTotpStep(user.id, step);
  }

  /** For the key re-encryption (keys:reencrypt): users with a TOTP secret, in id order. */
  totpSecretsAfter(afterId: string, limit: number): Promise<Pick<User, 'id' | 'totpSecretSealed'>[]> {
    return this.repo.totpSecretsAfter(afterId, limit);
  }

  /** A conditional UPDATE: true only if the secret was still `expected`. */
  replaceTotpSecret(id: string, expected: string, next: string): Promise<boolean> {
    return this.repo.replaceTotpSecret(id, expected, next);
  }
}
