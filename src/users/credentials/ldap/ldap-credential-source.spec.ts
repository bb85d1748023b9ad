import { loadConfig } from '@/config/load-config';
import { guardKey } from '@/users/lockout/guard-key';
import type { UserRepository } from '@/users/user.repository';
import type { ShadowUsers } from '@/users/credentials/shadow-users';
import { LdapCredentialSource } from './ldap-credential-source';

describe(LdapCredentialSource.name, () => {
  const config = loadConfig({
    CREDENTIAL_SOURCE: 'ldap',
    LDAP_URL: 'ldap://127.0.0.1:1',
    LDAP_USER_DN_TEMPLATE: 'uid={username},ou=people,dc=bank,dc=example',
  });
  const users = { findByUsername: jest.fn().mockResolvedValue(null) } as unknown as UserRepository;
  const shadows = { resolve: jest.fn() } as unknown as ShadowUsers;

  it('refuses an empty password before any connection or bind (RFC 4513 5.1.2: it would be an anonymous bind)', async () => {
    const sut = new LdapCredentialSource(config, users, shadows);
    const use = jest.spyOn(sut.pool, 'with');
    const key = guardKey(config, undefined, 'alice');
    await expect(sut.verify({ key, username: 'alice', password: '', path: 'legacy' })).resolves.toEqual({
      result: 'invalid',
      user: null,
    });
    expect(use).not.toHaveBeenCalled();
    expect(sut.pool.size).toBe(0);
    await sut.onModuleDestroy();
  });
});
