import { loadConfig } from '@/config/load-config';
import { sha256 } from '@/common/crypto/digest';
import type { TokensService } from '@/tokens/tokens.service';
import type { OAuthCode } from './oauth-code.entity';
import type { OAuthCodeRepository } from './oauth-code.repository';
import { OAuthCodes } from './oauth-codes.service';

describe(OAuthCodes.name, () => {
  const code = (over: Partial<OAuthCode> = {}): OAuthCode => ({
    codeHash: sha256('the-code'),
    clientId: 'c1',
    redirectUri: 'https://cdn.plaid.com/link/v2/stable/oauth.html',
    userId: 'u1',
    codeChallenge: null,
    nonce: null,
    userEpoch: 0,
    authTime: Date.now(),
    expiresAt: Date.now() + 60_000,
    usedAt: null,
    reusedAt: null,
    ...over,
  });
  const setup = (row: OAuthCode | null, spends: boolean) => {
    const repo = {
      findByHash: jest.fn().mockResolvedValue(row),
      spend: jest.fn().mockResolvedValue(spends),
      markReused: jest.fn().mockResolvedValue(undefined),
    };
    const tokens = { revokeGrant: jest.fn().mockResolvedValue(1) };
    const sut = new OAuthCodes(
      repo as unknown as OAuthCodeRepository,
      tokens as unknown as TokensService,
      loadConfig({ NODE_ENV: 'test' }),
    );
    return { sut, repo, tokens };
  };
  const uri = 'https://cdn.plaid.com/link/v2/stable/oauth.html';

  it('refuses a code issued to another client without spending it', async () => {
    const { sut, repo } = setup(code(), true);
    expect(await sut.redeem('the-code', 'c2', uri, undefined)).toEqual({ ok: false, reason: 'unknown_code' });
    expect(repo.spend).not.toHaveBeenCalled();
  });

  it('refuses an expired, unused code as expired, revoking nothing', async () => {
    const { sut, tokens } = setup(code({ expiresAt: Date.now() - 1 }), false);
    expect(await sut.redeem('the-code', 'c1', uri, undefined)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.revokeGrant).not.toHaveBeenCalled();
  });

  it('on a second use, marks the code reused and revokes what the first use got', async () => {
    const { sut, repo, tokens } = setup(code({ usedAt: Date.now() }), false);
    expect(await sut.redeem('the-code', 'c1', uri, undefined)).toEqual({ ok: false, reason: 'reused' });
    expect(repo.markReused).toHaveBeenCalledWith(sha256('the-code'), expect.any(Number));
    expect(tokens.revokeGrant).toHaveBeenCalledWith(sha256('the-code'), 'code_reuse', 'u1');
  });

  it('redeems a code spent by this exchange, when its redirect URI matches', async () => {
    const { sut } = setup(code(), true);
    expect(await sut.redeem('the-code', 'c1', uri, undefined)).toMatchObject({ ok: true });
    expect(await sut.redeem('the-code', 'c1', `${uri}?x`, undefined)).toEqual({
      ok: false,
      reason: 'redirect_uri_mismatch',
    });
  });
});
