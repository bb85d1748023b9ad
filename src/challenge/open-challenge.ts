import type { FactorKind } from '@/users/factor-kind';
import type { Challenge, SendMethod } from './challenge.entity';

interface ChallengeState {
  id: string;
  userId: string;
  clientId: string;
  locale: string;
  state: Challenge['state'];
  attempts: number;
  expiresAt: number;
  userEpoch: number;
  /** The normalised username typed at the login; null for a challenge opened before it was kept. */
  loginName: string | null;
  codeHmac: string | null;
  codeExpiresAt: number | null;
  lastSentAt: number;
}

/** A challenge as one request sees it, with what it offered parsed once, by kind (docs/api.md#challenges-202). */
export type OpenChallenge =
  | (ChallengeState & { kind: 'otp'; methods: SendMethod[]; refused: string[] })
  | (ChallengeState & { kind: 'totp' })
  | (ChallengeState & { kind: 'kba'; questionIds: string[] });

export type OpenChallengeOf<K extends FactorKind> = Extract<OpenChallenge, { kind: K }>;

export function toOpenChallenge(c: Challenge): OpenChallenge {
  const state: ChallengeState = {
    id: c.id,
    userId: c.userId,
    clientId: c.clientId,
    locale: c.locale,
    state: c.state,
    attempts: c.attempts,
    expiresAt: c.expiresAt,
    userEpoch: c.userEpoch,
    loginName: c.loginName,
    codeHmac: c.codeHmac,
    codeExpiresAt: c.codeExpiresAt,
    lastSentAt: c.lastSentAt,
  };
  switch (c.kind) {
    case 'otp':
      return {
        ...state,
        kind: 'otp',
        methods: JSON.parse(c.offered) as SendMethod[],
        refused: c.refusedMethods.split(',').filter(Boolean),
      };
    case 'totp':
      return { ...state, kind: 'totp' };
    case 'kba':
      return { ...state, kind: 'kba', questionIds: JSON.parse(c.offered) as string[] };
  }
}
