import { smtpFailure } from './smtp-failure';

describe(smtpFailure.name, () => {
  const open = new AbortController().signal;

  it('a 5xx to RCPT TO refuses the recipient for good', () => {
    expect(smtpFailure({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 }, open)).toEqual({
      status: 'permanent',
      reason: 'refused',
      providerCode: '550',
    });
  });

  it.each([
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 450 }, 'deferred', '450'],
    [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 }, 'rejected', '535'],
    [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553 }, 'rejected', '553'],
    [{ code: 'ESOCKET' }, 'unreachable', 'ESOCKET'],
    [{ code: 'ETIMEDOUT' }, 'timeout', 'ETIMEDOUT'],
  ])('%j is transient: %s', (err, reason, providerCode) => {
    expect(smtpFailure(err, open)).toEqual({ status: 'transient', reason, providerCode });
  });

  it('is a timeout once the delivery is aborted', () => {
    const c = new AbortController();
    c.abort();
    expect(smtpFailure({ code: 'ESOCKET' }, c.signal)).toEqual({ status: 'transient', reason: 'timeout' });
  });
});
