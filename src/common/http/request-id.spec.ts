import { newRequestId, requestIdOf } from './request-id';
import type { IncomingMessage } from 'node:http';

describe('request ids', () => {
  const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('are UUIDs of version 7 whose first 48 bits are the time in milliseconds (RFC 9562)', () => {
    const at = Date.UTC(2026, 11, 4, 17, 45, 0, 123);
    const id = newRequestId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sort by time, and are unique within one millisecond', () => {
    const ids = [newRequestId(1_000), newRequestId(1_001), newRequestId(2_000_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
    const same = Array.from({ length: 10_000 }, () => newRequestId(5));
    expect(new Set(same).size).toBe(same.length);
    for (const id of same.slice(0, 100)) expect(id).toMatch(V7);
  });

  it('a well-formed incoming X-Request-Id is kept as sent; anything else gets a new one', () => {
    const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;
    expect(requestIdOf(req('plaid-req.123_A'))).toBe('plaid-req.123_A');
    expect(requestIdOf(req('has space'))).toMatch(V7);
    expect(requestIdOf(req())).toMatch(V7);
  });
});
