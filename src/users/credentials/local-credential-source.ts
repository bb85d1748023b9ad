import { Injectable } from '@nestjs/common';
import { LegacyHashSettings } from '@/users/legacy-hash-settings';
import { PasswordHasher, hashSetting } from '@/users/password-hasher';
import { UserRepository } from '@/users/user.repository';
import { CredentialCheck, CredentialSource, LoginAttempt } from './credential-source';

/**
 * Passwords as hashes in pxauth's own database. Every check costs the same work, whoever the
 * username is (PasswordHasher.verifyLogin): an unknown one, a user of ours, an imported one.
 */
@Injectable()
export class LocalCredentialSource implements CredentialSource {
  readonly name = 'local' as const;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly legacy: LegacyHashSettings,
  ) {}

  async verify({ key, password, path }: LoginAttempt): Promise<CredentialCheck> {
    const user = await this.users.findByUsername(key.institutionId, key.usernameNorm);
    const settings = await this.legacy.current();
    // A shadow user (from http or ldap, before a switch back to local) has no hash here: judged as unknown.
    if (!user || user.source !== 'local') {
      await this.hasher.verifyLogin(null, password, settings, path);
      return { result: 'invalid', user };
    }
    // The person is locked (a staff lock, wrong second-factor answers): 403 without looking at the password,
    // so a locked account tells nobody whether a guess was right.
    if (user.lockedUntil > Date.now()) return { result: 'locked', user, here: true };
    const valid = await this.hasher.verifyLogin(user.passwordHash, password, settings, path);
    // A legacy hash whose setting this replica has not heard of (stored by some other way than
    // users:import): recorded, so that the next checks pad for it.
    if (this.hasher.needsUpgrade(user.passwordHash) && !settings.includes(hashSetting(user.passwordHash)))
      await this.legacy.record([user.passwordHash]);
    if (!valid) return { result: 'invalid', user };
    if (this.hasher.needsUpgrade(user.passwordHash)) await this.upgrade(user.id, user.passwordHash, password);
    return { result: 'valid', user, reference: user.id };
  }

  /**
   * An imported hash (bcrypt, or argon2id with other parameters) becomes argon2id at ours now that the
   * password is known. Conditional on the hash still being the one verified: a password
   * changed meanwhile by staff is never overwritten. Its setting is retired once no hash of it is left.
   */
  private async upgrade(userId: string, verified: string, password: string): Promise<void> {
    if (await this.users.replacePasswordHash(userId, verified, await this.hasher.hash(password)))
      await this.legacy.retire(hashSetting(verified));
  }
}
