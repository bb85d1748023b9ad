import { KBA_ANSWERS, TestApp, TOTP_SECRET, expectEnvelope, totpAt } from './support/harness';

describe('sandbox: every user and every step of each challenge kind', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('user_good gets 200 with an opaque user_id and a 256-bit token, the same user_id every time', async () => {
    const a = await t.login('user_good');
    const b = await t.login('USER_GOOD ');
    expect(a.status).toBe(200);
    expect(Object.keys(a.body).sort()).toEqual(['auth_token', 'user_id']);
    expect(a.body.user_id).not.toContain('user_good');
    expect(a.body.auth_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.body.user_id).toBe(a.body.user_id);
    expect(b.body.auth_token).not.toBe(a.body.auth_token);
  });

  it('user_locked gets 403, user_terms 405, anyone else 401', async () => {
    expectEnvelope(await t.login('user_locked'), 403, 'ACCOUNT_LOCKED');
    expectEnvelope(await t.login('user_terms'), 405, 'TERMS_NOT_ACCEPTED');
    expectEnvelope(await t.login('somebody_else'), 401, 'INVALID_CREDENTIALS');
    expectEnvelope(await t.login('user_good', 'wrong'), 401, 'INVALID_CREDENTIALS');
  });

  it('user_otp: 202 exactly as Plaid documents, with masked sms, voice and email methods', async () => {
    const r = await t.login('user_otp');
    expect(r.status).toBe(202);
    expect(Object.keys(r.body).sort()).toEqual(['challenge', 'user_id']);
    const c = r.body.challenge;
    expect(Object.keys(c).sort()).toEqual(['id', 'prompt', 'send_methods', 'type']);
    expect(c.type).toBe('otp');
    expect(c.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(c.send_methods.map((m: { type: string; mask: string }) => [m.type, m.mask])).toEqual([
      ['sms', '(***) ***-0123'],
      ['voice', '(***) ***-0123'],
      ['email', 'u****@e****.com'],
    ]);
    expect(JSON.stringify(r.body)).not.toMatch(/4155550123|user_otp@example/);
    // Send-method ids are stable for the user (Plaid: "uniquely referencing this send method, for this user").
    const again = await t.login('user_otp');
    expect(again.body.challenge.send_methods.map((m: { id: string }) => m.id)).toEqual(
      c.send_methods.map((m: { id: string }) => m.id),
    );
    expect(again.body.challenge.id).not.toBe(c.id);
  });

  it.each(['sms', 'voice', 'email'] as const)(
    'user_otp by %s: sendOtp 200 with no body, code from the outbox, 2fa 200',
    async (type) => {
      const { userId, challengeId, method } = await t.otpChallenge('user_otp', type);
      const s = await t.sendOtp(userId, challengeId, method.id);
      expect(s.status).toBe(200);
      expect(s.text).toBe('');
      const to = type === 'email' ? 'user_otp@example.com' : '+14155550123';
      const box = await t.admin('GET', `/admin/outbox?to=${encodeURIComponent(to)}`);
      expect(box.body.messages[0]).toMatchObject({ channel: type, to });
      const code = await t.outboxCode(to);
      expect(code).toMatch(/^\d{6}$/);
      const r = await t.twoFactor(userId, { challenge_id: challengeId, passcode: code! });
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(userId);
      expect(r.body.auth_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The challenge is spent: the same right code again is CHALLENGE_EXPIRED.
      expectEnvelope(
        await t.twoFactor(userId, { challenge_id: challengeId, passcode: code! }),
        400,
        'CHALLENGE_EXPIRED',
      );
    },
  );

  it('user_otp: a resend replaces the earlier code', async () => {
    const t2 = await TestApp.start({ OTP_RESEND_INTERVAL: '0s' });
    try {
      const { userId, challengeId, method } = await t2.otpChallenge();
      await t2.sendOtp(userId, challengeId, method.id);
      const first = await t2.outboxCode('+14155550123');
      await t2.sendOtp(userId, challengeId, method.id);
      const second = await t2.outboxCode('+14155550123');
      if (first !== second)
        expectEnvelope(await t2.twoFactor(userId, { challenge_id: challengeId, passcode: first! }), 401, 'INVALID_MFA');
      expect((await t2.twoFactor(userId, { challenge_id: challengeId, passcode: second! })).status).toBe(200);
    } finally {
      await t2.stop();
    }
  });

  it('user_totp: 202 totp with a prompt, then the RFC 6238 code gives 200; a replay of it is INVALID_MFA', async () => {
    const a = await t.login('user_totp');
    expect(a.status).toBe(202);
    expect(a.body.challenge).toEqual({ id: expect.any(String), type: 'totp', prompt: expect.stringMatching(/code/) });
    const code = totpAt(TOTP_SECRET);
    const r = await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: code });
    expect(r.status).toBe(200);
    const b = await t.login('user_totp');
    const replay = await t.twoFactor(b.body.user_id, { challenge_id: b.body.challenge.id, passcode: code });
    expectEnvelope(replay, 401, 'INVALID_MFA');
    const events = await t.events(a.body.user_id);
    expect(events.some((e) => e.type === '2fa' && e.outcome === 'totp_replay')).toBe(true);
  });

  it('TOTP: one step of drift either way is accepted, two are not', async () => {
    // A freshly enrolled user, so that no time step has been used yet.
    const created = await t.admin('POST', '/admin/users', { username: 'drift', password: 'pw-drift-1', totp: true });
    const secret = new URL(created.body.totp_uri).searchParams.get('secret')!;
    const now = Date.now() / 1000;
    const attempt = async (offset: number) => {
      const a = await t.login('drift', 'pw-drift-1');
      return t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: totpAt(secret, now + offset) });
    };
    expect((await attempt(-30)).status).toBe(200);
    expect((await attempt(30)).status).toBe(200);
    expectEnvelope(await attempt(-90), 401, 'INVALID_MFA');
    expectEnvelope(await attempt(90), 401, 'INVALID_MFA');
  });

  it('user_kba: two of the three questions, fixed for the challenge; answers in either form key, normalised', async () => {
    const a = await t.login('user_kba');
    expect(a.status).toBe(202);
    const c = a.body.challenge;
    expect(Object.keys(c).sort()).toEqual(['id', 'questions', 'type']);
    expect(c.type).toBe('kba');
    expect(c.questions).toHaveLength(2);
    for (const q of c.questions) expect(Object.keys(KBA_ANSWERS)).toContain(q.text);
    // bracket form, with answers in odd spacing and case
    const p = new URLSearchParams({ challenge_id: c.id });
    c.questions.forEach((q: { id: string; text: string }, i: number) => {
      p.append(`answers[${i}][question_id]`, q.id);
      p.append(`answers[${i}][text]`, `  ${KBA_ANSWERS[q.text].toUpperCase().replace(' ', '   ')} `);
    });
    const r = await t.twoFactor(a.body.user_id, p.toString());
    expect(r.status).toBe(200);
    expect(r.body.auth_token).toBeDefined();
  });

  it('user_kba: dotted form keys (Plaid) and JSON bodies both work', async () => {
    const a = await t.login('user_kba');
    expect((await t.twoFactor(a.body.user_id, t.kbaForm(a.body.challenge.id, a.body.challenge.questions))).status).toBe(
      200,
    );
    const b = await t.login('user_kba');
    const json = {
      challenge_id: b.body.challenge.id,
      answers: b.body.challenge.questions.map((q: { id: string; text: string }) => ({
        question_id: q.id,
        text: KBA_ANSWERS[q.text],
      })),
    };
    const r = await t.plaid(`/users/${b.body.user_id}/2fa`, json, { json: true });
    expect(r.status).toBe(200);
  });

  it('user_kba: a wrong answer to one question is INVALID_MFA', async () => {
    const a = await t.login('user_kba');
    const qs = a.body.challenge.questions;
    const p = new URLSearchParams({ challenge_id: a.body.challenge.id });
    p.append('answers[0].question_id', qs[0].id);
    p.append('answers[0].text', KBA_ANSWERS[qs[0].text]);
    p.append('answers[1].question_id', qs[1].id);
    p.append('answers[1].text', 'Chicago');
    expectEnvelope(await t.twoFactor(a.body.user_id, p.toString()), 401, 'INVALID_MFA');
    await t.admin('POST', `/admin/users/${a.body.user_id}/unlock`);
  });

  it('prompts follow Accept-Language: Spanish when asked, English otherwise', async () => {
    const es = await t.login('user_totp', 'pass_good', {}, { 'Accept-Language': 'es-MX,es;q=0.9,en;q=0.5' });
    const en = await t.login('user_totp', 'pass_good', {}, { 'Accept-Language': 'fr-FR' });
    const none = await t.login('user_otp');
    expect(es.body.challenge.prompt).toMatch(/código/);
    expect(en.body.challenge.prompt).toMatch(/authenticator/);
    expect(none.body.challenge.prompt).toMatch(/code/);
  });

  it("Plaid's reference curl (one --data-urlencode for the whole query) is understood", async () => {
    const body = encodeURIComponent('username=user_good&password=pass_good');
    const r = await t.plaid('/users/auth_token', body);
    expect(r.status).toBe(200);
  });

  it("trailing slashes are accepted, as in Plaid's examples", async () => {
    expect((await t.plaid('/users/auth_token/', { username: 'user_good', password: 'pass_good' })).status).toBe(200);
  });
});
