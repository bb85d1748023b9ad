import { loadConfig } from '@/config/load-config';
import { CheckAdmission } from '@/users/check-admission';
import * as bcrypt from 'bcryptjs';
import { PasswordHasher, importedHashProblem } from '@/users/password-hasher';
import { checkHeader, checkRow } from './import-row';

const COLUMNS = checkHeader(['username', 'password', 'password_hash', 'phone', 'email', 'institution_id']);
const row = (fields: Partial<Record<(typeof COLUMNS)[number], string>>) => COLUMNS.map((c) => fields[c] ?? '');
const ARGON = '$argon2id$v=19$m=19456,p=1,t=2$3HJaJhq9nsCX8szsyngTeg$qwE3QgDteTNp+4j6oUdn7a2HSzld5pHf9FyoooigqUM';

describe('users:import rows', () => {
  it('refuses a header with an unknown or repeated column, or without username or a password column', () => {
    expect(() => checkHeader(['username', 'pasword'])).toThrow(/unknown column pasword/);
    expect(() => checkHeader(['username', 'password', 'password'])).toThrow(/password is given twice/);
    expect(() => checkHeader(['password'])).toThrow(/needs a username column/);
    expect(() => checkHeader(['username', 'phone'])).toThrow(/needs a password or a password_hash column/);
    expect(checkHeader([' Username ', 'PASSWORD_HASH'])).toEqual(['username', 'password_hash']);
  });

  it('takes a row with a clear password or a hash, and E.164 numbers that exist', () => {
    expect(
      checkRow(2, COLUMNS, row({ username: ' Ann ', password: ' pw with spaces ', phone: '+14155550123' })),
    ).toEqual({
      row: {
        line: 2,
        username: 'Ann',
        institutionId: null,
        password: ' pw with spaces ',
        passwordHash: null,
        phone: '+14155550123',
        email: null,
      },
    });
    expect(checkRow(3, COLUMNS, row({ username: 'b', password_hash: ARGON, institution_id: 'bank-b' }))).toMatchObject({
      row: { passwordHash: ARGON, password: null, institutionId: 'bank-b' },
    });
  });

  it.each([
    [{ username: 'a', password: 'x', phone: '+1415555012' }, /^phone: /],
    [{ username: 'a', password: 'x', phone: '0033612345678' }, /^phone: /],
    [{ username: 'a', password: 'x', email: 'a@' }, /^email: /],
    [{ username: 'a' }, /^password or password_hash: missing/],
    [{ username: 'a', password: 'x', password_hash: ARGON }, /not both/],
    [{ username: '  ', password: 'x' }, /^username: missing/],
    [{ username: 'a', password: 'x', institution_id: 'i'.repeat(65) }, /^institution_id: /],
  ])('refuses %j by its line, with a reason', (fields, reason) => {
    expect(checkRow(9, COLUMNS, row(fields))).toEqual({ line: 9, reason: expect.stringMatching(reason) });
  });
});

describe('imported password hashes', () => {
  it('accepts argon2id in either parameter order and bcrypt $2a$, $2b$, $2y$ within bounded costs', () => {
    expect(importedHashProblem(ARGON)).toBeNull();
    expect(importedHashProblem(ARGON.replace('m=19456,p=1,t=2', 't=2,m=19456,p=1'))).toBeNull();
    const b = bcrypt.hashSync('x', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) expect(importedHashProblem(b.replace(/^\$2b\$/, prefix))).toBeNull();
    expect(importedHashProblem(b.replace('$04$', '$31$'))).toMatch(/bcrypt cost must be 4 to 14/);
    expect(importedHashProblem(ARGON.replace('m=19456', 'm=9999999'))).toMatch(/argon2id parameters/);
    expect(importedHashProblem(ARGON.replace('argon2id', 'argon2i'))).toMatch(/must be argon2id/);
    expect(importedHashProblem(ARGON.replace('p=1,t=2', 'p=1,p=2'))).toMatch(/m, t and p once each/);
    expect(importedHashProblem('5f4dcc3b5aa765d61d8327deb882cf99')).toMatch(/must be argon2id/);
  });

  it('verifies bcrypt with bcryptjs and asks for its upgrade; argon2id needs none', async () => {
    const sut = new PasswordHasher(new CheckAdmission(loadConfig({ NODE_ENV: 'test' })));
    const b = bcrypt.hashSync('correct horse', 4).replace(/^\$2b\$/, '$2y$');
    expect(await sut.verify(b, 'correct horse', 'legacy')).toBe(true);
    expect(await sut.verify(b, 'wrong horse', 'legacy')).toBe(false);
    expect(sut.needsUpgrade(b)).toBe(true);
    const a = await sut.hash('correct horse');
    expect(sut.needsUpgrade(a)).toBe(false);
    expect(await sut.verify(a, 'correct horse', 'legacy')).toBe(true);
  });
});
