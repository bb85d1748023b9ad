import { ConsoleClient, textOf } from './support/console-client';
import { FakeTwilio, liveTwilioEnv, twilioError } from './support/fake-twilio';
import { CLIENT, KEYS, PASSWORD, TEST_ENGINE, TestApp, TestUser, expectEnvelope } from './support/harness';
import { Browser, exchangeCode, redirected } from './support/oauth';

/**
 * docs/console.md, "The timeline": what the customer page's timeline says, on both engines: each outcome in
 * words with the provider's code and the next step, the way the customer came (legacy API or OAuth) and
 * the Plaid client, and every event through Older and Newer links; the staff API's timeline pages the
 * same way back and forth (docs/api.md#staff-api). Passcodes go through the real twilio SDK to the fake
 * Twilio server; test/console-timeline-browser.e2e-spec.ts reads the same page in Chromium.
 */
describe(`the customer timeline (${TEST_ENGINE})`, () => {
  let fake: FakeTwilio;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start({
      ...liveTwilioEnv(fake),
    });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.stop();
  });

  /** The timeline section's entries, as the page shows them, newest first. */
  const entries = (html: string): string[] => {
    const section = /<section[^>]*id="timeline"[\s\S]*?<\/section>/.exec(html)![0];
    return [...section.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]));
  };
  const link = (html: string, rel: string): string | null => {
    const m = new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html);
    // The link's fragment (#timeline) is the browser's: a request never carries it.
    return m ? m[1].replace(/&amp;/g, '&').replace(/#.*$/, '') : null;
  };

  it('a number Twilio refuses (21614): in words, with the code, what to do, the legacy path and the client', async () => {
    const u = await t.createUser('tl_refused', { phone: '+14155550191' }, PASSWORD);
    const login = await t.login(u.username);
    expect(login.status).toBe(202);
    const sms = login.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    fake.answerNext(twilioError(400, 21614, "'To' number +14155550191 is not a valid mobile number"));
    expectEnvelope(await t.sendOtp(u.userId, login.body.challenge.id, sms.id), 400, 'SEND_METHOD_UNAVAILABLE');
    expectEnvelope(await t.sendOtp(u.userId, login.body.challenge.id, sms.id), 400, 'SEND_METHOD_UNAVAILABLE');

    // The staff API: the provider's code on the event, the path and the client in columns of their own.
    const events = (await t.admin('GET', `/admin/users/${u.userId}/events?type=otp_send`)).body.events;
    expect(events.map((e: Record<string, unknown>) => [e.path, e.client_id, (e.detail as any).provider_code])).toEqual([
      ['legacy', CLIENT.id, undefined],
      ['legacy', CLIENT.id, '21614'],
    ]);
    expect(JSON.stringify(events)).not.toContain('+14155550191');

    const en = await ConsoleClient.signedIn(t, KEYS.support);
    const page = await en.get(`/console/users/${u.userId}`);
    expect(page.status).toBe(200);
    const [again, refused, challenge] = entries(page.text);
    expect(refused).toContain('Passcode (sms) refused by the provider');
    expect(refused).toContain('Twilio 21614: not a mobile number');
    expect(refused).toContain('Next: Not a mobile number: ask for another phone, or offer email.');
    expect(refused).toContain('· Plaid API (legacy) · client Plaid (sandbox), id sandbox-client');
    expect(again).toContain('Refused earlier in this sign-in; the provider was not asked again');
    expect(again).toContain('Next: See the refusal before this one, and offer another method.');
    expect(challenge).toMatch(/^.+ UTC Right password; second factor asked \(otp\) .*Plaid API \(legacy\)/);
    expect(page.text).not.toContain('provider_refused');
    expect(page.text).not.toContain('+14155550191');

    const es = await ConsoleClient.signedIn(t, KEYS.support, 'es');
    const [, rechazado] = entries((await es.get(`/console/users/${u.userId}`)).text);
    expect(rechazado).toContain('Código (sms) rechazado por el proveedor');
    expect(rechazado).toContain('Twilio 21614: no es un número de móvil');
    expect(rechazado).toContain('Qué hacer: No es un móvil: pida otro teléfono u ofrezca el correo.');
    expect(rechazado).toContain('API de Plaid (legacy) · cliente Plaid (sandbox), id sandbox-client');
  });

  it('a provider failing for a moment (Twilio 500): the code and that the customer can ask again', async () => {
    const u = await t.createUser('tl_failed', { phone: '+14155550192' }, PASSWORD);
    const login = await t.login(u.username);
    const voice = login.body.challenge.send_methods.find((m: { type: string }) => m.type === 'voice');
    fake.answerNext({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    expectEnvelope(await t.sendOtp(u.userId, login.body.challenge.id, voice.id), 503, 'SERVICE_UNAVAILABLE');
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const [failed] = entries((await c.get(`/console/users/${u.userId}`)).text);
    expect(failed).toContain('Passcode (voice) not sent: the provider failed for a moment');
    expect(failed).toContain('The provider had an error of its own (Twilio 20500)');
    expect(failed).toContain('Next: Not counted as a send: the customer can ask for the passcode again in a minute.');
  });

  it('an OAuth sign-in: its events say OAuth and the client, the token exchange too; a staff unlock neither', async () => {
    const u = await t.createUser('tl_oauth', {}, PASSWORD);
    const b = new Browser(t);
    await b.authorize();
    const code = redirected(await b.signIn(u.username, PASSWORD)).searchParams.get('code')!;
    expect((await exchangeCode(t, code)).status).toBe(200);
    expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);

    const events = (await t.admin('GET', `/admin/users/${u.userId}/events`)).body.events as Record<string, unknown>[];
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => [e.path, e.client_id]);
    expect(of('login')).toEqual([['oauth', CLIENT.id]]);
    expect(of('token_issue').length).toBeGreaterThan(0);
    expect(new Set(of('token_issue').map(String))).toEqual(new Set([String(['oauth', CLIENT.id])]));
    expect(of('unlock')).toEqual([[null, null]]);

    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const shown = entries((await c.get(`/console/users/${u.userId}`)).text);
    expect(shown.find((e) => e.includes('Signed in'))).toContain(
      '· OAuth sign-in · client Plaid (sandbox), id sandbox-client',
    );
    const unlock = shown.find((e) => e.includes('Unlocked by staff'))!;
    expect(unlock).not.toMatch(/OAuth|legacy|client/);
  });

  describe('paging', () => {
    let u: TestUser;
    const UNLOCKS = 230;
    beforeAll(async () => {
      u = await t.createUser('tl_pages', {}, PASSWORD);
      for (let i = 0; i < UNLOCKS; i++)
        expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
    });

    it('the console: every event through Older links, newest first, and Newer links back to the first page', async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      const first = await c.get(`/console/users/${u.userId}`);
      expect(textOf(first.text)).toContain('Newest first, 50 to a page.');
      expect(link(first.text, 'prev')).toBeNull();
      const pages: string[][] = [];
      const visited: string[] = [];
      let html = first.text;
      for (;;) {
        pages.push(entries(html));
        const older = link(html, 'next');
        if (!older) break;
        visited.push(older);
        const r = await c.get(older);
        expect(r.status).toBe(200);
        html = r.text;
      }
      // 230 unlocks and the creation; the staff calls that went through are shown by what they did.
      const all = pages.flat();
      expect(all).toHaveLength(UNLOCKS + 1);
      expect(pages.map((p) => p.length)).toEqual([50, 50, 50, 50, 31]);
      expect(all.filter((e) => e.includes('Unlocked by staff · sandbox admin'))).toHaveLength(UNLOCKS);
      expect(all[all.length - 1]).toContain('Customer created');
      const times = [...first.text.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // Back: each Newer link shows the page before, up to the first, which has none.
      for (let i = pages.length - 1; i > 0; i--) {
        const newer = link(html, 'prev')!;
        expect(newer).not.toBeNull();
        html = (await c.get(newer)).text;
        expect(entries(html)).toEqual(pages[i - 1]);
      }
      expect(link(html, 'prev')).toBeNull();
      expect(link(html, 'next')).toBe(visited[0]);
    });

    it('a cursor the page did not give: its own 400 page, not a 500', async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      for (const cursor of ['bm9wZQ', 'x'.repeat(65), 'a%20b']) {
        const r = await c.get(`/console/users/${u.userId}?cursor=${cursor}`);
        expect({ cursor, status: r.status }).toEqual({ cursor, status: 400 });
        expect(r.text).toContain('data-error-id="INVALID_REQUEST"');
        expect(textOf(r.text)).toMatch(/cursor: must be a (next_)?cursor as given/);
      }
    });

    it('the staff API: next_cursor to the older page, prev_cursor back to the newer, a bad cursor 400', async () => {
      const path = `/admin/users/${u.userId}/events`;
      const first = (await t.admin('GET', `${path}?limit=200`)).body;
      expect(first.events).toHaveLength(200);
      expect(first.prev_cursor).toBeNull();
      const second = (await t.admin('GET', `${path}?limit=200&cursor=${first.next_cursor}`)).body;
      // Each unlock through the API is its event and the staff call's: 460, and the creation's two.
      expect(second.events.length).toBeGreaterThan(200 - 1);
      expect(second.events[0].id).toBeLessThan(first.events[199].id);
      const back = (await t.admin('GET', `${path}?limit=200&cursor=${second.prev_cursor}`)).body;
      expect(back.events.map((e: { id: number }) => e.id)).toEqual(first.events.map((e: { id: number }) => e.id));
      // The reads themselves are staff calls on the user, newer than the first page.
      expect(back.prev_cursor).not.toBeNull();
      expectEnvelope(await t.admin('GET', `${path}?cursor=bm9wZQ`), 400, 'INVALID_REQUEST');
    });
  });
});
