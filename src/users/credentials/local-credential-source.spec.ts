import type { PasswordHasher } from '../password-hasher';
import type { User } from '../user.entity';
import type { UserRepository } from '../user.repository';
import { LocalCredentialSource } from './local-credential-source';

describe(LocalCredentialSource.name, () => {
  const key = { institutionId: 'default', usernameNorm: 'alice' };
  const hasher = { verify: jest.fn(), verifyDummy: jest.fn().mockResolvedValue(false) };

  it('judges a shadow user (no hash here, after a switch back to local) as an unknown one: a dummy verify, 401', async () => {
    const shadow = { id: 'u1', source: 'ldap', passwordHash: '' } as User;
    const users = { findByUsername: jest.fn().mockResolvedValue(shadow) } as unknown as UserRepository;
    const sut = new LocalCredentialSource(users, hasher as unknown as PasswordHasher);
    await expect(sut.verify({ key, username: 'alice', password: 'pw', path: 'oauth' })).resolves.toEqual({
      result: 'invalid',
      user: shadow,
    });
    // In the class of the login's path: a sign-in page's unknown username takes the sign-in pages' share.
    expect(hasher.verifyDummy).toHaveBeenCalledWith('pw', 'oauth');
    expect(hasher.verify).not.toHaveBeenCalled();
  });
});
