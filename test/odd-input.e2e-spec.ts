import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS, PASSWORD, Res, TestApp, TestUser, expectEnvelope } from './support/harness';
import { cli, requireBuiltCli } from './support/cli';
import { Browser, redirected } from './support/oauth';
import { storedRows } from './support/stored';

/**
 * Odd input is a 400, never a 500, on both engines. Lengths are checked after
 * normalisation, every column holds what passes validation, and what reaches neither leaves no
 * half-written state behind. docs/api.md#requests-and-errors (the envelope), sections 4 to 9 (the fields).
 */

const MHZ = '\u3392'; // "㎒", NFKC "MHz": three characters from one
const SALLA = '\uFDFA'; // "ﷺ", NFKC eighteen characters from one
const I_DOT = '\u0130'; // "İ", lower-case "i̇": two characters from one
const A_VS = 'a\uFE0F'; // two characters that class-validator's Length counted as one
const NUL = '\u0000';
const LONE = '\uD800';

/** What each case needs: users and open challenges made once, before the table runs. */
interface Ctx {
  user: TestUser;
  otp: { userId: string; challengeId: string; methodId: string };
  kba: { userId: string; challengeId: string; questionIds: string[] };
}

type Send = (t: TestApp, c: Ctx) => Promise<Res>;
/** [what is sent, the request, the status and error.id expected, what the message must name] */
type Case = [string, Send, number, string, RegExp?];

const json = (t: TestApp, path: string, body: unknown) => t.plaid(path, body as Record<string, string>, { json: true });
const login = (t: TestApp, fields: Record<string, unknown>) =>
  json(t, '/users/auth_token', { password: 'wrong-password', ...fields });
const sendOtp = (t: TestApp, userId: string, fields: Record<string, unknown>) =>
  json(t, `/users/${userId}/sendOtp`, fields);
const twoFactor = (t: TestApp, userId: string, fields: Record<string, unknown>) =>
  json(t, `/users/${userId}/2fa`, fields);
const kbaAnswers = (c: Ctx, text: string, questionId?: string) =>
  c.kba.questionIds.map((id) => ({ question_id: questionId ?? id, text }));
const createUser = (t: TestApp, fields: Record<string, unknown>) =>
  t.admin('POST', '/admin/users', {
    username: `odd_${Math.random().toString(36).slice(2, 10)}`,
    password: 'x',
    ...fields,
  });

const USERNAMES_REFUSED: [string, unknown, RegExp][] = [
  ['"㎒" x 256 (768 characters after NFKC, the known bug)', MHZ.repeat(256), /username: .*after normalisation/],
  ['"ﷺ" x 256 (4608 characters after NFKC)', SALLA.repeat(256), /username: .*after normalisation/],
  ['"İ" x 256 (512 characters lower-cased)', I_DOT.repeat(256), /username: .*after normalisation/],
  ['257 characters', 'u'.repeat(257), /username/],
  ['a NUL (\\u0000 in JSON)', `user${NUL}good`, /username: must not contain NUL/],
  ['a lone surrogate (\\ud800 in JSON)', `user${LONE}`, /username: must not contain NUL or unpaired surrogate/],
  ['a lone low surrogate at the start', '\uDC00user', /username: must not contain NUL or unpaired surrogate/],
  ['a bell inside', 'user\u0007good', /username: must not contain control characters/],
  ['a C1 control (NEL)', 'user\u0085good', /username: must not contain control characters/],
  ['an ANSI escape', '\u001b[31muser', /username: must not contain control characters/],
  ['spaces only', '   ', /username: must not be blank/],
  ['an ideographic space only', '\u3000', /username: must not be blank/],
  ['a number', 12345, /username: must be a single string/],
  ['an array', ['user_good'], /username: must be a single string/],
  ['an object', { a: 'user_good' }, /username: must be a single string/],
  ['null', null, /username/],
  ['true', true, /username: must be a single string/],
  // RFC 8265 (IdentifierClass of RFC 8264, the Bidi Rule of RFC 5893): what would make two names look alike.
  ['a space inside', 'odd user', /^username: must not contain spaces$/],
  ['a no-break space inside (NFKC: a space)', 'odd\u00A0user', /^username: must not contain spaces$/],
  [
    'a zero-width space inside',
    'odd\u200Buser',
    /^username: must not contain invisible or formatting characters \(U\+200B\)$/,
  ],
  ['a zero-width joiner, not after a virama', 'odd\u200Duser', /invisible or formatting characters \(U\+200D\)/],
  ['a word joiner', 'odd\u2060user', /invisible or formatting characters \(U\+2060\)/],
  ['a BOM before a sandbox username', '\uFEFFuser_good', /invisible or formatting characters \(U\+FEFF\)/],
  ['an RTL override', '\u202Eresu_odd', /invisible or formatting characters \(U\+202E\)/],
  ['an RLM mark', 'odd\u200Fuser', /invisible or formatting characters \(U\+200F\)/],
  ['a left-to-right isolate', 'odd\u2066user\u2069', /invisible or formatting characters \(U\+2066\)/],
  ['a soft hyphen (another format character)', 'odd\u00ADuser', /invisible or formatting characters \(U\+00AD\)/],
  ['an unassigned code point', 'odd\u0378user', /^username: must not contain unassigned code points \(U\+0378\)$/],
  [
    'an emoji',
    'odd\u{1F600}',
    /^username: must not contain U\+1F600: a username takes letters, digits and printable ASCII/,
  ],
  ['Latin then Hebrew letters', 'odd\u05E9\u05DC', /^username: must follow the Bidi Rule of RFC 5893/],
];

const CASES: Case[] = [
  // POST /users/auth_token (docs/api.md#post-usersauth_token)
  ...USERNAMES_REFUSED.map(([name, username, message]): Case => [
    `auth_token: username ${name}`,
    (t) => login(t, { username }),
    400,
    'INVALID_REQUEST',
    message,
  ]),
  [
    'auth_token: username with %00, form-encoded',
    (t) => t.plaid('/users/auth_token', 'username=user%00good&password=x'),
    400,
    'INVALID_REQUEST',
    /username: must not contain NUL/,
  ],
  [
    'auth_token: username "㎒" x 256, form-encoded',
    (t) => t.login(MHZ.repeat(256)),
    400,
    'INVALID_REQUEST',
    /username: .*after normalisation/,
  ],
  // RFC 8265 refuses invisible characters: a name that looks empty is not one.
  [
    'auth_token: username of 256 zero-width spaces, form-encoded',
    (t) => t.login('\u200B'.repeat(256)),
    400,
    'INVALID_REQUEST',
    /^username: must not contain invisible or formatting characters \(U\+200B\)$/,
  ],
  [
    'auth_token: username with a space inside, form-encoded',
    (t) => t.plaid('/users/auth_token', 'username=user+good&password=x'),
    400,
    'INVALID_REQUEST',
    /^username: must not contain spaces$/,
  ],
  [
    'auth_token: username %ED%A0%80 (a surrogate as UTF-8, kept undecoded: printable ASCII), form-encoded',
    (t) => t.plaid('/users/auth_token', 'username=%ED%A0%80&password=x'),
    401,
    'INVALID_CREDENTIALS',
  ],
  [
    'auth_token: username with U+FFFD (what a decoder makes of bad UTF-8)',
    (t) => login(t, { username: 'odd\uFFFDuser' }),
    400,
    'INVALID_REQUEST',
    /^username: must not contain U\+FFFD/,
  ],
  [
    'auth_token: password with a NUL',
    (t) => login(t, { username: 'odd_pw_1', password: `pass${NUL}` }),
    400,
    'INVALID_REQUEST',
    /password: must not contain NUL/,
  ],
  [
    'auth_token: password with a lone surrogate',
    (t) => login(t, { username: 'odd_pw_2', password: LONE }),
    400,
    'INVALID_REQUEST',
    /password/,
  ],
  [
    'auth_token: password of 1025 characters',
    (t) => login(t, { username: 'odd_pw_3', password: 'p'.repeat(1025) }),
    400,
    'INVALID_REQUEST',
    /password: must be 1 to 1024 characters/,
  ],
  [
    'auth_token: password "㎒" x 1024 (not normalised, only hashed)',
    (t) => login(t, { username: 'odd_pw_4', password: MHZ.repeat(1024) }),
    401,
    'INVALID_CREDENTIALS',
  ],
  [
    'auth_token: password a number',
    (t) => login(t, { username: 'odd_pw_5', password: 123456 }),
    400,
    'INVALID_REQUEST',
    /password: must be a single string/,
  ],
  [
    'auth_token: institution_id with a NUL',
    (t) => login(t, { username: 'odd_inst_1', institution_id: `bank${NUL}` }),
    400,
    'INVALID_REQUEST',
    /institution_id: must not contain NUL/,
  ],
  [
    'auth_token: institution_id of 64 "a\\uFE0F" (128 characters for varchar(64))',
    (t) => login(t, { username: 'odd_inst_2', institution_id: A_VS.repeat(64) }),
    400,
    'INVALID_REQUEST',
    /institution_id: must be 1 to 64 characters/,
  ],
  [
    'auth_token: institution_id a number',
    (t) => login(t, { username: 'odd_inst_3', institution_id: 7 }),
    400,
    'INVALID_REQUEST',
    /institution_id: must be a single string/,
  ],
  [
    'auth_token: institution_id of 64 astral characters (64 characters: read)',
    (t) => login(t, { username: 'odd_inst_4', institution_id: '\u{1D4D0}'.repeat(64) }),
    401,
    'INVALID_CREDENTIALS',
  ],
  [
    'auth_token: X-PLAID-CLIENT-ID of latin-1 characters',
    (t) => t.login('user_good', PASSWORD, {}, { 'X-PLAID-CLIENT-ID': '\u00e9'.repeat(64) }),
    401,
    'INVALID_CLIENT',
  ],

  // POST /users/:user_id/sendOtp (docs/api.md#post-usersuser_idsendotp)
  [
    'sendOtp: :user_id %00',
    (t, c) => sendOtp(t, '%00', { challenge_id: c.otp.challengeId, send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
    /path/,
  ],
  [
    'sendOtp: :user_id with a C1 control (%C2%85)',
    (t, c) => sendOtp(t, `${c.otp.userId}%C2%85`, { challenge_id: c.otp.challengeId, send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
    /path/,
  ],
  [
    'sendOtp: :user_id %ED%A0%80 (not UTF-8)',
    (t, c) => sendOtp(t, '%ED%A0%80', { challenge_id: c.otp.challengeId, send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
  ],
  [
    'sendOtp: :user_id of 200 characters',
    (t, c) => sendOtp(t, 'u'.repeat(200), { challenge_id: c.otp.challengeId, send_method_id: c.otp.methodId }),
    400,
    'CHALLENGE_NOT_FOUND',
  ],
  [
    'sendOtp: challenge_id with a NUL',
    (t, c) => sendOtp(t, c.otp.userId, { challenge_id: `${c.otp.challengeId}${NUL}`, send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
    /challenge_id: must not contain NUL/,
  ],
  [
    'sendOtp: challenge_id a lone surrogate',
    (t, c) => sendOtp(t, c.otp.userId, { challenge_id: LONE, send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
    /challenge_id/,
  ],
  [
    'sendOtp: challenge_id of 64 "a\\uFE0F"',
    (t, c) => sendOtp(t, c.otp.userId, { challenge_id: A_VS.repeat(64), send_method_id: c.otp.methodId }),
    400,
    'INVALID_REQUEST',
    /challenge_id: must be 1 to 64 characters/,
  ],
  [
    'sendOtp: send_method_id with a NUL',
    (t, c) => sendOtp(t, c.otp.userId, { challenge_id: c.otp.challengeId, send_method_id: NUL }),
    400,
    'INVALID_REQUEST',
    /send_method_id: must not contain NUL/,
  ],
  [
    'sendOtp: numbers for strings',
    (t, c) => sendOtp(t, c.otp.userId, { challenge_id: 1, send_method_id: 2 }),
    400,
    'INVALID_REQUEST',
    /challenge_id: must be a single string/,
  ],

  // POST /users/:user_id/2fa (docs/api.md#post-usersuser_id2fa)
  [
    '2fa: :user_id %00',
    (t, c) => twoFactor(t, '%00', { challenge_id: c.otp.challengeId, passcode: '123456' }),
    400,
    'INVALID_REQUEST',
    /path/,
  ],
  [
    '2fa: :user_id of 200 characters',
    (t, c) => twoFactor(t, 'u'.repeat(200), { challenge_id: c.otp.challengeId, passcode: '123456' }),
    400,
    'CHALLENGE_NOT_FOUND',
  ],
  [
    '2fa: challenge_id with a NUL',
    (t, c) => twoFactor(t, c.otp.userId, { challenge_id: NUL, passcode: '123456' }),
    400,
    'INVALID_REQUEST',
    /challenge_id: must not contain NUL/,
  ],
  [
    '2fa: passcode with a NUL',
    (t, c) => twoFactor(t, c.otp.userId, { challenge_id: c.otp.challengeId, passcode: `12345${NUL}` }),
    400,
    'INVALID_REQUEST',
    /passcode: must not contain NUL/,
  ],
  [
    '2fa: passcode a number',
    (t, c) => twoFactor(t, c.otp.userId, { challenge_id: c.otp.challengeId, passcode: 123456 }),
    400,
    'INVALID_REQUEST',
    /passcode: must be a single string/,
  ],
  [
    '2fa: KBA answer text with a NUL',
    (t, c) => twoFactor(t, c.kba.userId, { challenge_id: c.kba.challengeId, answers: kbaAnswers(c, `x${NUL}`) }),
    400,
    'INVALID_REQUEST',
    /answers\.0\.text: must not contain NUL/,
  ],
  [
    '2fa: KBA answer text a lone surrogate',
    (t, c) => twoFactor(t, c.kba.userId, { challenge_id: c.kba.challengeId, answers: kbaAnswers(c, LONE) }),
    400,
    'INVALID_REQUEST',
    /answers\.0\.text/,
  ],
  [
    '2fa: KBA question_id with a NUL',
    (t, c) => twoFactor(t, c.kba.userId, { challenge_id: c.kba.challengeId, answers: kbaAnswers(c, 'x', NUL) }),
    400,
    'INVALID_REQUEST',
    /answers\.0\.question_id: must not contain NUL/,
  ],
  [
    '2fa: KBA answers[0].text=%00, form-encoded',
    (t, c) =>
      t.twoFactor(
        c.kba.userId,
        `challenge_id=${c.kba.challengeId}&answers[0].question_id=${c.kba.questionIds[0]}&answers[0].text=%00`,
      ),
    400,
    'INVALID_REQUEST',
    /answers\.0\.text/,
  ],
  [
    '2fa: KBA answers of numbers',
    (t, c) => twoFactor(t, c.kba.userId, { challenge_id: c.kba.challengeId, answers: [1, 2] }),
    400,
    'INVALID_REQUEST',
    /answers/,
  ],
  [
    '2fa: KBA answer text of 257 characters',
    (t, c) => twoFactor(t, c.kba.userId, { challenge_id: c.kba.challengeId, answers: kbaAnswers(c, 'a'.repeat(257)) }),
    400,
    'INVALID_REQUEST',
    /answers\.0\.text: must be 1 to 256 characters/,
  ],

  // The admin API (docs/api.md#staff-api)
  ...USERNAMES_REFUSED.map(([name, username, message]): Case => [
    `POST /admin/users: username ${name}`,
    (t) => createUser(t, { username }),
    400,
    'INVALID_REQUEST',
    message,
  ]),
  [
    'POST /admin/users: institution_id of 64 "a\\uFE0F"',
    (t) => createUser(t, { institution_id: A_VS.repeat(64) }),
    400,
    'INVALID_REQUEST',
    /institution_id: must be 1 to 64 characters/,
  ],
  [
    'POST /admin/users: a KBA question with a NUL',
    (t) => createUser(t, { kba: [{ question: `Pet${NUL}?`, answer: 'Rex' }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.question: must not contain NUL/,
  ],
  [
    'POST /admin/users: a KBA question of 500 "a\\uFE0F" (1000 characters for varchar(500))',
    (t) => createUser(t, { kba: [{ question: A_VS.repeat(500), answer: 'Rex' }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.question: must be 1 to 500 characters/,
  ],
  [
    'POST /admin/users: a KBA answer of spaces (the empty string after normalisation)',
    (t) => createUser(t, { kba: [{ question: 'Pet?', answer: '   ' }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.answer: .*after normalisation/,
  ],
  [
    'POST /admin/users: a KBA answer "ﷺ" x 15 (270 characters after NFKC)',
    (t) => createUser(t, { kba: [{ question: 'Pet?', answer: SALLA.repeat(15) }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.answer: .*after normalisation/,
  ],
  [
    'POST /admin/users: a password with a NUL',
    (t) => createUser(t, { password: `pw${NUL}` }),
    400,
    'INVALID_REQUEST',
    /password/,
  ],
  [
    'POST /admin/users: a number for terms_accepted_version as a string of letters',
    (t) => createUser(t, { terms_accepted_version: 'latest' }),
    400,
    'INVALID_REQUEST',
    /terms_accepted_version/,
  ],
  ['POST /admin/users: phone a number', (t) => createUser(t, { phone: 14155550123 }), 400, 'INVALID_REQUEST', /phone/],
  [
    'GET /admin/users: ?username=%00',
    (t) => t.admin('GET', '/admin/users?username=%00'),
    400,
    'INVALID_REQUEST',
    /username: must not contain NUL/,
  ],
  [
    'GET /admin/users: ?username= "㎒" x 256',
    (t) => t.admin('GET', `/admin/users?username=${encodeURIComponent(MHZ.repeat(256))}`),
    400,
    'INVALID_REQUEST',
    /username: .*after normalisation/,
  ],
  [
    'GET /admin/users: ?institution_id=%00',
    (t) => t.admin('GET', '/admin/users?institution_id=%00'),
    400,
    'INVALID_REQUEST',
    /institution_id: must not contain NUL/,
  ],
  [
    'GET /admin/users: ?username twice',
    (t) => t.admin('GET', '/admin/users?username=a&username=b'),
    400,
    'INVALID_REQUEST',
    /username: must be a single string/,
  ],
  ['GET /admin/users/:id %00', (t) => t.admin('GET', '/admin/users/%00'), 400, 'INVALID_REQUEST', /path/],
  ['GET /admin/users/:id %ED%A0%80', (t) => t.admin('GET', '/admin/users/%ED%A0%80'), 400, 'INVALID_REQUEST'],
  [
    'GET /admin/users/:id of 200 characters',
    (t) => t.admin('GET', `/admin/users/${'x'.repeat(200)}`),
    404,
    'NOT_FOUND',
  ],
  ['GET /admin/users/:id/events %00', (t) => t.admin('GET', '/admin/users/%00/events'), 400, 'INVALID_REQUEST', /path/],
  [
    'PATCH /admin/users/:id %00',
    (t) => t.admin('PATCH', '/admin/users/%00', { phone: null }),
    400,
    'INVALID_REQUEST',
    /path/,
  ],
  [
    'PATCH /admin/users/:id of 200 characters',
    (t) => t.admin('PATCH', `/admin/users/${'x'.repeat(200)}`, { phone: null }),
    404,
    'NOT_FOUND',
  ],
  [
    'PATCH /admin/users/:id: a KBA question with a NUL',
    (t, c) => t.admin('PATCH', `/admin/users/${c.user.userId}`, { kba: [{ question: NUL, answer: 'x' }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.question/,
  ],
  [
    'PATCH /admin/users/:id: a KBA answer of spaces',
    (t, c) => t.admin('PATCH', `/admin/users/${c.user.userId}`, { kba: [{ question: 'Pet?', answer: ' \t ' }] }),
    400,
    'INVALID_REQUEST',
    /kba\.0\.answer/,
  ],
  [
    'POST /admin/users/:id/password by support, :id of 200 characters (its audit row names no user)',
    (t) => t.admin('POST', `/admin/users/${'x'.repeat(200)}/password`, {}, KEYS.support),
    403,
    'FORBIDDEN',
  ],
  [
    'POST /admin/users/:id/lock: a reason with a NUL',
    (t, c) => t.admin('POST', `/admin/users/${c.user.userId}/lock`, { reason: `fraud${NUL}` }),
    400,
    'INVALID_REQUEST',
    /reason: must not contain NUL/,
  ],
  [
    'POST /admin/users/:id/lock: a reason of 200 "a\\uFE0F" (400 characters for varchar(200))',
    (t, c) => t.admin('POST', `/admin/users/${c.user.userId}/lock`, { reason: A_VS.repeat(200) }),
    400,
    'INVALID_REQUEST',
    /reason: must be 1 to 200 characters/,
  ],
  [
    'POST /admin/users/:id/password: :id %00',
    (t) => t.admin('POST', '/admin/users/%00/password', { password: 'x' }),
    400,
    'INVALID_REQUEST',
    /path/,
  ],
  [
    'POST /admin/users/:id/terms: a version of letters',
    (t, c) => t.admin('POST', `/admin/users/${c.user.userId}/terms`, { version: 'abc' }),
    400,
    'INVALID_REQUEST',
    /version/,
  ],
  [
    'POST /admin/users/:id/terms: a version of 1e300',
    (t, c) => t.admin('POST', `/admin/users/${c.user.userId}/terms`, { version: 1e300 }),
    400,
    'INVALID_REQUEST',
    /version/,
  ],
  [
    'POST /admin/clients: a name with a NUL',
    (t) => t.admin('POST', '/admin/clients', { name: `Plaid${NUL}` }),
    400,
    'INVALID_REQUEST',
    /name: must not contain NUL/,
  ],
  [
    'POST /admin/clients: a name of 200 "a\\uFE0F"',
    (t) => t.admin('POST', '/admin/clients', { name: A_VS.repeat(200) }),
    400,
    'INVALID_REQUEST',
    /name: must be 1 to 200 characters/,
  ],
  [
    'POST /admin/clients: a name that is a number',
    (t) => t.admin('POST', '/admin/clients', { name: 42 }),
    400,
    'INVALID_REQUEST',
    /name: must be a single string/,
  ],
  [
    'POST /admin/clients/:id/secrets: :id %00',
    (t) => t.admin('POST', '/admin/clients/%00/secrets'),
    400,
    'INVALID_REQUEST',
  ],
  [
    'DELETE /admin/clients/:id/secrets/:n: :id %00',
    (t) => t.admin('DELETE', '/admin/clients/%00/secrets/1'),
    400,
    'INVALID_REQUEST',
  ],
  [
    'GET /admin/outbox: ?to=%00',
    (t) => t.admin('GET', '/admin/outbox?to=%00'),
    400,
    'INVALID_REQUEST',
    /to: must not contain NUL/,
  ],
  [
    'GET /admin/outbox: ?to= 254 "a\\uFE0F"',
    (t) => t.admin('GET', `/admin/outbox?to=${encodeURIComponent(A_VS.repeat(254))}`),
    400,
    'INVALID_REQUEST',
    /to: must be 1 to 254 characters/,
  ],
  [
    'PUT /admin/maintenance: a week date for retry_at (which Date cannot read)',
    (t) => t.admin('PUT', '/admin/maintenance', { enabled: true, retry_at: '2026-W01-1' }),
    400,
    'INVALID_REQUEST',
    /retry_at/,
  ],
  [
    'PUT /admin/maintenance: a message with a NUL',
    (t) => t.admin('PUT', '/admin/maintenance', { enabled: true, message: NUL }),
    400,
    'INVALID_REQUEST',
    /message/,
  ],

  // Tokens for the bank's data API (docs/api.md#tokens-for-the-banks-data-api)
  [
    'POST /tokens/introspect: a token with a NUL',
    (t) => t.admin('POST', '/tokens/introspect', { token: `abc${NUL}` }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /token: must not contain NUL/,
  ],
  [
    'POST /tokens/introspect: a user_id with a NUL',
    (t) => t.admin('POST', '/tokens/introspect', { token: 'abc', user_id: NUL }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /user_id: must not contain NUL/,
  ],
  [
    'POST /tokens/introspect: a token that is a lone surrogate',
    (t) => t.admin('POST', '/tokens/introspect', { token: LONE }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /token/,
  ],
  [
    'POST /tokens/introspect: a token that is a number',
    (t) => t.admin('POST', '/tokens/introspect', { token: 5 }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /token: must be a single string/,
  ],
  [
    'POST /tokens/revoke: a token with a NUL',
    (t) => t.admin('POST', '/tokens/revoke', { token: NUL }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /token: must not contain NUL/,
  ],
  [
    'POST /tokens/revoke: a token of 513 characters',
    (t) => t.admin('POST', '/tokens/revoke', { token: 't'.repeat(513) }, KEYS.rs),
    400,
    'INVALID_REQUEST',
    /token: must be 1 to 512 characters/,
  ],
];

describe('odd input is a 4xx, never a 500', () => {
  let t: TestApp;
  const c = {} as Ctx;
  beforeAll(async () => {
    t = await TestApp.start();
    c.user = await t.createUser('odd', { kba: [{ question: 'First pet?', answer: 'Rex' }] }, PASSWORD);
    const o = await t.createUser('odd_otp', { phone: '+14155550177' }, PASSWORD);
    const challenge = await t.otpChallenge(o.username);
    c.otp = { userId: challenge.userId, challengeId: challenge.challengeId, methodId: challenge.method.id };
    const k = await t.createUser(
      'odd_kba',
      {
        kba: [
          { question: 'First pet?', answer: 'Rex' },
          { question: 'First car?', answer: 'Beetle' },
        ],
      },
      PASSWORD,
    );
    const kl = await t.login(k.username);
    expect(kl.status).toBe(202);
    c.kba = {
      userId: kl.body.user_id,
      challengeId: kl.body.challenge.id,
      questionIds: kl.body.challenge.questions.map((q: { id: string }) => q.id),
    };
  });
  afterAll(async () => {
    await t?.stop();
  });

  // Each row's title says what is sent and what must come back (docs/api.md#requests-and-errors).
  const rows = CASES.map(
    ([name, send, status, id, message]) => [`${name}: ${status} ${id}`, { send, status, id, message }] as const,
  );
  it.each(rows)('%s', async (_title, { send, status, id, message }) => {
    const logged = t.logs.length;
    const r = await send(t, c);
    expectEnvelope(r, status, id);
    if (message) expect(r.body.error.message).toMatch(message);
    // Stopped at the edge: neither a bug nor the database's last line of defence (error.filter.ts).
    expect(t.logs.slice(logged).join('')).not.toMatch(/"unhandled error"|database refused a value/);
  });

  describe('nothing was half-written', () => {
    it('no user was created, maintenance stayed off', async () => {
      const users = await t.admin('GET', '/admin/users');
      const names: string[] = users.body.users.map((u: { username: string }) => u.username);
      // the sandbox's users and the three of beforeAll, nothing else
      expect(names.filter((n) => !n.startsWith('user_') && !/^odd(_otp|_kba)?_\d+_/.test(n))).toEqual([]);
      expect(names.filter((n) => /^odd/.test(n))).toHaveLength(3);
      expect((await t.admin('GET', '/admin/maintenance')).body.enabled).toBe(false);
    });

    it('the user refused a lock and a KBA change is unlocked, with its question as it was', async () => {
      const u = await t.admin('GET', `/admin/users/${c.user.userId}`);
      expect(u.status).toBe(200);
      expect(u.body.lock.locked).toBe(false);
      expect(u.body.factors.kba.map((q: { text: string }) => q.text)).toEqual(['First pet?']);
      expect((await t.login(c.user.username)).status).toBe(202);
    });

    it('the OTP challenge still works: sendOtp, then 2fa with the code', async () => {
      const o = await t.sendOtp(c.otp.userId, c.otp.challengeId, c.otp.methodId);
      expect(o.status).toBe(200);
      const code = await t.outboxCode('+14155550177');
      const r = await t.twoFactor(c.otp.userId, { challenge_id: c.otp.challengeId, passcode: code! });
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(c.otp.userId);
    });

    it('a normal login still works, and its token introspects', async () => {
      const r = await t.login('user_good');
      expect(r.status).toBe(200);
      const i = await t.admin('POST', '/tokens/introspect', { token: r.body.auth_token }, KEYS.rs);
      expect(i.body).toMatchObject({ active: true, user_id: r.body.user_id });
    });
  });
});

describe('lengths are checked after normalisation: what fits is stored and logs in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    ['"㎒" x 85 and "a" (256 characters after NFKC)', MHZ.repeat(85) + 'a', 'mhz'.repeat(85) + 'a'],
    ['"İ" x 128 (256 characters lower-cased)', I_DOT.repeat(128), 'i\u0307'.repeat(128)],
    ['256 astral characters (NFKC "A")', '\u{1D4D0}'.repeat(256), 'a'.repeat(256)],
    ['256 astral ideographs (512 UTF-16 units, 256 characters)', '\u{20000}'.repeat(256), '\u{20000}'.repeat(256)],
    // What RFC 8265 allows: printable ASCII ('@' included), right-to-left text, the joiners where they join.
    ['an address, with @ and +', 'Odd.User+1@Bank.example', 'odd.user+1@bank.example'],
    ['Hebrew ending in a digit', '\u05E9\u05DC\u05D5\u05DD7', '\u05E9\u05DC\u05D5\u05DD7'],
    [
      'Persian with a ZWNJ between joining letters',
      '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645',
      '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645',
    ],
    ['Devanagari with a ZWJ after a virama', '\u0915\u094D\u200D\u0937', '\u0915\u094D\u200D\u0937'],
  ])('%s: 201, found by its normal form, and logs in', async (_name, username, norm) => {
    const r = await t.admin('POST', '/admin/users', { username, password: PASSWORD });
    expect(r.status).toBe(201);
    expect(r.body.username).toBe(username.normalize('NFKC'));
    const found = await t.admin('GET', `/admin/users?username=${encodeURIComponent(norm)}`);
    expect(found.body.users.map((u: { user_id: string }) => u.user_id)).toEqual([r.body.user_id]);
    const login = await t.login(username);
    expect(login.status).toBe(200);
    expect(login.body.user_id).toBe(r.body.user_id);
  });

  it('a KBA question of 500 astral characters and an answer of 256 are enrolled and answered', async () => {
    const question = '\u{1F600}'.repeat(500);
    const answer = '\u{1D4D0}'.repeat(256);
    const u = await t.createUser('odd_kba_max', { kba: [{ question, answer }], mfa_preference: 'kba' }, PASSWORD);
    const l = await t.login(u.username);
    expect(l.status).toBe(202);
    expect(l.body.challenge.questions.map((q: { text: string }) => q.text)).toEqual([question]);
    const r = await t.plaid(
      `/users/${u.userId}/2fa`,
      {
        challenge_id: l.body.challenge.id,
        answers: [{ question_id: l.body.challenge.questions[0].id, text: answer }],
      } as never,
      { json: true },
    );
    expect(r.status).toBe(200);
  });

  it('a lock reason and a client name of 200 astral characters are stored as given', async () => {
    const u = await t.createUser('odd_lock', {}, PASSWORD);
    const reason = '\u{1F512}'.repeat(200);
    const locked = await t.admin('POST', `/admin/users/${u.userId}/lock`, { reason });
    expect(locked.status).toBe(200);
    expect(locked.body.lock.reason).toBe(reason);
    expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');
    const client = await t.admin('POST', '/admin/clients', { name: '\u{1F3E6}'.repeat(200) });
    expect(client.status).toBe(201);
  });
});

describe('a username RFC 8265 refuses is 400 on the OAuth sign-in page and in a users:import row too', () => {
  let t: TestApp;
  beforeAll(async () => {
    requireBuiltCli();
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });
  const PAGE_REASONS: [string, string, string][] = [
    ['a space inside', 'user good', 'username: must not contain spaces'],
    ['a zero-width space', 'user\u200Bgood', 'username: must not contain invisible or formatting characters (U+200B)'],
    ['an RTL override', '\u202Euser_good', 'username: must not contain invisible or formatting characters (U+202E)'],
  ];

  it.each(PAGE_REASONS)(
    'the sign-in page: %s is 400, the form again naming the field',
    async (_name, username, why) => {
      const b = new Browser(t);
      await b.authorize();
      const r = await b.signIn(username, PASSWORD);
      expect(r.status).toBe(400);
      expect(r.text).toMatch(/role="alert"[^>]*>.*That cannot be a username/s);
      expect(r.text).toContain(`(${why})`);
      expect(r.text).toContain('name="password"');
      // Refused before anything is judged: the form still signs the customer in.
      expect(redirected(await b.signIn('user_good', PASSWORD)).searchParams.get('code')).toEqual(expect.any(String));
    },
  );

  it('users:import refuses such a row by its line and reason, and imports the others', async () => {
    const csv = [
      'username,password',
      'imp_fine,pw one',
      'imp bad,pw two',
      'imp\u200Dzwj,pw three',
      'imp\u{1F600},pw four',
      'Imp.Fine+2@bank.example,pw five',
    ].join('\n');
    const file = join(t.dir, 'odd-users.csv');
    writeFileSync(file, `${csv}\n`);
    const r = await cli(t.databaseUrl, ['users:import', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: INVALID_REQUEST: 3 of 5 rows refused \(first: line 3\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({
      rows: 5,
      created: 2,
      refused: [
        { line: 3, reason: 'username: must not contain spaces' },
        { line: 4, reason: 'username: must not contain invisible or formatting characters (U+200D)' },
        {
          line: 5,
          reason: 'username: must not contain U+1F600: a username takes letters, digits and printable ASCII (RFC 8265)',
        },
      ],
    });
    const rows = await storedRows<{ username_norm: string }>(
      t,
      "SELECT username_norm FROM users WHERE username_norm LIKE 'imp%'",
    );
    expect(rows.map((u) => u.username_norm).sort()).toEqual(['imp.fine+2@bank.example', 'imp_fine']);
    expect((await t.login('imp_fine', 'pw one')).status).toBe(200);
  });
});
