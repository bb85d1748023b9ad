/**
 * The sandbox of README.md#the-sandbox: fixed, documented credentials for trying pxauth out.
 * Never seeded when NODE_ENV=production (config refuses SANDBOX=true there).
 */
export const SANDBOX_CLIENT = { id: 'sandbox-client', secret: 'sandbox-secret' };
/** Plaid's redirect URI, and loopback ones (any port, RFC 8252 7.3) for trying the OAuth flow locally. */
export const SANDBOX_REDIRECT_URIS = [
  'https://cdn.plaid.com/link/v2/stable/oauth.html',
  'http://127.0.0.1/',
  'http://127.0.0.1/callback',
];
export const SANDBOX_STAFF = [
  { name: 'sandbox admin', role: 'admin', key: 'sandbox-admin-key' },
  { name: 'sandbox support', role: 'support', key: 'sandbox-support-key' },
  { name: 'sandbox resource server', role: 'resource-server', key: 'sandbox-rs-key' },
] as const;
export const SANDBOX_PASSWORD = 'pass_good';
export const SANDBOX_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
export const SANDBOX_KBA = [
  { question: 'What city were you born in?', answer: 'San Francisco' },
  { question: 'Where did you go to high school?', answer: 'Billings High School' },
  { question: "What is your mother's maiden name?", answer: 'Platypus' },
];
export const SANDBOX_USERS = {
  user_good: {},
  user_otp: { phone: '+14155550123', email: 'user_otp@example.com' },
  user_totp: { totp: true },
  user_kba: { kba: SANDBOX_KBA },
  user_locked: {},
  user_terms: {},
} as const;
