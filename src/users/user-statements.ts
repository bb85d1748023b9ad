import type { SqlStep } from '@/database/transaction';

/**
 * Statements on the users table for a transaction that other modules run (runTransaction), so that
 * the SQL of this table stays here. Replacing a user's KBA questions is the first user of them.
 */

/**
 * Moves the user's authentication epoch on: a challenge opened under the old epoch is refused from
 * then on (replacing the KBA questions ends the open KBA challenges). Unmet: no such user.
 */
export function bumpAuthEpochStep(userId: string, now: number): SqlStep {
  return {
    name: 'auth_epoch',
    sql: 'UPDATE users SET auth_epoch = auth_epoch + 1, updated_at = ? WHERE id = ?',
    params: [now, userId],
    affected: 1,
  };
}
