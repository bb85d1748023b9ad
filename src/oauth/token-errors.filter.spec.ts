import { Logger } from '@nestjs/common';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import type { AppConfig } from '@/config/app-config';
import { TokenErrorsFilter } from './token-errors.filter';
import { OAuthError } from './token-endpoint.service';
import { fakeHttpHost as host } from '../../test/support/fake-http-host';

/** POST /oauth2/token answers every failure in RFC 6749's format, except a route that is not there. */
describe(TokenErrorsFilter.name, () => {
  const sut = new TokenErrorsFilter({ DB_RETRY_AFTER: 5_000 } as AppConfig);
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('a database that cannot answer: 503 temporarily_unavailable with Retry-After and retry_at, never cached', () => {
    const { h, res } = host();
    sut.catch(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), h);
    expect(res.statusCode).toBe(503);
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service cannot reach its database; retry shortly.',
      retry_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(Number(res.headers['Retry-After'])).toBe(5);
    expect(res.headers['Cache-Control']).toBe('no-store');
  });

  it('a bug: 500 server_error and nothing more; a bad value: 400 invalid_request', () => {
    const bug = host();
    sut.catch(new TypeError("Cannot read properties of undefined (reading 'x')"), bug.h);
    expect([bug.res.statusCode, bug.res.body]).toEqual([500, { error: 'server_error' }]);
    const bad = host();
    sut.catch(PxError.invalid('grant_type: must be a single string'), bad.h);
    expect([bad.res.statusCode, bad.res.body]).toEqual([
      400,
      { error: 'invalid_request', error_description: 'grant_type: must be a single string' },
    ]);
  });

  it("OAuth's own refusals as before; 404 (OAuth off) in the envelope every missing route gives", () => {
    const grant = host();
    sut.catch(new OAuthError('invalid_grant', 'reused'), grant.h);
    expect([grant.res.statusCode, grant.res.body]).toEqual([400, { error: 'invalid_grant' }]);
    const off = host();
    sut.catch(new PxError(ErrorId.NOT_FOUND), off.h);
    expect(off.res.statusCode).toBe(404);
    expect(off.res.body).toMatchObject({ request_id: 'req-1', error: { id: 'NOT_FOUND' } });
  });
});
