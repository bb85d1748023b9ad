import { PxError } from '@/common/errors/px.error';
import { checkRedirectUri, matchesRegistered } from './redirect-uris';

describe('redirect URIs', () => {
  it('match exactly (RFC 6749 3.1.2.3), loopback on any port (RFC 8252 7.3)', () => {
    const registered = ['https://cdn.plaid.com/link/v2/stable/oauth.html', 'http://127.0.0.1/callback'];
    expect(matchesRegistered('https://cdn.plaid.com/link/v2/stable/oauth.html', registered)).toBe(true);
    expect(matchesRegistered('https://cdn.plaid.com/link/v2/stable/oauth.html?x=1', registered)).toBe(false);
    expect(matchesRegistered('https://CDN.plaid.com/link/v2/stable/oauth.html', registered)).toBe(false);
    expect(matchesRegistered('http://127.0.0.1:49152/callback', registered)).toBe(true);
    expect(matchesRegistered('http://127.0.0.1:49152/other', registered)).toBe(false);
    expect(matchesRegistered('http://localhost:49152/callback', registered)).toBe(false);
    expect(matchesRegistered('https://127.0.0.1:49152/callback', registered)).toBe(false);
    expect(matchesRegistered('not a url', registered)).toBe(false);
  });

  it('registrable: https, or http on loopback; no fragment or credentials', () => {
    expect(checkRedirectUri('https://bank.example/cb')).toBe('https://bank.example/cb');
    expect(checkRedirectUri('http://[::1]/cb')).toBe('http://[::1]/cb');
    for (const bad of ['http://bank.example/cb', 'https://bank.example/cb#x', 'https://u:p@bank.example/', 'cb'])
      expect(() => checkRedirectUri(bad)).toThrow(PxError);
  });
});
