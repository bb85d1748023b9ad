import { TestApp, expectEnvelope, totpAt } from './support/harness';

/** PATCH /admin/users/:id (docs/api.md#staff-api): support resets factors, admins set them. */
describe("changing a user's factors", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });
  const patch = (id: string, body: object, key = 'sandbox-support-key') =>
    t.admin('PATCH', `/admin/users/${id}`, body, key);

  it('support resets a lost authenticator: the user logs in without it, and the event says who', async () => {
    const id = await t.userIdOf('user_totp');
    const r = await patch(id, { totp: false });
    expect(r.status).toBe(200);
    expect(r.body.factors.totp).toBe(false);
    expect(r.body.totp_uri).toBeUndefined();
    expect((await t.login('user_totp')).status).toBe(200);
    const e = (await t.events(id)).find((x) => x.type === 'factors_change');
    expect(e).toMatchObject({ outcome: 'reset', staff_id: expect.any(String), detail: { fields: ['totp'] } });
  });

  it('support may not set a phone, an address or a new secret; nothing changes', async () => {
    const id = await t.userIdOf('user_otp');
    for (const body of [
      { phone: '+14155550100' },
      { email: 'attacker@example.com' },
      { totp: true },
      { kba: [{ question: 'Q?', answer: 'A' }] },
    ]) {
      expectEnvelope(await patch(id, body), 403, 'FORBIDDEN');
    }
    const view = await t.admin('GET', `/admin/users/${id}`);
    expect(view.body.factors.otp.map((m: { mask: string }) => m.mask)).toEqual([
      '(***) ***-0123',
      '(***) ***-0123',
      'u****@e****.com',
    ]);
    expect(view.body.factors.totp).toBe(false);
  });

  it('removing the phone leaves the email method only', async () => {
    const id = await t.userIdOf('user_otp');
    expect((await patch(id, { phone: null })).status).toBe(200);
    const a = await t.login('user_otp');
    expect(a.body.challenge.send_methods.map((m: { type: string }) => m.type)).toEqual(['email']);
  });

  it('an admin re-enrols TOTP: the new secret is shown once and works, the old one does not', async () => {
    const created = await t.admin('POST', '/admin/users', {
      username: 'reenrol',
      password: 'pw-reenrol-1',
      totp: true,
    });
    const r = await patch(created.body.user_id, { totp: true }, 'sandbox-admin-key');
    expect(r.body.totp_uri).toMatch(/^otpauth:\/\/totp\//);
    expect(r.body.totp_qr).toMatch(/^data:image\/png;base64,/);
    const fresh = new URL(r.body.totp_uri).searchParams.get('secret')!;
    const old = new URL(created.body.totp_uri).searchParams.get('secret')!;
    expect(fresh).not.toBe(old);
    const a = await t.login('reenrol', 'pw-reenrol-1');
    expectEnvelope(
      await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: totpAt(old) }),
      401,
      'INVALID_MFA',
    );
    expect(
      (await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: totpAt(fresh) })).status,
    ).toBe(200);
    expect(JSON.stringify((await t.admin('GET', `/admin/users/${created.body.user_id}`)).body)).not.toContain(fresh);
  });

  it('an admin replaces the security questions', async () => {
    const id = await t.userIdOf('user_kba');
    const r = await patch(id, { kba: [{ question: 'First pet?', answer: 'Rex' }] }, 'sandbox-admin-key');
    expect(r.body.factors.kba.map((q: { text: string }) => q.text)).toEqual(['First pet?']);
    const a = await t.login('user_kba');
    expect(a.body.challenge.questions.map((q: { text: string }) => q.text)).toEqual(['First pet?']);
    const form = new URLSearchParams({
      challenge_id: a.body.challenge.id,
      'answers[0].question_id': a.body.challenge.questions[0].id,
      'answers[0].text': 'rex',
    });
    expect((await t.twoFactor(a.body.user_id, form.toString())).status).toBe(200);
  });

  it('bad values are 400 naming the field; an unknown user is 404', async () => {
    const id = await t.userIdOf('user_good');
    const bad = await patch(id, { phone: '415-555' }, 'sandbox-admin-key');
    expectEnvelope(bad, 400, 'INVALID_REQUEST');
    expect(bad.body.error.message).toMatch(/^phone/);
    expectEnvelope(await patch('no-such-user', { totp: false }), 404, 'NOT_FOUND');
  });
});
