import {
  CLIENT,
  KBA_ANSWERS,
  KEYS,
  PASSWORD,
  TOTP_SECRET,
  TestApp,
  expectEnvelope,
  totpAt,
  wrongTotp,
} from './support/harness';
import { base32Decode } from './support/totp';

/**
 * docs/api.md#staff-api and docs/architecture.md#storage: no event, log line or table ever holds a password, passcode,
 * answer, secret or token in clear; the one exception is the sandbox outbox, which holds the
 * messages it delivered. A run through every flow, then every byte the database wrote and every
 * log line is searched for each clear value.
 */

const OTP_PHONE = '+14155550123';
const OTP_EMAIL = 'user_otp@example.com';

/** Where `needle` (UTF-8, as SQLite and PostgreSQL store text) occurs in `hay`. */
function positions(hay: Buffer, needle: string): number[] {
  const n = Buffer.from(needle, 'utf8');
  const out: number[] = [];
  for (let i = hay.indexOf(n); i !== -1; i = hay.indexOf(n, i + 1)) out.push(i);
  return out;
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/**
 * Occurrences of a passcode as a number of its own: not inside a longer run of digits (a 13-digit
 * timestamp holds some 6-digit run by chance; a passcode written out is never glued to other digits).
 */
function codeOccurrences(hay: Buffer, code: string): number {
  return positions(hay, code).filter((i) => !isDigit(hay[i - 1]) && !isDigit(hay[i + Buffer.byteLength(code)])).length;
}

/** A text as pg_dump's COPY format writes it: a message of several lines is stored with `\n` escapes. */
const copyEscaped = (text: string) =>
  text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');

/** `hay` with every copy of every `pieces` item cut out. */
function without(hay: Buffer, pieces: string[]): Buffer {
  let out = hay;
  for (const p of pieces) {
    const needle = Buffer.from(p, 'utf8');
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = out.indexOf(needle); i !== -1; i = out.indexOf(needle, from)) {
      parts.push(out.subarray(from, i));
      from = i + needle.length;
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** Every form a base32 TOTP secret could be written in clear: as given, and its raw bytes in hex and base64. */
function totpForms(secret: string): string[] {
  const raw = base32Decode(secret);
  return [
    secret,
    secret.toLowerCase(),
    raw.toString('hex'),
    raw.toString('base64').replace(/=+$/, ''),
    raw.toString('base64url'),
  ];
}

/** Six digits that none of `avoid` is. */
function otherCode(...avoid: string[]): string {
  let n = (Number(avoid[0]) + 424_242) % 1_000_000;
  while (avoid.includes(String(n).padStart(6, '0'))) n = (n + 1) % 1_000_000;
  return String(n).padStart(6, '0');
}

describe('secrets at rest and in logs: docs/api.md#staff-api and docs/architecture.md#storage', () => {
  let t: TestApp;
  let db: Buffer;
  let logs: Buffer;
  let logText: string;
  /** label -> clear value that must appear nowhere. */
  const secrets = new Map<string, string>();
  /** Passcodes that were delivered (may appear in the outbox's messages only). */
  const delivered: { label: string; code: string; voice: boolean }[] = [];
  /** Passcodes that were only typed (never delivered: may appear nowhere). */
  const typedOnly: { label: string; code: string }[] = [];
  const tokens: string[] = [];
  const requestIds: { id: string; path: string }[] = [];
  let outboxBodies: string[] = [];

  const keep = (label: string, value: string) => secrets.set(label, value);
  const token = (r: { status: number; body: any; headers: Record<string, string> }) => {
    expect(r.status).toBe(200);
    expect(r.body.auth_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    tokens.push(r.body.auth_token);
    return r.body.auth_token as string;
  };

  beforeAll(async () => {
    t = await TestApp.start();

    // 200, 401 (known and unknown), 403 (sandbox and by failures), 405
    const good = await t.login('user_good', PASSWORD, {}, { 'X-Request-Id': 'secrets-run-login-0001' });
    token(good);
    requestIds.push({ id: 'secrets-run-login-0001', path: '/users/auth_token' });
    for (const [user, pw] of [
      ['user_good', 'Wr0ng-Guess-Alpha'],
      ['nobody_at_all', 'Wr0ng-Guess-Bravo'],
    ]) {
      keep(`wrong password ${pw}`, pw);
      const r = await t.login(user, pw);
      expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
      requestIds.push({ id: r.body.request_id, path: '/users/auth_token' });
    }
    expectEnvelope(await t.login('user_locked'), 403, 'ACCOUNT_LOCKED');
    expectEnvelope(await t.login('user_terms'), 405, 'TERMS_NOT_ACCEPTED');

    // OTP by sms, voice and email, each to a 2fa 200 (sms after a wrong passcode first)
    for (const type of ['sms', 'voice', 'email'] as const) {
      const { userId, challengeId, method } = await t.otpChallenge('user_otp', type);
      expect((await t.sendOtp(userId, challengeId, method.id)).status).toBe(200);
      const code = (await t.outboxCode(type === 'email' ? OTP_EMAIL : OTP_PHONE))!;
      expect(code).toMatch(/^\d{6}$/);
      delivered.push({ label: `${type} passcode`, code, voice: type === 'voice' });
      if (type === 'sms') {
        const wrong = otherCode(code);
        typedOnly.push({ label: 'wrong otp passcode', code: wrong });
        expectEnvelope(await t.twoFactor(userId, { challenge_id: challengeId, passcode: wrong }), 401, 'INVALID_MFA');
      }
      token(await t.twoFactor(userId, { challenge_id: challengeId, passcode: code }));
    }

    // TOTP: a wrong code, then the right one
    keep('sandbox TOTP secret', TOTP_SECRET);
    const tl = await t.login('user_totp');
    expect(tl.status).toBe(202);
    const totpCode = totpAt(TOTP_SECRET);
    const totpWrong = wrongTotp(TOTP_SECRET);
    typedOnly.push({ label: 'sandbox totp code', code: totpCode }, { label: 'wrong totp code', code: totpWrong });
    expectEnvelope(
      await t.twoFactor(tl.body.user_id, { challenge_id: tl.body.challenge.id, passcode: totpWrong }),
      401,
      'INVALID_MFA',
    );
    token(await t.twoFactor(tl.body.user_id, { challenge_id: tl.body.challenge.id, passcode: totpCode }));

    // KBA: wrong answers, then the right ones
    for (const a of Object.values(KBA_ANSWERS)) {
      keep(`kba answer ${a}`, a);
      keep(`kba answer normalised ${a}`, a.toLowerCase());
    }
    const kl = await t.login('user_kba');
    expect(kl.status).toBe(202);
    const wrongForm = new URLSearchParams({ challenge_id: kl.body.challenge.id });
    kl.body.challenge.questions.forEach((q: { id: string }, i: number) => {
      wrongForm.append(`answers[${i}].question_id`, q.id);
      wrongForm.append(`answers[${i}].text`, `Wrong Answer Number ${i} Zulu`);
      keep(`wrong kba answer ${i}`, `Wrong Answer Number ${i} Zulu`);
      keep(`wrong kba answer ${i} normalised`, `wrong answer number ${i} zulu`);
    });
    expectEnvelope(await t.twoFactor(kl.body.user_id, wrongForm.toString()), 401, 'INVALID_MFA');
    token(await t.twoFactor(kl.body.user_id, t.kbaForm(kl.body.challenge.id, kl.body.challenge.questions)));

    // A user created through the admin API with TOTP, KBA and a phone; a password change; a lock by failures.
    const createdPw = 'Cr3ated-User-Passw0rd';
    const changedPw = 'Ch4nged-User-Passw0rd';
    const lockPw = 'Wr0ng-Guess-Charlie';
    keep('created password', createdPw);
    keep('changed password', changedPw);
    keep('wrong password (lock)', lockPw);
    keep('created kba answer', 'Dragon Fruit Salad');
    keep('created kba answer normalised', 'dragon fruit salad');
    const created = await t.admin('POST', '/admin/users', {
      username: 'secret_keeper',
      password: createdPw,
      phone: '+14155550199',
      totp: true,
      kba: [{ question: 'Favourite dessert?', answer: 'Dragon Fruit Salad' }],
    });
    expect(created.status).toBe(201);
    const createdSecret = new URL(created.body.totp_uri).searchParams.get('secret')!;
    expect(createdSecret).toMatch(/^[A-Z2-7]{16,}=*$/);
    for (const f of totpForms(createdSecret)) keep(`created TOTP secret (${f})`, f);
    for (const f of totpForms(TOTP_SECRET)) keep(`sandbox TOTP secret (${f})`, f);
    const cl = await t.login('secret_keeper', createdPw);
    expect(cl.status).toBe(202);
    expect(cl.body.challenge.type).toBe('totp');
    const createdCode = totpAt(createdSecret);
    typedOnly.push({ label: 'created totp code', code: createdCode });
    token(await t.twoFactor(cl.body.user_id, { challenge_id: cl.body.challenge.id, passcode: createdCode }));
    const changed = await t.admin('POST', `/admin/users/${created.body.user_id}/password`, { password: changedPw });
    expect(changed.status).toBe(200);
    expectEnvelope(await t.login('secret_keeper', createdPw), 401, 'INVALID_CREDENTIALS');
    expect((await t.login('secret_keeper', changedPw)).status).toBe(202);
    for (let i = 0; i < 5; i++) await t.login('secret_keeper', lockPw);
    expectEnvelope(await t.login('secret_keeper', changedPw), 403, 'ACCOUNT_LOCKED');
    expect((await t.admin('GET', `/admin/users/${created.body.user_id}`, undefined, KEYS.support)).status).toBe(200);

    // The bank's data API: introspect every token, revoke one.
    for (const tok of tokens) {
      const r = await t.admin('POST', '/tokens/introspect', { token: tok }, KEYS.rs);
      expect(r.status).toBe(200);
    }
    expect((await t.admin('POST', '/tokens/revoke', { token: tokens[0] }, KEYS.rs)).status).toBe(200);
    expect((await t.admin('POST', '/tokens/introspect', { token: tokens[0] }, KEYS.rs)).body).toEqual({
      active: false,
    });
    tokens.forEach((tok, i) => keep(`auth_token #${i}`, tok));

    keep('sandbox password', PASSWORD);
    keep('partner secret', CLIENT.secret);
    keep('admin key', KEYS.admin);
    keep('support key', KEYS.support);
    keep('resource-server key', KEYS.rs);

    outboxBodies = (await t.admin('GET', '/admin/outbox')).body.messages.map((m: { body: string }) => m.body);
    expect(outboxBodies.length).toBe(3);

    // Closing the database checkpoints SQLite's WAL into the file; databaseBytes() reads the WAL too.
    await t.restart();
    db = t.databaseBytes();
    logText = t.logs.join('');
    logs = Buffer.from(logText, 'utf8');
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('the run wrote what it should: the outbox rows, audit events, and a non-trivial database', () => {
    expect(db.length).toBeGreaterThan(10_000);
    // As written: verbatim in SQLite's pages, with COPY's escapes in a pg_dump (multi-line email text).
    for (const body of outboxBodies)
      expect(positions(db, body).length + positions(db, copyEscaped(body)).length).toBeGreaterThan(0);
    // The search itself finds what is there: the usernames and the sandbox client id are stored in clear.
    expect(positions(db, 'secret_keeper').length).toBeGreaterThan(0);
    expect(positions(db, 'sandbox-client').length).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(30);
  });

  it('no password, key, partner secret, TOTP secret, KBA answer or auth_token in the database', () => {
    const found = [...secrets].filter(([, v]) => positions(db, v).length > 0).map(([label]) => label);
    expect(found).toEqual([]);
  });

  it('none of them in the logs either', () => {
    const found = [...secrets].filter(([, v]) => positions(logs, v).length > 0).map(([label]) => label);
    expect(found).toEqual([]);
  });

  it('no passcode in the logs: not delivered ones (in either form), not typed ones', () => {
    const found: string[] = [];
    for (const c of delivered) {
      if (codeOccurrences(logs, c.code) > 0) found.push(c.label);
      if (codeOccurrences(logs, c.code.split('').join(' ')) > 0) found.push(`${c.label} (read out)`);
    }
    for (const c of typedOnly) if (codeOccurrences(logs, c.code) > 0) found.push(c.label);
    expect(found).toEqual([]);
  });

  it('passcodes in the database only inside the outbox messages that delivered them', () => {
    // Sound without reading any table: cut every copy of every delivered message (the outbox rows,
    // wherever SQLite's pages or WAL frames or pg_dump hold them) out of the bytes; a passcode left
    // anywhere in what remains is one stored outside the outbox (an audit detail, a challenge row...).
    // Codes typed but never delivered may appear nowhere at all.
    for (const c of delivered) {
      const written = c.voice ? c.code.split('').join(' ') : c.code;
      expect(outboxBodies.some((b) => b.includes(written))).toBe(true);
      // ...and the search finds it in the database bytes, where the outbox holds it.
      expect(codeOccurrences(db, written)).toBeGreaterThan(0);
    }
    const rest = without(db, [...outboxBodies, ...outboxBodies.map(copyEscaped)]);
    expect(rest.length).toBeLessThan(db.length);
    const found: string[] = [];
    for (const c of delivered) {
      if (codeOccurrences(rest, c.code) > 0) found.push(c.label);
      if (codeOccurrences(rest, c.code.split('').join(' ')) > 0) found.push(`${c.label} (read out)`);
    }
    for (const c of typedOnly) if (codeOccurrences(db, c.code) > 0) found.push(c.label);
    expect(found).toEqual([]);
  });

  it('request lines carry the request id; the outbox line masks the phone number and address', () => {
    const lines = logText
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
    for (const { id, path } of requestIds) {
      const own = lines.filter((l) => l.request_id === id);
      expect(own.some((l) => l.req?.path === path && l.res?.status !== undefined)).toBe(true);
      // the audit line written while serving it carries the id too
      expect(own.some((l) => l.msg === 'audit')).toBe(true);
    }
    const outboxLines = lines.filter((l) => /outbox/i.test(String(l.msg)) && l.to !== undefined);
    expect(outboxLines.map((l) => [l.channel, l.to])).toEqual(
      expect.arrayContaining([
        ['sms', '(***) ***-0123'],
        ['voice', '(***) ***-0123'],
        ['email', 'u****@e****.com'],
      ]),
    );
    for (const l of outboxLines) expect(typeof l.request_id).toBe('string');
    expect(logText).not.toContain('4155550123');
    expect(logText).not.toContain(OTP_EMAIL);
  });
});
