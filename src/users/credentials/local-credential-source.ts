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

  async verify({ key, password }: LoginAttempt): Promise<CredentialCheck> {
    const user = await this.users.findByUsername(key.institutionId, key.usernameNorm);
    // A shadow user (from http or ldap, before a switch back to local) has no hash here: judged as unknown.
    if (!user || user.source !== 'local') {
      await this.hasher.verifyDummy(password);
      return { result: 'invalid', user };
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) return { result: 'invalid', user };
    return { result: 'valid', user, reference: user.id };
  }
}
