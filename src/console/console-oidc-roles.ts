import type { StaffRole } from '@/staff-auth/staff-key.entity';

/** Which claim values make a person support, and which admin (docs/console.md, "Signing in through the bank's identity provider"). */
export interface RoleMapping {
  claim: string;
  support: readonly string[];
  admin: readonly string[];
}

/**
 * The console role a person's ID token claims give: their claim is a string or an array of strings
 * (Okta's and Entra ID's `groups` are arrays); a value listed as admin wins over one listed as support;
 * no value listed, or a claim of another shape: null, and the person is refused.
 */
export function consoleRoleOf(claims: Record<string, unknown>, mapping: RoleMapping): StaffRole | null {
  const raw = claims[mapping.claim];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v) => typeof v === 'string') : [];
  if (values.some((v) => mapping.admin.includes(v))) return 'admin';
  if (values.some((v) => mapping.support.includes(v))) return 'support';
  return null;
}

/**
 * The name the console shows and the audit trail records (at most 200 characters, as its column): the
 * provider's display name, else a login name, else the subject.
 */
export function displayNameOf(claims: Record<string, unknown>, subject: string): string {
  for (const name of ['name', 'preferred_username', 'email'])
    if (typeof claims[name] === 'string' && claims[name]) return claims[name].slice(0, 200);
  return subject.slice(0, 200);
}
