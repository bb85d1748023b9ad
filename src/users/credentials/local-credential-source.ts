import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '../password-hasher';
import { UserRepository } from '../user.repository';
import { CredentialCheck, CredentialSource, LoginAttempt } from './credential-source';

/** Passwords as argon2id hashes in pxauth's own database; an unknown username costs a dummy verify. */
@Injectable()
export class LocalCredentialSource implements CredentialSource {
  readonly name = 'local' as const;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async verify({ key, password, path }: LoginAttempt): Promise<CredentialCheck> {
    const user = await this.users.findByUsername(key.institutionId, key.usernameNorm);
    // A shadow user (from http or ldap, before a switch back to local) has no hash here: judged as unknown.
    if (!user || user.source !== 'local') {
      await this.hasher.verifyDummy(password, path);
      return { result: 'invalid', user };
    }
    // The person is locked (a staff lock, wrong second-factor answers): 403 without looking at the password,
    // so a locked account tells nobody whether a guess was right.
    if (user.lockedUntil > Date.now()) return { result: 'locked', user, here: true };
    if (!(await this.hasher.verify(user.passwordHash, password, path))) return { result: 'invalid', user };
    if (this.hasher.needsUpgrade(user.passwordHash)) await this.upgrade(user.id, user.passwordHash, password);
    return { result: 'valid', user, reference: user.id };
  }

  /**
   * An imported bcrypt hash becomes argon2id now that the password is known (issue 9). Conditional on
   * the hash still being the one verified: a password changed meanwhile by staff is never overwritten.
   */
  private async upgrade(userId: string, verified: string, password: string): Promise<void> {
    await this.users.replacePasswordHash(userId, verified, await this.hasher.hash(password));
  }
}
