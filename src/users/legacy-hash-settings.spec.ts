import type { LegacyHashSettingRepository } from './legacy-hash-setting.repository';
import { LegacyHashSettings } from './legacy-hash-settings';

describe(LegacyHashSettings.name, () => {
  const setup = () => {
    const repo = {
      all: jest.fn().mockResolvedValue(['$2b$10$', '$2b$04$']),
      add: jest.fn().mockResolvedValue(undefined),
      removeUnused: jest.fn().mockResolvedValue(true),
    };
    return { sut: new LegacyHashSettings(repo as unknown as LegacyHashSettingRepository), repo };
  };

  it('reads the settings once for concurrent and later callers, sorted', async () => {
    const { sut, repo } = setup();
    const [a, b] = await Promise.all([sut.current(), sut.current()]);
    expect(a).toEqual(['$2b$04$', '$2b$10$']);
    expect(b).toBe(a);
    expect(await sut.current()).toBe(a);
    expect(repo.all).toHaveBeenCalledTimes(1);
  });

  it('reads again after a setting it did not know is recorded, or one is retired', async () => {
    const { sut, repo } = setup();
    await sut.current();
    await sut.record(['$2b$12$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234']);
    expect(repo.add).toHaveBeenCalledWith('$2b$12$', expect.any(Number));
    await sut.current();
    expect(repo.all).toHaveBeenCalledTimes(2);
    await sut.retire('$2b$04$');
    await sut.current();
    expect(repo.all).toHaveBeenCalledTimes(3);
  });

  it('keeps its list when a retired setting still has hashes', async () => {
    const { sut, repo } = setup();
    repo.removeUnused.mockResolvedValue(false);
    await sut.current();
    await sut.retire('$2b$04$');
    await sut.current();
    expect(repo.all).toHaveBeenCalledTimes(1);
  });
});
