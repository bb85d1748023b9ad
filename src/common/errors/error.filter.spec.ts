import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { ErrorEnvelopeFilter } from './error.filter';
import { ErrorId } from './error-id';
import { PxError } from './px.error';
import { fakeHttpHost as host } from '../../../test/support/fake-http-host';

describe(ErrorEnvelopeFilter.name, () => {
  const sut = new ErrorEnvelopeFilter();

  it('answers a bug 500 INTERNAL_ERROR with the envelope alone, and logs the stack', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { h, res } = host();
    sut.catch(new TypeError("Cannot read properties of undefined (reading 'x')"), h);
    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({
      request_id: 'req-1',
      error: { id: 'INTERNAL_ERROR', message: 'An internal error occurred.' },
    });
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(TypeError) }), 'unhandled error');
    log.mockRestore();
  });

  it('maps domain errors to their status, with retry_at and Retry-After for 503', () => {
    const { h, res } = host();
    const retryAt = new Date(Date.now() + 60_000);
    sut.catch(PxError.unavailable(retryAt), h);
    expect(res.statusCode).toBe(503);
    expect(res.body).toEqual({
      request_id: 'req-1',
      error: { id: 'SERVICE_UNAVAILABLE', message: expect.any(String), retry_at: retryAt.toISOString() },
    });
    expect(Number(res.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('translates framework exceptions without their text', () => {
    const a = host();
    sut.catch(new NotFoundException('Cannot GET /secret/path'), a.h);
    expect(a.res.body).toEqual({ request_id: 'req-1', error: { id: ErrorId.NOT_FOUND, message: 'Not found.' } });
    const b = host();
    sut.catch(new BadRequestException('Unexpected token in JSON at position 3'), b.h);
    expect(b.res.statusCode).toBe(400);
    expect(JSON.stringify(b.res.body)).not.toMatch(/Unexpected token/);
  });
});

describe(`${ErrorEnvelopeFilter.name}: the database cannot answer`, () => {
  const sut = new ErrorEnvelopeFilter();
  const cases: [string, unknown][] = [
    [
      'pg: connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['pg: pool timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    [
      'pg: admin shutdown (57P01) via QueryFailedError',
      { message: 'terminating connection', driverError: { code: '57P01' } },
    ],
    [
      'pg: statement timeout (57014)',
      { message: 'canceling statement due to statement timeout', driverError: { code: '57014' } },
    ],
    ['sqlite: busy', { message: 'database is locked', code: 'SQLITE_BUSY' }],
  ];

  it.each(cases)('%s is 503 SERVICE_UNAVAILABLE with retry_at, not 500', (_name, err) => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { h, res } = host();
    sut.catch(err, h);
    expect(res.statusCode).toBe(503);
    expect(res.body).toEqual({
      request_id: 'req-1',
      error: { id: 'SERVICE_UNAVAILABLE', message: expect.any(String), retry_at: expect.stringMatching(/Z$/) },
    });
  });

  it('a unique violation is not an outage', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { h, res } = host();
    sut.catch({ message: 'duplicate key', driverError: { code: '23505' } }, h);
    expect(res.statusCode).toBe(500);
  });
});

describe(`${ErrorEnvelopeFilter.name}: the database refuses a value of the request`, () => {
  const sut = new ErrorEnvelopeFilter();
  const cases: [string, unknown][] = [
    [
      'pg: 22001 string too long, via QueryFailedError',
      {
        message: 'value too long for type character varying(256)',
        query: 'INSERT INTO "users"("id", "username") VALUES ($1, $2)',
        driverError: { code: '22001' },
      },
    ],
    [
      'pg: 22021 a NUL byte',
      { message: 'invalid byte sequence for encoding "UTF8": 0x00', driverError: { code: '22021' } },
    ],
    [
      'pg: 22P02 invalid text representation',
      { message: 'invalid input syntax for type bigint: "x"', driverError: { code: '22P02' } },
    ],
    ['sqlite: SQLITE_TOOBIG', { message: 'string or blob too big', code: 'SQLITE_TOOBIG' }],
    ['sqlite: SQLITE_MISMATCH', { message: 'datatype mismatch', code: 'SQLITE_MISMATCH' }],
  ];

  it.each(cases)('%s is 400 INVALID_REQUEST with a generic message, no SQL', (_name, err) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { h, res } = host();
    sut.catch(err, h);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({
      request_id: 'req-1',
      error: { id: 'INVALID_REQUEST', message: 'A value in the request cannot be stored.' },
    });
    expect(warn).toHaveBeenCalledWith(expect.anything(), 'database refused a value of the request');
    warn.mockRestore();
  });

  it.each([
    ['pg: 23505 unique violation', '23505'],
    ['pg: 42P01 undefined table (a bug of ours)', '42P01'],
    ['pg: 2200 (not a SQLSTATE)', '2200'],
  ])('%s stays a 500', (_name, code) => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { h, res } = host();
    sut.catch({ message: 'x', driverError: { code } }, h);
    expect(res.statusCode).toBe(500);
    log.mockRestore();
  });
});
