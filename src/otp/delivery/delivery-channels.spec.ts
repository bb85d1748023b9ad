import { loadConfig } from '@/config/load-config';
import { DeliveryChannels } from './delivery-channels';
import type { DeliveryResult, OtpDeliveryChannel, OtpMessage } from './otp-delivery-channel';

describe(DeliveryChannels.name, () => {
  const message: OtpMessage = {
    channel: 'sms',
    to: '+14155550123',
    text: 'code',
    subject: 's',
    html: '<p>code</p>',
    language: 'en',
    challengeId: 'c1',
  };
  const config = loadConfig({ NODE_ENV: 'test', DELIVERY_TIMEOUT: '50ms' });
  const channel = (deliver: OtpDeliveryChannel['deliver'], types = ['sms', 'voice'] as const): OtpDeliveryChannel => ({
    types,
    deliver,
  });

  it('offers only the types a configured channel serves', () => {
    const sut = new DeliveryChannels([channel(() => Promise.resolve({ status: 'delivered' }))], config);
    expect(['sms', 'voice', 'email'].map((t) => sut.offers(t as 'sms'))).toEqual([true, true, false]);
  });

  it('past DELIVERY_TIMEOUT: transient, and the channel sees its signal aborted', async () => {
    let seen: AbortSignal | undefined;
    const hanging = channel(
      (_m, signal) =>
        new Promise<DeliveryResult>((resolve) => {
          seen = signal;
          signal.addEventListener('abort', () => resolve({ status: 'delivered' }));
        }),
    );
    const sut = new DeliveryChannels([hanging], config);
    expect(await sut.deliver(message)).toEqual({ status: 'transient', reason: 'timeout' });
    expect(seen?.aborted).toBe(true);
  });

  it('a channel that throws is a transient failure, never an error for the caller', async () => {
    const sut = new DeliveryChannels([channel(() => Promise.reject(new Error('ECONNREFUSED')))], config);
    expect(await sut.deliver(message)).toEqual({ status: 'transient', reason: 'error' });
  });

  it('passes a permanent refusal through with the provider code', async () => {
    const refusal: DeliveryResult = { status: 'permanent', reason: 'refused', providerCode: '21211' };
    const sut = new DeliveryChannels([channel(() => Promise.resolve(refusal))], config);
    expect(await sut.deliver(message)).toEqual(refusal);
  });
});
