import { TEST_ENGINE, TestApp } from './support/harness';
import { PEOPLE, SUFFIX, Slapd } from './support/slapd';
import { expectUnavailable } from './support/sources';

/**
 * LDAP_STARTTLS and ldaps:// (docs/credential-sources.md): the connection is upgraded before any bind, so no password
 * crosses the network in clear; a certificate pxauth cannot verify is a 503 (reason tls), not a 401.
 */
describe(`credential source ldap with StartTLS (${TEST_ENGINE})`, () => {
  const slapd = new Slapd(true);
  const settings = () => ({
    CREDENTIAL_SOURCE: 'ldap',
    LDAP_URL: slapd.url,
    LDAP_STARTTLS: 'true',
    LDAP_USER_DN_TEMPLATE: `uid={username},${PEOPLE}`,
  });
  beforeAll(async () => {
    await slapd.start();
    slapd.add(`dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Bank\ndc: bank\n
dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n
dn: uid=tina,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: tina\ncn: Tina\nsn: T\nuserPassword: tina-pw\n`);
  });
  afterAll(async () => {
    await slapd.destroy();
  });

  it('upgrades with StartTLS before the bind, trusting LDAP_CA_FILE: 200', async () => {
    const t = await TestApp.start({ ...settings(), LDAP_CA_FILE: slapd.caFile! });
    try {
      const mark = slapd.mark();
      const r = await t.login('tina', 'tina-pw');
      expect(r.status).toBe(200);
      const ops = slapd.operationsSince(mark);
      expect(ops[0]).toBe('STARTTLS');
      expect(ops).toContain(`BIND dn="uid=tina,${PEOPLE}"`);
      expect(slapd.log().slice(mark)).toMatch(/TLS established/);
      expect(slapd.log().slice(mark)).toMatch(/BIND dn="uid=tina,[^"]*" mech=SIMPLE bind_ssf=0 ssf=\d{3}/);
    } finally {
      await t.stop();
    }
  });

  it('ldaps://: TLS from the first byte, trusting LDAP_CA_FILE: 200', async () => {
    const t = await TestApp.start({
      ...settings(),
      LDAP_STARTTLS: 'false',
      LDAP_URL: slapd.ldapsUrl,
      LDAP_CA_FILE: slapd.caFile!,
    });
    try {
      const mark = slapd.mark();
      expect((await t.login('tina', 'tina-pw')).status).toBe(200);
      expect(slapd.operationsSince(mark)).not.toContain('STARTTLS');
      expect(slapd.log().slice(mark)).toMatch(/BIND dn="uid=tina,[^"]*" mech=SIMPLE bind_ssf=0 ssf=\d{3}/);
    } finally {
      await t.stop();
    }
  });

  it('a directory certificate it cannot verify: 503 (tls), nothing counted, and no bind was sent', async () => {
    const t = await TestApp.start(settings());
    try {
      const mark = slapd.mark();
      const first = await t.login('tina', 'tina-pw');
      expectUnavailable(first);
      expect(slapd.operationsSince(mark).filter((op) => op.startsWith('BIND'))).toEqual([]);
      expect((await t.login('tina', 'tina-pw')).status).toBe(503);
      const tina = (await t.admin('GET', '/admin/users?username=tina')).body.users as { user_id: string }[];
      expect(tina).toEqual([]); // never vouched for: no shadow user
      expect(t.logs.join('')).toMatch(/"reason":"tls".*credential source unavailable/);
    } finally {
      await t.stop();
    }
  });
});
