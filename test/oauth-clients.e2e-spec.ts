import { cli, json, requireBuiltCli } from './support/cli';
import { TestApp, expectEnvelope } from './support/harness';
import { Browser, redirected, tokenRequest } from './support/oauth';

// docs/oauth.md: redirect URIs registered per Plaid client, by the admin API and the CLI.
describe('OAuth clients and their redirect URIs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('POST /admin/clients takes redirect_uris; the flow redirects to those and no others', async () => {
    const uri = 'https://link.bank-partner.example/oauth/return';
    const c = await t.admin('POST', '/admin/clients', { name: 'Plaid EU', redirect_uris: [uri] });
    expect(c.status).toBe(201);
    expect(c.body.redirect_uris).toEqual([uri]);
    const client = { id: c.body.client_id, secret: c.body.client_secret };

    const b = new Browser(t);
    await b.authorize({ client_id: client.id, redirect_uri: uri });
    const back = redirected(await b.signIn('user_good', 'pass_good'));
    expect(back.origin + back.pathname).toBe(uri);
    const code = back.searchParams.get('code')!;
    // A code is bound to its client: the sandbox client cannot redeem it.
    const other = await tokenRequest(t, { grant_type: 'authorization_code', code, redirect_uri: uri });
    expect([other.status, other.body]).toEqual([400, { error: 'invalid_grant' }]);
    const tokens = await tokenRequest(t, { grant_type: 'authorization_code', code, redirect_uri: uri }, { client });
    expect(tokens.status).toBe(200);
    // Plaid's URI is not registered for this client: an error page.
    const r = await new Browser(t).authorize({ client_id: client.id });
    expect([r.status, r.headers.location]).toEqual([400, undefined]);
  });

  it('refuses redirect URIs that are not https (or http on loopback), or carry a fragment', async () => {
    for (const redirect_uris of [['http://bank.example/cb'], ['https://bank.example/cb#frag'], [], ['x']]) {
      expectEnvelope(await t.admin('POST', '/admin/clients', { name: 'bad', redirect_uris }), 400, 'INVALID_REQUEST');
    }
  });

  it("clients:create --redirect-uri, run as an operator runs it (Plaid's URI without it)", async () => {
    requireBuiltCli();
    const made = json(
      await cli(t.databaseUrl, [
        'clients:create',
        '--name',
        'from the CLI',
        '--redirect-uri',
        'https://a.example/cb',
        '--redirect-uri',
        'http://127.0.0.1/cb',
        '--json',
      ]),
    );
    expect(made.redirect_uris).toEqual(['https://a.example/cb', 'http://127.0.0.1/cb']);
    const plain = json(await cli(t.databaseUrl, ['clients:create', '--name', 'default', '--json']));
    expect(plain.redirect_uris).toEqual(['https://cdn.plaid.com/link/v2/stable/oauth.html']);
    const bad = await cli(t.databaseUrl, ['clients:create', '--name', 'x', '--redirect-uri', 'ftp://x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--redirect-uri/);
  });
});
