// A real OpenID Connect provider for the console's e2e suites: oidc-provider 9 (ESM only, hence this
// child process). Reads its accounts, its one client, a port and where the claims go as JSON from argv[2]; listens on 127.0.0.1,
// that port (0: any); prints `{"issuer": ...}` on stdout once it answers. The issuer names `localhost`, another
// site than pxauth's 127.0.0.1, so that a browser treats the trip to it and back as cross-site.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { accounts, client, port = 0, claimsInUserinfoOnly = false } = JSON.parse(process.argv[2]);
const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const server = createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://localhost:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{ ...client, response_types: ['code'], grant_types: ['authorization_code'] }],
  jwks: { keys: [{ ...key, kid: 'test-key', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['pxauth-test-provider-cookie-key'] },
  claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
  // Scope claims in the ID token, as most banks' providers are set up to send the groups claim there; with
  // claimsInUserinfoOnly, the profile's claims (name, groups) only from the userinfo endpoint, as some send them.
  conformIdTokenClaims: claimsInUserinfoOnly,
  findAccount: (_ctx, id) =>
    accounts[id] ? { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) } : undefined,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: (ctx, form) => {
        ctx.body = page(
          'Sign out',
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out of the provider</button>`,
        );
      },
    },
  },
});

/** The provider's own sign-in: a form asking for the account's id (no password: this is a test). */
async function interaction(req, res) {
  const uid = /^\/interaction\/([^/]+)/.exec(req.url)[1];
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login' && req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html');
    return res.end(
      page(
        'Provider sign-in',
        `<form method="post" action="/interaction/${escape(uid)}"><label for="login">Account</label>` +
          `<input id="login" name="login" autofocus><button type="submit">Sign in at the provider</button></form>`,
      ),
    );
  }
  if (details.prompt.name === 'login') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const accountId = new URLSearchParams(body).get('login');
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  // Consent: granted at once, everything asked for.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/'))
    interaction(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  else callback(req, res);
});
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
