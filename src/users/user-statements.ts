import type { SqlStep } from '@/database/transaction';
import type { User } from './user.entity';

/**
 * Statements on the users table for a transaction that other modules run (runTransaction), so that
 * the SQL of this table stays here. A KBA enrolment is the first user of them (issue 6).
 */

/** The INSERT that makes a prepared user (UsersService.prepare) exist; a taken username is a unique violation. */
export function insertUserStep(u: User): SqlStep {
  const row: [string, unknown][] = [
    ['id', u.id],
    ['institution_id', u.institutionId],
    ['username', u.username],
    ['username_norm', u.usernameNorm],
    ['password_hash', u.passwordHash],
    ['phone', u.phone],
    ['email', u.email],
    ['totp_secret', u.totpSecretSealed],
    ['totp_last_step', u.totpLastStep],
    ['mfa_preference', u.mfaPreference],
    ['auth_epoch', u.authEpoch],
    ['terms_accepted_version', u.termsAcceptedVersion],
    ['created_at', u.createdAt],
    ['updated_at', u.updatedAt],
  ];
  return {
    name: 'user',
    sql: `INSERT INTO users (${row.map(([c]) => c).join(', ')}) VALUES (${row.map(() => '?').join(', ')})`,
    params: row.map(([, v]) => v ?? null),
    affected: 1,
  };
}

/**
 * Moves the user's authentication epoch on: a challenge opened under the old epoch is refused from
 * then on (issue 6: replacing the KBA questions ends the open KBA challenges). Unmet: no such user.
 */
export function bumpAuthEpochStep(userId: string, now: number): SqlStep {
  return {
    name: 'auth_epoch',
    sql: 'UPDATE users SET auth_epoch = auth_epoch + 1, updated_at = ? WHERE id = ?',
    params: [now, userId],
    affected: 1,
  };
}
