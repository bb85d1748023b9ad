import { ErrorId } from '@/common/errors/error-id';
import { sha256 } from '@/common/crypto/digest';
import type { StaffKey } from './staff-key.entity';
import type { StaffKeyRepository } from './staff-key.repository';
import { StaffService } from './staff.service';

describe(StaffService.name, () => {
  const key: StaffKey = {
    id: 'k1',
    name: 'Jo',
    role: 'support',
    keyHash: sha256('pxs_key'),
    createdAt: 1,
    revokedAt: null,
  };
  const setup = () => {
    const repo = {
      insert: jest.fn().mockResolvedValue(undefined),
      revokeIfActive: jest.fn().mockResolvedValue(true),
      findById: jest.fn().mockResolvedValue(key),
      findActiveByHash: jest.fn().mockResolvedValue(key),
    };
    return { sut: new StaffService(repo as unknown as StaffKeyRepository), repo };
  };

  it('stores the digest of a new key, never the key', async () => {
    const { sut, repo } = setup();
    const issued = await sut.create('Jo', 'support');
    const [stored] = repo.insert.mock.calls[0] as [StaffKey];
    expect(stored.keyHash).toBe(sha256(issued.key));
    expect(JSON.stringify(stored)).not.toContain(issued.key);
  });

  it('answers NOT_FOUND for no such key and CONFLICT for one revoked already', async () => {
    const { sut, repo } = setup();
    repo.revokeIfActive.mockResolvedValue(false);
    repo.findById.mockResolvedValueOnce(null);
    await expect(sut.revoke('nope')).rejects.toMatchObject({ id: ErrorId.NOT_FOUND });
    await expect(sut.revoke('k1')).rejects.toMatchObject({ id: ErrorId.CONFLICT });
  });

  it('forgets a revoked key at once in this process', async () => {
    const { sut, repo } = setup();
    expect(await sut.authenticate('pxs_key')).toBe(key);
    expect(await sut.authenticate('pxs_key')).toBe(key);
    expect(repo.findActiveByHash).toHaveBeenCalledTimes(1);
    await sut.revoke('k1');
    repo.findActiveByHash.mockResolvedValue(null);
    expect(await sut.authenticate('pxs_key')).toBeNull();
  });
});
