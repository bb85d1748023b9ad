import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { runSql } from '@/database/sql';
import { OAuthCode } from './oauth-code.entity';

/** oauth_code's statements, by the code's SHA-256; each change is one conditional UPDATE. */
@Injectable()
export class OAuthCodeRepository {
  constructor(@InjectRepository(OAuthCode) private readonly codes: Repository<OAuthCode>) {}

  async insert(code: OAuthCode): Promise<void> {
    await this.codes.insert(code);
  }

  findByHash(codeHash: string): Promise<OAuthCode | null> {
    return this.codes.findOneBy({ codeHash });
  }

  /** Marks the code used unless it was already: it can no longer be redeemed. */
  async markUsed(codeHash: string, now: number): Promise<void> {
    await runSql(
      this.codes.manager.connection,
      'UPDATE oauth_code SET used_at = ? WHERE code_hash = ? AND used_at IS NULL',
      [now, codeHash],
    );
  }

  /** Spends the code if it is unused and unexpired at `now`: of any number of exchanges at once, one gets true. */
  async spend(codeHash: string, now: number): Promise<boolean> {
    const r = await runSql(
      this.codes.manager.connection,
      'UPDATE oauth_code SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?',
      [now, codeHash, now],
    );
    return r.affected === 1;
  }

  async markReused(codeHash: string, now: number): Promise<void> {
    await runSql(this.codes.manager.connection, 'UPDATE oauth_code SET reused_at = ? WHERE code_hash = ?', [
      now,
      codeHash,
    ]);
  }

  async deleteExpiredBefore(before: number): Promise<number> {
    const r = await runSql(this.codes.manager.connection, 'DELETE FROM oauth_code WHERE expires_at < ?', [before]);
    return r.affected;
  }
}
