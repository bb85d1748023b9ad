import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BankServer } from './support/bank-server';
import { makePki } from './support/certs';
import { TEST_ENGINE, TestApp } from './support/harness';
import { expectUnavailable } from './support/sources';

/**
 * CREDENTIAL_SOURCE=http over HTTPS with a client certificate (docs/credential-sources.md: "or mutual
 * TLS"): a bank that checks pxauth's certificate instead of a signature; without the certificate the
 * handshake fails and Plaid gets a 503, never a 401.
 */
describe(`credential source http with a client certificate (${TEST_ENGINE})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-mtls-'));
  const pki = makePki(dir);
  const bank = new BankServer(null, {
    cert: readFileSync(pki.serverCert),
    key: readFileSync(pki.serverKey),
    ca: readFileSync(pki.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  beforeAll(async () => {
    await bank.start();
    bank.users.set('mia', { password: 'mia-pw', reference: 'cust-4001' });
  });
  afterAll(async () => {
    await bank.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const settings = () => ({
    CREDENTIAL_SOURCE: 'http',
    UPSTREAM_VERIFY_URL: bank.url,
    UPSTREAM_CA_FILE: pki.ca,
    UPSTREAM_CLIENT_CERT: pki.clientCert,
    UPSTREAM_CLIENT_KEY: pki.clientKey,
  });

  it('presents the certificate: 200, and the bank saw who called', async () => {
    const t = await TestApp.start(settings());
    try {
      const r = await t.login('mia', 'mia-pw');
      expect(r.status).toBe(200);
      expect(bank.clientCerts).toContain('pxauth');
      expect((await t.login('mia', 'mia-pw')).body.user_id).toBe(r.body.user_id);
    } finally {
      await t.stop();
    }
  });

  it('without it, or not trusting the bank: 503, and no shadow user', async () => {
    const { UPSTREAM_CLIENT_CERT: _c, UPSTREAM_CLIENT_KEY: _k, ...noCert } = settings();
    const t = await TestApp.start({ ...noCert, UPSTREAM_HMAC_KEY: 'k'.repeat(32) });
    try {
      const r = await t.login('mia', 'mia-pw');
      expectUnavailable(r);
      expect((await t.admin('GET', '/admin/users?username=mia')).body.users).toEqual([]); // never vouched for
      // TLS 1.3 refuses a missing client certificate after the client's side of the handshake: a reset.
      expect(t.logs.join('')).toMatch(/"reason":"(tls|unreachable)"/);
    } finally {
      await t.stop();
    }
    const { UPSTREAM_CA_FILE: _ca, ...noCa } = settings();
    const u = await TestApp.start(noCa);
    try {
      expectUnavailable(await u.login('mia', 'mia-pw'));
      expect(u.logs.join('')).toMatch(/"reason":"tls"/);
    } finally {
      await u.stop();
    }
  });
});
