import { ErrorId } from '@/common/errors/error-id';
import { TransactionAborted } from '@/database/transaction';
import type { PasswordHasher } from '@/users/password-hasher';
import type { User } from '@/users/user.entity';
import type { UsersService } from '@/users/users.service';
import type { KbaQuestionRepository } from './kba-question.repository';
import { KbaService } from './kba.service';

describe(KbaService.name, () => {
  const setup = () => {
    const repo = { replace: jest.fn().mockResolvedValue(undefined) };
    const users = { insert: jest.fn().mockResolvedValue(undefined) };
    const hasher = { hash: jest.fn().mockImplementation((s: string) => Promise.resolve(`argon2(${s})`)) };
    const sut = new KbaService(
      repo as unknown as KbaQuestionRepository,
      users as unknown as UsersService,
      hasher as unknown as PasswordHasher,
    );
    return { sut, repo, users };
  };

  it('makes a new user through the users module, with its questions in the same transaction, answers hashed', async () => {
    const { sut, users } = setup();
    const user = { id: 'u1' } as User;
    await sut.enrollNewUser(user, [{ question: ' First pet? ', answer: 'Rex' }]);
    const [inserted, alongside] = users.insert.mock.calls[0] as [User, { sql: string; params: unknown[] }[]];
    expect(inserted).toBe(user);
    expect(alongside).toHaveLength(1);
    expect(alongside[0].sql).toMatch(/^INSERT INTO kba_question/);
    expect(alongside[0].params).toEqual([expect.any(String), 'u1', 0, 'First pet?', 'argon2(rex)']);
  });

  it('answers NOT_FOUND when the questions of no such user are replaced', async () => {
    const { sut, repo } = setup();
    repo.replace.mockRejectedValue(new TransactionAborted('auth_epoch', 1, { rows: [], affected: 0 }));
    await expect(sut.replace('nobody', [])).rejects.toMatchObject({ id: ErrorId.NOT_FOUND });
  });

  it('lets any other failure travel', async () => {
    const { sut, repo } = setup();
    const outage = new Error('connection terminated');
    repo.replace.mockRejectedValue(outage);
    await expect(sut.replace('u1', [])).rejects.toBe(outage);
  });
});
