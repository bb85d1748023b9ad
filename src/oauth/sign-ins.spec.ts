import type { ChallengeBody } from '@/auth/challenge-issuer';
import { sha256 } from '@/common/crypto/digest';
import { loadConfig } from '@/config/load-config';
import type { SignInCookies } from './sign-in-cookie';
import type { SignIn } from './sign-in.entity';
import type { SignInRepository } from './sign-in.repository';
import { SignIns } from './sign-ins';

describe(SignIns.name, () => {
  const request = {
    clientId: 'c1',
    redirectUri: 'https://cdn.plaid.com/link/v2/stable/oauth.html',
    state: 'opaque',
    codeChallenge: null,
    nonce: null,
    institutionId: null,
  };
  const challenge = {
    user_id: 'u1',
    challenge: { id: 'ch1', type: 'otp', prompt: 'Where to?', send_methods: [] },
  } as ChallengeBody;
  const setup = () => {
    const repo = {
      insertNew: jest.fn().mockResolvedValue(true),
      awaitChallenge: jest.fn().mockResolvedValue(true),
      endAtStep: jest.fn().mockResolvedValue(true),
    };
    const cookies = { newId: () => 'the-id' };
    const sut = new SignIns(
      repo as unknown as SignInRepository,
      cookies as unknown as SignInCookies,
      loadConfig({ NODE_ENV: 'test' }),
    );
    return { sut, repo };
  };

  it('stores nothing until the password is right, then makes the row by the digest of its id', async () => {
    const { sut, repo } = setup();
    const s = sut.start(request, 'en');
    expect(repo.insertNew).not.toHaveBeenCalled();
    expect(await sut.awaitChallenge(s, challenge)).toBe(true);
    const [row] = repo.insertNew.mock.calls[0] as [SignIn];
    expect(row).toMatchObject({ idHash: sha256('the-id'), userId: 'u1', challengeId: 'ch1', endedAt: null });
    expect(s).toMatchObject({ stored: true, challenge });
  });

  it('leaves the sign-in as it was when a twin request made its row first', async () => {
    const { sut, repo } = setup();
    repo.insertNew.mockResolvedValue(false);
    const s = sut.start(request, 'en');
    expect(await sut.awaitChallenge(s, challenge)).toBe(false);
    expect(s).toMatchObject({ stored: false, challenge: null });
  });

  it('claims the code only at the step this request judged', async () => {
    const { sut, repo } = setup();
    const s = sut.start(request, 'en');
    await sut.awaitChallenge(s, challenge);
    repo.endAtStep.mockResolvedValue(false);
    expect(await sut.claimCode(s, 'u1')).toBe(false);
    expect(repo.endAtStep).toHaveBeenCalledWith(sha256('the-id'), 'ch1', expect.any(Number));
  });
});
