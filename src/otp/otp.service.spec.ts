import type { AuditService } from '@/audit/audit.service';
import type { Challenge } from '@/challenge/challenge.entity';
import type { ChallengeService } from '@/challenge/challenge.service';
import { loadConfig } from '@/config/app-config';
import { PxError } from '@/common/errors/px.error';
import type { LockoutService } from '@/users/lockout/lockout.service';
import type { UsersService } from '@/users/users.service';
import type { OtpDeliveryChannel } from './delivery/otp-delivery-channel';
import type { OtpCodes } from './otp-code';
import { OtpService } from './otp.service';

describe(OtpService.name, () => {
  const challenge = {
    id: 'c1',
    userId: 'u1',
    kind: 'otp',
    locale: 'en',
    offered: JSON.stringify([{ id: 'm1', type: 'sms', mask: '(***) ***-0123' }]),
  } as Challenge;
  const setup = (deliver: OtpDeliveryChannel['deliver'], env: Record<string, string> = {}) => {
    const challenges = {
      find: jest.fn().mockResolvedValue(challenge),
      assertLive: jest.fn(),
      reserveSend: jest.fn().mockResolvedValue(true),
      releaseSend: jest.fn().mockResolvedValue(undefined),
    };
    const users = {
      getById: jest.fn().mockResolvedValue({ id: 'u1', institutionId: 'default', phone: '+14155550123', email: null }),
      keyOf: jest.fn(),
    };
    const lockout = { isLocked: jest.fn().mockResolvedValue(false) };
    const codes = { generate: () => '123456', seal: () => 'sealed-123456' };
    const audit = { record: jest.fn().mockResolvedValue(undefined) };
    const sut = new OtpService(
      challenges as unknown as ChallengeService,
      users as unknown as UsersService,
      lockout as unknown as LockoutService,
      codes as unknown as OtpCodes,
      audit as unknown as AuditService,
      loadConfig({ NODE_ENV: 'test', ...env }),
      { deliver },
    );
    return { sut, challenges, audit };
  };
  const sendError = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as PxError,
    );

  it('delivers the code it reserved, and records the send', async () => {
    const deliver = jest.fn().mockResolvedValue(undefined);
    const { sut, challenges, audit } = setup(deliver);
    await sut.send('u1', 'c1', 'm1');
    expect(challenges.reserveSend).toHaveBeenCalledWith(challenge, 'sealed-123456', expect.any(Number));
    expect(deliver).toHaveBeenCalledWith(
      expect.objectContaining({ channel: 'sms', to: '+14155550123', text: expect.stringContaining('123456') }),
    );
    expect(challenges.releaseSend).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ type: 'otp_send', outcome: 'sent' }));
  });

  it('a provider that fails: 503 with retry_at, and the send is given back', async () => {
    const { sut, challenges, audit } = setup(() => Promise.reject(new Error('provider said 500')));
    const err = await sendError(sut.send('u1', 'c1', 'm1'));
    expect(err).toMatchObject({ id: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(err!.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(challenges.releaseSend).toHaveBeenCalledWith(challenge, 'sealed-123456');
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ outcome: 'provider_failed' }));
  });

  it('a provider slower than DELIVERY_TIMEOUT: the same', async () => {
    const { sut, challenges } = setup(() => new Promise((resolve) => setTimeout(resolve, 5_000).unref()), {
      DELIVERY_TIMEOUT: '50ms',
    });
    const err = await sendError(sut.send('u1', 'c1', 'm1'));
    expect(err).toMatchObject({ id: 'SERVICE_UNAVAILABLE' });
    expect(challenges.releaseSend).toHaveBeenCalled();
  });

  it('refuses a send method the challenge did not offer, before reserving anything', async () => {
    const { sut, challenges } = setup(jest.fn());
    expect(await sendError(sut.send('u1', 'c1', 'nope'))).toMatchObject({ id: 'INVALID_SEND_METHOD' });
    expect(challenges.reserveSend).not.toHaveBeenCalled();
  });
});
