import { TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { PEOPLE, SUFFIX, Slapd, connectionsTo } from './support/slapd';
import { expectUnavailable, failures, lastLoginEvent, sleep, userView } from './support/sources';

/**
 * CREDENTIAL_SOURCE=ldap (docs/credential-sources.md) against a real OpenLDAP: Debian's slapd on a free
 * loopback port with a throwaway config, entries loaded with ldapadd. The DN template and the
 * search-then-bind configurations, escaping, the locked entry, an empty password, the directory
 * going away and coming back, and the binds the directory saw.
 */
const SERVICE_DN = `cn=pxauth,${SUFFIX}`;
const ENTRIES = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Bank
dc: bank

dn: ${PEOPLE}
objectClass: organizationalUnit
ou: people

dn: ${SERVICE_DN}
objectClass: simpleSecurityObject
objectClass: organizationalRole
cn: pxauth
userPassword: service-pw

dn: uid=alice,${PEOPLE}
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Archer
userPassword: alice-pw

dn: uid=otto,${PEOPLE}
objectClass: inetOrgPerson
uid: otto
cn: Otto
sn: Ortiz
mobile: +1 415 555 0188
mail: otto@bank.example
userPassword: otto-pw

dn: uid=lena,${PEOPLE}
objectClass: inetOrgPerson
uid: lena
cn: Lena
sn: Lock
userPassword: lena-pw
pwdAccountLockedTime: 000001010000Z
`;

const COMMON = {
  CREDENTIAL_SOURCE: 'ldap',
  LDAP_PHONE_ATTRIBUTE: 'mobile',
  LDAP_EMAIL_ATTRIBUTE: 'mail',
  LDAP_LOCKED_FILTER: '(pwdAccountLockedTime=*)',
  UPSTREAM_TIMEOUT: '1s',
  UPSTREAM_POOL_SIZE: '2',
  UPSTREAM_BREAKER_FAILURES: '100',
};
const TEMPLATE = { LDAP_USER_DN_TEMPLATE: `uid={username},${PEOPLE}` };
const SEARCH = {
  LDAP_BIND_DN: SERVICE_DN,
  LDAP_BIND_PASSWORD: 'service-pw',
  LDAP_SEARCH_BASE: PEOPLE,
  LDAP_SEARCH_FILTER: '(&(objectClass=inetOrgPerson)(uid={username}))',
};

describe(`credential source ldap (${TEST_ENGINE})`, () => {
  const slapd = new Slapd();
  beforeAll(async () => {
    await slapd.start();
    slapd.add(ENTRIES);
  });
  afterAll(async () => {
    await slapd.destroy();
  });

  it('closes its directory connections when it stops', async () => {
    const t = await TestApp.start({ ...COMMON, ...TEMPLATE, LDAP_URL: slapd.url });
    // Two logins waiting on the directory at once, each on a connection of its own: with slapd stopped the
    // kernel still accepts both connections, and neither bind is answered until it runs again. Left to
    // run, the first login could end before the second asks, and the second would reuse its connection.
    await slapd.pause();
    const logins = Promise.all([t.login('alice', 'alice-pw'), t.login('alice', 'alice-pw')]);
    for (const deadline = Date.now() + 800; connectionsTo(slapd.port) < 2 && Date.now() < deadline;) await sleep(10);
    slapd.resume();
    expect((await logins).map((r) => r.status)).toEqual([200, 200]);
    expect(connectionsTo(slapd.port)).toBe(2);
    await t.stop();
    await sleep(200);
    expect(connectionsTo(slapd.port)).toBe(0);
  });

  it('the breaker covers the directory too: after 2 failures no connection is tried until the cooldown', async () => {
    const t = await TestApp.start({
      ...COMMON,
      ...TEMPLATE,
      LDAP_URL: slapd.url,
      UPSTREAM_BREAKER_FAILURES: '2',
      UPSTREAM_BREAKER_COOLDOWN: '1s',
    });
    try {
      const aliceId = (await t.login('alice', 'alice-pw')).body.user_id as string;
      await slapd.stop();
      try {
        const reasons: string[] = [];
        for (let i = 0; i < 3; i++) {
          expectUnavailable(await t.login('alice', 'alice-pw'));
          reasons.push((await lastLoginEvent(t, aliceId)).detail.reason);
        }
        expect(reasons).toEqual(['unreachable', 'unreachable', 'breaker_open']);
      } finally {
        await slapd.start();
      }
      expectUnavailable(await t.login('alice', 'alice-pw')); // still cooling down
      await sleep(1100);
      expect((await t.login('alice', 'alice-pw')).status).toBe(200); // the probe, then normal
      expect((await t.login('alice', 'alice-pw')).status).toBe(200);
      expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
    } finally {
      await t.stop();
    }
  });

  describe.each([
    ['a DN template', TEMPLATE],
    ['a search as a service account, then a bind', SEARCH],
  ])('with %s', (_name, settings) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ ...COMMON, ...settings, LDAP_URL: slapd.url });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('a good bind: 200, a shadow user keyed by entryUUID that says it comes from ldap; 202 with the phone', async () => {
      const r = await t.login('alice', 'alice-pw');
      expect(r.status).toBe(200);
      const v = await userView(t, r.body.user_id);
      expect(v.source.kind).toBe('ldap');
      expect(v.source.reference).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect((await t.login('ALICE', 'alice-pw')).body.user_id).toBe(r.body.user_id);

      const otp = await t.login('otto', 'otto-pw');
      expect(otp.status).toBe(202);
      const sms = otp.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect(sms.mask).toBe('(***) ***-0188');
      expect((await t.sendOtp(otp.body.user_id, otp.body.challenge.id, sms.id)).status).toBe(200);
      const code = await t.outboxCode('+14155550188');
      expect(
        (await t.twoFactor(otp.body.user_id, { challenge_id: otp.body.challenge.id, passcode: code! })).status,
      ).toBe(200);
    });

    it('a wrong password and an unknown user: the same 401, counted, and the same operations at the directory', async () => {
      const aliceId = await t.userIdOf('alice');
      let mark = slapd.mark();
      const wrong = await t.login('alice', 'not-it');
      const wrongOps = slapd.operationsSince(mark).map(kind);
      mark = slapd.mark();
      const unknown = await t.login('nobody-here', 'not-it');
      const unknownOps = slapd.operationsSince(mark).map(kind);
      expectEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
      expectEnvelope(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrongOps.length).toBeGreaterThan(0);
      expect(unknownOps).toEqual(wrongOps); // timing parity: an unknown user costs the directory the same
      expect(await failures(t, aliceId)).toEqual({ failures: 1, locked: false });
      expect((await t.login('alice', 'alice-pw')).status).toBe(200);
      expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
    });

    it('a locked entry: 403, not counted', async () => {
      const mark = slapd.mark();
      const r = await t.login('lena', 'lena-pw');
      expectEnvelope(r, 403, 'ACCOUNT_LOCKED');
      const binds = slapd.operationsSince(mark).filter((op) => op.startsWith('BIND dn="uid=lena,'));
      expect(binds).toHaveLength(settings === SEARCH ? 0 : 1); // a search finds the lock before any bind as lena
      for (let i = 0; i < 5; i++) expectEnvelope(await t.login('lena', 'lena-pw'), 403, 'ACCOUNT_LOCKED');
      // Six 403s from the directory and none counted: once the bank unlocks her, she is in (not pxauth-locked).
      slapd.modify(`dn: uid=lena,${PEOPLE}\nchangetype: modify\ndelete: pwdAccountLockedTime\n`);
      try {
        expect((await t.login('lena', 'lena-pw')).status).toBe(200);
        expect(await failures(t, await t.userIdOf('lena'))).toEqual({ failures: 0, locked: false });
      } finally {
        slapd.modify(
          `dn: uid=lena,${PEOPLE}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
        );
      }
    });

    it('a username of *)(uid=* is a username: 401, and what reached the directory was escaped', async () => {
      const mark = slapd.mark();
      expectEnvelope(await t.login('*)(uid=*', 'alice-pw'), 401, 'INVALID_CREDENTIALS');
      expectEnvelope(await t.login('alice,ou=people', 'alice-pw'), 401, 'INVALID_CREDENTIALS');
      const ops = slapd.operationsSince(mark).join('\n');
      if (settings === SEARCH) expect(ops).toContain('(uid=\\2A\\29\\28uid=\\2A)');
      // RFC 4514 in the DN: the = and , of the username are escaped, so it stays one value (slapd logs \3D, \2C).
      else
        expect(ops).toMatch(
          /BIND dn="uid=\*\)\(uid\\3D\*,ou=people,dc=bank,dc=example"\nBIND dn="uid=alice\\2Cou\\3Dpeople,ou=people/,
        );
      expect(ops).not.toMatch(/BIND dn="uid=alice,ou=people/);
    });

    it('an empty password never reaches the directory: 400, no bind, nothing counted', async () => {
      const aliceId = await t.userIdOf('alice');
      const mark = slapd.mark();
      expectEnvelope(await t.login('alice', ''), 400, 'INVALID_REQUEST');
      expect(slapd.operationsSince(mark)).toEqual([]);
      expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
    });

    it('reuses its connections: twenty logins, at most UPSTREAM_POOL_SIZE connections open', async () => {
      await Promise.all(Array.from({ length: 6 }, () => t.login('alice', 'alice-pw')));
      for (let i = 0; i < 14; i++) await t.login('alice', 'alice-pw');
      const open = connectionsTo(slapd.port);
      expect(open).toBeGreaterThanOrEqual(1);
      expect(open).toBeLessThanOrEqual(2);
    });

    it('no password of a customer or of the service account in any log line or in the database', () => {
      const logs = t.logs.join('');
      const stored = t.databaseBytes();
      for (const secret of ['alice-pw', 'otto-pw', 'lena-pw', 'service-pw']) {
        expect({ secret, inLogs: logs.includes(secret), stored: stored.includes(secret) }).toEqual({
          secret,
          inLogs: false,
          stored: false,
        });
      }
    });

    it('the directory hanging: 503 (timeout) within UPSTREAM_TIMEOUT, nothing counted; answering again: 200', async () => {
      const aliceId = await t.userIdOf('alice');
      await slapd.pause();
      try {
        const started = Date.now();
        expectUnavailable(await t.login('alice', 'alice-pw'));
        expect(Date.now() - started).toBeLessThan(1000 + 1500);
        expect(await lastLoginEvent(t, aliceId)).toMatchObject({ detail: { source: 'ldap', reason: 'timeout' } });
        expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
      } finally {
        slapd.resume();
      }
      expect((await t.login('alice', 'alice-pw')).status).toBe(200);
    });

    it('the directory going down: 503 with retry_at, nothing counted, audited; back up: 200 again', async () => {
      const aliceId = await t.userIdOf('alice');
      await slapd.stop();
      try {
        for (let i = 0; i < 6; i++) expectUnavailable(await t.login('alice', 'alice-pw'));
        expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
        expect(await lastLoginEvent(t, aliceId)).toMatchObject({
          outcome: 'source_unavailable',
          detail: { source: 'ldap', reason: 'unreachable' },
        });
      } finally {
        await slapd.start();
      }
      expect((await t.login('alice', 'alice-pw')).status).toBe(200);
      expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
    });
  });
  describe('one entry found by two attributes (uid or mail): locks follow the person', () => {
    const THRESHOLD = 3;
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({
        ...COMMON,
        ...SEARCH,
        LDAP_SEARCH_FILTER: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))',
        LDAP_URL: slapd.url,
        LOCKOUT_THRESHOLD: String(THRESHOLD),
      });
    });
    afterAll(async () => {
      await t?.stop();
    });
    const open = async (who: string) => {
      const r = await t.login(who, 'otto-pw');
      expect(r.status).toBe(202);
      const sms = r.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await t.sendOtp(r.body.user_id, r.body.challenge.id, sms.id)).status).toBe(200);
      return { userId: r.body.user_id as string, challengeId: r.body.challenge.id as string };
    };

    it('wrong passcodes through the mail lock the uid too; a staff lock and an unlock hold through both', async () => {
      const byUid = await open('otto');
      const byMail = await open('otto@bank.example');
      expect(byMail.userId).toBe(byUid.userId);
      const code = (await t.outboxCode('+14155550188'))!;
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');
      for (let i = 0; i < THRESHOLD; i++) {
        const r = await t.twoFactor(byMail.userId, { challenge_id: byMail.challengeId, passcode: wrong });
        expectEnvelope(r, 401, 'INVALID_MFA');
      }
      expectEnvelope(await t.login('otto', 'otto-pw'), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.login('otto@bank.example', 'otto-pw'), 403, 'ACCOUNT_LOCKED');
      expect((await userView(t, byUid.userId)).lock).toMatchObject({ locked: true });

      await t.admin('POST', `/admin/users/${byUid.userId}/unlock`);
      await open('otto@bank.example');
      await open('otto');
      await t.admin('POST', `/admin/users/${byUid.userId}/lock`, { reason: 'customer reported fraud' });
      expectEnvelope(await t.login('otto@bank.example', 'otto-pw'), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.login('otto', 'otto-pw'), 403, 'ACCOUNT_LOCKED');
      await t.admin('POST', `/admin/users/${byUid.userId}/unlock`);
      expect((await open('otto@bank.example')).userId).toBe(byUid.userId);
    });
  });
});

/** An operation without its values: `BIND`, or `SRCH` and its scope, to compare the shape of two logins. */
function kind(op: string): string {
  return op.startsWith('SRCH') ? `SRCH ${/scope=\d+/.exec(op)![0]}` : op.replace(/ .*/, '');
}
