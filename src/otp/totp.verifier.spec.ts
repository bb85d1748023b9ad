import { KeyRing } from '@/common/crypto/key-ring';
import { loadConfig } from '@/config/load-config';
import type { User } from '@/users/user.entity';
import type { UsersService } from '@/users/users.service';
import { totpAt, wrongTotp } from '../../test/support/totp';
import { TotpService } from './totp.service';
import { TotpVerifier } from './totp.verifier';

describe(TotpVerifier.name, () => {
  const keys = new KeyRing(loadConfig({ NODE_ENV: 'test' }));
  const totp = new TotpService(keys);
  const secret = 'JBSWY3DPEHPK3PXP';
  const user = { id: 'u1', totpSecretSealed: totp.enroll(secret).sealed('u1') } as User;

  afterEach(() => jest.useRealTimers());

  it('claims the time step that was judged, even when the clock has moved on by the time it claims', async () => {
    const claimTotpStep = jest.fn().mockResolvedValue(true);
    const sut = new TotpVerifier(totp, { claimTotpStep } as unknown as UsersService);
    // One second before a step boundary: the code of step s is judged right at step s.
    const t = (1_800_000_000 - (1_800_000_000 % 30) + 29) * 1000;
    jest.useFakeTimers({ now: t });
    const verdict = await sut.judge({}, user, { passcode: totpAt(secret, t / 1000) });
    expect(verdict).toEqual({ right: true, step: Math.floor(t / 30_000) });
    // The claim happens two steps later (a slow database, a paused process): still step s.
    jest.setSystemTime(t + 61_000);
    expect(await sut.confirm(user, verdict)).toBe(true);
    expect(claimTotpStep).toHaveBeenCalledWith(user, Math.floor(t / 30_000));
  });

  it('a replayed step is refused by the claim: confirm answers false', async () => {
    const sut = new TotpVerifier(totp, {
      claimTotpStep: jest.fn().mockResolvedValue(false),
    } as unknown as UsersService);
    const verdict = await sut.judge({}, user, { passcode: totpAt(secret) });
    expect(verdict.right).toBe(true);
    expect(await sut.confirm(user, verdict)).toBe(false);
  });

  it('a wrong code is judged wrong, with no step to claim', async () => {
    const sut = new TotpVerifier(totp, { claimTotpStep: jest.fn() } as unknown as UsersService);
    expect(await sut.judge({}, user, { passcode: wrongTotp(secret) })).toEqual({ right: false });
  });
});
