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

  it('opens a type breaker after DELIVERY_BREAKER_FAILURES transient failures in a row: no call, transient at once', async () => {
    const answers: DeliveryResult[] = [
      { status: 'transient', reason: 'provider_error' },
      { status: 'permanent', reason: 'refused' },
      { status: 'transient', reason: 'provider_error' },
      { status: 'transient', reason: 'provider_error' },
    ];
    let calls = 0;
    const flaky = channel(() => Promise.resolve(answers[calls++] ?? { status: 'delivered' }));
    const sut = new DeliveryChannels([flaky], loadConfig({ NODE_ENV: 'test', DELIVERY_BREAKER_FAILURES: '2' }));
    await sut.deliver(message);
    // A refusal for good is the destination's: the provider answered, the count starts again.
    await sut.deliver(message);
    await sut.deliver(message);
    expect(sut.breakers.get('sms')?.open).toBe(false);
    await sut.deliver(message);
    expect(sut.breakers.get('sms')?.open).toBe(true);
    expect(await sut.deliver(message)).toEqual({ status: 'transient', reason: 'breaker_open' });
    expect(calls).toBe(4);
    // Each type judges its own provider: voice goes through the same channel and is not held back.
    expect(sut.breakers.get('voice')?.open).toBe(false);
    expect(await sut.deliver({ ...message, channel: 'voice' })).toEqual({ status: 'delivered' });
  });
});
