import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { User } from './user.entity';

@Injectable()
export class UserRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(institutionId: string, usernameNorm: string): Promise<User | null> {
    return this.users.findOneBy({ institutionId, usernameNorm });
  }

  search(filter: { usernameNorm?: string; institutionId?: string }, limit: number): Promise<User[]> {
    const where: FindOptionsWhere<User> = {};
    if (filter.usernameNorm) where.usernameNorm = filter.usernameNorm;
    if (filter.institutionId) where.institutionId = filter.institutionId;
    return this.users.find({ where, order: { createdAt: 'ASC' }, take: limit });
  }

  async insert(user: User): Promise<void> {
    await this.users.insert(user);
  }

  async update(id: string, patch: Partial<User>): Promise<void> {
    await this.users.update({ id }, { ...patch, updatedAt: Date.now() });
  }

  /** Accepts a TOTP time step once per user (RFC 6238 section 5.2): false for a replayed step. */
  async claimTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ totpLastStep: step })
      .where('id = :id', { id })
      .andWhere('(totp_last_step IS NULL OR totp_last_step < :step)', { step })
      .execute();
    return r.affected === 1;
  }
}
