/** The second factors a user can have (docs/api.md#challenges-202); MFA_PRIORITY orders them. */
export const FACTOR_KINDS = ['totp', 'otp', 'kba'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];
