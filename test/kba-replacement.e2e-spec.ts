import { KEYS, Res, TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { storedRows } from './support/stored';

/**
 * Replacing a user's security questions is one transaction with the move of the user's
 * auth_epoch. A user whose only factor is KBA is never seen without questions (so never let in on
 * the password alone), and what was opened under the old questions is over.
 */
describe(`replacing KBA questions (${TEST_ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const questions = (set: string) =>
    ['pet', 'street', 'teacher'].map((q) => ({ question: `Set ${set}: first ${q}?`, answer: `${q} ${set}` }));
  const answerOf = (text: string) => {
    const [, set, q] = /^Set (\w+): first (\w+)\?$/.exec(text)!;
    return `${q} ${set}`;
  };
  const answerForm = (challengeId: string, asked: { id: string; text: string }[], answer = answerOf) => {
    const p = new URLSearchParams({ challenge_id: challengeId });
    asked.forEach((q, i) => {
      p.append(`answers[${i}].question_id`, q.id);
      p.append(`answers[${i}].text`, answer(q.text));
    });
    return p.toString();
  };
  const authEpoch = async (userId: string) =>
    Number(
      (await storedRows<{ auth_epoch: unknown }>(t, 'SELECT auth_epoch FROM users WHERE id = ?', [userId]))[0]
        .auth_epoch,
    );
  const storedQuestions = async (userId: string) =>
    (
      await storedRows<{ text: string }>(t, 'SELECT text FROM kba_question WHERE user_id = ? ORDER BY position', [
        userId,
      ])
    ).map((r) => r.text);

  it('logins hammering a KBA-only user while its questions are replaced four times: always 202 kba, never 200', async () => {
    const u = await t.createUser('kbaonly', { kba: questions('a') });
    let replacing = true;
    const answers: Res[] = [];
    const hammer = async () => {
      while (replacing) answers.push(...(await Promise.all([1, 2, 3].map(() => t.login(u.username, u.password)))));
    };
    const hammering = hammer();
    for (const set of ['b', 'c', 'd', 'e']) {
      const r = await t.admin('PATCH', `/admin/users/${u.userId}`, { kba: questions(set) });
      expect(r.status).toBe(200);
      expect(r.body.factors.kba.map((q: { text: string }) => q.text)).toEqual(questions(set).map((q) => q.question));
    }
    replacing = false;
    await hammering;
    expect(answers.length).toBeGreaterThan(3);
    expect(answers.map((a) => `${a.status} ${a.body?.challenge?.type}`)).toEqual(answers.map(() => '202 kba'));
    // Every challenge asked questions of one set, never a mix of an old and a new one.
    for (const a of answers)
      expect(new Set(a.body.challenge.questions.map((q: { text: string }) => q.text.slice(0, 6))).size).toBe(1);
    expect(await storedQuestions(u.userId)).toEqual(questions('e').map((q) => q.question));
    expect(await authEpoch(u.userId)).toBe(4);
  });

  it('a challenge opened before the replacement is over; the new questions work at once', async () => {
    const u = await t.createUser('kbaold', { kba: questions('old') });
    const before = await t.login(u.username, u.password);
    expect(before.status).toBe(202);
    const epoch = await authEpoch(u.userId);
    expect((await t.admin('PATCH', `/admin/users/${u.userId}`, { kba: questions('new') })).status).toBe(200);
    // The other engineer's check refuses a challenge whose user_epoch is older than the user's.
    expect(await authEpoch(u.userId)).toBe(epoch + 1);
    const [opened] = await storedRows<{ user_epoch: unknown }>(t, 'SELECT user_epoch FROM challenge WHERE id = ?', [
      before.body.challenge.id,
    ]);
    expect(Number(opened.user_epoch)).toBeLessThan(epoch + 1);
    // The old answers to the old challenge no longer let anyone in.
    const late = await t.twoFactor(u.userId, answerForm(before.body.challenge.id, before.body.challenge.questions));
    expect([400, 401]).toContain(late.status);
    expectEnvelope(late, late.status, late.body.error.id);
    const now = await t.login(u.username, u.password);
    expect(now.body.challenge.questions.every((q: { text: string }) => q.text.startsWith('Set new'))).toBe(true);
    const done = await t.twoFactor(u.userId, answerForm(now.body.challenge.id, now.body.challenge.questions));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ user_id: u.userId, auth_token: expect.any(String) });
  });

  it('a reset by support removes the questions and moves the epoch in the same step', async () => {
    const u = await t.createUser('kbareset', { kba: questions('r'), phone: '+14155550199' });
    const epoch = await authEpoch(u.userId);
    const r = await t.admin('PATCH', `/admin/users/${u.userId}`, { kba: [] }, KEYS.support);
    expect(r.status).toBe(200);
    expect(await storedQuestions(u.userId)).toEqual([]);
    expect(await authEpoch(u.userId)).toBe(epoch + 1);
    // Setting questions stays an admin's: an account is taken over through a help desk that way.
    expectEnvelope(
      await t.admin('PATCH', `/admin/users/${u.userId}`, { kba: questions('x') }, KEYS.support),
      403,
      'FORBIDDEN',
    );
    expect(await storedQuestions(u.userId)).toEqual([]);
    expectEnvelope(await t.admin('PATCH', '/admin/users/no-such-user', { kba: questions('x') }), 404, 'NOT_FOUND');
  });

  it('five concurrent creations of one username with questions: one user, and no question without its user', async () => {
    const username = `kbatwin_${Date.now()}`;
    const rs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        t.admin('POST', '/admin/users', { username, password: 'twin-password-1', kba: questions(`t${i}`) }),
      ),
    );
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of rs.filter((x) => x.status === 409)) expectEnvelope(r, 409, 'CONFLICT');
    const won = rs.find((r) => r.status === 201)!;
    expect(won.body.username).toBe(username);
    const orphans = await storedRows(
      t,
      'SELECT id FROM kba_question q WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = q.user_id)',
    );
    expect(orphans).toEqual([]);
    expect(await storedQuestions(won.body.user_id)).toHaveLength(3);
    expect((await t.login(username, 'twin-password-1')).body.challenge.type).toBe('kba');
  });
});
