import * as bcrypt from 'bcryptjs';
import { loadConfig } from '@/config/load-config';
import { CheckAdmission } from './check-admission';
import { ARGON2_OPTIONS, CURRENT_SETTING, PasswordHasher, hashSetting } from './password-hasher';

// The modules themselves (not this file's import bindings), so that a spy sees the hasher's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const argon2Module = require('argon2') as typeof import('argon2');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcryptModule = require('bcryptjs') as typeof import('bcryptjs');

const PASSWORD = 'correct horse battery';

describe(PasswordHasher.name, () => {
  let sut: PasswordHasher;
  let current: string;
  let foreignArgon: string;
  const legacyBcrypt = bcrypt.hashSync(PASSWORD, 4).replace(/^\$2b\$/, '$2y$');

  beforeAll(async () => {
    sut = new PasswordHasher(new CheckAdmission(loadConfig({ NODE_ENV: 'test' })));
    await sut.onModuleInit();
    current = await sut.hash(PASSWORD);
    foreignArgon = await argon2Module.hash(PASSWORD, {
      type: argon2Module.argon2id,
      memoryCost: 1024,
      timeCost: 1,
      parallelism: 1,
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('knows each hash by its setting: ours in either parameter order, bcrypt by cost, argon2id by parameters', () => {
    expect(hashSetting(current)).toBe(CURRENT_SETTING);
    expect(hashSetting(current.replace('m=19456,p=1,t=2', 't=2,p=1,m=19456'))).toBe(CURRENT_SETTING);
    expect(hashSetting(legacyBcrypt)).toBe('$2y$04$');
    expect(hashSetting(foreignArgon)).toBe('$argon2id$v=19$m=1024,p=1,t=1$');
    expect([sut.needsUpgrade(current), sut.needsUpgrade(legacyBcrypt), sut.needsUpgrade(foreignArgon)]).toEqual([
      false,
      true,
      true,
    ]);
    expect(ARGON2_OPTIONS).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  /** The settings verified by one login check, as the spies on both primitives saw them, sorted. */
  async function workOf(hash: string | null, password: string, legacy: string[]): Promise<[boolean, string[]]> {
    const argon = jest.spyOn(argon2Module, 'verify');
    const bc = jest.spyOn(bcryptModule, 'compare');
    const result = await sut.verifyLogin(hash, password, legacy, 'legacy');
    // Every verify did its work and answered: one that threw at once (a dummy it could not parse) costs nothing.
    const answers = await Promise.allSettled([...argon.mock.results, ...bc.mock.results].map((r) => r.value));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'fulfilled'));
    const settings = [
      ...argon.mock.calls.map(([h]) => hashSetting(h)),
      ...bc.mock.calls.map(([, h]) => `bcrypt cost ${h.slice(4, 6)}`),
    ].sort();
    jest.restoreAllMocks();
    return [result, settings];
  }

  it('an unknown name, a user of ours and each imported user cost the same verifies, while imported hashes remain', async () => {
    const legacy = [hashSetting(legacyBcrypt), hashSetting(foreignArgon)];
    const expected = ['$argon2id$v=19$m=1024,p=1,t=1$', CURRENT_SETTING, 'bcrypt cost 04'].sort();
    const paths: [string, string | null, string, boolean][] = [
      ['unknown username', null, PASSWORD, false],
      ['our argon2id, right password', current, PASSWORD, true],
      ['our argon2id, wrong password', current, 'wrong', false],
      ['imported bcrypt, right password', legacyBcrypt, PASSWORD, true],
      ['imported bcrypt, wrong password', legacyBcrypt, 'wrong', false],
      ['imported argon2id, right password', foreignArgon, PASSWORD, true],
      ['imported argon2id, wrong password', foreignArgon, 'wrong', false],
    ];
    for (const [name, hash, password, valid] of paths)
      expect([name, ...(await workOf(hash, password, legacy))]).toEqual([name, valid, expected]);
  });

  it('once every imported hash is upgraded, a check is one argon2id verify at our parameters', async () => {
    expect(await workOf(null, PASSWORD, [])).toEqual([false, [CURRENT_SETTING]]);
    expect(await workOf(current, PASSWORD, [])).toEqual([true, [CURRENT_SETTING]]);
  });

  it('a dummy of another setting runs at that setting: bcrypt at its cost, argon2id at its parameters', async () => {
    const cost5 = bcrypt.hashSync('x', 5);
    const [, work] = await workOf(null, PASSWORD, ['$2b$05$', '$argon2id$v=19$m=2048,t=3,p=2$']);
    expect(work).toEqual(['$argon2id$v=19$m=2048,t=3,p=2$', CURRENT_SETTING, 'bcrypt cost 05'].sort());
    expect(hashSetting(cost5)).toBe('$2b$05$');
  });
});
