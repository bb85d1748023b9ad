import { redactSecrets } from '@/config/redact';
import { isDatabaseUnavailable, redactError } from './errors';

describe(redactError.name, () => {
  const url = 'postgres://app:pw-s3cret@db.example/px';
  const redact = (text: string) => redactSecrets(text, { DATABASE_URL: url });

  it('masks the password in the message, the stack and the fields of the error and its driver error', () => {
    const driverError = Object.assign(new Error('password pw-s3cret refused'), {
      code: '08006',
      connectionString: url,
    });
    const err = Object.assign(new Error(`could not connect to ${url}`), { code: 'ECONNREFUSED', driverError });
    const sut = redactError(err, redact);

    expect(sut).toBe(err);
    expect([sut.message, driverError.message, driverError.connectionString]).toEqual([
      'could not connect to postgres://app:***@db.example/px',
      'password *** refused',
      'postgres://app:***@db.example/px',
    ]);
    expect(sut.stack).not.toContain('pw-s3cret');
    expect(sut.stack).toContain('could not connect to postgres://app:***@db.example/px');
    // Still an outage, by its codes: a 503 and not a 500.
    expect([sut.code, driverError.code, isDatabaseUnavailable(sut)]).toEqual(['ECONNREFUSED', '08006', true]);
  });

  it('survives an error that refers to itself, and what is not an error', () => {
    const err: Error & { cause?: unknown } = new Error(url);
    err.cause = err;
    expect(redactError(err, redact).message).toBe('postgres://app:***@db.example/px');
    expect(redactError('text', redact)).toBe('text');
    expect(redactError(undefined, redact)).toBeUndefined();
  });
});
