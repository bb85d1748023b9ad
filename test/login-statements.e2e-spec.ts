import { DataSource } from 'typeorm';
import { TestApp, TOTP_SECRET, totpAt } from './support/harness';

/**
 * Fewer round trips per login. The statements a login sends to the database, counted
 * from TypeORM's own query log (a spy that watches, never replaces): a 200 login is seven (maintenance,
 * the attempt, the user, the KBA count, the token, the completion that gives the
 * attempt back, resets the count and checks the auth epoch in one UPDATE, and one audit INSERT holding both
 * the token's event and the login's); the partner's secret, matched by the call before, is not read again
 * (docs/api.md, "Partner authentication"). A right TOTP answer writes its two events in one INSERT too.
 */
describe('statements per login', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.stop());

  /** Every statement sent while `fn` runs, as its first words and table. */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const logger = t.px.app.get(DataSource).logger;
    const spy = jest.spyOn(logger, 'logQuery');
    try {
      await fn();
      return spy.mock.calls.map(([sql]) => sql.replace(/\s+/g, ' ').trim());
    } finally {
      spy.mockRestore();
    }
  }

  const eventsOf = async (userId: string) => (await t.events(userId)).map((e) => `${e.type}:${e.outcome}`);

  it('a 200 login: seven statements, one audit INSERT with both its rows, the count back at zero', async () => {
    await t.login('user_good', 'wrong');
    let userId = '';
    const sql = await statementsOf(async () => {
      const r = await t.login('user_good');
      expect(r.status).toBe(200);
      userId = r.body.user_id;
    });
    expect(sql).toHaveLength(7);
    expect(sql.filter((s) => s.includes('partner_secret'))).toEqual([]);
    const audit = sql.filter((s) => s.startsWith('INSERT INTO audit_event'));
    expect(audit).toHaveLength(1);
    expect(audit[0].match(/\(\?|\(\$/g)).toHaveLength(2);
    expect(sql.filter((s) => /FROM users WHERE id = \S+ AND auth_epoch/.test(s) && s.startsWith('SELECT'))).toEqual([]);
    expect((await eventsOf(userId)).slice(0, 2)).toEqual(['login:success', 'token_issue:issued']);
    const shown = await t.admin('GET', `/admin/users/${userId}`);
    expect(shown.body.lock).toMatchObject({ locked: false, consecutive_failures: 0, attempts_in_flight: 0 });
  });

  it('a wrong password: its failure counted, one audit row', async () => {
    const sql = await statementsOf(async () => expect((await t.login('user_good', 'nope')).status).toBe(401));
    expect(sql.filter((s) => s.startsWith('INSERT INTO audit_event'))).toHaveLength(1);
    const userId = await t.userIdOf('user_good');
    expect((await t.admin('GET', `/admin/users/${userId}`)).body.lock).toMatchObject({
      consecutive_failures: 1,
      attempts_in_flight: 0,
    });
    expect((await t.login('user_good')).status).toBe(200);
  });

  it('a right TOTP answer: its token and its outcome in one audit INSERT, the attempt given back', async () => {
    const a = await t.login('user_totp');
    expect(a.status).toBe(202);
    const sql = await statementsOf(async () => {
      const r = await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: totpAt(TOTP_SECRET) });
      expect(r.status).toBe(200);
    });
    expect(sql.filter((s) => s.startsWith('INSERT INTO audit_event'))).toHaveLength(1);
    expect((await eventsOf(a.body.user_id)).slice(0, 2)).toEqual(['2fa:success', 'token_issue:issued']);
    const shown = await t.admin('GET', `/admin/users/${a.body.user_id}`);
    expect(shown.body.lock).toMatchObject({ locked: false, consecutive_failures: 0, attempts_in_flight: 0 });
  });
});
