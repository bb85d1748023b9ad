import { ErrorId } from '@/common/errors/error-id';
import { sha256 } from '@/common/crypto/digest';
import type { PartnerClientRepository } from './partner-client.repository';
import type { PartnerSecretRepository } from './partner-secret.repository';
import { PARTNER_SECRET_CACHE_MS, PartnersService } from './partners.service';

describe(PartnersService.name, () => {
  const setup = (digests: string[]) => {
    const secrets = { activeDigests: jest.fn().mockResolvedValue(digests), retire: jest.fn().mockResolvedValue([2]) };
    const clients = { count: jest.fn().mockResolvedValue(0) };
    const sut = new PartnersService(
      clients as unknown as PartnerClientRepository,
      secrets as unknown as PartnerSecretRepository,
    );
    return { sut, secrets, clients };
  };

  it('accepts either active secret of a client in rotation', async () => {
    const { sut } = setup([sha256('old'), sha256('new')]);
    expect(await sut.authenticate('c1', 'old')).toBe('c1');
    expect(await sut.authenticate('c1', 'new')).toBe('c1');
  });

  it('refuses a wrong secret, and an unknown client, with INVALID_CLIENT', async () => {
    const { sut, secrets } = setup([sha256('right')]);
    await expect(sut.authenticate('c1', 'wrong')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
    secrets.activeDigests.mockResolvedValue([]);
    // The dummy digest an unknown client is compared with must not let its own preimage in.
    await expect(sut.authenticate('nope', 'pxauth: no such client')).rejects.toMatchObject({
      id: ErrorId.INVALID_CLIENT,
    });
  });

  describe('a matched secret is trusted for PARTNER_SECRET_CACHE_MS', () => {
    let now = 1_000_000;
    beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
    afterEach(() => jest.restoreAllMocks());

    it('without reading the digests again, until it expires', async () => {
      const { sut, secrets } = setup([sha256('right')]);
      expect(await sut.authenticate('c1', 'right')).toBe('c1');
      now += PARTNER_SECRET_CACHE_MS - 1;
      expect(await sut.authenticate('c1', 'right')).toBe('c1');
      expect(secrets.activeDigests).toHaveBeenCalledTimes(1);

      // Retired by another replica: still accepted here until the entry expires, then refused.
      secrets.activeDigests.mockResolvedValue([]);
      now += 1;
      await expect(sut.authenticate('c1', 'right')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
      expect(secrets.activeDigests).toHaveBeenCalledTimes(2);
    });

    it('but a secret retired on this process stops working at once', async () => {
      const { sut, secrets } = setup([sha256('old'), sha256('new')]);
      expect(await sut.authenticate('c1', 'old')).toBe('c1');
      secrets.activeDigests.mockResolvedValue([sha256('new')]);
      await sut.revokeSecret('c1', 1);
      await expect(sut.authenticate('c1', 'old')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
      expect(await sut.authenticate('c1', 'new')).toBe('c1');
    });

    it('and any other secret is looked up: a new one works at once, a wrong one is refused each time', async () => {
      const { sut, secrets } = setup([sha256('old')]);
      expect(await sut.authenticate('c1', 'old')).toBe('c1');
      secrets.activeDigests.mockResolvedValue([sha256('old'), sha256('new')]);
      expect(await sut.authenticate('c1', 'new')).toBe('c1');
      await expect(sut.authenticate('c1', 'wrong')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
      await expect(sut.authenticate('c1', 'wrong')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
      expect(secrets.activeDigests).toHaveBeenCalledTimes(4);
      // A wrong secret for another client never borrows c1's entry.
      secrets.activeDigests.mockResolvedValue([]);
      await expect(sut.authenticate('c2', 'old')).rejects.toMatchObject({ id: ErrorId.INVALID_CLIENT });
    });
  });

  it('says whether any client exists', async () => {
    const { sut, clients } = setup([]);
    expect(await sut.anyClient()).toBe(false);
    clients.count.mockResolvedValue(1);
    expect(await sut.anyClient()).toBe(true);
  });
});
