import { likePrefix } from '@/users/username';
import { interpretSearch } from './search-input';

describe('interpretSearch', () => {
  it.each([
    ['0b7c1f3e-2d4a-4b8e-9f10-1a2b3c4d5e6f', 'request_id', '0b7c1f3e-2d4a-4b8e-9f10-1a2b3c4d5e6f'],
    ['  Ana.Lima@Example.COM ', 'email', 'ana.lima@example.com'],
    ['+14155550123', 'phone', '+14155550123'],
    ['(415) 555-0123', 'phone', '+14155550123'],
    ['415.555.0123', 'phone', '+14155550123'],
    ['+44 20 7946 0958', 'phone', '+442079460958'],
    ['alice', 'username', 'alice'],
    ['user_%', 'username', 'user_%'],
    ['12345', 'username', '12345'],
  ])('%s is read as %s', (q, kind, value) => {
    expect(interpretSearch(q, 'US')).toEqual({ kind, value });
  });

  it('reads a number without its +code in the configured region', () => {
    expect(interpretSearch('020 7946 0958', 'GB')).toEqual({ kind: 'phone', value: '+442079460958' });
    expect(interpretSearch('020 7946 0958', 'US').kind).toBe('username');
  });
});

describe('likePrefix', () => {
  it('escapes the wildcards and the escape character, then matches what follows', () => {
    expect(likePrefix('user_%')).toBe('user\\_\\%%');
    expect(likePrefix('a\\b')).toBe('a\\\\b%');
    expect(likePrefix('plain')).toBe('plain%');
  });
});
