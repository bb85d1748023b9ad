import { loadConfig } from '@/config/load-config';
import { sha256 } from '@/common/crypto/digest';
import type { DomainEvents } from '@/events/domain-events';
import type { AuthToken } from './auth-token.entity';
import type { AuthTokenRepository } from './auth-token.repository';
import { TokensService } from './tokens.service';

describe(TokensService.name, () => {
  const future = Date.now() + 60_000;
  const row = (over: Partial<AuthToken> = {}): AuthToken => ({
    id: 't1',
    tokenHash: 'h',
    userId: 'u1',
    clientId: 'c1',
    institutionId: 'default',
    issuedAt: Date.now(),
    expiresAt: future,
    kind: 'auth_token',
    grantId: null,
    userEpoch: null,
    revokedAt: null,
    ...over,
  });
  const setup = () => {
    const calls: string[] = [];
    const repo = {
      insert: jest.fn().mockResolvedValue(undefined),
      insertUnderLiveRefresh: jest.fn().mockResolvedValue(true),
      findByHash: jest.fn().mockResolvedValue(null),
      revokeLiveRefreshTokens: jest.fn().mockImplementation(() => (calls.push('refresh'), Promise.resolve(1))),
      revokeLive: jest.fn().mockImplementation(() => (calls.push('rest'), Promise.resolve(2))),
    };
    const events = { publish: jest.fn().mockResolvedValue(undefined) };
    const sut = new TokensService(
      repo as unknown as AuthTokenRepository,
      events as unknown as DomainEvents,
      loadConfig({ NODE_ENV: 'test' }),
    );
    return { sut, repo, events, calls };
  };

  it('stores only the digest of the token it hands out', async () => {
    const { sut, repo } = setup();
    const token = await sut.issue({ id: 'u1', institutionId: 'default' }, 'c1');
    const [stored] = repo.insert.mock.calls[0] as [AuthToken];
    expect(stored.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored).toMatchObject({ userId: 'u1', clientId: 'c1', kind: 'auth_token' });
  });

  it('answers inactive for a revoked token, an expired one, or one of another user', async () => {
    const { sut, repo } = setup();
    repo.findByHash.mockResolvedValueOnce(row({ revokedAt: Date.now() }));
    expect(await sut.introspect('x')).toEqual({ active: false });
    repo.findByHash.mockResolvedValueOnce(row({ expiresAt: Date.now() - 1 }));
    expect(await sut.introspect('x')).toEqual({ active: false });
    repo.findByHash.mockResolvedValueOnce(row());
    expect(await sut.introspect('x', 'someone-else')).toEqual({ active: false });
    repo.findByHash.mockResolvedValueOnce(row());
    expect(await sut.introspect('x', 'u1')).toMatchObject({ active: true, user_id: 'u1', token_type: 'Bearer' });
  });

  it('issues nothing under a refresh token that is no longer live', async () => {
    const { sut, repo, events } = setup();
    repo.insertUnderLiveRefresh.mockResolvedValue(false);
    expect(await sut.issueUnder(row({ kind: 'refresh_token', grantId: 'g1' }), 1000)).toBeNull();
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('revokes a refresh token with its grant, the refresh tokens first', async () => {
    const { sut, repo, calls } = setup();
    expect(await sut.revokeToken(row({ kind: 'refresh_token', grantId: 'g1' }))).toBe(3);
    expect(calls).toEqual(['refresh', 'rest']);
    expect(repo.revokeLive).toHaveBeenCalledWith({ grantId: 'g1' }, expect.any(Number));
  });

  it('revokes an access token alone', async () => {
    const { sut, repo } = setup();
    await sut.revokeToken(row({ kind: 'access_token', grantId: 'g1' }));
    expect(repo.revokeLive).toHaveBeenCalledWith({ id: 't1' }, expect.any(Number));
  });
});
