import { twilioFailure } from './twilio-failure';

describe(twilioFailure.name, () => {
  const open = new AbortController().signal;

  it.each([21211, 21610, 21614])('Twilio %s refuses the destination for good', (code) => {
    expect(twilioFailure({ status: 400, code }, open)).toEqual({
      status: 'permanent',
      reason: 'refused',
      providerCode: String(code),
    });
  });

  it.each([
    [{ status: 429, code: 20429 }, 'rate_limited', '20429'],
    [{ status: 500 }, 'provider_error', '500'],
    [{ status: 503, code: 20503 }, 'provider_error', '20503'],
    [{ status: 401, code: 20003 }, 'rejected', '20003'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'unreachable', 'ECONNREFUSED'],
  ])('%j is transient: %s', (err, reason, providerCode) => {
    expect(twilioFailure(err, open)).toEqual({ status: 'transient', reason, providerCode });
  });

  it('is a timeout once the delivery is aborted, whatever the error says', () => {
    const c = new AbortController();
    c.abort();
    expect(twilioFailure({ status: 400, code: 21211 }, c.signal)).toEqual({ status: 'transient', reason: 'timeout' });
  });
});
