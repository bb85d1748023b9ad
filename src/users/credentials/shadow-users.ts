import { Injectable, Logger } from '@nestjs/common';
import { randomToken } from '@/common/crypto/digest';
import { AppConfig } from '@/config/app-config';
import { isUniqueViolation } from '@/database/errors';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import type { GuardKey } from '@/users/lockout/guard-key';
import { User, UserSource } from '@/users/user.entity';
import { UserRepository } from '@/users/user.repository';

/** What an upstream source says of a user it vouched for. `undefined`: the source said nothing of it. */
export interface SourceProfile {
  reference: string;
  /** E.164, or null for none. */
  phone?: string | null;
  email?: string | null;
}

/**
 * Shadow users (docs/credential-sources.md): made at the first good login through `http` or `ldap`, found
 * by (institution, source, reference) and never by username, so a user renamed at the bank keeps its
 * `user_id`. The username, phone and email follow the source at each login; factors other than those
 * two, terms and locks stay pxauth's.
 */
@Injectable()
export class ShadowUsers {
  private readonly log = new Logger(ShadowUsers.name);

  constructor(
    private readonly repo: UserRepository,
    private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  /** The user a source vouched for, made or brought up to date; read after any change, so its epoch is current. */
  async resolve(source: UserSource, key: GuardKey, username: string, profile: SourceProfile): Promise<User> {
    const found = await this.repo.findByReference(key.institutionId, source, profile.reference);
    if (found) return this.refresh(found, key, username, profile);
    const holder = await this.repo.findByUsername(key.institutionId, key.usernameNorm);
    // A local user of that name, from before the bank switched sources, becomes the shadow: its user_id stays.
    if (holder && holder.source === 'local') return this.adopt(holder, source, profile);
    if (holder) await this.repo.releaseUsername(key.institutionId, key.usernameNorm, '');
    const user = this.shadow(source, key, username, profile);
    try {
      await this.repo.insert(user);
    } catch (err) {
      // Two first logins at once: the other one made the user.
      const twin = isUniqueViolation(err)
        ? await this.repo.findByReference(key.institutionId, source, profile.reference)
        : null;
      if (!twin) throw err;
      return twin;
    }
    await this.events.publish({
      type: EventType.UserCreate,
      outcome: StaffOutcome.Created,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { source, at: 'first_login' },
    });
    return user;
  }

  private async refresh(user: User, key: GuardKey, username: string, profile: SourceProfile): Promise<User> {
    if (user.usernameNorm !== key.usernameNorm) {
      await this.repo.releaseUsername(key.institutionId, key.usernameNorm, user.id);
      try {
        await this.repo.update(user.id, { username: display(username), usernameNorm: key.usernameNorm });
      } catch (err) {
        // A local user holds the new name: the shadow keeps its old one (its user_id is what matters).
        if (!isUniqueViolation(err)) throw err;
        this.log.warn({ user_id: user.id }, 'renamed at the source, but a local user holds the new username');
      }
    }
    const factors = factorPatch(user, profile);
    if (Object.keys(factors).length) await this.repo.updateAndMoveEpoch(user.id, factors);
    return (await this.repo.findById(user.id)) ?? user;
  }

  private async adopt(user: User, source: UserSource, profile: SourceProfile): Promise<User> {
    await this.repo.updateAndMoveEpoch(user.id, {
      source,
      reference: profile.reference,
      ...factorPatch(user, profile),
    });
    return (await this.repo.findById(user.id)) ?? user;
  }

  private shadow(source: UserSource, key: GuardKey, username: string, profile: SourceProfile): User {
    const now = Date.now();
    return Object.assign(new User(), {
      id: randomToken(16),
      institutionId: key.institutionId,
      username: display(username),
      usernameNorm: key.usernameNorm,
      // No password is kept for a shadow user: an empty hash never verifies.
      passwordHash: '',
      phone: profile.phone ?? null,
      email: profile.email ?? null,
      totpSecretSealed: null,
      totpLastStep: null,
      mfaPreference: null,
      authEpoch: 0,
      source,
      reference: profile.reference,
      termsAcceptedVersion: this.config.TERMS_VERSION,
      createdAt: now,
      updatedAt: now,
    });
  }
}

const display = (username: string) => username.normalize('NFKC').trim();

/** Phone and email as the source gives them now; a changed one ends the open challenges (the epoch moves). */
function factorPatch(user: User, profile: SourceProfile): Partial<User> {
  const patch: Partial<User> = {};
  if (profile.phone !== undefined && profile.phone !== user.phone) patch.phone = profile.phone;
  if (profile.email !== undefined && profile.email !== user.email) patch.email = profile.email;
  return patch;
}
