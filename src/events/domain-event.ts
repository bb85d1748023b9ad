/**
 * What happened in pxauth, raised once by the flow that made it happen (docs/api.md#staff-api lists
 * what must be kept). Subscribers (the audit trail; metrics later) turn events into records without
 * the flows knowing them. Types and outcomes are closed sets; their values are what the audit stores.
 */
export enum EventType {
  Login = 'login',
  TwoFactor = '2fa',
  OtpSend = 'otp_send',
  Lock = 'lock',
  Unlock = 'unlock',
  TokenIssue = 'token_issue',
  TokenRevoke = 'token_revoke',
  AdminCall = 'admin_call',
  UserCreate = 'user_create',
  FactorsChange = 'factors_change',
  PasswordChange = 'password_change',
  /** A local user's username changed by staff; the detail holds no name (the trail keeps user ids, not names). */
  UserRename = 'user_rename',
  Terms = 'terms',
  /** A request refused by THROTTLE_PER_CLIENT or THROTTLE_PER_ADDRESS (docs/operations.md, "Throttling"): 503 with retry_at; for metrics, not audited. */
  Throttle = 'throttle',
}

/** Answers that any Plaid-facing flow can give before it judges anything. */
export enum CommonOutcome {
  Maintenance = 'maintenance',
  Locked = 'locked',
  /** Every remaining attempt of the user is in flight (docs/operations.md#shedding-and-throttling): 503, never 403. */
  AttemptsInFlight = 'attempts_in_flight',
  /** Shed: its check could not start within OVERLOAD_QUEUE_TIMEOUT (docs/operations.md, "Shedding and throttling"): 503, attempt given back. */
  Overloaded = 'overloaded',
  InvalidRequest = 'invalid_request',
  ChallengeNotFound = 'challenge_not_found',
  ChallengeExpired = 'challenge_expired',
}

export enum LoginOutcome {
  Success = 'success',
  ChallengeIssued = 'challenge_issued',
  InvalidCredentials = 'invalid_credentials',
  TermsNotAccepted = 'terms_not_accepted',
  /** The credential source could not answer (docs/credential-sources.md): 503, not counted. */
  SourceUnavailable = 'source_unavailable',
  /** The password was checked while it was being changed: no token for the old one. */
  Superseded = 'superseded',
}

export enum TwoFactorOutcome {
  Success = 'success',
  Wrong = 'wrong',
  TotpReplay = 'totp_replay',
  OtpNotSent = 'otp_not_sent',
}

export enum SendOutcome {
  Sent = 'sent',
  LimitReached = 'limit_reached',
  InvalidSendMethod = 'invalid_send_method',
  ProviderFailed = 'provider_failed',
  ProviderRefused = 'provider_refused',
}

export enum ThrottleOutcome {
  PerClient = 'per_client',
  PerAddress = 'per_address',
}

export enum LockOutcome {
  Temporarily = 'locked_temporarily',
  UntilUnlocked = 'locked_until_unlocked',
  ByStaff = 'locked_by_staff',
}

export enum StaffOutcome {
  Ok = 'ok',
  Created = 'created',
  Unlocked = 'unlocked',
  Set = 'set',
  Reset = 'reset',
  Changed = 'changed',
  Accepted = 'accepted',
  Issued = 'issued',
  Revoked = 'revoked',
}

interface Subject {
  userId?: string | null;
  institutionId?: string | null;
  clientId?: string | null;
  /** Only identifiers, counts and reasons: never a password, passcode, answer, secret or token. */
  detail?: Record<string, unknown>;
}

export type DomainEvent = Subject &
  (
    | { type: EventType.Login; outcome: LoginOutcome | CommonOutcome }
    | { type: EventType.TwoFactor; outcome: TwoFactorOutcome | CommonOutcome }
    | { type: EventType.OtpSend; outcome: SendOutcome | CommonOutcome }
    | { type: EventType.Lock; outcome: LockOutcome }
    | { type: EventType.Unlock; outcome: StaffOutcome.Unlocked }
    | { type: EventType.TokenIssue; outcome: StaffOutcome.Issued }
    | { type: EventType.TokenRevoke; outcome: StaffOutcome.Revoked }
    | { type: EventType.AdminCall; outcome: StaffOutcome.Ok | string }
    | { type: EventType.UserCreate; outcome: StaffOutcome.Created }
    | { type: EventType.FactorsChange; outcome: StaffOutcome.Set | StaffOutcome.Reset }
    | { type: EventType.PasswordChange; outcome: StaffOutcome.Changed }
    | { type: EventType.UserRename; outcome: StaffOutcome.Changed }
    | { type: EventType.Terms; outcome: StaffOutcome.Accepted }
    | { type: EventType.Throttle; outcome: ThrottleOutcome }
  );
