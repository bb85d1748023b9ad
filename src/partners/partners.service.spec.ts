import { ErrorId } from '@/common/errors/error-id';
import { sha256 } from '@/common/crypto/digest';
import type { PartnerClientRepository } from './partner-client.repository';
import type { PartnerSecretRepository } from './partner-secret.repository';
import { PartnersService } from './partners.service';

describe(PartnersService.name, () => {
  const setup = (digests: string[]) => {
    const secrets = { activeDigests: jest.fn().mockResolvedValue(digests) };
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

  it('says whether any client exists', async () => {
    const { sut, clients } = setup([]);
    expect(await sut.anyClient()).toBe(false);
    clients.count.mockResolvedValue(1);
    expect(await sut.anyClient()).toBe(true);
  });
});
