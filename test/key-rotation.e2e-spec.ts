import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createCipheriv, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import request from 'supertest';
import { KeyRing } from '@/common/crypto/key-ring';
import { loadConfig } from '@/config/load-config';
import { CLIENT, TEST_ENGINE, TestApp, TestUser, expectEnvelope, totpAt } from './support/harness';
import { cli, expectRefused, requireBuiltCli } from './support/cli';
import { exchangeCode, signInCode } from './support/oauth';
import { storedRows } from './support/stored';

const A = randomBytes(32).toString('hex');
const B = randomBytes(32).toString('base64url');
const C = randomBytes(32).toString('hex');
const keyIdOf = (key: string) => new KeyRing(loadConfig({ ENCRYPTION_KEY: key })).currentKeyId;

/** A TOTP secret sealed as versions before key ids did: bare base64url of iv | tag | ciphertext, under `key`. */
function sealedTheOldWay(key: string, secret: string, userId: string): string {
  const k = Buffer.from(
    hkdfSync('sha256', Buffer.from(key, 'hex'), Buffer.alloc(0), 'pxauth totp secret aes-256-gcm', 32),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k, iv).setAAD(Buffer.from(`totp:${userId}`));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/**
 * docs/security.md, "Keys that rotate": a bank replaces ENCRYPTION_KEY and the id_token key without breaking
 * enrolled authenticator apps, passcodes in flight or id_tokens already issued.
 */
describe(`key rotation (${TEST_ENGINE})`, () => {
  beforeAll(() => requireBuiltCli());

  describe('ENCRYPTION_KEYS and keys:reencrypt', () => {
    let t: TestApp;
    let alice: TestUser;
    let oldFormat: TestUser;
    let unknown: TestUser;
    const OLD_SECRET = 'KRSXG5CTMVRXEZLU';

    const withKeys = async (keys: Record<string, string>) => {
      delete t.env.ENCRYPTION_KEY;
      delete t.env.ENCRYPTION_KEYS;
      Object.assign(t.env, keys);
      await t.restart();
    };
    const totpLogin = async (u: TestUser, passcode: string) => {
      const a = await t.login(u.username, u.password);
      expect([a.status, a.body.challenge?.type]).toEqual([202, 'totp']);
      return t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode });
    };
    const sealedOf = async (u: TestUser) =>
      (await storedRows<{ totp_secret: string }>(t, 'SELECT totp_secret FROM users WHERE id = ?', [u.userId]))[0]
        .totp_secret;
    const totpRows = async () =>
      storedRows<{ id: string; totp_secret: string }>(
        t,
        'SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL',
      );
    const reencrypt = (keys: string) =>
      cli(t.databaseUrl, ['keys:reencrypt', '--json', '--batch-size', '2'], { env: { ENCRYPTION_KEYS: keys } });

    beforeAll(async () => {
      t = await TestApp.start({ ENCRYPTION_KEY: A });
      alice = await t.createUser('rot', { totp: true });
      oldFormat = await t.createUser('old', { totp: true });
      unknown = await t.createUser('unk', { totp: true });
      // One secret as a version before key ids sealed it, one under a key this bank no longer has.
      await storedRows(t, 'UPDATE users SET totp_secret = ? WHERE id = ?', [
        sealedTheOldWay(A, OLD_SECRET, oldFormat.userId),
        oldFormat.userId,
      ]);
      const lost = new KeyRing(loadConfig({ ENCRYPTION_KEY: C })).encrypt(unknown.secret!, `totp:${unknown.userId}`);
      await storedRows(t, 'UPDATE users SET totp_secret = ? WHERE id = ?', [lost, unknown.userId]);
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('keys:reencrypt has --help and refuses a bad --batch-size before touching the database', async () => {
      const help = await cli(t.databaseUrl, ['keys:reencrypt', '--help']);
      expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: npm run cli -- keys:reencrypt /);
      expect(help.stdout).toContain('--json');
      expectRefused(
        await cli(t.databaseUrl, ['keys:reencrypt', '--batch-size', '0']),
        2,
        /--batch-size.*must be a whole number from 1 to 10000/,
      );
    });

    it('refuses to start with both ENCRYPTION_KEY and ENCRYPTION_KEYS, naming both and neither value', async () => {
      const err = await TestApp.start({ ENCRYPTION_KEY: A, ENCRYPTION_KEYS: `${B},${A}` }).then(
        () => new Error('started'),
        (e: Error) => e,
      );
      expect(err.message).toContain('ENCRYPTION_KEY and ENCRYPTION_KEYS: both are set');
      expect(err.message).not.toContain(A);
      expect(err.message).not.toContain(B);
    });

    it('A, then B,A: TOTP and a passcode sent before still work; keys:reencrypt re-seals; then B alone; A alone is a 503', async () => {
      expect((await sealedOf(alice)).startsWith(`${keyIdOf(A)}.`)).toBe(true);
      // A passcode sent under A, entered after the rotation.
      const otp = await t.otpChallenge();
      expect((await t.sendOtp(otp.userId, otp.challengeId, otp.method.id)).status).toBe(200);
      const code = await t.outboxCode('+14155550123'); // user_otp's phone

      await withKeys({ ENCRYPTION_KEYS: `${B},${A}` });
      expect((await t.twoFactor(otp.userId, { challenge_id: otp.challengeId, passcode: code! })).status).toBe(200);
      // One step back: the step after it is left for the login under B alone (each step counts once per user).
      const before = Date.now() / 1000 - 30;
      expect((await totpLogin(alice, totpAt(alice.secret!, before))).status).toBe(200);
      expect((await totpLogin(oldFormat, totpAt(OLD_SECRET, before))).status).toBe(200);

      const total = (await totpRows()).length;
      const first = await reencrypt(`${B},${A}`);
      expect({ code: first.code, stderr: first.stderr }).toEqual({
        code: 1,
        stderr: 'error: 1 TOTP secret(s) opened by no configured key\n',
      });
      expect(JSON.parse(first.stdout)).toEqual({
        checked: total,
        reencrypted: total - 1,
        already_current: 0,
        failed: 1,
      });
      const rows = await totpRows();
      for (const r of rows.filter((r) => r.id !== unknown.userId))
        expect(r.totp_secret.startsWith(`${keyIdOf(B)}.`)).toBe(true);
      expect(await sealedOf(unknown)).toMatch(new RegExp(`^${keyIdOf(C)}\\.`));
      for (const out of [first.stdout, first.stderr]) {
        for (const s of [alice.secret!, OLD_SECRET, unknown.secret!, A, B]) expect(out).not.toContain(s);
      }
      // Run again: nothing left to do but the one no key opens.
      const again = await reencrypt(`${B},${A}`);
      expect(JSON.parse(again.stdout)).toEqual({
        checked: total,
        reencrypted: 0,
        already_current: total - 1,
        failed: 1,
      });

      await withKeys({ ENCRYPTION_KEYS: B });
      const now = Date.now() / 1000;
      expect((await totpLogin(alice, totpAt(alice.secret!, now + 30))).status).toBe(200);
      expect((await totpLogin(oldFormat, totpAt(OLD_SECRET, now + 30))).status).toBe(200);

      await withKeys({ ENCRYPTION_KEY: A });
      t.logs.length = 0;
      const r = await totpLogin(alice, totpAt(alice.secret!));
      expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      expect(r.body.error.message).toBe('the authenticator secret cannot be opened with the configured keys');
      expect(t.logs.join('')).toMatch(
        new RegExp(`TOTP secret of user ${alice.userId} sealed under key id ${keyIdOf(B)}`),
      );
      for (const s of [alice.secret!, A, B]) expect(t.logs.join('')).not.toContain(s);
      // A configuration problem, not a wrong code: it counts no failure against the customer.
      const view = await t.admin('GET', `/admin/users/${alice.userId}`);
      expect(view.body.lock).toMatchObject({ locked: false, consecutive_failures: 0, attempts_in_flight: 0 });
    });
  });

  describe('ID_TOKEN_KEYS', () => {
    const key = (kid: string) => ({
      ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
      kid,
    });
    const [k1, k2] = [key('1'), key('2')];
    let t: TestApp;
    const jwks = async () => (await request(t.px.publicServer).get('/oauth2/jwks')).body;
    const idToken = async () => {
      const r = await exchangeCode(t, await signInCode(t));
      expect(r.status).toBe(200);
      return r.body.id_token as string;
    };
    const verify = async (token: string) =>
      jwtVerify(token, createLocalJWKSet(await jwks()), { audience: CLIENT.id }).then(
        (v) => v.protectedHeader.kid,
        (e: Error) => e.constructor.name,
      );

    beforeAll(async () => {
      t = await TestApp.start({ ID_TOKEN_KEY: JSON.stringify(k1) });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('a token signed under key 1 verifies from the JWKS after rotating to 2,1; new tokens carry kid 2', async () => {
      const old = await idToken();
      expect(decodeProtectedHeader(old).kid).toBe('1');
      expect(await verify(old)).toBe('1');

      delete t.env.ID_TOKEN_KEY;
      t.env.ID_TOKEN_KEYS = JSON.stringify([k2, k1]);
      await t.restart();
      const listed = (await jwks()).keys as Record<string, string>[];
      expect(listed.map((k) => k.kid)).toEqual(['2', '1']);
      for (const k of listed) expect(k).not.toHaveProperty('d');
      expect(await verify(old)).toBe('1');
      const fresh = await idToken();
      expect(decodeProtectedHeader(fresh).kid).toBe('2');
      expect(await verify(fresh)).toBe('2');

      // Key 1 retired: the JWKS no longer vouches for what it signed.
      t.env.ID_TOKEN_KEYS = JSON.stringify([k2]);
      await t.restart();
      expect(((await jwks()).keys as { kid: string }[]).map((k) => k.kid)).toEqual(['2']);
      expect(await verify(old)).toBe('JWKSNoMatchingKey');
      expect(await verify(fresh)).toBe('2');
    });
  });
});
