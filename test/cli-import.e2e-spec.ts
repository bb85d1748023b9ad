import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { CLI, cli, expectRefused, requireBuiltCli } from './support/cli';
import { storedRows } from './support/stored';

/**
 * `users:import FILE.csv` (docs/cli.md) run as an operator runs it, on the database
 * of a running service (SQLite, and PostgreSQL in the e2e-postgres project).
 */
describe(`cli users:import (${TEST_ENGINE})`, () => {
  let t: TestApp;
  const hashOf = async (username: string) =>
    (
      await storedRows<{ password_hash: string }>(t, 'SELECT password_hash FROM users WHERE username = ?', [username])
    )[0]?.password_hash;
  const userCount = async () => Number((await storedRows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM users'))[0].n);

  beforeAll(async () => {
    requireBuiltCli();
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('imports the good rows, reports each bad one by line and reason, and a re-run duplicates no one', async () => {
    const bcryptHash = bcrypt.hashSync('bcrypt: correct horse', 4).replace(/^\$2b\$/, '$2y$');
    const argonHash = await argon2.hash('argon: battery staple', { type: argon2.argon2id });
    const goodBefore = await hashOf('user_good');
    const csv = [
      'username,password,password_hash,phone,email,institution_id', // line 1
      'imp_clear,clear: staple horse,,+14155550142,imp_clear@example.com,', // 2: created
      `imp_bcrypt,,${bcryptHash},,,`, // 3: created
      `imp_argon,,"${argonHash}",,,`, // 4: created (quoted: the hash holds commas)
      'imp_clear,other password,,,,bank-b', // 5: created (another institution)
      'user_good,a new password,,,,', // 6: already present: left as it is
      'imp_nopw,,,,,', // 7
      'imp_phone,pw,,4155550123,,', // 8
      'imp_phone2,pw,,+1415555012,,', // 9: E.164 in form, but no such number
      'imp_mail,pw,,,not-an-address,', // 10
      `imp_both,pw,${bcryptHash},,,`, // 11
      'imp_hash,,$2b$04$tooshort,,,', // 12
      'IMP_CLEAR,again,,,,', // 13: the same user as line 2 (usernames compare case-insensitively)
      'imp_short,pw', // 14
      ',pw,,,,', // 15
    ].join('\n');
    const file = join(t.dir, 'users.csv');
    writeFileSync(file, `${csv}\n`);
    const before = await userCount();

    const first = await cli(t.databaseUrl, ['users:import', file, '--json']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^error: INVALID_REQUEST: 9 of 14 rows refused \(first: line 7\)[^\n]*\n$/);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ rows: 14, created: 4, existing: 1 });
    expect(report.refused).toEqual([
      { line: 7, reason: 'password or password_hash: missing' },
      { line: 8, reason: expect.stringMatching(/^phone: must be a valid international number/) },
      { line: 9, reason: expect.stringMatching(/^phone: /) },
      { line: 10, reason: 'email: must be an email address' },
      { line: 11, reason: 'give password or password_hash, not both' },
      { line: 12, reason: expect.stringMatching(/^password_hash must be argon2id .* or bcrypt/) },
      { line: 13, reason: 'username already on line 2' },
      { line: 14, reason: expect.stringMatching(/^has 2 fields, the header 6/) },
      { line: 15, reason: 'username: missing' },
    ]);
    expect(`${first.stdout}${first.stderr}`).not.toMatch(/staple|horse|a new password/);

    // What the database holds: the good rows, hashes as given or argon2id, and user_good untouched.
    expect(await userCount()).toBe(before + 4);
    expect(await hashOf('imp_bcrypt')).toBe(bcryptHash);
    expect(await hashOf('imp_argon')).toBe(argonHash);
    const stored = await storedRows<{ institution_id: string; password_hash: string; phone: string | null }>(
      t,
      'SELECT institution_id, password_hash, phone FROM users WHERE username = ? ORDER BY institution_id',
      ['imp_clear'],
    );
    expect(stored.map((u) => [u.institution_id, u.phone])).toEqual([
      ['bank-b', null],
      ['default', '+14155550142'],
    ]);
    expect(stored.every((u) => u.password_hash.startsWith('$argon2id$'))).toBe(true);
    expect(await argon2.verify(stored[1].password_hash, 'clear: staple horse')).toBe(true);
    expect(await hashOf('user_good')).toBe(goodBefore);

    // Run again: the same report, and no one twice.
    const again = await cli(t.databaseUrl, ['users:import', file]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/created: +0\n/);
    expect(again.stdout).toMatch(/already present: +5\n/);
    expect(again.stdout).toContain('line 8: phone: must be a valid international number');
    expect(await userCount()).toBe(before + 4);
    // Piped, not a terminal: no progress bar, only the one-line reason on stderr.
    expect(again.stderr).toMatch(/^error: [^\n]+\n$/);
  }, 120_000);

  it('an imported bcrypt user logs in, and then holds an argon2id hash; an imported argon2id user logs in', async () => {
    const bcryptHash = bcrypt.hashSync('bcrypt: Tr0ub4dor&3', 5);
    const file = join(t.dir, 'bcrypt.csv');
    writeFileSync(file, `username,password_hash\nimp_upgrade,${bcryptHash}\n`);
    const r = await cli(t.databaseUrl, ['users:import', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 1, refused: [] });

    expectEnvelope(await t.login('imp_upgrade', 'bcrypt: wrong'), 401, 'INVALID_CREDENTIALS');
    expect(await hashOf('imp_upgrade')).toBe(bcryptHash);
    const ok = await t.login('imp_upgrade', 'bcrypt: Tr0ub4dor&3');
    expect(ok.status).toBe(200);
    const upgraded = (await hashOf('imp_upgrade')) ?? '';
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await argon2.verify(upgraded, 'bcrypt: Tr0ub4dor&3')).toBe(true);
    // The same password still works, now against argon2id, and the user_id is the same.
    const again = await t.login('imp_upgrade', 'bcrypt: Tr0ub4dor&3');
    expect({ status: again.status, user_id: again.body.user_id }).toEqual({ status: 200, user_id: ok.body.user_id });
    expect(await hashOf('imp_upgrade')).toBe(upgraded);

    // argon2id with other parameters than ours (node's argon2 defaults: m=65536, t=3, p=4) is upgraded too.
    expect(await hashOf('imp_argon')).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect((await t.login('imp_argon', 'argon: battery staple')).status).toBe(200);
    expect(await hashOf('imp_argon')).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect((await t.login('imp_bcrypt', 'bcrypt: correct horse')).status).toBe(200);
    expect(await hashOf('imp_bcrypt')).toMatch(/^\$argon2id\$/);
  });

  it('while imported hashes wait for their upgrade their settings are kept, so every login pays for them; the last upgrade retires each', async () => {
    const settings = async () =>
      (await storedRows<{ setting: string }>(t, 'SELECT setting FROM legacy_hash_setting')).map((r) => r.setting);
    const bcryptA = bcrypt.hashSync('pad: a', 6);
    const bcryptB = bcrypt.hashSync('pad: b', 6);
    const argonC = await argon2.hash('pad: c', {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    const ARGON_C = '$argon2id$v=19$m=4096,p=1,t=1$';
    const file = join(t.dir, 'pad.csv');
    writeFileSync(file, `username,password_hash\nimp_pad_a,${bcryptA}\nimp_pad_b,${bcryptB}\nimp_pad_c,"${argonC}"\n`);
    expect(JSON.parse((await cli(t.databaseUrl, ['users:import', file, '--json'])).stdout)).toMatchObject({
      created: 3,
      refused: [],
    });
    expect(await settings()).toEqual(expect.arrayContaining(['$2b$06$', ARGON_C]));

    // An unknown name and a wrong password are 401 as ever, and change nothing.
    expectEnvelope(await t.login('imp_pad_nobody', 'pad: a'), 401, 'INVALID_CREDENTIALS');
    expectEnvelope(await t.login('imp_pad_a', 'pad: wrong'), 401, 'INVALID_CREDENTIALS');
    expect(await hashOf('imp_pad_a')).toBe(bcryptA);

    expect((await t.login('imp_pad_a', 'pad: a')).status).toBe(200);
    expect(await hashOf('imp_pad_a')).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await settings()).toContain('$2b$06$'); // imp_pad_b still holds one
    expect((await t.login('imp_pad_b', 'pad: b')).status).toBe(200);
    expect(await settings()).not.toContain('$2b$06$');
    expect((await t.login('imp_pad_c', 'pad: c')).status).toBe(200);
    expect(await hashOf('imp_pad_c')).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await settings()).not.toContain(ARGON_C);
    // Upgraded users log in against their new hash.
    expect((await t.login('imp_pad_c', 'pad: c')).status).toBe(200);
  });

  it('draws a progress bar with the rate and time left on a terminal (util-linux script gives it one)', async () => {
    const file = join(t.dir, 'tty.csv');
    writeFileSync(
      file,
      `username,password\n${Array.from({ length: 8 }, (_, i) => `imp_tty_${i},pw ${i}`).join('\n')}\n`,
    );
    const command = [process.execPath, CLI, 'users:import', file].map((a) => `'${a}'`).join(' ');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: t.databaseUrl },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/importing \[[^\]]+\] 100% \| 8 rows \| \d+ rows\/s \| \S+ left/);
    expect(r.out).toMatch(/created: +8/);
  }, 60_000);

  it('refuses a file it cannot read or whose header is wrong, importing nothing', async () => {
    const before = await userCount();
    expectRefused(
      await cli(t.databaseUrl, ['users:import', join(t.dir, 'missing.csv')]),
      1,
      /^error: ENOENT: no such file or directory/,
    );
    const typo = join(t.dir, 'typo.csv');
    writeFileSync(typo, 'username,password,phon\nimp_typo,pw,+14155550100\n');
    expectRefused(
      await cli(t.databaseUrl, ['users:import', typo]),
      1,
      /^error: INVALID_REQUEST: typo\.csv line 1: unknown column phon; the columns are username, password/,
    );
    const nopw = join(t.dir, 'nopw.csv');
    writeFileSync(nopw, 'username,phone\nimp_nopw,+14155550100\n');
    expectRefused(await cli(t.databaseUrl, ['users:import', nopw]), 1, /needs a password or a password_hash column/);
    expect(await userCount()).toBe(before);
  });
});
