import type { FactorKind } from '@/users/factor-kind';
import type { SendMethod } from '@/challenge/challenge.entity';
import type { LockState } from '@/users/lockout/lockout.service';
import type { User, UserSource } from '@/users/user.entity';

/** A user as support staff see them: no hash, secret or unmasked destination ever leaves (STYLE.md habit 4). */
export interface UserView {
  user_id: string;
  username: string;
  institution_id: string;
  /** Where the password is checked (docs/credential-sources.md): `local`, or a shadow user's source and reference. */
  source: { kind: UserSource; reference: string | null };
  lock: {
    locked: boolean;
    permanent: boolean;
    until: string | null;
    reason: string | null;
    /** When the current lock began; null when unlocked. */
    since: string | null;
    /** Wrong answers judged in a row (passwords and second factors alike). */
    consecutive_failures: number;
    /** Attempts being judged right now: they become failures or are given back. */
    attempts_in_flight: number;
    locks_in_a_row: number;
  };
  factors: { otp: { id: string; type: string; mask: string }[]; totp: boolean; kba: { id: string; text: string }[] };
  mfa_preference: FactorKind | null;
  terms: { accepted_version: number; current_version: number; pending: boolean };
  created_at: string;
  updated_at: string;
}

export function toUserView(
  user: User,
  lock: LockState,
  methods: SendMethod[],
  kba: { id: string; text: string }[],
  termsVersion: number,
): UserView {
  return {
    user_id: user.id,
    username: user.username,
    institution_id: user.institutionId,
    source: { kind: user.source, reference: user.reference },
    lock: {
      locked: lock.locked,
      permanent: lock.permanent,
      until: lock.until && !lock.permanent ? new Date(lock.until).toISOString() : null,
      reason: lock.reason,
      since: lock.lockedAt ? new Date(lock.lockedAt).toISOString() : null,
      consecutive_failures: lock.failures,
      attempts_in_flight: lock.inFlight,
      locks_in_a_row: lock.lockCount,
    },
    factors: { otp: methods, totp: !!user.totpSecretSealed, kba },
    mfa_preference: user.mfaPreference,
    terms: {
      accepted_version: user.termsAcceptedVersion,
      current_version: termsVersion,
      pending: user.termsAcceptedVersion < termsVersion,
    },
    created_at: new Date(user.createdAt).toISOString(),
    updated_at: new Date(user.updatedAt).toISOString(),
  };
}
